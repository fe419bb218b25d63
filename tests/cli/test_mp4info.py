"""The MP4 header reader agrees with a real decoder, wherever `moov` sits."""

from __future__ import annotations

from pathlib import Path

import pytest

from wan_r2v._mp4info import Mp4InfoError, read_mp4_info

av = pytest.importorskip("av")


def _write_mp4(path: Path, *, seconds: int, width: int, height: int, faststart: bool) -> None:
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(seconds * 10):
            frame = av.VideoFrame(width, height, "yuv420p")
            for plane in frame.planes:
                plane.update(bytes([index % 256]) * plane.buffer_size)
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


@pytest.mark.parametrize("faststart", [False, True])
def test_duration_and_size_match_the_decoder(tmp_path: Path, faststart: bool) -> None:
    path = tmp_path / "v.mp4"
    _write_mp4(path, seconds=3, width=192, height=108, faststart=faststart)
    info = read_mp4_info(path)
    with av.open(str(path)) as container:
        expected = container.duration / 1_000_000
    assert info.duration == pytest.approx(expected, abs=0.05)
    assert info.duration == pytest.approx(3.0, abs=0.05)
    assert (info.width, info.height) == (192, 108)
    assert info.size_bytes == path.stat().st_size


@pytest.mark.parametrize(
    "content",
    [b"", b"not an mp4 file at all", b"\x00\x00\x00\x10ftypisom\x00\x00\x00\x00"],
)
def test_non_mp4_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.mp4"
    path.write_bytes(content)
    with pytest.raises(Mp4InfoError):
        read_mp4_info(path)

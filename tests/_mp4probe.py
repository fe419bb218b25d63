"""A small pure-Python MP4 box parser, so tests check files without trusting the server.

It reads only what tests need: the movie duration (``mvhd``), each track's
duration (``mdhd``), the video track's width and height (``tkhd`` and the
``avc1``/``mp4v``/... sample entry in ``stsd``) and its sample count (``stsz``).
Use::

    from _mp4probe import probe_mp4
    info = probe_mp4(path)          # or probe_mp4_bytes(data)
    assert (info.width, info.height) == (1280, 720)
    assert info.duration == pytest.approx(5.0, abs=0.05)

Raises `Mp4Error` when the data is not an MP4 with a video track.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Mp4Error", "Mp4Info", "TrackInfo", "probe_mp4", "probe_mp4_bytes"]

#: Boxes that hold other boxes directly.
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"udta"}
#: Visual sample entries whose width/height sit at a fixed offset.
_VISUAL_ENTRIES = {b"avc1", b"avc3", b"hvc1", b"hev1", b"mp4v", b"vp09", b"av01"}


class Mp4Error(ValueError):
    """The data is not an MP4 this parser understands."""


@dataclass(frozen=True)
class TrackInfo:
    """One track: its handler, duration and, for video, its size and codec."""

    handler: str
    duration: float
    timescale: int
    width: int | None = None
    height: int | None = None
    codec: str | None = None
    sample_count: int | None = None


@dataclass(frozen=True)
class Mp4Info:
    """What a test checks about an MP4: size, duration, codec, frame count."""

    brand: str
    duration: float
    width: int
    height: int
    codec: str
    frame_count: int | None
    tracks: tuple[TrackInfo, ...] = field(default_factory=tuple)


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """Yield (type, payload_start, box_end) for each box in data[start:end]."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            if pos + 16 > end:
                raise Mp4Error(f"truncated 64-bit box header at {pos}")
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise Mp4Error(f"box {kind!r} at {pos} has a bad size {size} (data ends at {end})")
        yield kind, pos + header, pos + size
        pos += size


def _find(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    for found, payload, box_end in _boxes(data, start, end):
        if found == kind:
            return payload, box_end
    return None


def _duration(data: bytes, payload: int) -> tuple[int, int]:
    """(timescale, duration) of an mvhd/mdhd payload (version 0 or 1)."""
    version = data[payload]
    if version == 1:
        timescale, duration = struct.unpack_from(">IQ", data, payload + 4 + 16)
    else:
        timescale, duration = struct.unpack_from(">II", data, payload + 4 + 8)
    if timescale == 0:
        raise Mp4Error("timescale 0")
    return timescale, duration


def _tkhd_size(data: bytes, payload: int) -> tuple[int, int]:
    """Width and height (16.16 fixed point, integer part) of a tkhd payload."""
    version = data[payload]
    # version/flags 4, times + track id + reserved + duration, then reserved 8,
    # layer 2, group 2, volume 2, reserved 2, matrix 36, width 4, height 4
    times = 8 + 4 + 4 + 8 if version == 1 else 4 + 4 + 4 + 4 + 4
    offset = payload + 4 + times + 8 + 8 + 36
    width, height = struct.unpack_from(">II", data, offset)
    return width >> 16, height >> 16


def _track(data: bytes, start: int, end: int) -> TrackInfo:
    mdia = _find(data, start, end, b"mdia")
    if mdia is None:
        raise Mp4Error("track without mdia")
    mdhd = _find(data, *mdia, b"mdhd")
    hdlr = _find(data, *mdia, b"hdlr")
    if mdhd is None or hdlr is None:
        raise Mp4Error("mdia without mdhd or hdlr")
    timescale, duration = _duration(data, mdhd[0])
    handler = data[hdlr[0] + 8 : hdlr[0] + 12].decode("latin-1")
    width = height = sample_count = None
    codec = None
    if handler == "vide":
        tkhd = _find(data, start, end, b"tkhd")
        if tkhd is not None:
            width, height = _tkhd_size(data, tkhd[0])
        minf = _find(data, *mdia, b"minf")
        stbl = _find(data, *minf, b"stbl") if minf else None
        if stbl is not None:
            stsd = _find(data, *stbl, b"stsd")
            if stsd is not None:
                # full box header 4, entry count 4, then the sample entries
                for kind, payload, _ in _boxes(data, stsd[0] + 8, stsd[1]):
                    codec = kind.decode("latin-1")
                    if kind in _VISUAL_ENTRIES:
                        # reserved 6, data ref 2, pre-defined/reserved 16, width 2, height 2
                        width, height = struct.unpack_from(">HH", data, payload + 24)
                    break
            stsz = _find(data, *stbl, b"stsz")
            if stsz is not None:
                (sample_count,) = struct.unpack_from(">I", data, stsz[0] + 8)
    return TrackInfo(
        handler=handler,
        duration=duration / timescale,
        timescale=timescale,
        width=width,
        height=height,
        codec=codec,
        sample_count=sample_count,
    )


def probe_mp4_bytes(data: bytes) -> Mp4Info:
    """Parse an MP4 held in memory."""
    ftyp = _find(data, 0, len(data), b"ftyp")
    if ftyp is None:
        raise Mp4Error("no ftyp box: not an MP4")
    brand = data[ftyp[0] : ftyp[0] + 4].decode("latin-1")
    moov = _find(data, 0, len(data), b"moov")
    if moov is None:
        raise Mp4Error("no moov box")
    mvhd = _find(data, *moov, b"mvhd")
    if mvhd is None:
        raise Mp4Error("no mvhd box")
    timescale, duration = _duration(data, mvhd[0])
    tracks = tuple(
        _track(data, payload, box_end)
        for kind, payload, box_end in _boxes(data, *moov)
        if kind == b"trak"
    )
    if _find(data, 0, len(data), b"mdat") is None:
        raise Mp4Error("no mdat box: the file holds no media data")
    video = next((t for t in tracks if t.handler == "vide"), None)
    if video is None or video.width is None or video.height is None or video.codec is None:
        raise Mp4Error("no video track with a size and a codec")
    return Mp4Info(
        brand=brand,
        duration=duration / timescale,
        width=video.width,
        height=video.height,
        codec=video.codec,
        frame_count=video.sample_count,
        tracks=tracks,
    )


def probe_mp4(path: str | Path) -> Mp4Info:
    """Parse an MP4 file."""
    return probe_mp4_bytes(Path(path).read_bytes())

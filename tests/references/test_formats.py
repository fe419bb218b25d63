"""Formats are recognised by their first bytes, whatever the file is called."""

from __future__ import annotations

import _media
import pytest

from wan_r2v.references import sniff


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_media.mp4(), "mp4"),
        (_media.mov(), "mov"),
        (b"\x00\x00\x00\x08wide" + bytes(16), "mov"),  # old QuickTime without ftyp
        (_media.png(), "png"),
        (_media.jpeg(), "jpeg"),
        (_media.bmp(), "bmp"),
        (_media.webp(), "webp"),
        (_media.wav(), "wav"),
        (_media.mp3(), "mp3"),
        (b"ID3\x04\x00" + bytes(20), "mp3"),
        (b"GIF89a" + bytes(20), "gif"),
        (b"\x00\x00\x00\x18ftypheic" + bytes(20), "heif"),
        (b"\x00\x00\x00\x18ftypM4A " + bytes(20), "m4a"),
    ],
)
def test_each_format_is_known_by_its_first_bytes(data: bytes, expected: str) -> None:
    assert sniff(data[:64]) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello, this is text pretending to be a video",
        b"BM" + bytes(30),  # 'BM' without a DIB header size
        b"RIFF\x00\x00\x00\x00AVI LIST",  # a RIFF that is neither WEBP nor WAVE
        b"\xff\xfe\x00\x00",  # not an MPEG frame header
        b"<html><body>404</body></html>",
    ],
)
def test_anything_else_is_unrecognised(data: bytes) -> None:
    assert sniff(data) is None

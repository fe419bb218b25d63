"""Tiny media files made byte by byte for the reference checks (no encoder needed).

Each is just enough of its format for a first-bytes check, and an MP4/MOV carries
a real movie header (``mvhd``) with the duration asked for.
"""

from __future__ import annotations

import struct
from pathlib import Path

__all__ = ["bmp", "jpeg", "mov", "mp3", "mp4", "png", "wav", "webp", "write"]


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _movie(seconds: float, ftyp: bytes | None, pad: int) -> bytes:
    timescale = 1000
    mvhd = _box(
        b"mvhd",
        bytes(4) + struct.pack(">IIII", 0, 0, timescale, round(seconds * timescale)) + bytes(80),
    )
    head = _box(b"ftyp", ftyp + bytes(4) + b"isommp41") if ftyp is not None else b""
    return head + _box(b"moov", mvhd) + _box(b"mdat", bytes(pad))


def mp4(seconds: float = 5.0, pad: int = 256) -> bytes:
    """An MP4 (brand isom) whose movie header says `seconds`."""
    return _movie(seconds, b"isom", pad)


def mov(seconds: float = 5.0, pad: int = 256) -> bytes:
    """A QuickTime movie (brand 'qt  ') whose movie header says `seconds`."""
    return _movie(seconds, b"qt  ", pad)


def png(pad: int = 64) -> bytes:
    """A PNG signature and an IHDR chunk."""
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I4sIIBBBBB", 13, b"IHDR", 64, 64, 8, 2, 0, 0, 0)
        + bytes(pad)
    )


def jpeg(pad: int = 64) -> bytes:
    """A JPEG start-of-image and APP0 marker."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(pad)


def bmp(pad: int = 64) -> bytes:
    """A BMP file header with a 40-byte DIB header."""
    return (
        b"BM" + struct.pack("<IHHI", 54 + pad, 0, 0, 54) + struct.pack("<I", 40) + bytes(36 + pad)
    )


def webp(pad: int = 64) -> bytes:
    """A RIFF/WEBP header."""
    return b"RIFF" + struct.pack("<I", 4 + pad) + b"WEBPVP8 " + bytes(pad)


def wav(pad: int = 64) -> bytes:
    """A RIFF/WAVE header."""
    return b"RIFF" + struct.pack("<I", 36 + pad) + b"WAVEfmt " + bytes(pad)


def mp3(pad: int = 64) -> bytes:
    """An MPEG-1 Layer III frame header (no ID3 tag)."""
    return b"\xff\xfb\x90\x64" + bytes(pad)


def write(folder: Path, name: str, data: bytes) -> Path:
    """Write `data` to ``folder/name`` and return the path."""
    path = folder / name
    path.write_bytes(data)
    return path

"""Video bodies for download tests: whole MP4 files of any size, made byte by byte.

A download is saved only when its bytes are an MP4/MOV (an ``ftyp`` box
first) made of whole top-level boxes; these helpers make such bodies
without an encoder: an ``ftyp`` box, an empty ``moov`` box, then one ``mdat``
box filling the rest.
"""

from __future__ import annotations

import struct

__all__ = ["ENDLESS_HEAD", "FTYP", "MOOV", "mp4_bytes", "mp4_head"]

#: A 24-byte ``ftyp`` box (brand mp42).
FTYP = struct.pack(">I4s", 24, b"ftyp") + b"mp42" + bytes(4) + b"mp42isom"
#: An empty ``moov`` box (a movie box must be there for the file to be whole).
MOOV = struct.pack(">I4s", 8, b"moov")
#: The start of an MP4 that never ends: its ``mdat`` box runs "to the end of the file".
ENDLESS_HEAD = FTYP + MOOV + struct.pack(">I4s", 0, b"mdat")


def mp4_head(total: int) -> bytes:
    """The first 40 bytes of a whole MP4 of `total` bytes (any bytes may follow, up to `total`)."""
    assert total >= 40, total
    return FTYP + MOOV + struct.pack(">I4s", total - 32, b"mdat")


def mp4_bytes(total: int, fill: bytes = b"\x00") -> bytes:
    """A whole MP4 of exactly `total` bytes; its media data repeats `fill`."""
    rest = total - 40
    return mp4_head(total) + (fill * (rest // len(fill) + 1))[:rest]

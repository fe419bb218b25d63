"""A tiny MP4 box reader: the movie's duration, the first video track's size and whether it has sound.

Reads only box headers and the `mvhd`/`tkhd` boxes, so it is cheap on large
files and works whether `moov` sits before or after `mdat`.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ._frozen import Frozen, field_setter

__all__ = ["Mp4Info", "Mp4InfoError", "read_mp4_info"]


class Mp4InfoError(ValueError):
    """The file is not an MP4 this reader understands."""


class Mp4Info(Frozen):
    """What the header says about an MP4 file."""

    __slots__ = ("duration", "has_audio", "height", "size_bytes", "width")
    size_bytes: int
    duration: float
    width: int | None
    height: int | None
    #: Whether the file holds an audio track (a ``soun`` handler), i.e. has sound.
    has_audio: bool

    def __init__(
        self,
        size_bytes: int,
        duration: float,
        width: int | None = None,
        height: int | None = None,
        has_audio: bool = False,
    ) -> None:
        set_field = field_setter(self)
        set_field("size_bytes", size_bytes)
        set_field("duration", duration)
        set_field("width", width)
        set_field("height", height)
        set_field("has_audio", has_audio)


def _boxes(stream: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """Yield ``(type, payload_start, box_end)`` for each box between two offsets."""
    offset = start
    while offset + 8 <= end:
        stream.seek(offset)
        header = stream.read(8)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header)
        payload = offset + 8
        if size == 1:
            large = stream.read(8)
            if len(large) < 8:
                raise Mp4InfoError("truncated 64-bit box size")
            (size,) = struct.unpack(">Q", large)
            payload = offset + 16
        elif size == 0:
            size = end - offset
        if size < payload - offset or offset + size > end:
            raise Mp4InfoError(f"box {kind!r} at {offset} has a bad size {size}")
        yield kind, payload, offset + size
        offset += size


def _read_mvhd(stream: BinaryIO, payload: int) -> float:
    stream.seek(payload)
    version = stream.read(4)[0]
    if version == 1:
        data = stream.read(28)
        timescale, duration = struct.unpack(">16xIQ", data)
    else:
        data = stream.read(16)
        timescale, duration = struct.unpack(">8xII", data)
    if timescale == 0:
        raise Mp4InfoError("mvhd timescale is 0")
    return float(duration) / float(timescale)


def _read_tkhd_size(stream: BinaryIO, payload: int) -> tuple[int, int]:
    stream.seek(payload)
    version = stream.read(4)[0]
    # version 1: 8+8+4+4+8 bytes of times/ids; version 0: 4+4+4+4+4
    skip = 32 if version == 1 else 20
    # then reserved(8) layer(2) alt_group(2) volume(2) reserved(2) matrix(36) width(4) height(4)
    stream.seek(payload + 4 + skip + 52)
    data = stream.read(8)
    if len(data) < 8:
        raise Mp4InfoError("truncated tkhd box")
    width, height = struct.unpack(">II", data)
    return width >> 16, height >> 16


def read_mp4_info(path: str | os.PathLike[str]) -> Mp4Info:
    """Duration (seconds) and video size of an MP4 file; `Mp4InfoError` when it is not one."""
    file_path = Path(path)
    size_bytes = file_path.stat().st_size
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    has_audio = False
    with file_path.open("rb") as stream:
        kinds = []
        for kind, payload, end in _boxes(stream, 0, size_bytes):
            kinds.append(kind)
            if kind != b"moov":
                continue
            for sub_kind, sub_payload, sub_end in _boxes(stream, payload, end):
                if sub_kind == b"mvhd":
                    duration = _read_mvhd(stream, sub_payload)
                elif sub_kind == b"trak":
                    handler, size = _track(stream, sub_payload, sub_end)
                    has_audio = has_audio or handler == b"soun"
                    if handler == b"vide" and size is not None and width is None:
                        width, height = size
        if not kinds or kinds[0] not in (
            b"ftyp",
            b"styp",
            b"free",
            b"skip",
            b"wide",
            b"moov",
            b"mdat",
        ):
            raise Mp4InfoError(f"{file_path} does not start with an MP4 box")
    if duration is None:
        raise Mp4InfoError(f"{file_path} has no movie header (moov/mvhd)")
    return Mp4Info(
        size_bytes=size_bytes, duration=duration, width=width, height=height, has_audio=has_audio
    )


def _track(stream: BinaryIO, start: int, end: int) -> tuple[bytes | None, tuple[int, int] | None]:
    """A track's handler type (``vide``, ``soun``, ...) and its tkhd size."""
    size: tuple[int, int] | None = None
    handler: bytes | None = None
    for kind, payload, box_end in _boxes(stream, start, end):
        if kind == b"tkhd":
            size = _read_tkhd_size(stream, payload)
        elif kind == b"mdia":
            for sub_kind, sub_payload, _ in _boxes(stream, payload, box_end):
                if sub_kind == b"hdlr":
                    stream.seek(sub_payload + 8)
                    handler = stream.read(4)
    return handler, size

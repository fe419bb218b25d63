"""Recognise a media file by its first bytes (never by its name): the format word and its MIME type.

Pure: every function takes the head of a file as bytes.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "CONTENT_TYPES",
    "EXTENSIONS",
    "HEAD_BYTES",
    "KIND_OF_FORMAT",
    "Kind",
    "describe_format",
    "sniff",
]

Kind = Literal["video", "image", "audio"]

#: How many leading bytes `sniff` needs.
HEAD_BYTES = 64

#: Each recognised format, the kind of media it is.
KIND_OF_FORMAT: dict[str, Kind] = {
    "mp4": "video",
    "mov": "video",
    "jpeg": "image",
    "png": "image",
    "bmp": "image",
    "webp": "image",
    "gif": "image",
    "heif": "image",
    "wav": "audio",
    "mp3": "audio",
    "m4a": "audio",
}

CONTENT_TYPES: dict[str, str] = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "bmp": "image/bmp",
    "webp": "image/webp",
    "gif": "image/gif",
    "heif": "image/heif",
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
}

#: The file name extension an uploaded copy gets (some providers look at it).
EXTENSIONS: dict[str, str] = {
    "mp4": ".mp4",
    "mov": ".mov",
    "jpeg": ".jpg",
    "png": ".png",
    "bmp": ".bmp",
    "webp": ".webp",
    "gif": ".gif",
    "heif": ".heic",
    "wav": ".wav",
    "mp3": ".mp3",
    "m4a": ".m4a",
}

_NAMES: dict[str, str] = {
    "mp4": "MP4",
    "mov": "MOV",
    "jpeg": "JPEG",
    "png": "PNG",
    "bmp": "BMP",
    "webp": "WEBP",
    "gif": "GIF",
    "heif": "HEIF",
    "wav": "WAV",
    "mp3": "MP3",
    "m4a": "M4A",
}

#: QuickTime's top-level atoms that may open a .mov written without an ``ftyp``.
_QUICKTIME_FIRST_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis")
_AUDIO_BRANDS = (b"M4A ", b"M4B ", b"M4P ")
#: BMP's DIB header sizes (BITMAPCOREHEADER .. BITMAPV5HEADER).
_BMP_DIB_SIZES = (12, 16, 40, 52, 56, 64, 108, 124)


def describe_format(fmt: str) -> str:
    """The format as people write it, e.g. ``"MP4"``."""
    return _NAMES.get(fmt, fmt.upper())


def _iso_media(head: bytes) -> str | None:
    """MP4, MOV, HEIF or M4A: an ISO base media file (or QuickTime) by its first box."""
    if len(head) < 12:
        return None
    kind = head[4:8]
    if kind == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "mov"
        if brand in _HEIF_BRANDS:
            return "heif"
        if brand in _AUDIO_BRANDS:
            return "m4a"
        return "mp4"
    if kind in _QUICKTIME_FIRST_ATOMS:
        return "mov"
    return None


def _is_mp3(head: bytes) -> bool:
    if head.startswith(b"ID3"):
        return True
    if len(head) < 3 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0b11
    layer = (head[1] >> 1) & 0b11
    bitrate = head[2] >> 4
    rate = (head[2] >> 2) & 0b11
    return version != 0b01 and layer == 0b01 and bitrate not in (0, 0xF) and rate != 0b11


def sniff(head: bytes) -> str | None:
    """The format of a file from its first `HEAD_BYTES` bytes, or None when unrecognised."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and len(head) >= 12:
        return {b"WEBP": "webp", b"WAVE": "wav"}.get(head[8:12])
    if (
        head.startswith(b"BM")
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little") in _BMP_DIB_SIZES
    ):
        return "bmp"
    media = _iso_media(head)
    if media is not None:
        return media
    if _is_mp3(head):
        return "mp3"
    return None

"""Local reference files: tell a path from a URL, and check a file against the upstream limits.

Every check reads only the file's head (and, for a video, its container's
header boxes), so checking a 100 MB clip costs a few small reads. All problems
of all files are returned at once, before anything is uploaded or sent.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .._frozen import Frozen, field_setter
from .._mp4info import Mp4InfoError, read_mp4_info
from .._validation import is_http_url
from ..errors import Problem
from ..presets import ReferenceLimits
from ._formats import (
    CONTENT_TYPES,
    EXTENSIONS,
    HEAD_BYTES,
    KIND_OF_FORMAT,
    Kind,
    describe_format,
    sniff,
)

__all__ = ["LocalFile", "check_local_file", "local_path_of"]


class LocalFile(Frozen):
    """A checked local reference file: where it is, what it is, and which argument named it."""

    __slots__ = ("duration", "field", "format", "kind", "mtime_ns", "path", "size")
    path: Path
    kind: Kind
    #: The format its first bytes show, e.g. ``"mp4"``, ``"png"``, ``"wav"``.
    format: str
    size: int
    #: The video's length from its container (None for images and audio).
    duration: float | None
    #: The argument it came from, e.g. ``videos[0]`` or ``audio``.
    field: str
    #: Its modification time when checked: an upload refuses a file that changed since.
    mtime_ns: int

    def __init__(
        self,
        *,
        path: Path,
        kind: Kind,
        format: str,
        size: int,
        duration: float | None = None,
        field: str = "",
        mtime_ns: int = 0,
    ) -> None:
        set_field = field_setter(self)
        set_field("path", path)
        set_field("kind", kind)
        set_field("format", format)
        set_field("size", size)
        set_field("duration", duration)
        set_field("field", field)
        set_field("mtime_ns", mtime_ns)

    @property
    def content_type(self) -> str:
        """The MIME type its upload is stored with."""
        return CONTENT_TYPES.get(self.format, "application/octet-stream")

    @property
    def extension(self) -> str:
        """The name extension of its uploaded copy, e.g. ``".mp4"``."""
        return EXTENSIONS.get(self.format, "")

    def unchanged(self) -> bool:
        """Whether the file still has the size and modification time it was checked with."""
        try:
            st = self.path.stat()
        except OSError:
            return False
        return (st.st_size, st.st_mtime_ns) == (self.size, self.mtime_ns)


def local_path_of(value: object) -> Path | None:
    """The local path a reference names, or None when it is an http(s) URL (or not text at all).

    An ``os.PathLike`` is always a path; a string is a path unless it is an
    http(s) URL; a ``file://`` URL is the path it names.
    """
    if type(value) is str and is_http_url(value):  # the common case first (a str is no PathLike)
        return None
    if isinstance(value, os.PathLike):
        return Path(os.fspath(value))
    if not isinstance(value, str) or is_http_url(value):
        return None
    if value.lower().startswith("file://"):
        parts = urlsplit(value)
        if parts.netloc not in ("", "localhost"):
            return None
        return Path(unquote(parts.path))
    if "://" in value:
        return None  # another scheme: the URL rules report it
    return Path(value).expanduser()


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def _wanted(kind: Kind, limits: ReferenceLimits) -> tuple[str, ...]:
    return {
        "video": limits.video_formats,
        "image": limits.image_formats,
        "audio": limits.audio_formats,
    }[kind]


_NOUNS = {"video": "a reference video", "image": "a reference image", "audio": "guide audio"}


def _article(name: str) -> str:
    return "an" if name[:1] in "AEFHILMNORSX" and not name.startswith(("HEIF", "U")) else "a"


def _allowed(formats: Iterable[str]) -> str:
    return " or ".join(describe_format(f) for f in formats)


def check_local_file(
    path: Path,
    kind: Kind,
    field: str,
    limits: ReferenceLimits,
    problems: list[Problem],
    *,
    shown: str | None = None,
) -> LocalFile | None:
    """Check one file against the limits for its kind; add each problem found, return it when it passed.

    `shown` is how messages name the file (the path as the user wrote it; default: `path`).
    """
    shown = shown if shown is not None else str(path)
    try:
        if not path.exists():
            problems.append(
                Problem(
                    field,
                    f"{shown!r} is neither an http(s) URL nor an existing file; "
                    "give a URL the provider can fetch or the path of a local file",
                )
            )
            return None
        if not path.is_file():
            problems.append(
                Problem(field, f"{shown} is not a regular file (a folder?); give a file")
            )
            return None
        stat = path.stat()
        size = stat.st_size
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
    except OSError as exc:
        problems.append(
            Problem(field, f"{shown} cannot be read ({exc.strerror or exc}); check its permissions")
        )
        return None
    wanted = _wanted(kind, limits)
    fmt = sniff(head)
    if fmt is None or fmt not in wanted:
        what = (
            "an empty file"
            if size == 0
            else "not a format this library recognises"
            if fmt is None
            else f"{_article(describe_format(fmt))} {describe_format(fmt)} {KIND_OF_FORMAT[fmt]}"
        )
        problems.append(
            Problem(
                field,
                f"{shown} is {what} (by its content, whatever its name); "
                f"{_NOUNS[kind]} must be {_allowed(wanted)}",
            )
        )
        return None
    ok = True
    max_bytes = {"video": limits.max_video_bytes, "image": limits.max_image_bytes}.get(kind)
    if max_bytes is not None and size > max_bytes:
        problems.append(
            Problem(
                field,
                f"{shown} is {_mb(size)}; a reference {kind} may be at most {_mb(max_bytes)} "
                "(compress or trim it)",
            )
        )
        ok = False
    duration: float | None = None
    if kind == "video":
        try:
            duration = read_mp4_info(path).duration
        except (Mp4InfoError, OSError) as exc:
            problems.append(
                Problem(
                    field, f"{shown}: its {describe_format(fmt)} container cannot be read ({exc})"
                )
            )
            return None
        low, high = limits.min_video_seconds, limits.max_video_seconds
        if not low <= duration <= high:
            problems.append(
                Problem(
                    field,
                    f"{shown} lasts {duration:.2f} s; a reference video must last {low:g} to {high:g} s "
                    "(trim or extend it)",
                )
            )
            ok = False
    if not ok:
        return None
    return LocalFile(
        path=path,
        kind=kind,
        format=fmt,
        size=size,
        duration=duration,
        field=field,
        mtime_ns=stat.st_mtime_ns,
    )

"""Local reference files on the command line: the store they go to, and a progress line per file."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._console import Console

if TYPE_CHECKING:
    from ..references import UploadProgress

__all__ = ["UploadPrinter", "has_local_files", "uploader_for"]

_ENV = "WAN_R2V_UPLOAD_URL"
#: A file's progress is shown at each of these shares (as lines: they work in logs too).
_STEPS = (25, 50, 75)


def has_local_files(args: argparse.Namespace) -> bool:
    """Whether any --video, --image or --audio names a local file rather than a URL."""
    from ..references import local_path_of

    values = [*(getattr(args, "videos", None) or ()), *(getattr(args, "images", None) or ())]
    audio = getattr(args, "audio", None)
    if audio is not None:
        values.append(audio)
    return any(local_path_of(v) is not None for v in values)


_FLAGS = {"videos": "--video", "images": "--image", "audio": "--audio"}


def _flag(field: str) -> str:
    """The flag that named a file, as the command line's problems say it: ``videos[1]`` -> ``--video #2``."""
    name, _, index = field.partition("[")
    flag = _FLAGS.get(name, name)
    position = index.rstrip("]")
    return f"{flag} #{int(position) + 1}" if position.isdigit() else flag


def _mib(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


class UploadPrinter:
    """Prints how each upload goes on stderr (uploads run in threads: one line at a time)."""

    def __init__(self, console: Console, *, enabled: bool = True) -> None:
        self._console = console
        self._enabled = enabled
        self._lock = threading.Lock()
        self._shown: dict[str, int] = {}

    def __call__(self, event: UploadProgress) -> None:
        """Show one progress event (the `S3Uploader` ``on_progress`` hook)."""
        if not self._enabled:
            return
        name = f"{_flag(event.file.field)} {event.file.path.name}"
        line: str | None = None
        if event.state == "reused":
            line = f"{name}: already in the store, not uploaded again"
        elif event.state == "uploaded":
            line = f"{name}: uploaded ({_mib(event.total)})"
        elif event.state == "uploading" and event.total:
            percent = event.sent * 100 // event.total
            step = max((s for s in _STEPS if percent >= s), default=0)
            with self._lock:
                if step > self._shown.get(name, 0):
                    self._shown[name] = step
                    line = f"{name}: uploading {step}% of {_mib(event.total)}"
        if line is not None:
            with self._lock:
                self._console.err(line)


def uploader_for(
    args: argparse.Namespace, environ: Mapping[str, str], console: Console, *, quiet: bool
) -> Any:
    """The `S3Uploader` for --upload-to (else $WAN_R2V_UPLOAD_URL), printing progress; None when neither is set.

    ImportError (the s3 extra is missing) and ValueError (a bad store URL) say what to change.
    """
    url = getattr(args, "upload_to", None) or environ.get(_ENV) or None
    if url is None:
        return None
    from ..references import url_lifetime
    from ..references._s3 import S3Uploader

    # `generate` creates, then waits up to --timeout: the URLs must outlive that wait
    timeout = getattr(args, "timeout", None)
    return S3Uploader.from_url(
        url,
        on_progress=UploadPrinter(console, enabled=not quiet),
        min_expires_in=url_lifetime(timeout) if timeout is not None else None,
    )

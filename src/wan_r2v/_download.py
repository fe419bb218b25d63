"""The one piece of download I/O both shells share: a file that appears only when complete.

Chunks go to a hidden temporary file in the target's folder; only a complete
body is renamed over the target (atomic on one file system). On any failure,
interruption included, the temporary file is removed and the target is left
as it was.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import httpx

from ._core import Stream, accept_download_head
from .errors import DownloadError

__all__ = ["AtomicFile", "resolve_target", "sink_for"]


def resolve_target(target: Path, default_name: str) -> Path:
    """The file to write: `target`, or ``target/default_name`` when `target` is an existing folder."""
    target = Path(os.path.expanduser(target))
    return target / default_name if target.is_dir() else target


def sink_for(action: Stream, response: httpx.Response) -> AtomicFile | None:
    """The file to stream a response into, or None when it is not a 200 (the flow decides what next)."""
    if not accept_download_head(response.status_code, response.headers, action.max_bytes):
        return None
    return AtomicFile(action)


class AtomicFile:
    """Write a download to a temporary file and rename it into place only on success."""

    def __init__(self, action: Stream) -> None:
        self.path = resolve_target(action.target, action.default_name)
        self._overwrite = action.overwrite
        self._max_bytes = action.max_bytes
        self._written = 0
        self._temp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(6)}.part")
        self._file: BinaryIO | None = None

    def __enter__(self) -> AtomicFile:
        self._refuse_existing()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self._temp, "xb")
        return self

    def _refuse_existing(self) -> None:
        if not self._overwrite and self.path.exists():
            raise FileExistsError(f"{self.path} exists; pass overwrite=True or another path")

    def write(self, chunk: bytes) -> None:
        """Append a chunk; `DownloadError` once the body passes the size limit."""
        self._written += len(chunk)
        if self._max_bytes is not None and self._written > self._max_bytes:
            raise DownloadError(
                f"the video passed max_download_bytes={self._max_bytes}; raise the limit to download it; "
                "nothing was written"
            )
        assert self._file is not None
        self._file.write(chunk)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._file is not None
        committed = False
        try:
            if exc_type is None:
                self._file.flush()
                os.fsync(self._file.fileno())
            self._file.close()
            if exc_type is None:
                self._refuse_existing()
                os.replace(self._temp, self.path)
                committed = True
        finally:
            if not committed:
                self._file.close()
                self._temp.unlink(missing_ok=True)

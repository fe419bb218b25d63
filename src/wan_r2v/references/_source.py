"""Which uploader a client uses: the one passed in, else one built from ``WAN_R2V_UPLOAD_URL`` on first need."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping

from ._uploads import UPLOAD_URL_ENV, AsyncUploader, Uploader

__all__ = ["NO_STORE_HINT", "UploaderSource"]

NO_STORE_HINT = (
    "is a local file, and no store is configured to upload it to: set "
    f"{UPLOAD_URL_ENV}=s3://bucket/prefix (with the store's usual AWS_* credentials), "
    "or pass uploader=S3Uploader(...) to the client"
)


class UploaderSource:
    """Resolves a client's uploader once: the argument first, then the environment (read at construction)."""

    def __init__(
        self,
        uploader: Uploader | AsyncUploader | None = None,
        *,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self._given = uploader
        self._url = None if uploader is not None else (environ.get(UPLOAD_URL_ENV) or None)
        self._built: Uploader | AsyncUploader | None = None
        self._problem: str | None = None
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        """Whether an uploader was given or the environment names a store."""
        return self._given is not None or self._url is not None

    def resolve(self) -> tuple[Uploader | AsyncUploader | None, str | None]:
        """(the uploader, None), or (None, what to change) when there is none or it cannot be built."""
        if self._given is not None:
            return self._given, None
        if self._url is None:
            return None, NO_STORE_HINT
        with self._lock:
            if self._built is None and self._problem is None:
                try:
                    from ._s3 import S3Uploader

                    self._built = S3Uploader.from_url(self._url)
                except ImportError as exc:
                    self._problem = f"is a local file; {UPLOAD_URL_ENV} is set, but {exc}"
                except ValueError as exc:
                    self._problem = f"is a local file, but {UPLOAD_URL_ENV} is not usable: {exc}"
            return self._built, self._problem

    def __repr__(self) -> str:
        if self._given is not None:
            return f"UploaderSource({self._given!r})"
        return f"UploaderSource({UPLOAD_URL_ENV}={self._url!r})"

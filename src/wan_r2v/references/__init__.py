"""Local reference files: checked on disk, uploaded to your own object store, sent as signed URLs.

Anywhere a reference URL goes (``videos=``, ``images=``, ``audio=``), a local
path may go. Each file is checked against the model's `ReferenceLimits`
(format by its first bytes, size, a video's length from its container), every
problem at once, before anything is uploaded or sent. Then an `Uploader`
stores each file under its content hash (once: it asks the store first) and
returns a URL the provider can fetch for as long as the wait may last.

`S3Uploader` (the ``s3`` extra: ``pip install 'wan-r2v[s3]'``) works with any
S3-compatible store; any object with an ``upload(file, *, expires_in)`` method
is an `Uploader` too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..presets import ReferenceLimits
from ._files import LocalFile, check_local_file, local_path_of
from ._formats import Kind, sniff
from ._prepare import PreparedReferences, names_local_files, prepare_references, substitute
from ._source import UploaderSource
from ._uploads import (
    UPLOAD_URL_ENV,
    URL_MARGIN,
    AsyncUploader,
    Uploader,
    UploadProgress,
    UploadProgressCallback,
    content_name,
    sha256_of,
    upload_all,
    upload_all_async,
    url_lifetime,
)

if TYPE_CHECKING:
    from ._s3 import S3Uploader

__all__ = [
    "UPLOAD_URL_ENV",
    "URL_MARGIN",
    "AsyncUploader",
    "Kind",
    "LocalFile",
    "PreparedReferences",
    "ReferenceLimits",
    "S3Uploader",
    "UploadProgress",
    "UploadProgressCallback",
    "Uploader",
    "UploaderSource",
    "check_local_file",
    "content_name",
    "local_path_of",
    "names_local_files",
    "prepare_references",
    "sha256_of",
    "sniff",
    "substitute",
    "upload_all",
    "upload_all_async",
    "url_lifetime",
]


def __getattr__(name: str) -> object:
    """`S3Uploader` loads on first use (its module imports obstore only when built)."""
    if name == "S3Uploader":
        from ._s3 import S3Uploader

        return S3Uploader
    raise AttributeError(f"module 'wan_r2v.references' has no attribute {name!r}")

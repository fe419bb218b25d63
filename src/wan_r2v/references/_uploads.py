"""The `Uploader` protocol, content-hash names, URL lifetimes, and running a request's uploads at once.

An uploader stores a checked local file in the user's own object store
(unless the store already holds it) and returns a URL the provider can GET
until a stated time. Files are named by the SHA-256 of their content, so a
clip used in a hundred tasks is stored once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Literal, Protocol, runtime_checkable

from .._frozen import Frozen, field_setter
from ..errors import UploadError
from ._files import LocalFile

__all__ = [
    "UPLOAD_URL_ENV",
    "URL_MARGIN",
    "AsyncUploader",
    "UploadProgress",
    "UploadProgressCallback",
    "Uploader",
    "content_name",
    "sha256_of",
    "upload_all",
    "upload_all_async",
    "url_lifetime",
]

#: The environment variable naming the store local files go to, e.g. ``s3://my-bucket/wan-r2v``.
UPLOAD_URL_ENV = "WAN_R2V_UPLOAD_URL"
#: A signed URL outlives the wait's deadline by this much (queueing, clock skew, a late fetch).
URL_MARGIN = timedelta(minutes=30)
#: The longest a SigV4 presigned URL may live.
MAX_URL_LIFETIME = timedelta(days=7)
_CHUNK = 1024 * 1024


@runtime_checkable
class Uploader(Protocol):
    """Stores a local file and returns a URL that the provider can fetch until `expires_in` passes."""

    def upload(self, file: LocalFile, *, expires_in: timedelta) -> str:
        """Store `file` (unless the store holds it already) and return a URL valid for `expires_in`."""
        ...


@runtime_checkable
class AsyncUploader(Protocol):
    """An uploader the async client can await (otherwise it runs `Uploader.upload` in a thread)."""

    async def upload_async(self, file: LocalFile, *, expires_in: timedelta) -> str:
        """`Uploader.upload`, awaited."""
        ...


class UploadProgress(Frozen):
    """How far the upload of one file is: ``sent`` of ``total`` bytes, and how it ended."""

    __slots__ = ("file", "sent", "state", "total")
    file: LocalFile
    sent: int
    total: int
    #: ``"checking"`` (asking the store), ``"uploading"``, ``"uploaded"``, or ``"reused"``
    #: (the store already held the same content: nothing was sent).
    state: Literal["checking", "uploading", "uploaded", "reused"]

    def __init__(
        self,
        file: LocalFile,
        sent: int,
        total: int,
        state: Literal["checking", "uploading", "uploaded", "reused"],
    ) -> None:
        set_field = field_setter(self)
        set_field("file", file)
        set_field("sent", sent)
        set_field("total", total)
        set_field("state", state)


UploadProgressCallback = Callable[[UploadProgress], object]


def url_lifetime(wait_timeout: float) -> timedelta:
    """How long a reference URL must stay valid: the wait's deadline plus `URL_MARGIN` (at most 7 days)."""
    return min(timedelta(seconds=max(wait_timeout, 0.0)) + URL_MARGIN, MAX_URL_LIFETIME)


def sha256_of(file: LocalFile) -> str:
    """The SHA-256 of the file's content, hex."""
    import hashlib  # here: `import wan_r2v` needs no hashing

    digest = hashlib.sha256()
    with file.path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def content_name(file: LocalFile, sha256: str) -> str:
    """The object name of a file: its content hash and its format's extension, e.g. ``<sha256>.mp4``."""
    return f"{sha256}{file.extension}"


def _failed(files: Sequence[LocalFile], errors: Sequence[BaseException | None]) -> UploadError:
    lines = [
        f"{f.field or f.path.name} ({f.path.name}): {e}"
        for f, e in zip(files, errors, strict=True)
        if e is not None
    ]
    count = len(lines)
    noun = "upload" if count == 1 else "uploads"
    return UploadError(
        f"{count} reference {noun} failed, so the task was not created:\n"
        + "\n".join(f"  - {line}" for line in lines)
    )


def upload_all(
    uploader: Uploader, files: Sequence[LocalFile], *, expires_in: timedelta
) -> list[str]:
    """Upload the files at once (one thread each, up to 8); their URLs in order, or `UploadError` naming each failure."""
    if len(files) == 1:
        try:
            return [uploader.upload(files[0], expires_in=expires_in)]
        except Exception as exc:
            raise _failed(files, [exc]) from exc
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(
        max_workers=min(len(files), 8), thread_name_prefix="wan-r2v-upload"
    ) as pool:
        futures = [pool.submit(uploader.upload, f, expires_in=expires_in) for f in files]
        errors = [fut.exception() for fut in futures]
    if any(e is not None for e in errors):
        raise _failed(files, errors) from next(e for e in errors if e is not None)
    return [fut.result() for fut in futures]


async def upload_all_async(
    uploader: Uploader | AsyncUploader, files: Sequence[LocalFile], *, expires_in: timedelta
) -> list[str]:
    """`upload_all`, awaited: `upload_async` when the uploader has it, else `upload` in threads."""
    import asyncio

    async def one(file: LocalFile) -> str:
        if isinstance(uploader, AsyncUploader):
            return await uploader.upload_async(file, expires_in=expires_in)
        return await asyncio.to_thread(uploader.upload, file, expires_in=expires_in)

    results = await asyncio.gather(*(one(f) for f in files), return_exceptions=True)
    errors = [r if isinstance(r, BaseException) else None for r in results]
    for error in errors:
        if error is not None and not isinstance(error, Exception):
            raise error  # cancellation and the like go through as they are
    if any(e is not None for e in errors):
        raise _failed(files, errors) from next(e for e in errors if e is not None)
    return [r for r in results if isinstance(r, str)]

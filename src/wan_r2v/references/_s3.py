"""`S3Uploader`: stores reference files in an S3-compatible bucket and signs GET URLs for them.

Built on obstore (the ``s3`` extra): one small wheel with no Python
dependencies that speaks S3 (AWS, R2, MinIO, OSS's S3 interface, ...) with
blocking and async calls and signs URLs locally (see ``references/README``
in the project's docs for why not boto3).
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._signed_urls import scrub_signed_urls
from ..errors import UploadError
from ._files import LocalFile
from ._uploads import (
    MAX_URL_LIFETIME,
    UPLOAD_URL_ENV,
    UploadProgress,
    UploadProgressCallback,
    content_name,
    sha256_of,
)

if TYPE_CHECKING:
    from obstore.store import S3Store

__all__ = ["UPLOAD_URL_ENV", "S3Uploader", "require_obstore"]

EXTRA_HINT = "pip install 'wan-r2v[s3]'"
#: Files up to this size go up in one PUT; larger ones in parts, with progress per part.
SINGLE_PUT_BYTES = 8 * 1024 * 1024
_PART = 5 * 1024 * 1024
_ENDPOINT_ENVS = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ENDPOINT")
#: A store that keeps failing (5xx, resets) is given up on within about a minute, not
#: obstore's default of 10 retries over 3 minutes: the user is waiting to create a task.
_RETRY = {
    "max_retries": 3,
    "retry_timeout": timedelta(seconds=60),
    "backoff": {"init_backoff": timedelta(milliseconds=200), "max_backoff": timedelta(seconds=5)},
}
#: Each request (one PUT of up to 8 MiB, or one 5 MiB part) within 2 minutes.
_CLIENT = {"connect_timeout": timedelta(seconds=10), "timeout": timedelta(seconds=120)}


def require_obstore() -> Any:
    """The obstore module, or an ImportError that says which extra to install."""
    try:
        import obstore
    except ImportError as exc:
        raise ImportError(
            f"uploading local reference files to S3 needs the s3 extra: {EXTRA_HINT}"
        ) from exc
    return obstore


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _parse_store_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("s3", "s3a") or not parts.netloc:
        raise ValueError(
            f"{url!r} is not an s3://bucket/prefix URL (set {UPLOAD_URL_ENV}=s3://my-bucket/wan-r2v)"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"{url!r} must not carry a query or fragment")
    return parts.netloc, parts.path.strip("/")


class _Counting:
    """Reads a file in parts, reports each part, and checks at the end that the content hash held."""

    def __init__(self, uploader: S3Uploader, file: LocalFile, sha256: str) -> None:
        self.uploader, self.file, self.sha256 = uploader, file, sha256

    def __iter__(self) -> Iterator[bytes]:
        digest = hashlib.sha256()
        sent = 0
        with self.file.path.open("rb") as stream:
            chunk = stream.read(_PART)
            while chunk:
                following = stream.read(_PART)
                digest.update(chunk)
                if not following and digest.hexdigest() != self.sha256:
                    raise UploadError(
                        f"{self.file.path} changed while it was being uploaded; try again"
                    )
                sent += len(chunk)
                yield chunk
                self.uploader._report(self.file, sent, "uploading")
                chunk = following


class S3Uploader:
    """Uploads reference files to an S3-compatible bucket, named by content hash, and signs GET URLs.

    ``S3Uploader("my-bucket", prefix="wan-r2v")`` or
    ``S3Uploader.from_url("s3://my-bucket/wan-r2v", endpoint="https://<account>.r2.cloudflarestorage.com")``.
    Credentials and region come from the arguments, else from the store's usual
    variables (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``,
    ``AWS_REGION``, ``AWS_ENDPOINT_URL``). Plain http is refused except to this
    machine, unless ``allow_http=True``. ``min_expires_in`` makes every signed URL
    live at least that long (the client asks for its wait's deadline plus a margin).
    """

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        session_token: str | None = None,
        allow_http: bool | None = None,
        on_progress: UploadProgressCallback | None = None,
        min_expires_in: timedelta | None = None,
    ) -> None:
        obstore_store = require_obstore().store
        endpoint = endpoint or next(
            (os.environ[name] for name in _ENDPOINT_ENVS if os.environ.get(name)), None
        )
        if allow_http is None:
            host = urlsplit(endpoint).hostname if endpoint else None
            allow_http = bool(
                endpoint and endpoint.startswith("http://") and host and _is_loopback(host)
            )
        if endpoint and endpoint.startswith("http://") and not allow_http:
            raise ValueError(
                f"endpoint {endpoint} is plain http: uploads and their signatures would travel "
                "unencrypted; use https, or pass allow_http=True if you accept that"
            )
        config: dict[str, Any] = {}
        for key, value in (
            ("endpoint", endpoint),
            ("region", region),
            ("access_key_id", access_key_id),
            ("secret_access_key", secret_access_key),
            ("session_token", session_token),
        ):
            if value:
                config[key] = value
        if (
            endpoint
            and "region" not in config
            and not (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"))
        ):
            config["region"] = (
                "us-east-1"  # most S3-compatible stores ignore it, but SigV4 needs one
            )
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint = endpoint
        self.on_progress = on_progress
        #: URLs live at least this long, whatever a call asks (e.g. a command's own wait deadline).
        self.min_expires_in = min_expires_in
        self._store: S3Store = obstore_store.S3Store(
            bucket,
            prefix=self.prefix or None,
            client_options={**_CLIENT, "allow_http": bool(allow_http)},
            retry_config=_RETRY,
            **config,
        )

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> S3Uploader:
        """An uploader for ``s3://bucket/prefix``; other arguments as in the constructor."""
        bucket, prefix = _parse_store_url(url)
        return cls(bucket, prefix=prefix, **kwargs)

    @classmethod
    def from_env(cls, **kwargs: Any) -> S3Uploader:
        """An uploader for ``$WAN_R2V_UPLOAD_URL`` (``s3://bucket/prefix``); ValueError when unset."""
        url = os.environ.get(UPLOAD_URL_ENV)
        if not url:
            raise ValueError(f"{UPLOAD_URL_ENV} is not set; set it to s3://bucket/prefix")
        return cls.from_url(url, **kwargs)

    @property
    def location(self) -> str:
        """Where files go, as ``s3://bucket/prefix`` (no credentials)."""
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    def __repr__(self) -> str:
        endpoint = f", endpoint={self.endpoint!r}" if self.endpoint else ""
        return f"S3Uploader({self.location!r}{endpoint})"

    def _report(self, file: LocalFile, sent: int, state: Any) -> None:
        if self.on_progress is not None:
            self.on_progress(UploadProgress(file=file, sent=sent, total=file.size, state=state))

    def _error(self, file: LocalFile, action: str, exc: BaseException) -> UploadError:
        detail = scrub_signed_urls(str(exc) or type(exc).__name__)
        return UploadError(f"{action} {file.path.name} in {self.location} failed: {detail}")

    def _lifetime(self, expires_in: timedelta) -> timedelta:
        floor = max(self.min_expires_in or timedelta(0), timedelta(seconds=1))
        return min(max(expires_in, floor), MAX_URL_LIFETIME)

    def _has(self, obstore: Any, name: str, file: LocalFile) -> bool:
        try:
            meta = obstore.head(self._store, name)
        except FileNotFoundError:
            return False
        return int(meta["size"]) == file.size

    def upload(self, file: LocalFile, *, expires_in: timedelta) -> str:
        """Store the file under its content hash unless the bucket holds it; a signed GET URL."""
        obstore = require_obstore()
        if not file.unchanged():
            raise UploadError(f"{file.path} changed since it was checked; try again")
        sha256 = sha256_of(file)
        name = content_name(file, sha256)
        self._report(file, 0, "checking")
        try:
            if self._has(obstore, name, file):
                self._report(file, file.size, "reused")
            else:
                attributes = {"Content-Type": file.content_type}
                if file.size <= SINGLE_PUT_BYTES:
                    data = file.path.read_bytes()
                    if hashlib.sha256(data).hexdigest() != sha256:
                        raise UploadError(
                            f"{file.path} changed while it was being uploaded; try again"
                        )
                    obstore.put(self._store, name, data, attributes=attributes, use_multipart=False)
                else:
                    obstore.put(
                        self._store,
                        name,
                        iter(_Counting(self, file, sha256)),
                        attributes=attributes,
                        chunk_size=_PART,
                        max_concurrency=4,
                    )
                if not file.unchanged():
                    raise UploadError(f"{file.path} changed while it was being uploaded; try again")
                self._report(file, file.size, "uploaded")
            url: str = obstore.sign(self._store, "GET", name, self._lifetime(expires_in))
        except UploadError:
            raise
        except Exception as exc:
            raise self._error(file, "storing", exc) from None
        return url

    async def upload_async(self, file: LocalFile, *, expires_in: timedelta) -> str:
        """`upload`, awaited (hashing runs in a thread)."""
        import asyncio

        return await asyncio.to_thread(self.upload, file, expires_in=expires_in)

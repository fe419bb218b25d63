"""What `Client` and `AsyncClient` share: construction, configuration, dry runs and repr (no I/O)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar, Unpack

import httpx

from ._config import (
    DEFAULT_DOWNLOAD_MIN_SPEED,
    DEFAULT_DOWNLOAD_STALL_TIME,
    DEFAULT_DOWNLOAD_TIMEOUT,
    DEFAULT_KEEPALIVE_EXPIRY,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_DOWNLOAD_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    TaskPath,
    make_config,
)
from ._core import (
    CreateParams,
    Flow,
    FlowContext,
    create_flow,
    download_flow,
    generate_flow,
    get_flow,
    safe_filename,
    target_of,
    wait_flow,
)
from ._core._local_files import build_body_with_files, with_file_uris
from ._download import refuse_taken_target
from ._gate import AsyncGate, Gate
from ._log_redaction import protect_logs
from ._logs import setup_from_env
from ._request_builder import RequestBuilder
from ._version import __version__
from .presets import PRESETS, Preset
from .references import AsyncUploader, Uploader, UploaderSource
from .task import GenerationResult, Task

__all__ = ["USER_AGENT", "VERSION", "BaseClient"]

VERSION = __version__
USER_AGENT = f"wan-r2v/{VERSION} python-httpx/{httpx.__version__}"

HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)
GateT = TypeVar("GateT", Gate, AsyncGate)


def _effective_timeout(
    configured: httpx.Timeout | None, client_timeout: httpx.Timeout
) -> httpx.Timeout:
    """The configured timeout, else the passed-in client's own, unless that one is unbounded."""
    if configured is not None:
        return configured
    unbounded = all(
        v is None
        for v in (
            client_timeout.connect,
            client_timeout.read,
            client_timeout.write,
            client_timeout.pool,
        )
    )
    return DEFAULT_TIMEOUT if unbounded else client_timeout


class BaseClient(Generic[HttpT, GateT]):
    """Configuration and the pure parts of a client; the subclasses add the I/O."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: HttpT | None = None,
        presets: Mapping[str, Preset] = PRESETS,
        strict: bool = True,
        poll_interval: float | None = None,
        max_download_bytes: int | None = DEFAULT_MAX_DOWNLOAD_BYTES,
        allow_insecure_http: bool = False,
        task_path: TaskPath = "videos",
        max_connections: int | None = DEFAULT_MAX_CONNECTIONS,
        keepalive_expiry: float | None = DEFAULT_KEEPALIVE_EXPIRY,
        uploader: Uploader | AsyncUploader | None = None,
        download_timeout: float | None = DEFAULT_DOWNLOAD_TIMEOUT,
        download_min_speed: float | None = DEFAULT_DOWNLOAD_MIN_SPEED,
        download_stall_time: float = DEFAULT_DOWNLOAD_STALL_TIME,
    ) -> None:
        """Configure a client; nothing is sent until a method is called.

        `max_connections` caps the requests in flight at once, downloads included
        (20 by default; None: no cap). More concurrent calls (say 1,000 ``wait()``
        coroutines) wait their turn in the client, cheaply and in arrival order, instead
        of queueing in httpx's pool, whose cost grows with queue x connections. The wait
        has no limit of its own (each request holding a turn ends within its own limits,
        so the queue drains): only a caller's deadline (``wait(timeout=)``, a download's)
        or an explicit pool timeout (``timeout=httpx.Timeout(60, pool=5)``) ends it, as
        `httpx.PoolTimeout`: nothing was sent. The client's own httpx pool gets this many
        connections, all kept alive. With your own `http_client`, pass its pool size
        (httpx's default is 100); against a distant gateway with many tasks, a larger
        value polls them more promptly.

        `keepalive_expiry` (4 s; None: forever) is how long the own pool reuses an idle
        connection. Keep it below the gateway's idle keep-alive timeout (5 s for uvicorn,
        Node.js, Apache): a create sent just as the gateway closes an idle connection reads
        "connection reset", and a create is never resent then (`TaskMayExistError`).
        With your own `http_client`, set ``httpx.Limits(keepalive_expiry=...)`` there.

        `uploader` stores local reference files (paths in ``videos=``, ``images=``,
        ``audio=``) and returns signed URLs; without it, ``WAN_R2V_UPLOAD_URL``
        (``s3://bucket/prefix``) names an S3-compatible store (the ``s3`` extra).

        A download (the video's fetch: every attempt, retry and redirect) ends within
        `download_timeout` seconds (3600; None: no limit). An attempt whose bytes average
        below `download_min_speed` bytes/s (1024; 0 or None: no rule) over
        `download_stall_time` seconds (30) has stalled, as with curl's
        ``--speed-limit``/``--speed-time``: it is retried, resumed where the server allows.
        """
        setup_from_env(os.environ)  # WAN_R2V_LOG=debug: the request log on stderr
        self._config = make_config(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            own_client=http_client is None,
            max_retries=max_retries,
            presets=presets,
            strict=strict,
            poll_interval=poll_interval,
            max_download_bytes=max_download_bytes,
            task_path=task_path,
            allow_insecure_http=allow_insecure_http,
            max_connections=max_connections,
            keepalive_expiry=keepalive_expiry,
            download_timeout=download_timeout,
            download_min_speed=download_min_speed,
            download_stall_time=download_stall_time,
        )
        protect_logs(self, self._config.api_key.reveal() if self._config.api_key else None)
        self._owns_http = http_client is None
        self._http: HttpT = http_client if http_client is not None else self._new_http()
        self._gate: GateT = self._new_gate()
        self._requests = RequestBuilder(self._http)
        self._ctx = FlowContext(
            config=self._config,
            timeout=_effective_timeout(self._config.timeout, self._http.timeout),
            user_agent=USER_AGENT,
            uploads=UploaderSource(uploader),
        )

    def _new_http(self) -> HttpT:
        raise NotImplementedError

    def _new_gate(self) -> GateT:
        raise NotImplementedError

    @property
    def _limits(self) -> httpx.Limits:
        """The own pool's limits: `max_connections` connections, each kept alive `keepalive_expiry` s."""
        size = self._config.max_connections
        return httpx.Limits(
            max_connections=size,
            max_keepalive_connections=size,
            keepalive_expiry=self._config.keepalive_expiry,
        )

    @property
    def base_url(self) -> str | None:
        """The gateway's host root, e.g. ``https://gateway.example`` (no ``/v1``)."""
        return self._config.base_url

    @property
    def timeout(self) -> httpx.Timeout:
        """The timeout of each request."""
        return self._ctx.timeout

    def build_request(self, **params: Unpack[CreateParams]) -> dict[str, Any]:
        """The exact create body (wire JSON), validated; nothing is sent. `ValidationError` lists every problem.

        Local files are checked and shown as ``file://`` URIs; a create uploads them
        and sends their signed URLs instead.
        """
        body, files, _ = build_body_with_files(
            params,
            presets=self._config.presets,
            strict=self._config.strict,
            uploads=None,
            need_uploader=False,
        )
        return (with_file_uris(body, files) if files else body).to_dict()

    # The flows of the public methods; `Client` and `AsyncClient` only drive them.

    def _create(self, params: CreateParams) -> Flow[Task]:
        return create_flow(self._ctx, params)

    def _get(self, task_id: str) -> Flow[Task]:
        return get_flow(self._ctx, task_id)

    def _wait(
        self,
        task_or_id: Task | str,
        timeout: float,
        poll_interval: float | None,
        raise_on_failure: bool,
    ) -> Flow[Task]:
        return wait_flow(
            self._ctx,
            task_or_id,
            timeout=timeout,
            poll_interval=poll_interval,
            raise_on_failure=raise_on_failure,
        )

    def _download(
        self, task_or_id: Task | str, path: str | os.PathLike[str], overwrite: bool
    ) -> Flow[Path]:
        target = target_of(path)
        # before anything is sent: a target that can only fail is refused now
        name = safe_filename(task_or_id.id if isinstance(task_or_id, Task) else str(task_or_id))
        refuse_taken_target(target, overwrite, name)
        return download_flow(self._ctx, task_or_id, target, overwrite=overwrite)

    def _generate(
        self,
        params: CreateParams,
        path: str | os.PathLike[str],
        wait_timeout: float,
        poll_interval: float | None,
        overwrite: bool,
    ) -> Flow[GenerationResult]:
        target = target_of(path)
        # before the create: a target that can only fail must not cost a task
        refuse_taken_target(target, overwrite)
        return generate_flow(
            self._ctx,
            params,
            path=target,
            wait_timeout=wait_timeout,
            poll_interval=poll_interval,
            overwrite=overwrite,
        )

    def __repr__(self) -> str:
        key = "set" if self._config.api_key is not None else "missing"
        return f"{type(self).__name__}(base_url={self._config.base_url!r}, api_key=<{key}>)"

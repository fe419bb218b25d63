"""`Client`: the blocking I/O shell around the pure core (each method drives one flow)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar, Unpack

import httpx

from ._base_client import USER_AGENT, BaseClient
from ._core import (
    HTTPX_FAILURES,
    Action,
    CreateParams,
    Discard,
    Exchange,
    Flow,
    Interrupted,
    Outcome,
    Report,
    RequestSpec,
    Send,
    Sleep,
    Stream,
    Upload,
    as_transport_error,
    error_body_length,
    failure_within_limit,
    over_time_limit,
)
from ._download import Scratch, sink_for
from ._gate import Gate
from ._socket_deadline import SocketDeadline, install
from .errors import UploadError
from .references import upload_all
from .task import GenerationResult, Task

__all__ = ["Client", "ProgressCallback"]

T = TypeVar("T")
#: Called with the first known task at once, then on every change of status or progress.
ProgressCallback = Callable[[Task], object]


def _complete(response: httpx.Response) -> bool:
    """Whether the whole body has arrived (known only with a Content-Length)."""
    length = response.headers.get("content-length", "")
    return length.isdigit() and response.num_bytes_downloaded >= int(length)


class Client(BaseClient[httpx.Client, Gate]):
    """Blocking client for the Wan 2.6 R2V task API: create, get, wait, download, generate."""

    def _new_http(self) -> httpx.Client:
        http = httpx.Client(
            timeout=self._config.timeout, headers={"User-Agent": USER_AGENT}, limits=self._limits
        )
        install(http)  # its sockets honour each API request's deadline (`SocketDeadline`)
        return http

    def _new_gate(self) -> Gate:
        return Gate(self._config.max_connections, self._config.turn_timeout)

    def create(self, **params: Unpack[CreateParams]) -> Task:
        """Validate and create a task; never sent twice when its creation is uncertain."""
        return self._run(self._create(params))

    def get(self, task_id: str) -> Task:
        """The task as the gateway describes it now."""
        return self._run(self._get(task_id))

    def wait(
        self,
        task_or_id: Task | str,
        *,
        timeout: float = 900.0,
        poll_interval: float | None = None,
        on_progress: ProgressCallback | None = None,
        raise_on_failure: bool = True,
    ) -> Task:
        """Poll until the task is done; `WaitTimeoutError` after `timeout` s, `TaskFailedError` if it failed."""
        return self._run(
            self._wait(task_or_id, timeout, poll_interval, raise_on_failure), on_progress
        )

    def download(
        self, task_or_id: Task | str, path: str | os.PathLike[str], *, overwrite: bool = True
    ) -> Path:
        """Stream the video to `path` (a folder means ``<task_id>.mp4`` in it); the file appears only when complete."""
        return self._run(self._download(task_or_id, path, overwrite))

    def generate(
        self,
        *,
        path: str | os.PathLike[str] = ".",
        wait_timeout: float = 900.0,
        poll_interval: float | None = None,
        on_progress: ProgressCallback | None = None,
        overwrite: bool = True,
        **params: Unpack[CreateParams],
    ) -> GenerationResult:
        """Create, wait and download in one call; `on_progress` gets the created task at once."""
        return self._run(
            self._generate(params, path, wait_timeout, poll_interval, overwrite), on_progress
        )

    def close(self) -> None:
        """Close the connection pool (not an `http_client` you passed in: that one stays yours)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _run(self, flow: Flow[T], on_progress: ProgressCallback | None = None) -> T:
        outcome: Any = None
        with Scratch() as scratch:  # any exception removes the part files this call made
            while True:
                try:
                    action = flow.send(outcome)
                except StopIteration as stop:
                    result: T = stop.value
                    return result
                outcome = self._perform(action, on_progress, scratch)

    def _perform(
        self, action: Action, on_progress: ProgressCallback | None, scratch: Scratch
    ) -> Any:
        match action:
            case Send(request):
                return self._send(request)
            case Stream():
                return self._stream(action, scratch)
            case Discard(part):
                part.discard()
            case Sleep(seconds):
                self._sleep(seconds)
            case Report(task) if on_progress is not None:
                on_progress(task)
            case Upload(uploader, files, expires_in):
                try:
                    return upload_all(uploader, files, expires_in=expires_in)  # type: ignore[arg-type]
                except UploadError as error:
                    return error
        return None

    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def _send(self, request: RequestSpec) -> Outcome:
        limit = request.time_limit
        head: SocketDeadline | None = None
        try:
            outgoing = self._requests.build(request)
            if limit is None:
                with self._gate.slot(request.budget):
                    response = self._http.send(outgoing, follow_redirects=False)
                return Exchange(response.status_code, response.headers, response.content)
            asked = time.monotonic()
            # the turn first (a wait that runs out is PoolTimeout: nothing was sent), then
            # the whole request within its limit
            with self._gate.slot(request.budget):
                if request.budget is not None:  # what the caller's deadline leaves
                    limit = request.limit_after(time.monotonic() - asked) or limit
                # httpx bounds each read, not the request: a gateway trickling a byte at a
                # time would hold it forever. Until the head is in, every socket wait of the
                # own pool ends by the deadline; then the body is read in chunks and stops at
                # the limit (unless the whole body is in: a complete answer is used, even a
                # late one); each read of a silent gateway is bounded by the (clipped) read timeout.
                deadline = time.monotonic() + limit
                head = SocketDeadline(deadline)
                with head:
                    response = self._http.send(outgoing, stream=True, follow_redirects=False)
                try:
                    chunks = []
                    for chunk in response.iter_bytes():
                        chunks.append(chunk)
                        if time.monotonic() > deadline and not _complete(response):
                            return over_time_limit(limit)
                finally:
                    response.close()
        except HTTPX_FAILURES as exc:
            if head is None or limit is None:  # head None: no turn came, nothing was sent
                return as_transport_error(exc)
            return failure_within_limit(exc, limit, cut=head.reached)
        return Exchange(response.status_code, response.headers, b"".join(chunks))

    def _stream(self, action: Stream, scratch: Scratch) -> Path | Interrupted | Outcome:
        try:
            with (
                self._gate.slot(action.request.budget),
                self._http.stream(**action.request.httpx_kwargs) as response,
            ):
                sink = sink_for(action, response, scratch)
                if sink is None:
                    wanted, content = error_body_length(response.status_code, response.headers), b""
                    if wanted:  # a short JSON error: its code and message
                        for chunk in response.iter_bytes():
                            content += chunk
                            if len(content) >= wanted:
                                break
                    return Exchange(response.status_code, response.headers, content[:wanted])
                with sink:
                    for chunk in response.iter_bytes():
                        sink.write(chunk)
                return sink.outcome
        except HTTPX_FAILURES as exc:
            return as_transport_error(exc)

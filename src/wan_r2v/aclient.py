"""`AsyncClient`: the async I/O shell around the pure core (each method drives one flow)."""

from __future__ import annotations

import inspect
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
    over_time_limit,
)
from ._download import Scratch, sink_for
from ._gate import AsyncGate
from .errors import UploadError
from .references import upload_all_async
from .task import GenerationResult, Task

__all__ = ["AsyncClient", "AsyncProgressCallback"]

T = TypeVar("T")
#: A plain function or a coroutine function; awaited when it returns an awaitable.
AsyncProgressCallback = Callable[[Task], object]


class AsyncClient(BaseClient[httpx.AsyncClient, AsyncGate]):
    """Async client for the Wan 2.6 R2V task API: the same methods as `Client`, awaited."""

    def _new_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            timeout=self._config.timeout, headers={"User-Agent": USER_AGENT}, limits=self._limits
        )

    def _new_gate(self) -> AsyncGate:
        return AsyncGate(self._config.max_connections, self._config.turn_timeout)

    async def create(self, **params: Unpack[CreateParams]) -> Task:
        """Validate and create a task; never sent twice when its creation is uncertain."""
        return await self._run(self._create(params))

    async def get(self, task_id: str) -> Task:
        """The task as the gateway describes it now."""
        return await self._run(self._get(task_id))

    async def wait(
        self,
        task_or_id: Task | str,
        *,
        timeout: float = 900.0,
        poll_interval: float | None = None,
        on_progress: AsyncProgressCallback | None = None,
        raise_on_failure: bool = True,
    ) -> Task:
        """Poll until the task is done; `WaitTimeoutError` after `timeout` s, `TaskFailedError` if it failed."""
        return await self._run(
            self._wait(task_or_id, timeout, poll_interval, raise_on_failure), on_progress
        )

    async def download(
        self, task_or_id: Task | str, path: str | os.PathLike[str], *, overwrite: bool = True
    ) -> Path:
        """Stream the video to `path` (a folder means ``<task_id>.mp4`` in it); the file appears only when complete."""
        return await self._run(self._download(task_or_id, path, overwrite))

    async def generate(
        self,
        *,
        path: str | os.PathLike[str] = ".",
        wait_timeout: float = 900.0,
        poll_interval: float | None = None,
        on_progress: AsyncProgressCallback | None = None,
        overwrite: bool = True,
        **params: Unpack[CreateParams],
    ) -> GenerationResult:
        """Create, wait and download in one call; `on_progress` gets the created task at once."""
        return await self._run(
            self._generate(params, path, wait_timeout, poll_interval, overwrite), on_progress
        )

    async def aclose(self) -> None:
        """Close the connection pool (not an `http_client` you passed in: that one stays yours)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _run(self, flow: Flow[T], on_progress: AsyncProgressCallback | None = None) -> T:
        outcome: Any = None
        with Scratch() as scratch:  # any exception removes the part files this call made
            while True:
                try:
                    action = flow.send(outcome)
                except StopIteration as stop:
                    result: T = stop.value
                    return result
                outcome = await self._perform(action, on_progress, scratch)

    async def _perform(
        self, action: Action, on_progress: AsyncProgressCallback | None, scratch: Scratch
    ) -> Any:
        match action:
            case Send(request):
                return await self._send(request)
            case Stream():
                return await self._stream(action, scratch)
            case Discard(part):
                part.discard()
            case Sleep(seconds):
                await self._sleep(seconds)
            case Report(task) if on_progress is not None:
                reported = on_progress(task)
                if inspect.isawaitable(reported):
                    await reported
            case Upload(uploader, files, expires_in):
                try:
                    return await upload_all_async(uploader, files, expires_in=expires_in)
                except UploadError as error:
                    return error
        return None

    async def _sleep(self, seconds: float) -> None:
        import asyncio  # here, not at the top: asyncio costs ~8 ms of `import wan_r2v`

        await asyncio.sleep(seconds)

    async def _send(self, request: RequestSpec) -> Outcome:
        limit = request.time_limit
        try:
            outgoing = self._requests.build(request)
            if limit is None:
                async with self._gate.slot(request.budget):
                    response = await self._http.send(outgoing, follow_redirects=False)
            else:
                import asyncio  # here, not at the top: asyncio costs ~8 ms of `import wan_r2v`

                # the turn first (a wait that runs out is PoolTimeout: nothing was sent), then
                # the whole request within its limit: httpx bounds each read, not the request
                asked = time.monotonic() if request.budget is not None else 0.0
                async with self._gate.slot(request.budget):
                    if request.budget is not None:  # what the caller's deadline leaves
                        limit = request.limit_after(time.monotonic() - asked) or limit
                    try:
                        async with asyncio.timeout(limit):
                            response = await self._http.send(outgoing, follow_redirects=False)
                    except TimeoutError:
                        return over_time_limit(limit)
        except HTTPX_FAILURES as exc:
            return as_transport_error(exc)
        return Exchange(response.status_code, response.headers, response.content)

    async def _stream(self, action: Stream, scratch: Scratch) -> Path | Interrupted | Outcome:
        try:
            async with (
                self._gate.slot(action.request.budget),
                self._http.stream(**action.request.httpx_kwargs) as response,
            ):
                sink = sink_for(action, response, scratch)
                if sink is None:
                    wanted, content = error_body_length(response.status_code, response.headers), b""
                    if wanted:  # a short JSON error: its code and message
                        async for chunk in response.aiter_bytes():
                            content += chunk
                            if len(content) >= wanted:
                                break
                    return Exchange(response.status_code, response.headers, content[:wanted])
                with sink:
                    async for chunk in response.aiter_bytes():
                        sink.write(chunk)
                return sink.outcome
        except HTTPX_FAILURES as exc:
            return as_transport_error(exc)

"""`Sandbox`: a sandbox gateway on a free local port, and the handle tests steer it with."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

from wan_r2v.presets import PRESETS, Preset

from ._faults import FaultInput, FaultSet
from ._lifecycle import ClockMode
from ._server import ServerThread
from ._state import (
    DEFAULT_API_KEY,
    Dialect,
    ReceivedRequest,
    SandboxConfig,
    SandboxState,
    TaskRecord,
)
from .app import SandboxApp

__all__ = ["Sandbox"]


class Sandbox:
    """A local gateway in a background thread, plus its control handle.

    ``with Sandbox() as sb:`` serves on ``sb.base_url`` (127.0.0.1, a free
    port) until the block ends. Options:

    - ``api_key``: the bearer key it accepts (``"sk-sandbox"``);
    - ``duration``: seconds a task takes from queued to completed (2.0);
    - ``clock``: ``"wall"`` (real time), ``"manual"`` (only `advance` moves
      time) or ``"per_poll"`` (each query moves the task ``duration /
      poll_steps`` seconds);
    - ``faults``: rules that always apply (texts in the fault grammar);
    - ``url_ttl``: seconds a result URL stays valid (sandbox clock);
    - ``fps``: frame rate of the generated MP4s;
    - ``presets``/``strict``: the preset table requests are checked against;
    - ``public_url``: the base of result URLs (default: the request's Host);
    - ``dialect``: ``"uniall"`` (the gateway's answers) or ``"new-api"`` (the
      relay's exactly: an envelope with the row number as ``data.id`` on
      ``/v1/video/generations/{id}``, ``metadata.url`` and ``completed_at``
      set while running on ``/v1/videos/{id}``, flat errors, an unknown id as
      400 ``task_not_exist``, no Retry-After on 429, ``X-Oneapi-Request-Id``).
    - ``check_references``: fetch each reference URL as the provider does (never
      with the gateway key) and fail the task when one cannot be fetched or is
      not the media it claims (False: URLs are taken on trust).
    """

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        duration: float = 2.0,
        clock: ClockMode = "wall",
        poll_steps: int = 4,
        faults: Iterable[FaultInput] | str = (),
        url_ttl: float = 3600.0,
        fps: int = 2,
        presets: Mapping[str, Preset] = PRESETS,
        strict: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        public_url: str | None = None,
        dialect: Dialect = "uniall",
        check_references: bool = False,
    ) -> None:
        config = SandboxConfig(
            dialect=dialect,
            check_references=check_references,
            api_key=api_key,
            duration=duration,
            clock=clock,
            poll_steps=poll_steps,
            url_ttl=url_ttl,
            fps=fps,
            presets=presets,
            strict=strict,
            public_url=public_url,
        )
        self._initial = config
        self._initial_faults: list[FaultInput] = (
            [faults] if isinstance(faults, str) else list(faults)
        )
        self.app = SandboxApp(SandboxState(config, self._initial_faults))
        self._host = host
        self._port = port
        self._server: ServerThread | None = None

    # lifecycle

    def start(self) -> Sandbox:
        """Start serving (idempotent); returns self."""
        if self._server is None:
            server = ServerThread(self.app, host=self._host, port=self._port)
            server.start()
            self._server = server
        return self

    def stop(self) -> None:
        """Stop serving (idempotent); hanging requests are released."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None and self._server.running

    # where and how to call it

    @property
    def port(self) -> int:
        """The port it listens on."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running: use 'with Sandbox() as sb' or start()")
        return self._server.port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: the base URL to give a client."""
        host = self._host if ":" not in self._host else f"[{self._host}]"
        return f"http://{host}:{self.port}"

    @property
    def api_key(self) -> str:
        """The bearer key it accepts."""
        return self.app.state.config.api_key

    @property
    def config(self) -> SandboxConfig:
        """The current settings."""
        return self.app.state.config

    # control

    @property
    def faults(self) -> FaultSet:
        """The fault rules: ``faults.add("503", route="create", times=1)``, ``remove``, ``clear``."""
        return self.app.state.faults

    @property
    def requests(self) -> list[ReceivedRequest]:
        """The API requests received since the last reset, oldest first."""
        return self.app.state.requests

    def count(self, route: str | None = None) -> int:
        """How many ``create``/``query``/``download`` requests arrived (all when None)."""
        return self.app.state.count(route)

    @property
    def tasks(self) -> list[TaskRecord]:
        """The tasks created since the last reset."""
        return self.app.state.tasks

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock forward: tasks progress, result URLs age."""
        self.app.state.advance(seconds)

    def reset(self) -> None:
        """Back to how it started: no tasks, no requests, its own settings and fault rules."""
        self.app.state.reset()

    def configure(
        self,
        *,
        api_key: str | None = None,
        duration: float | None = None,
        clock: ClockMode | None = None,
        poll_steps: int | None = None,
        url_ttl: float | None = None,
        fps: int | None = None,
        faults: Iterable[FaultInput] | str | None = None,
        dialect: Dialect | None = None,
        check_references: bool | None = None,
    ) -> None:
        """Change settings of the running sandbox (until `reset`); ``faults`` adds rules."""
        changes: dict[str, Any] = {
            key: value
            for key, value in (
                ("api_key", api_key),
                ("duration", duration),
                ("clock", clock),
                ("poll_steps", poll_steps),
                ("url_ttl", url_ttl),
                ("fps", fps),
                ("dialect", dialect),
                ("check_references", check_references),
            )
            if value is not None
        }
        if changes:
            self.app.state.configure(**changes)
        if faults is not None:
            self.faults.extend([faults] if isinstance(faults, str) else faults)

    def __repr__(self) -> str:
        where = self.base_url if self.running else "not running"
        return f"<Sandbox {where} clock={self.config.clock}>"

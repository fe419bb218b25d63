"""Run the sandbox app on uvicorn: in a background thread (tests) or in the foreground (CLI)."""

from __future__ import annotations

import socket
import threading
import time
from types import FrameType

import uvicorn

from ._connections import protocol_class
from .app import SandboxApp

__all__ = ["ServerThread", "bind_socket", "make_server"]

_START_TIMEOUT = 15.0
#: Idle kept-alive connections are closed after 75 s (nginx's default, a common front of
#: new-api), well after any client's pool drops them (the library: 4 s; httpx: 5 s). At
#: uvicorn's own 5 s, equal to httpx's pool, a loaded machine now and then met a reused
#: connection's create with the close: "connection reset", so `TaskMayExistError`.
KEEP_ALIVE_TIMEOUT = 75


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket (port 0: a free port the OS picks)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP, not 0: asyncio turns Nagle off (TCP_NODELAY) only on sockets
    # that say so, and with Nagle on every answer waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class _SandboxServer(uvicorn.Server):
    """uvicorn's server, releasing hanging requests as soon as it is asked to stop."""

    def __init__(self, config: uvicorn.Config, app: SandboxApp) -> None:
        super().__init__(config)
        self._sandbox_app = app

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._sandbox_app.state.closing.set()
        super().handle_exit(sig, frame)


def make_server(
    app: SandboxApp, *, host: str, port: int, log_level: str = "warning"
) -> uvicorn.Server:
    """A uvicorn server for the app, with the connection-aware h11 protocol."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol_class(app.connections),
        lifespan="off",
        log_level=log_level,
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
        timeout_graceful_shutdown=3,
    )
    return _SandboxServer(config, app)


class ServerThread:
    """uvicorn serving one app in a daemon thread; `start` returns once it listens."""

    def __init__(self, app: SandboxApp, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self._sock = bind_socket(host, port)
        self.port: int = self._sock.getsockname()[1]
        self._server = make_server(app, host=host, port=self.port)
        self._thread = threading.Thread(
            target=self._run, name=f"wan-r2v-sandbox:{self.port}", daemon=True
        )
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            self._server.run(sockets=[self._sock])
        except BaseException as exc:  # reported by start()
            self._error = exc

    def start(self) -> None:
        """Start serving; raise when the server does not come up in time."""
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError(f"the sandbox server failed to start: {self._error!r}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the sandbox server did not start in {_START_TIMEOUT} s")
            time.sleep(0.005)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving: release hanging requests, close connections, join the thread."""
        self.app.state.closing.set()
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(timeout)
        self._sock.close()

    @property
    def running(self) -> bool:
        """Whether the server thread is alive."""
        return self._thread.is_alive()

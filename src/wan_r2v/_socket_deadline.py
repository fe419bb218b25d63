"""The blocking client's whole-request deadline at the socket: no wait of a request outlasts it.

httpx's blocking API bounds each read, not the request, and offers no hook between
the reads of the status line and headers: a gateway trickling its head a byte at a
time would hold a call for ever. `Client` gives its own connection pool a network
backend whose streams clip every connect, read and write to the deadline the
calling thread set (`SocketDeadline`, around a request's head). Outside one, the
streams behave exactly as httpcore's. No threads: each socket wait is just shorter,
and a wait cut by the deadline is recorded so the shell reports "over the time limit".
The streams raise httpx's own timeouts (httpx passes them through unchanged), so
nothing here imports httpcore, which is httpx's dependency, not ours.

Reaching the pool takes two private attributes (httpx's ``_transport``/``_mounts``
and ``_pool``, httpcore's ``_network_backend``); `install` returns False when they
are not what this expects, and a test fails loudly then (tests/unit/test_socket_deadline.py).
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Any

import httpx

__all__ = ["SocketDeadline", "install"]

_local = threading.local()


class SocketDeadline:
    """While entered (and not lifted), this thread's socket waits end by `at` (a `time.monotonic()` value)."""

    def __init__(self, at: float) -> None:
        self.at = at
        #: Whether a read or write was cut short by the deadline.
        self.reached = False
        self._previous: SocketDeadline | None = None

    def __enter__(self) -> SocketDeadline:
        self._previous = getattr(_local, "deadline", None)
        _local.deadline = self
        return self

    def lift(self) -> None:
        """The socket waits from now on are bounded by their own timeouts only."""
        if getattr(_local, "deadline", None) is self:
            _local.deadline = self._previous

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.lift()


def _clip(timeout: float | None, error: type[httpx.TimeoutException]) -> tuple[float | None, Any]:
    """`timeout` cut to this thread's deadline, and the deadline that cut it (None if it did not).

    Past the deadline no wait starts: `error` (an httpx timeout, which httpx lets through
    as it is) is raised at once.
    """
    deadline: SocketDeadline | None = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout, None
    left = deadline.at - time.monotonic()
    if left <= 0:
        if (
            error is not httpx.ConnectTimeout
        ):  # a connect cut sent nothing: it stays a connect timeout
            deadline.reached = True
        raise error("the whole-request time limit was reached")
    if timeout is not None and timeout <= left:
        return timeout, None
    return left, deadline


def _note_cut(by: SocketDeadline | None) -> None:
    """After a failed wait: if the deadline clipped it and has passed, the deadline cut it."""
    if by is not None and time.monotonic() >= by.at:
        by.reached = True


class _Stream:
    """An httpcore network stream whose waits end by the calling thread's deadline."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        clipped, by = _clip(timeout, httpx.ReadTimeout)
        try:
            data: bytes = self._stream.read(max_bytes, clipped)
        except Exception:
            _note_cut(by)
            raise
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        clipped, by = _clip(timeout, httpx.WriteTimeout)
        try:
            self._stream.write(buffer, clipped)
        except Exception:
            _note_cut(by)
            raise

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> _Stream:
        clipped, _ = _clip(timeout, httpx.ConnectTimeout)
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, clipped))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend:
    """An httpcore network backend whose streams are `_Stream`s (a connect is cut as a connect timeout)."""

    def __init__(self, backend: Any) -> None:
        self.wrapped = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> _Stream:
        clipped, _ = _clip(timeout, httpx.ConnectTimeout)
        return _Stream(
            self.wrapped.connect_tcp(
                host,
                port,
                timeout=clipped,
                local_address=local_address,
                socket_options=socket_options,
            )
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> _Stream:
        clipped, _ = _clip(timeout, httpx.ConnectTimeout)
        return _Stream(
            self.wrapped.connect_unix_socket(path, timeout=clipped, socket_options=socket_options)
        )

    def sleep(self, seconds: float) -> None:
        self.wrapped.sleep(seconds)


def install(client: httpx.Client) -> bool:
    """Give `client`'s connection pools the deadline backend; False if httpx's layout is not the known one.

    Call it on a new client (connections opened before keep their plain streams).
    """
    mounts: dict[Any, Any] = getattr(client, "_mounts", None) or {}
    transports = [getattr(client, "_transport", None), *mounts.values()]
    pools: list[Any] = [
        getattr(t, "_pool", None) for t in transports if isinstance(t, httpx.HTTPTransport)
    ]
    if not pools or any(getattr(pool, "_network_backend", None) is None for pool in pools):
        return False
    for pool in pools:
        if not isinstance(pool._network_backend, _Backend):
            pool._network_backend = _Backend(pool._network_backend)
    return True

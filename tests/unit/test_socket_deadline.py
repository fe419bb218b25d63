"""The blocking client's socket deadline: its hold on httpx's pool, and how it clips each wait.

`install` reaches httpx/httpcore private attributes (``Client._transport``,
``_mounts``, ``HTTPTransport._pool``, ``ConnectionPool._network_backend``). If an
httpx or httpcore release moves them, the first tests here fail: then the
blocking client no longer cuts a trickled answer head at its time limit.
"""

from __future__ import annotations

import socket
import time
from typing import Any

import httpx
import pytest

from wan_r2v import Client
from wan_r2v._socket_deadline import SocketDeadline, _Backend, _Stream, install


def _backends(client: httpx.Client) -> list[Any]:
    transports = [client._transport, *client._mounts.values()]
    return [t._pool._network_backend for t in transports if isinstance(t, httpx.HTTPTransport)]


def test_install_reaches_the_pools_of_this_httpx() -> None:
    with httpx.Client() as http:
        assert install(http), f"httpx {httpx.__version__} moved its transport's pool"
        assert [type(b) for b in _backends(http)] == [_Backend]
        assert install(http)  # again: not wrapped twice
        assert not isinstance(_backends(http)[0].wrapped, _Backend)


def test_install_reaches_proxy_pools_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    with httpx.Client() as http:
        assert install(http)
        backends = _backends(http)
        assert len(backends) >= 2 and all(isinstance(b, _Backend) for b in backends)


def test_the_own_pool_has_it_and_a_pool_you_pass_is_left_alone() -> None:
    with Client("sk-test", "http://127.0.0.1:9") as client:
        assert [type(b) for b in _backends(client._http)] == [_Backend]
    with httpx.Client() as http, Client("sk-test", "http://127.0.0.1:9", http_client=http):
        assert not any(isinstance(b, _Backend) for b in _backends(http))


def test_install_says_no_when_the_layout_is_unknown() -> None:
    class Other(httpx.BaseTransport):
        pass

    with httpx.Client(transport=Other()) as http:
        assert not install(http)


class _Recorder:
    """A network stream over one end of a socket pair: records each wait's timeout, then waits."""

    def __init__(self) -> None:
        self.timeouts: list[float | None] = []
        self.sock, self.other = socket.socketpair()
        self.other.sendall(b"x" * 10)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.timeouts.append(timeout)
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1)
        except TimeoutError:
            raise httpx.ReadTimeout("timed out") from None  # as httpcore's, for this test

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.timeouts.append(timeout)

    def drain(self) -> None:
        self.sock.settimeout(0)
        while True:
            try:
                self.sock.recv(100)
            except BlockingIOError:
                return


def test_outside_a_deadline_each_wait_keeps_its_timeout() -> None:
    inner = _Recorder()
    stream = _Stream(inner)
    stream.read(10, 5.0)
    stream.write(b"x", None)
    assert inner.timeouts == [5.0, None]


def test_within_a_deadline_each_wait_ends_by_it() -> None:
    inner = _Recorder()
    stream = _Stream(inner)
    with SocketDeadline(time.monotonic() + 2.0) as deadline:
        stream.read(10, 30.0)
        stream.write(b"x", None)
        stream.read(10, 0.5)  # shorter than the time left: unchanged
    assert all(t is not None and t <= 2.0 for t in inner.timeouts[:2]), inner.timeouts
    assert inner.timeouts[2] == 0.5
    assert not deadline.reached


def test_a_wait_cut_by_the_deadline_is_recorded() -> None:
    inner = _Recorder()
    inner.drain()  # the peer sends nothing more: each read waits its whole timeout
    stream = _Stream(inner)
    with SocketDeadline(time.monotonic() + 0.1) as deadline, pytest.raises(httpx.ReadTimeout):
        stream.read(10, 30.0)
    assert deadline.reached
    with SocketDeadline(time.monotonic() + 30.0) as deadline, pytest.raises(httpx.ReadTimeout):
        stream.read(10, 0.05)  # its own read timeout, not the deadline
    assert not deadline.reached


def test_past_the_deadline_no_wait_starts() -> None:
    inner = _Recorder()
    stream = _Stream(inner)
    with SocketDeadline(time.monotonic() - 0.1) as deadline, pytest.raises(httpx.ReadTimeout):
        stream.read(10, 30.0)
    assert deadline.reached and inner.timeouts == []


def test_lift_and_exit_restore_the_outer_deadline() -> None:
    inner = _Recorder()
    stream = _Stream(inner)
    with SocketDeadline(time.monotonic() + 100.0):
        with SocketDeadline(time.monotonic() + 1.0) as head:
            head.lift()
            stream.read(10, None)
        stream.read(10, None)
    stream.read(10, None)
    first, second, third = inner.timeouts
    assert first is not None and 99.0 < first <= 100.0  # the outer one, after lift
    assert second is not None and 99.0 < second <= 100.0
    assert third is None


def test_a_failure_cut_by_the_deadline_is_over_the_time_limit() -> None:
    from wan_r2v._core import failure_within_limit

    cut = failure_within_limit(httpx.ReadTimeout("timed out"), 1.5, cut=True)
    assert isinstance(cut, httpx.ReadTimeout) and "time limit of 1.5 s" in str(cut)
    reset = httpx.ReadError("connection reset")
    assert failure_within_limit(reset, 1.5, cut=False) is reset

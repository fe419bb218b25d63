"""A hostile HTTP/1.1 gateway written at the socket level, for testing promises over real TCP.

It shares no code with the library or the sandbox: only the standard library,
plain sockets and threads. Each test scripts what the gateway does, byte by
byte, and the peer counts what it received.

Use (the ``hostile`` fixture of ``tests/hostile/conftest.py`` starts one per test
on 127.0.0.1 with a free port and stops it afterwards)::

    def test_something(hostile: Peer) -> None:
        hostile.route("POST", "/v1/video/generations", lambda req, out: out.json(200, TASK))
        hostile.route(
            "GET", "/v1/videos/*",                      # fnmatch pattern on the path
            lambda req, out: out.json(503, ERR, headers={"Retry-After": "2"}),  # 1st request
            lambda req, out: out.trickle(b"...", every=0.5),  # 2nd and every later one
        )
        ...  # point a client at hostile.url
        assert hostile.count("POST", "/v1/video/generations") == 1   # creates counted here

A handler is ``handler(request, out)``: `Request` is what arrived (method,
path, headers with lower-case names, body, arrival time, ``key``: the bearer
token, e.g. to echo it); `Reply` writes the answer. Several handlers on one
route answer the 1st, 2nd, ... request in turn, the last one repeating; a
later `route` for the same method and pattern replaces the earlier one. An
unrouted request gets a 404. Requests are recorded (and counted) once their
head and body are read, before the handler runs.

`Reply` writes whatever the scenario needs, right or wrong:

- ``out.json(status, obj, headers=)`` / ``out.send(status, body, headers=, length=)``:
  a whole answer; ``length=`` sets a wrong ``Content-Length`` (or None: no
  length, body ends at close);
- ``out.head(status, headers)`` then ``out.write(raw)`` / ``out.trickle(raw, every=0.5)``
  (``size`` bytes every ``every`` s) / ``out.pause(s)``: anything byte by byte;
  ``chunk(data)`` frames one chunk of a ``Transfer-Encoding: chunked`` body;
- ``out.close()`` (FIN) and ``out.reset()`` (RST) end the connection;
  ``out.wait_for_more(s)`` waits for the client's next bytes on it (an idle
  keep-alive), ``out.unread()`` tells whether some arrived unread.

After a handler returns, the connection stays open for the next request (HTTP
keep-alive) unless it was closed. Waits inside a handler end at once when the
peer stops, so no test waits on a trickle it no longer reads. A handler that
raises anything but a socket error is a bug in the scenario: the fixture fails
the test with it. A client that hangs up mid-answer is normal and ignored.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import select
import socket
import struct
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

__all__ = ["Handler", "Peer", "Reply", "Request", "chunk"]

_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    206: "Partial Content",
    301: "Moved Permanently",
    302: "Found",
    307: "Temporary Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    416: "Range Not Satisfiable",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_MAX_HEAD = 64 * 1024


class _Stopped(Exception):
    """The peer is stopping: the handler's wait ends here."""


@dataclass
class Request:
    """One request as it arrived."""

    method: str
    #: The request target as sent (path and query).
    target: str
    #: The path without the query.
    path: str
    #: Header names in lower case; a repeated header keeps its last value.
    headers: dict[str, str]
    body: bytes
    #: `time.monotonic()` when the head and body had been read.
    at: float

    @property
    def key(self) -> str | None:
        """The bearer token of the Authorization header, as sent."""
        auth = self.headers.get("authorization")
        return auth.removeprefix("Bearer ") if auth is not None else None

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


class Reply:
    """Writes an answer to one connection, raw or well-formed."""

    def __init__(self, sock: socket.socket, stop: threading.Event) -> None:
        self._sock = sock
        self._stop = stop
        self.closed = False

    def write(self, data: bytes) -> None:
        """Send these bytes exactly as they are."""
        if self._stop.is_set():
            raise _Stopped
        self._sock.sendall(data)

    def head(
        self, status: int, headers: Mapping[str, str] | None = None, *, reason: str | None = None
    ) -> None:
        """Send a status line and headers (exactly these; nothing is added)."""
        lines = [f"HTTP/1.1 {status} {reason or _REASONS.get(status, 'Status')}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def send(
        self,
        status: int,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        *,
        length: int | str | None = "auto",
        close: bool = False,
    ) -> None:
        """A whole answer; `length` overrides Content-Length (an int, or None for none: then it closes)."""
        all_headers = dict(headers or {})
        if length == "auto":
            all_headers.setdefault("Content-Length", str(len(body)))
        elif length is not None:
            all_headers["Content-Length"] = str(length)
        close = close or length is None
        if close:
            all_headers.setdefault("Connection", "close")
        self.head(status, all_headers)
        self.write(body)
        if close:
            self.close()

    def json(
        self, status: int, obj: Any, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> None:
        """A JSON answer (Content-Type application/json unless `headers` say otherwise)."""
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        self.send(status, json.dumps(obj).encode(), all_headers, **kwargs)

    def pause(self, seconds: float) -> None:
        """Wait, unless the peer stops first."""
        if self._stop.wait(seconds):
            raise _Stopped

    def trickle(self, data: bytes, *, every: float, size: int = 1) -> None:
        """Send `data` `size` bytes at a time, one piece every `every` seconds (first piece at once)."""
        for start in range(0, len(data), size):
            if start:
                self.pause(every)
            self.write(data[start : start + size])

    def wait_for_more(self, seconds: float | None = None) -> bool:
        """Wait until the client sends more on this connection or hangs up; False after `seconds` of silence."""
        end = None if seconds is None else time.monotonic() + seconds
        while True:
            if self._stop.is_set():
                raise _Stopped
            left = 0.05 if end is None else min(0.05, end - time.monotonic())
            if left <= 0:
                return False
            if select.select([self._sock], [], [], left)[0]:
                return True

    def unread(self) -> bool:
        """Whether bytes the client sent wait here unread (False: nothing, or the client hung up)."""
        try:
            return bool(self._sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
        except (BlockingIOError, OSError):
            return False

    def close(self) -> None:
        """End the connection cleanly (FIN)."""
        if not self.closed:
            self.closed = True
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()

    def reset(self) -> None:
        """End the connection abruptly (RST): the client reads 'connection reset'."""
        if not self.closed:
            self.closed = True
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self._sock.close()


def chunk(data: bytes) -> bytes:
    """One chunk of a ``Transfer-Encoding: chunked`` body (``chunk(b"")`` is the last one)."""
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


Handler = Callable[[Request, Reply], object]


@dataclass
class _Route:
    method: str
    pattern: str
    handlers: tuple[Handler, ...]
    served: int = 0


@dataclass
class Peer:
    """The hostile gateway: ``Peer().start()`` ... ``stop()``, or ``with Peer() as peer``."""

    requests: list[Request] = field(default_factory=list)
    #: Exceptions raised by handlers (not socket errors); the fixture fails the test on any.
    errors: list[BaseException] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._routes: list[_Route] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._conns: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    # scripting

    def route(self, method: str, pattern: str, *handlers: Handler) -> None:
        """Answer `method` on paths matching `pattern` (fnmatch) with `handlers` in turn, the last repeating."""
        if not handlers:
            raise ValueError("give at least one handler")
        with self._lock:
            self._routes = [
                r for r in self._routes if (r.method, r.pattern) != (method.upper(), pattern)
            ]
            self._routes.append(_Route(method.upper(), pattern, handlers))

    def count(self, method: str, pattern: str = "*") -> int:
        """How many requests with `method` on paths matching `pattern` arrived."""
        with self._lock:
            return sum(
                1
                for r in self.requests
                if r.method == method.upper() and fnmatch.fnmatchcase(r.path, pattern)
            )

    def of(self, method: str, pattern: str = "*") -> list[Request]:
        """The requests with `method` on paths matching `pattern`, in arrival order."""
        with self._lock:
            return [
                r
                for r in self.requests
                if r.method == method.upper() and fnmatch.fnmatchcase(r.path, pattern)
            ]

    # life cycle

    def start(self) -> Peer:
        """Listen and serve in background threads."""
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self._spawn(self._accept_loop)
        return self

    def stop(self, *, join_timeout: float = 5.0) -> None:
        """Stop serving: end every wait and connection, then join the threads."""
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        with self._lock:
            conns = list(self._conns)
        for sock in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        end = time.monotonic() + join_timeout
        with self._lock:
            accept, *_ = self._threads or [None]
        if accept is not None:  # first the acceptor: after it, no connection thread starts
            accept.join(max(0.0, end - time.monotonic()))
        for thread in list(self._threads):
            thread.join(max(0.0, end - time.monotonic()))
        self._listener.close()
        alive = [t.name for t in self._threads if t.is_alive()]
        if alive:
            raise RuntimeError(f"hostile peer threads still running after stop: {alive}")

    def __enter__(self) -> Peer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # serving

    def _spawn(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="hostile-peer")
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if self._stop.is_set():
                    sock.close()
                    return
                self._conns.add(sock)
            self._spawn(self._serve, sock)

    def _serve(self, sock: socket.socket) -> None:
        reply = Reply(sock, self._stop)
        buffer = b""
        try:
            while not reply.closed and not self._stop.is_set():
                read = _read_request(sock, buffer)
                if read is None:
                    return
                request, buffer = read
                handler = self._pick(request)
                handler(request, reply)
        except (_Stopped, OSError):
            pass
        except BaseException as exc:
            with self._lock:
                self.errors.append(exc)
        finally:
            with self._lock:
                self._conns.discard(sock)
            reply.close()

    def _pick(self, request: Request) -> Handler:
        with self._lock:
            self.requests.append(request)
            for route in reversed(self._routes):
                if route.method == request.method and fnmatch.fnmatchcase(
                    request.path, route.pattern
                ):
                    handler = route.handlers[min(route.served, len(route.handlers) - 1)]
                    route.served += 1
                    return handler
        return _not_found


def _not_found(request: Request, out: Reply) -> None:
    out.json(404, {"error": {"message": f"no route for {request.method} {request.path}"}})


def _read_request(sock: socket.socket, buffer: bytes) -> tuple[Request, bytes] | None:
    """Read one request (head and Content-Length body); None when the client hung up."""
    while b"\r\n\r\n" not in buffer:
        if len(buffer) > _MAX_HEAD:
            raise ValueError("request head too large")
        data = sock.recv(65536)
        if not data:
            return None
        buffer += data
    head, buffer = buffer.split(b"\r\n\r\n", 1)
    line, *header_lines = head.decode("latin-1").split("\r\n")
    method, target, _version = line.split(" ", 2)
    headers: dict[str, str] = {}
    for header in header_lines:
        name, _, value = header.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise ValueError("the peer does not read chunked request bodies")
    length = int(headers.get("content-length", "0"))
    while len(buffer) < length:
        data = sock.recv(65536)
        if not data:
            return None
        buffer += data
    body, buffer = buffer[:length], buffer[length:]
    path = target.split("?", 1)[0]
    return Request(method, target, path, headers, body, time.monotonic()), buffer

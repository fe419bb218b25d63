"""The sandbox's ASGI app: the gateway's create and query calls, result files and control endpoints.

Routes (``/v1/...`` from ``openapi/wan-r2v.yaml``; ``/_sandbox/...`` are the sandbox's own):

- ``POST /v1/video/generations``: create a task (bearer key, spec + preset rules)
- ``GET /v1/videos/{task_id}``, ``GET /v1/video/generations/{task_id}``: query a task
- ``GET /v1/videos/{task_id}/content``: the gateway's download proxy (bearer key, Range)
- ``GET|HEAD /_sandbox/files/{task_id}.mp4?expires=..&sig=..``: the result (Range, expiry)
- ``/_sandbox/health|reset|advance|requests|count|faults|tasks|configure``: control

Run it with `wan_r2v.sandbox.Sandbox` or ``wan-r2v-sandbox`` (both use the
connection-aware server that the ``reset`` and ``truncate`` faults need).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import attrs

from ._answers import (
    NEW_API,
    DialectStyle,
    TaskView,
    create_answer,
    dialect_error,
    dialect_task,
    error_answer,
    new_api_create,
    new_api_envelope,
    new_api_video,
    query_answer,
)
from ._connections import ConnectionRegistry
from ._faults import Fault, FaultInput, Route, is_status, parse_faults
from ._mp4 import video_bytes
from ._spec import create_body_problems
from ._state import ReceivedRequest, SandboxConfig, SandboxState, TaskRecord, dialect_style

__all__ = ["FAULT_HEADER", "SandboxApp", "create_app"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: The request header that injects faults into one request (see `wan_r2v.sandbox._faults`).
FAULT_HEADER = "x-sandbox-fault"
_CREATE_PATH = "/v1/video/generations"
_QUERY_PATHS = (
    re.compile(r"^/v1/videos/(?P<id>[^/]+)$"),
    re.compile(r"^/v1/video/generations/(?P<id>[^/]+)$"),
)
_FILE_PATH = re.compile(r"^/_sandbox/files/(?P<id>[^/]+)\.mp4$")
_CONTENT_PATH = re.compile(r"^/v1/videos/(?P<id>[^/]+)/content$")
_CONTROL_PREFIX = "/_sandbox/"
_JSON = "application/json"
_HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
    b"<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n"
)
_log = logging.getLogger("wan_r2v.sandbox")


@attrs.frozen
class Reply:
    """One HTTP answer before it is sent."""

    status: int
    body: bytes = b""
    content_type: str | None = _JSON
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def json(cls, status: int, data: object, *headers: tuple[str, str]) -> Reply:
        """A JSON answer."""
        body = json.dumps(data, separators=(",", ":")).encode()
        return cls(status, body, _JSON, headers)


@attrs.frozen
class _Call:
    """What the app knows about one API request while answering it."""

    scope: Scope
    route: Route
    body: bytes
    request_id: str
    index: int
    faults: tuple[Fault, ...] = ()

    def fault(self, kind: str) -> Fault | None:
        return next((f for f in self.faults if f.kind == kind), None)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _parse_json(body: bytes) -> tuple[Any, bool]:
    if not body:
        return None, False
    try:
        return json.loads(body), True
    except (ValueError, UnicodeDecodeError):
        return None, False


def _retry_after(fault: Fault) -> str | None:
    value = fault.params.get("retry_after")
    if value is None:
        return "1" if fault.kind in ("429", "503") else None
    if value.lower() in ("", "none"):
        return None
    return str(max(0, math.ceil(fault.number("retry_after", 1))))


def _byte_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """The (start, end) inclusive of a single ``bytes=`` range, None to send all, or ``"416"``."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    try:
        if not first:
            suffix = int(last)
            if suffix <= 0:
                return "416"
            return max(0, size - suffix), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size:
        return "416"
    if start < 0 or end < start:
        return None
    return start, min(end, size - 1)


class SandboxApp:
    """The ASGI app of one sandbox; its state is `state`."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.connections = ConnectionRegistry()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = await self._read_body(receive)
        path: str = scope["path"]
        if path.startswith(_CONTROL_PREFIX) and not _FILE_PATH.match(path):
            reply = self._control(scope, body)
            await self._send(send, reply, self.state.next_request_id(), scope)
            return
        await self._api(scope, receive, send, body)

    # plumbing

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.state.closing.set()
                await send({"type": "lifespan.shutdown.complete"})
                return

    @staticmethod
    async def _read_body(receive: Receive) -> bytes:
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _send(
        self,
        send: Send,
        reply: Reply,
        request_id: str,
        scope: Scope,
        *,
        head: bool = False,
        cut: int | None = None,
        receive: Receive | None = None,
        pace: tuple[int, float] | None = None,
    ) -> None:
        headers = [(self._request_id_header, request_id.encode())]
        if reply.content_type is not None:
            headers.append((b"content-type", reply.content_type.encode()))
        headers.append((b"content-length", str(len(reply.body)).encode()))
        headers.extend((k.lower().encode(), v.encode("latin-1")) for k, v in reply.headers)
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        if head:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        body = reply.body if cut is None else reply.body[:cut]
        if pace is not None and not await self._trickle(send, body, scope, *pace):
            return  # the client went away
        if cut is None:
            await send({"type": "http.response.body", "body": b"" if pace else body})
            return
        if pace is None:
            await send({"type": "http.response.body", "body": body, "more_body": True})
        if self.connections.close(scope.get("client")) and receive is not None:
            await self._wait_disconnect(receive, 5.0, until_stop=False)

    async def _trickle(
        self, send: Send, body: bytes, scope: Scope, chunk: int, interval: float
    ) -> bool:
        """Send `body` in pieces `interval` s apart; False when the client left (or the server stops)."""
        for start in range(0, len(body), chunk):
            if start:
                await self._pause(interval)
            if self._gone(scope):
                return False
            piece = body[start : start + chunk]
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        return not self._gone(scope)

    @property
    def _request_id_header(self) -> bytes:
        return b"x-oneapi-request-id" if self.state.config.dialect == "new-api" else b"x-request-id"

    def _gone(self, scope: Scope) -> bool:
        """Whether a connection-aware server lost this client, or the server is stopping."""
        if self.state.closing.is_set():
            return True
        return self.connections.known and self.connections.get(scope.get("client")) is None

    async def _endless(self, call: _Call, send: Send, chunk: int) -> None:
        """A video/mp4 body with no length that never ends, until the client leaves."""
        self.state.finish(call.index, call.request_id, status=200)
        headers = [
            (self._request_id_header, call.request_id.encode()),
            (b"content-type", b"video/mp4"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        # an MP4 that never ends: ftyp, an empty moov, then an mdat sized "to the end of the file"
        head = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2" + b"\0\0\0\x08moov" + b"\0\0\0\0mdat"
        await send({"type": "http.response.body", "body": head, "more_body": True})
        piece = b"\0" * chunk
        while not self._gone(call.scope):
            await send({"type": "http.response.body", "body": piece, "more_body": True})
            await asyncio.sleep(0)

    async def _reply(
        self,
        call: _Call,
        send: Send,
        reply: Reply,
        *,
        head: bool = False,
        cut: int | None = None,
        receive: Receive | None = None,
        pace: tuple[int, float] | None = None,
    ) -> None:
        """Record the status (before the client can see it), then send."""
        self.state.finish(call.index, call.request_id, status=reply.status)
        await self._send(
            send,
            reply,
            call.request_id,
            call.scope,
            head=head,
            cut=cut,
            receive=receive,
            pace=pace,
        )

    async def _wait_disconnect(
        self, receive: Receive, seconds: float, *, until_stop: bool = True
    ) -> bool:
        """Wait until the client goes away; False when ``seconds`` pass (or the server stops)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        waiter: asyncio.Future[Message] = asyncio.ensure_future(receive())
        try:
            while not (until_stop and self.state.closing.is_set()):
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                done, _ = await asyncio.wait({waiter}, timeout=min(0.1, remaining))
                if done:
                    if waiter.result()["type"] == "http.disconnect":
                        return True
                    waiter = asyncio.ensure_future(receive())
            return False
        finally:
            waiter.cancel()

    async def _pause(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self.state.closing.is_set() and loop.time() < deadline:
            await asyncio.sleep(min(0.05, max(0.0, deadline - loop.time())))

    def _base_url(self, scope: Scope) -> str:
        configured = self.state.config.public_url
        if configured:
            return configured.rstrip("/")
        host = _headers(scope).get("host")
        if not host:
            server = scope.get("server") or ("127.0.0.1", 80)
            host = f"{server[0]}:{server[1]}"
        return f"{scope.get('scheme', 'http')}://{host}"

    # API routes

    def _route(self, method: str, path: str) -> tuple[Route | None, str | None, tuple[str, ...]]:
        """(route, task id, allowed methods) of a request; route None when it has none."""
        if path == _CREATE_PATH:
            return ("create", None, ("POST",)) if method == "POST" else (None, None, ("POST",))
        for pattern in _QUERY_PATHS:
            match = pattern.match(path)
            if match:
                allowed: tuple[str, ...] = ("GET",)
                return ("query" if method == "GET" else None), match["id"], allowed
        match = _FILE_PATH.match(path)
        if match:
            allowed = ("GET", "HEAD")
            return ("download" if method in allowed else None), match["id"], allowed
        match = _CONTENT_PATH.match(path)
        if match:
            return ("content" if method == "GET" else None), match["id"], ("GET",)
        return None, None, ()

    async def _api(self, scope: Scope, receive: Receive, send: Send, body: bytes) -> None:
        method: str = scope["method"]
        headers = _headers(scope)
        route, task_id, allowed = self._route(method, scope["path"])
        request_id = self.state.next_request_id()
        payload, _ = _parse_json(body)
        index = self.state.record(
            ReceivedRequest(
                method=method,
                path=scope["path"],
                query=scope.get("query_string", b"").decode("latin-1"),
                route=route or "unknown",
                headers=headers,
                json=payload,
                body=body,
                request_id=request_id,
                at=self.state.now(),
                task_id=task_id,
            )
        )
        if route is None:
            if allowed:
                reply = Reply.json(
                    405,
                    error_answer(405, f"{method} is not allowed on {scope['path']}"),
                    ("allow", ", ".join(allowed)),
                )
            else:
                reply = Reply.json(
                    404,
                    error_answer(404, f"No route {method} {scope['path']}", code="not_found"),
                )
            self.state.finish(index, request_id, status=reply.status)
            await self._send(send, reply, request_id, scope)
            return
        authorized: bool | None = None
        if route != "download":
            authorized = headers.get("authorization", "") == f"Bearer {self.state.config.api_key}"
            self.state.finish(index, request_id, authorized=authorized)
        header = headers.get(FAULT_HEADER)
        try:
            # A refused key spends no fault: only the header's grammar is checked then.
            faults = tuple(
                self.state.faults.select(route, header)
                if authorized is not False
                else (r.fault for r in parse_faults(header or ""))
            )
        except ValueError as exc:
            reply = Reply.json(
                400,
                error_answer(
                    400, f"invalid X-Sandbox-Fault header: {exc}", param="X-Sandbox-Fault"
                ),
            )
            self.state.finish(index, request_id, status=400)
            await self._send(send, reply, request_id, scope)
            return
        call = _Call(scope, route, body, request_id, index, faults)
        if authorized is not False:
            self.state.finish(index, request_id, faults=tuple(f.text() for f in faults))
        await self._answer(call, receive, send, authorized, headers, task_id)

    async def _answer(
        self,
        call: _Call,
        receive: Receive,
        send: Send,
        authorized: bool | None,
        headers: dict[str, str],
        task_id: str | None,
    ) -> int | None:
        """Answer an API call, faults first; the status sent, or None when none was."""
        scope = call.scope
        dialect = self._dialect(call, task_id)
        if authorized is False:
            call = attrs.evolve(call, faults=())
            missing = "authorization" not in headers
            message = (
                "Missing API key: send 'Authorization: Bearer <key>'."
                if missing
                else "Incorrect API key provided."
            )
            # new-api checks keys before its relay: OpenAI-shaped there too
            nested = None if dialect is not None and dialect.new_api else dialect
            reply = self._error(401, message, nested, code="invalid_api_key")
            await self._reply(call, send, reply)
            return 401
        cut: int | None = None
        pace: tuple[int, float] | None = None
        ranges = True
        for fault in call.faults:
            kind = fault.kind
            if kind == "reset" or kind == "hang":
                if kind == "hang" and await self._wait_disconnect(
                    receive, fault.number("seconds", 60)
                ):
                    return None
                if self.connections.reset(scope.get("client")):
                    await self._wait_disconnect(receive, 5.0, until_stop=False)
                    return None
                reply = self._error(
                    500,
                    "this server cannot reset connections: run the sandbox with Sandbox()",
                    None,
                )
                await self._reply(call, send, reply)
                return 500
            if kind == "delay":
                await self._pause(fault.number("seconds", 1))
            elif is_status(kind):
                status = int(kind)
                retry = _retry_after(fault)
                if dialect is not None and dialect.new_api and "retry_after" not in fault.params:
                    retry = None  # new-api rewrites a 429 and sends no Retry-After
                extra = (("retry-after", retry),) if retry is not None else ()
                reply = self._error(
                    status,
                    fault.params.get("message"),
                    dialect,
                    code=fault.params.get("code"),
                    extra=extra,
                )
                await self._reply(call, send, reply)
                return status
            elif kind == "malformed":
                status = int(fault.number("status", 200))
                reply = Reply(status, b'{"id": "task_', _JSON)
                await self._reply(call, send, reply)
                return status
            elif kind == "html":
                status = int(fault.number("status", 502))
                reply = Reply(status, _HTML_PAGE, "text/html; charset=utf-8")
                await self._reply(call, send, reply)
                return status
            elif kind == "empty":
                status = int(fault.number("status", 200))
                reply = Reply(status, b"", _JSON)
                await self._reply(call, send, reply)
                return status
            elif kind == "truncate":
                cut = int(fault.number("bytes", -1))
            elif kind == "trickle":
                chunk = max(1, int(fault.number("chunk", 4096)))
                pace = (chunk, max(0.0, fault.number("interval", 0.05)))
            elif kind == "no_ranges":
                ranges = False
            elif kind == "endless":
                await self._endless(call, send, max(1, int(fault.number("chunk", 65536))))
                return 200
        head = scope["method"] == "HEAD"
        if call.route == "create":
            reply = self._create(call, dialect)
        elif call.route == "query":
            reply = self._query(call, task_id or "", dialect)
        elif call.route == "content":
            reply = await self._content(call, task_id or "", headers, dialect, ranges=ranges)
        else:
            reply = await self._download(call, task_id or "", headers, ranges=ranges)
        if cut is not None and cut < 0:
            cut = len(reply.body) // 2
        if cut is not None and cut >= len(reply.body):
            cut = None
        await self._reply(call, send, reply, head=head, cut=cut, receive=receive, pace=pace)
        return reply.status

    def _dialect(self, call: _Call, task_id: str | None) -> DialectStyle | None:
        if self.state.config.dialect == "new-api":
            return NEW_API
        fault = call.fault("dialect")
        if fault is not None:
            return dialect_style(fault)
        if task_id is not None and call.route in ("query", "content"):
            task = self.state.find_task(task_id)
            if task is not None:
                return task.dialect
        return None

    @staticmethod
    def _error(
        status: int,
        message: str | None,
        dialect: DialectStyle | None,
        *,
        code: str | None = None,
        param: str | None = None,
        extra: Iterable[tuple[str, str]] = (),
    ) -> Reply:
        if dialect is not None:
            return Reply.json(status, dialect_error(status, message, code=code), *extra)
        # the OpenAI shape
        return Reply.json(status, error_answer(status, message, code=code, param=param), *extra)

    def _not_found(self, task_id: str, dialect: DialectStyle | None) -> Reply:
        if dialect is not None and dialect.new_api:  # new-api: 400, flat, task_not_exist
            return self._error(400, "task_not_exist", dialect, code="task_not_exist")
        return self._error(404, f"No task with id {task_id!r}.", dialect, code="task_not_found")

    def _task_reply(
        self, view: TaskView, dialect: DialectStyle | None, *, created: bool, path: str = ""
    ) -> Reply:
        if dialect is not None and dialect.new_api:
            if created:
                return Reply.json(200, new_api_create(view))
            envelope = path.startswith("/v1/video/generations/")
            return Reply.json(200, new_api_envelope(view) if envelope else new_api_video(view))
        if dialect is not None:
            return Reply.json(200, dialect_task(view, dialect))
        return Reply.json(200, create_answer(view) if created else query_answer(view))

    def _create(self, call: _Call, dialect: DialectStyle | None) -> Reply:
        body, ok = _parse_json(call.body)
        if not ok:
            return self._error(400, "The request body is not valid JSON.", dialect, param="body")
        config = self.state.config
        problems = create_body_problems(body, presets=config.presets, strict=config.strict)
        if problems:
            count = len(problems)
            listing = "; ".join(str(p) for p in problems)
            noun = "problem" if count == 1 else "problems"
            message = f"Invalid request ({count} {noun}): {listing}"
            return self._error(400, message, dialect, param=problems[0].field)
        try:
            task = self.state.create_task(body, call.faults)
        except ValueError as exc:
            return self._error(400, f"Invalid request: {exc}", dialect, param="size")
        self.state.finish(call.index, call.request_id, task_id=task.id)
        view = self.state.view(task, self._base_url(call.scope))
        return self._task_reply(view, dialect, created=True)

    def _query(self, call: _Call, task_id: str, dialect: DialectStyle | None) -> Reply:
        task = self.state.find_task(task_id, poll=True)
        if task is None:
            return self._not_found(task_id, dialect)
        view = self.state.view(task, self._base_url(call.scope))
        odd = call.fault("unknown_status")
        if odd is not None and not view.snapshot.done:
            word = odd.params.get("word") or "mystery"
            view = attrs.evolve(view, snapshot=attrs.evolve(view.snapshot, status=word))
        return self._task_reply(view, dialect, created=False, path=call.scope["path"])

    async def _download(
        self, call: _Call, task_id: str, headers: dict[str, str], *, ranges: bool = True
    ) -> Reply:
        query = parse_qs(call.scope.get("query_string", b"").decode("latin-1"))
        expires = query.get("expires", [""])[0]
        signature = query.get("sig", [""])[0]
        refused = self.state.check_signature(task_id, expires, signature)
        if refused == "invalid":
            return self._error(
                403, "The result URL's signature is invalid.", None, code="invalid_signature"
            )
        if refused == "expired" or call.fault("expired") is not None:
            message = "The result URL has expired; query the task again for a fresh URL."
            return self._error(403, message, None, code="url_expired")
        task = self.state.find_task(task_id)
        if task is None:
            return self._error(404, f"No result for task {task_id!r}.", None, code="file_not_found")
        return await self._video_reply(task, headers, ranges=ranges)

    async def _content(
        self,
        call: _Call,
        task_id: str,
        headers: dict[str, str],
        dialect: DialectStyle | None,
        *,
        ranges: bool = True,
    ) -> Reply:
        """The download proxy: the finished task's video, whatever its result URL's expiry."""
        task = self.state.find_task(task_id)
        if task is None:
            return self._not_found(task_id, dialect)
        view = self.state.view(task, self._base_url(call.scope))
        if view.snapshot.status != "completed":
            message = f"Task {task_id!r} is {view.snapshot.status}; it has no video."
            return self._error(400, message, dialect, code="task_not_completed")
        return await self._video_reply(task, headers, ranges=ranges)

    async def _video_reply(
        self, task: TaskRecord, headers: dict[str, str], *, ranges: bool
    ) -> Reply:
        data = await asyncio.to_thread(self._video, task)
        if not ranges:
            return Reply(200, data, "video/mp4", (("cache-control", "private, max-age=0"),))
        etag = f'"{hashlib.sha256(data).hexdigest()[:16]}"'
        common = (
            ("accept-ranges", "bytes"),
            ("etag", etag),
            ("cache-control", "private, max-age=0"),
        )
        wanted = _byte_range(headers.get("range"), len(data))
        if wanted == "416":
            reply = self._error(416, "The requested range is outside the file.", None)
            return attrs.evolve(reply, headers=(*common, ("content-range", f"bytes */{len(data)}")))
        if isinstance(wanted, tuple) and headers.get("if-range", etag) == etag:
            start, end = wanted
            content_range = ("content-range", f"bytes {start}-{end}/{len(data)}")
            return Reply(206, data[start : end + 1], "video/mp4", (*common, content_range))
        return Reply(200, data, "video/mp4", common)

    def _video(self, task: TaskRecord) -> bytes:
        return video_bytes(
            task.width, task.height, task.seconds, fps=self.state.config.fps, audio=task.audio
        )

    # control routes

    def _control(self, scope: Scope, body: bytes) -> Reply:
        method: str = scope["method"]
        name = scope["path"][len(_CONTROL_PREFIX) :].strip("/")
        query = {k: v[0] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
        payload, _ = _parse_json(body)
        data: dict[str, Any] = payload if isinstance(payload, dict) else {}
        state = self.state
        try:
            if name == "health" and method == "GET":
                return Reply.json(200, {"status": "ok", "clock": state.config.clock})
            if name == "reset" and method == "POST":
                state.reset()
                return Reply.json(200, {"reset": True})
            if name == "advance" and method == "POST":
                seconds = float(data.get("seconds", query.get("seconds", 0)))
                state.advance(seconds)
                return Reply.json(200, {"now": state.now()})
            if name == "requests" and method == "GET":
                return Reply.json(200, {"requests": [_request_json(r) for r in state.requests]})
            if name == "count" and method == "GET":
                route = query.get("route")
                return Reply.json(200, {"route": route, "count": state.count(route)})
            if name == "faults" and method == "GET":
                return Reply.json(200, {"faults": [_rule_json(r) for r in state.faults.rules]})
            if name == "faults" and method == "POST":
                spec = data.get("fault") if data else body.decode()
                rules = state.faults.extend([str(spec or "")])
                return Reply.json(200, {"added": [_rule_json(r) for r in rules]})
            if name == "faults" and method == "DELETE":
                state.faults.clear()
                return Reply.json(200, {"faults": []})
            if name == "tasks" and method == "GET":
                base = self._base_url(scope)
                views = [query_answer(state.view(t, base)) for t in state.tasks]
                return Reply.json(200, {"tasks": views})
            if name == "configure" and method == "POST":
                allowed = {
                    "clock",
                    "duration",
                    "poll_steps",
                    "url_ttl",
                    "api_key",
                    "fps",
                    "dialect",
                }
                unknown = set(data) - allowed
                if unknown:
                    raise ValueError(f"cannot configure {', '.join(sorted(unknown))}")
                config = state.configure(**data)
                return Reply.json(200, {"clock": config.clock, "duration": config.duration})
        except (TypeError, ValueError) as exc:
            return Reply.json(400, error_answer(400, str(exc)))
        return Reply.json(
            404, error_answer(404, f"No control route {method} /_sandbox/{name}", code="not_found")
        )


def _request_json(request: ReceivedRequest) -> dict[str, Any]:
    data = attrs.asdict(request)
    data["headers"] = dict(request.headers)
    data["body"] = request.body.decode("utf-8", "replace")
    data["faults"] = list(request.faults)
    return data


def _rule_json(rule: Any) -> dict[str, Any]:
    return {"fault": rule.text(), "hits": rule.hits, "seen": rule.seen}


def create_app(
    config: SandboxConfig | None = None, faults: Iterable[FaultInput] = ()
) -> SandboxApp:
    """A sandbox app with its own state (``uvicorn --factory wan_r2v.sandbox.app:create_app``)."""
    return SandboxApp(SandboxState(config or SandboxConfig(), faults))

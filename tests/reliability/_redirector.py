"""A tiny HTTP server on 127.0.0.1 that answers by a table of paths and records what it got.

``routes[path] = ("redirect", status, location)`` or ``("video", body)`` or
``("json", status, obj)``; any other path is 404. Each request is kept as
(method, host header, path, authorization header or None).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["Redirector"]


class Redirector:
    """A routed HTTP server in a thread: ``with Redirector() as r: r.routes[...] = ...``."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[Any, ...]] = {}
        self.seen: list[tuple[str, str, str, str | None]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                path = self.path.split("?", 1)[0]
                owner.seen.append(
                    (
                        self.command,
                        self.headers.get("host", ""),
                        path,
                        self.headers.get("authorization"),
                    )
                )
                route = owner.routes.get(path)
                if route is None:
                    self._send(404, b'{"error": {"message": "no such path"}}', "application/json")
                elif route[0] == "redirect":
                    self.send_response(route[1])
                    self.send_header("location", route[2])
                    self.send_header("content-length", "0")
                    self.end_headers()
                elif route[0] == "video":
                    self._send(200, route[1], "video/mp4")
                else:
                    self._send(route[1], json.dumps(route[2]).encode(), "application/json")

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        """An absolute URL of this server, under another host name if asked (e.g. localhost)."""
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> Redirector:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

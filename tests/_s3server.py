"""An S3-compatible store for tests: moto's S3 over real HTTP on 127.0.0.1, with a request log.

`S3TestServer` runs moto's WSGI app on a free port in a thread (werkzeug), in
front of it a tiny middleware that records each request's method and path and
can refuse uploads, so tests can count what really reached the store.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

import httpx

__all__ = ["S3TestServer"]

ACCESS_KEY = "AKIDTESTTESTTESTTEST"
SECRET_KEY = "test-secret-key-never-real-0123456789abcd"

StartResponse = Callable[..., Any]


class S3TestServer:
    """moto's S3 on 127.0.0.1:<free port>; `requests` lists ``"METHOD /path"`` of every request."""

    def __init__(self) -> None:
        from moto.server import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._app = DomainDispatcherApplication(create_backend_app)
        self.requests: list[str] = []
        #: ``(method, path, query, Authorization header or None)`` of every request.
        self.seen: list[tuple[str, str, str, str | None]] = []
        #: While True, every PUT/POST of an object answers `refusal` (a store that refuses uploads).
        self.refuse_uploads = False
        self.refusal = "403 Forbidden"
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.endpoint = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _wsgi(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        with self._lock:
            self.requests.append(f"{method} {path}")
            self.seen.append(
                (method, path, environ.get("QUERY_STRING", ""), environ.get("HTTP_AUTHORIZATION"))
            )
        if self.refuse_uploads and method in ("PUT", "POST") and path.count("/") >= 2:
            body = b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
            start_response(self.refusal, [("Content-Type", "application/xml")])
            return [body]
        result: Iterable[bytes] = self._app(environ, start_response)
        return result

    def create_bucket(self, name: str) -> None:
        """Make a bucket (moto needs no signature for it)."""
        httpx.put(f"{self.endpoint}/{name}", timeout=10).raise_for_status()

    def uploads(self) -> list[str]:
        """The requests that wrote objects (PUT or multipart POST of a key)."""
        with self._lock:
            return [
                r for r in self.requests if r.split()[0] in ("PUT", "POST") and r.count("/") >= 2
            ]

    def signed_gets(self, path_part: str) -> list[tuple[str, str | None]]:
        """``(query, Authorization)`` of the GETs whose path holds `path_part` (fetches of signed URLs)."""
        with self._lock:
            return [(q, a) for m, p, q, a in self.seen if m == "GET" and path_part in p]

    def credentials_env(self) -> dict[str, str]:
        """The usual AWS variables pointing at this server."""
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": self.endpoint,
        }

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

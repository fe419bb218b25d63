"""Turn a `RequestSpec` into the `httpx.Request` its client's ``build_request`` would make, cheaper.

``httpx.Client.build_request`` merges the client's headers with the request's on
every call, one header at a time (copy, look each up, drop the overridden ones,
append), then `httpx.Request` adds ``Host`` and ``Content-Length`` the same way:
about a fifth of a create's or a query's own cost in httpx. A client sends the same
few header sets over and over, so the finished header list (``Host``, the client's
headers merged with the request's) is kept, one entry per distinct set (the client's
headers are read at each call, so a change to ``http_client.headers`` shows at
once), and each request only adds its ``Content-Length``. What else
``build_request`` merges (the client's cookies or query parameters, a relative URL)
and odd requests (a header list that already names ``Host`` or a body length, an
empty POST) go through ``build_request`` itself. `tests/unit/test_request_builder.py`
checks both give the same request, so an httpx release that builds requests
differently fails there.
"""

from __future__ import annotations

import httpx

from ._core import RequestSpec

__all__ = ["RequestBuilder"]

#: Distinct header sets kept; more means headers that keep changing.
_MAX_KEPT = 16
#: Headers `httpx.Request` adds or minds itself: a set naming one is left to it.
_SELF_MANAGED = frozenset({b"host", b"content-length", b"transfer-encoding"})
_NEEDS_LENGTH = frozenset({"POST", "PUT", "PATCH"})


class RequestBuilder:
    """Builds the requests of one httpx client (sync or async) from `RequestSpec`s."""

    __slots__ = ("_http", "_kept")

    def __init__(self, http: httpx.Client | httpx.AsyncClient) -> None:
        self._http = http
        self._kept: dict[tuple[object, ...], list[tuple[bytes, bytes]] | None] = {}

    def build(self, spec: RequestSpec) -> httpx.Request:
        """The request to hand to ``send``, equal to ``build_request``'s for the same arguments."""
        http = self._http
        url = spec.httpx_url
        content = spec.content
        if (
            http.cookies
            or http.params
            or url.is_relative_url
            or (not content and spec.method in _NEEDS_LENGTH)
        ):
            return self._slow(spec)
        key = (url.netloc, *http.headers.raw, None, *spec.headers.items())
        try:
            head = self._kept[key]
        except KeyError:
            head = self._head(spec, url)
            if len(self._kept) >= _MAX_KEPT:
                self._kept.clear()
            self._kept[key] = head
        if head is None:
            return self._slow(spec)
        if content:
            head = [*head, (b"Content-Length", str(len(content)).encode("ascii"))]
        # stream=: httpx adds no header of its own; the list is copied, the kept one never changes
        request = httpx.Request(
            spec.method,
            url,
            headers=head,
            stream=httpx.ByteStream(content or b""),
            extensions={"timeout": spec.timeout.as_dict()},
        )
        request.read()  # as httpx.Request does with a body given as bytes
        return request

    def _head(self, spec: RequestSpec, url: httpx.URL) -> list[tuple[bytes, bytes]] | None:
        """``Host`` and the merged headers, as ``build_request`` orders them; None: leave it to httpx."""
        merged = httpx.Headers(self._http.headers)  # as build_request merges them
        merged.update(spec.headers)
        raw = merged.raw
        if not url.host or any(name.lower() in _SELF_MANAGED for name, _ in raw):
            return None
        return [(b"Host", url.netloc), *raw]

    def _slow(self, spec: RequestSpec) -> httpx.Request:
        return self._http.build_request(
            spec.method,
            spec.httpx_url,
            content=spec.content,
            headers=spec.headers,
            timeout=spec.timeout,
        )

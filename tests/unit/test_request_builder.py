"""`RequestBuilder` makes exactly the request ``httpx.Client.build_request`` makes, only cheaper.

If an httpx release starts merging something else into a request, these fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import httpx
import pytest

from wan_r2v import PRESETS
from wan_r2v._config import make_config
from wan_r2v._core import build_create_body, build_create_request, build_get_request
from wan_r2v._core._requests import RequestSpec
from wan_r2v._request_builder import RequestBuilder

KEY = "sk-builder-test-1234"
TIMEOUT = httpx.Timeout(60.0, connect=10.0)
CONFIG = make_config(
    api_key=KEY, base_url="https://gw.example", timeout=None, own_client=True, max_retries=2
)


def _create() -> RequestSpec:
    body = build_create_body(
        {"model": "wan2.6-r2v-720p", "prompt": "p", "images": ["https://e.com/a.png"]},
        presets=PRESETS,
        strict=True,
    )
    return build_create_request(CONFIG, body, user_agent="wan-r2v/test", timeout=TIMEOUT)


def _get() -> RequestSpec:
    return build_get_request(CONFIG, "task_1", user_agent="wan-r2v/test", timeout=TIMEOUT)


def _download() -> RequestSpec:
    return RequestSpec(
        method="GET",
        url="https://cdn.example/v.mp4?sig=1",
        headers={"Range": "bytes=10-"},
        timeout=httpx.Timeout(5.0),
    )


def _odd(method: str, content: bytes | None, **headers: str) -> Callable[[], RequestSpec]:
    return lambda: RequestSpec(
        method=method,
        url="http://127.0.0.1:8080/v1/x",
        headers=headers,
        content=content,
        timeout=httpx.Timeout(5.0),
    )


SPECS: dict[str, Callable[[], RequestSpec]] = {
    "create": _create,
    "get": _get,
    "download": _download,
    "an empty POST": _odd("POST", None),
    "a POST of b''": _odd("POST", b""),
    "a PUT with a body": _odd("PUT", b"x" * 10),
    "a DELETE": _odd("DELETE", None),
    "a GET with a body": _odd("GET", b"{}"),
    "its own Host": _odd("GET", None, Host="other.example"),
    "its own Content-Length": _odd("POST", b"abc", **{"Content-Length": "3"}),
    "chunked": _odd("POST", b"abc", **{"Transfer-Encoding": "chunked"}),
}

CLIENTS: dict[str, Callable[[], httpx.Client]] = {
    "plain": lambda: httpx.Client(),
    "own headers, some overridden": lambda: httpx.Client(
        headers={"User-Agent": "app/1", "Accept": "text/plain", "X-Trace": "t1"}
    ),
    "a base_url": lambda: httpx.Client(base_url="https://other.example/api"),
    "cookies": lambda: httpx.Client(cookies={"session": "s1"}),
    "query parameters": lambda: httpx.Client(params={"api-version": "2"}),
    "a repeated header": lambda: httpx.Client(headers=[("X-Via", "a"), ("X-Via", "b")]),
    "no default headers": lambda: httpx.Client(headers=None),
    "a Host header": lambda: httpx.Client(headers={"Host": "proxy.example"}),
    "a non-ASCII header": lambda: httpx.Client(headers={"X-Name": "caf\u00e9".encode("utf-8")}),
}


def _same(built: httpx.Request, expected: httpx.Request) -> None:
    assert built.method == expected.method
    assert built.url == expected.url
    assert built.headers.raw == expected.headers.raw  # names, values and order
    assert built.content == expected.content
    assert type(built.stream) is type(expected.stream)
    assert built.extensions == expected.extensions


@pytest.fixture(scope="module", params=list(CLIENTS))
def http(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    """Each kind of client once for the module (building one costs an SSL context)."""
    with CLIENTS[request.param]() as client:
        yield client


@pytest.mark.parametrize("spec", list(SPECS))
def test_the_request_is_what_build_request_makes(http: httpx.Client, spec: str) -> None:
    request = SPECS[spec]()
    builder = RequestBuilder(http)
    expected = http.build_request(
        request.method,
        request.url,
        content=request.content,
        headers=request.headers,
        timeout=request.timeout,
    )
    for _ in range(2):  # the kept headers give the same request again
        _same(builder.build(request), expected)


def test_creates_and_queries_do_not_go_through_build_request() -> None:
    """So the comparison above is of the short way, not of build_request with itself."""
    with httpx.Client(headers={"X-Trace": "t1"}) as http:
        builder = RequestBuilder(http)

        def refuse(*args: object, **kwargs: object) -> httpx.Request:
            raise AssertionError("build_request was used")

        http.build_request = refuse  # type: ignore[method-assign]
        for spec in (_create(), _get(), _download()):
            builder.build(spec)


def test_async_clients_get_the_same_request() -> None:
    async def both() -> tuple[httpx.Request, httpx.Request]:
        async with httpx.AsyncClient(headers={"X-Trace": "t1"}) as http:
            request = _create()
            built = RequestBuilder(http).build(request)
            return built, http.build_request(
                request.method,
                request.url,
                content=request.content,
                headers=request.headers,
                timeout=request.timeout,
            )

    _same(*asyncio.run(both()))


def test_a_change_to_the_clients_headers_shows_in_the_next_request() -> None:
    with httpx.Client(headers={"X-Trace": "t1"}) as http:
        builder = RequestBuilder(http)
        assert builder.build(_get()).headers["X-Trace"] == "t1"
        http.headers["X-Trace"] = "t2"
        assert builder.build(_get()).headers["X-Trace"] == "t2"
        http.headers = httpx.Headers({"X-Other": "o"})
        built = builder.build(_get())
        assert "X-Trace" not in built.headers and built.headers["X-Other"] == "o"
        http.cookies.set("late", "c", domain="gw.example")
        assert built.headers.get("Cookie") is None
        assert builder.build(_get()).headers["Cookie"] == "late=c"


def test_a_built_request_never_changes_the_kept_headers() -> None:
    with httpx.Client() as http:
        builder = RequestBuilder(http)
        first = builder.build(_get())
        first.headers["Authorization"] = "Bearer changed"
        first.headers["X-Added"] = "1"
        again = builder.build(_get())
        assert again.headers["Authorization"] == f"Bearer {KEY}"
        assert "X-Added" not in again.headers

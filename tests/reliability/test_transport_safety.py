"""Transport safety: where the key may go, which redirects are followed, how big a body may be.

- plain http to a host that is not this machine is refused unless opted in;
- the key goes only to the gateway's origin: never to a result host that
  differs, never across a redirect that changes host or port;
- redirects of a download are followed only to http(s) and at most 5 times;
  the API calls follow none;
- a maximum download size stops an oversized or endless body (see also
  test_faults_download.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from _harness import KEY, PARAMS, Facade, free_port, open_facade
from _redirector import Redirector
from _videobytes import mp4_bytes

from wan_r2v import (
    AsyncClient,
    Client,
    DownloadError,
    InvalidResponseError,
    Task,
    TaskStatus,
    ValidationError,
)
from wan_r2v.sandbox import Sandbox

VIDEO = mp4_bytes(4040)


@pytest.fixture
def redirector() -> Iterator[Redirector]:
    with Redirector() as server:
        yield server


def done_at(url: str) -> Task:
    return Task(id="task_1", status=TaskStatus.SUCCEEDED, video_url=url)


# ---- plain http ----


@pytest.mark.parametrize("client_class", [Client, AsyncClient])
@pytest.mark.parametrize(
    "url",
    [
        "http://gateway.example",
        "http://10.0.0.7:8000",
        "http://127.0.0.1.nip.io",
        "http://localhost.evil.example",
        "HTTP://GATEWAY.EXAMPLE",
    ],
)
def test_plain_http_to_another_host_is_refused_without_opt_in(
    client_class: type[Client] | type[AsyncClient], url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValidationError, match="allow_insecure_http") as caught:
        client_class(KEY, url)
    assert KEY not in str(caught.value)
    monkeypatch.setenv("WAN_R2V_BASE_URL", url)
    monkeypatch.setenv("WAN_R2V_API_KEY", KEY)
    with pytest.raises(ValidationError, match="allow_insecure_http"):
        client_class()


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000", "http://127.9.9.9"],
)
def test_plain_http_to_this_machine_is_allowed(url: str) -> None:
    assert Client(KEY, url).base_url == url


def test_plain_http_with_the_opt_in_sends_the_key_there() -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(
        lambda r: sent.append(r) or httpx.Response(200, json={"id": "t1"})
    )
    client = Client(
        KEY,
        "http://gateway.example",
        allow_insecure_http=True,
        http_client=httpx.Client(transport=transport),
    )
    client.get("t1")
    assert sent[0].url.scheme == "http"
    assert sent[0].headers["authorization"] == f"Bearer {KEY}"


# ---- which host gets the key ----


def test_a_result_on_another_host_gets_no_key(mode: str, tmp_path: Path) -> None:
    port = free_port()
    # the sandbox's result URLs name it "localhost"; the client knows it as 127.0.0.1
    sandbox = Sandbox(
        port=port, public_url=f"http://localhost:{port}", clock="per_poll", api_key=KEY
    )
    with sandbox, open_facade(mode, base_url=f"http://127.0.0.1:{port}") as facade:
        task = facade.wait(facade.create(**PARAMS), timeout=600)
        assert task.video_url and task.video_url.startswith("http://localhost:")
        facade.download(task, tmp_path / "v.mp4")
    api = [r for r in sandbox.requests if r.route in ("create", "query")]
    downloads = [r for r in sandbox.requests if r.route == "download"]
    assert api and all(r.headers.get("authorization") == "Bearer ***" for r in api)
    assert downloads and all("authorization" not in r.headers for r in downloads)
    assert (tmp_path / "v.mp4").exists()


def test_a_result_on_the_gateways_own_origin_gets_the_key(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    task = facade.wait(facade.create(**PARAMS), timeout=600)
    facade.download(task, tmp_path / "v.mp4")
    (download,) = [r for r in sandbox.requests if r.route == "download"]
    assert download.headers.get("authorization") == "Bearer ***"


@pytest.mark.parametrize("other", ["host", "port"])
def test_a_redirect_that_changes_host_or_port_drops_the_key(
    make_facade: Callable[..., Facade], redirector: Redirector, tmp_path: Path, other: str
) -> None:
    with Redirector() as elsewhere:
        target = (
            redirector.url("/file", host="localhost") if other == "host" else elsewhere.url("/file")
        )
        redirector.routes["/result"] = ("redirect", 302, target)
        for server in (redirector, elsewhere):
            server.routes["/file"] = ("video", VIDEO)
        facade = make_facade(base_url=redirector.url(""))
        path = facade.download(done_at(redirector.url("/result")), tmp_path / "v.mp4")
        assert path.read_bytes() == VIDEO
        hops = redirector.seen + elsewhere.seen
    assert [(p, a) for _, _, p, a in hops] == [("/result", f"Bearer {KEY}"), ("/file", None)]


def test_the_key_only_ever_goes_to_the_gateways_origin(
    make_facade: Callable[..., Facade], redirector: Redirector, tmp_path: Path
) -> None:
    """A chain gateway -> other host -> relative hop -> other port: the key on the first hop only."""
    with Redirector() as elsewhere:
        redirector.routes["/result"] = ("redirect", 301, redirector.url("/a", host="localhost"))
        redirector.routes["/a"] = ("redirect", 307, "/b")
        redirector.routes["/b"] = ("redirect", 308, elsewhere.url("/file"))
        elsewhere.routes["/file"] = ("video", VIDEO)
        facade = make_facade(base_url=redirector.url(""))
        facade.download(done_at(redirector.url("/result")), tmp_path / "v.mp4")
        hops = redirector.seen + elsewhere.seen
    assert [(h, p) for _, h, p, _ in hops] == [
        (f"127.0.0.1:{redirector.port}", "/result"),
        (f"localhost:{redirector.port}", "/a"),
        (f"localhost:{redirector.port}", "/b"),
        (f"127.0.0.1:{elsewhere.port}", "/file"),
    ]
    assert [a for _, _, _, a in hops] == [f"Bearer {KEY}", None, None, None]


@pytest.mark.parametrize(
    "location",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1/v.mp4",
        "javascript:alert(1)",
        "data:video/mp4,AAAA",
        "gopher://x/",
    ],
)
def test_a_redirect_to_anything_but_http_is_not_followed(
    make_facade: Callable[..., Facade], redirector: Redirector, tmp_path: Path, location: str
) -> None:
    redirector.routes["/result"] = ("redirect", 302, location)
    facade = make_facade(base_url=redirector.url(""))
    with pytest.raises(DownloadError, match=r"not an (absolute )?http|not be read"):
        facade.download(done_at(redirector.url("/result")), tmp_path / "v.mp4")
    # (httpx cannot parse some of these: then the answer counts as garbled and is asked again)
    assert {p for _, _, p, _ in redirector.seen} == {"/result"}
    assert list(tmp_path.iterdir()) == []


def test_a_redirect_loop_stops_after_five_hops(
    make_facade: Callable[..., Facade], redirector: Redirector, tmp_path: Path
) -> None:
    redirector.routes["/result"] = ("redirect", 302, "/result")
    facade = make_facade(base_url=redirector.url(""))
    with pytest.raises(DownloadError, match="redirected more than 5 times"):
        facade.download(done_at(redirector.url("/result")), tmp_path / "v.mp4")
    assert len(redirector.seen) == 6  # the first request and 5 hops
    assert list(tmp_path.iterdir()) == []


def test_api_calls_follow_no_redirect(
    make_facade: Callable[..., Facade], redirector: Redirector
) -> None:
    elsewhere = redirector.url("/stolen", host="localhost")
    redirector.routes["/v1/video/generations"] = ("redirect", 307, elsewhere)
    redirector.routes["/v1/videos/task_1"] = ("redirect", 302, elsewhere)
    facade = make_facade(base_url=redirector.url(""))
    with pytest.raises(InvalidResponseError, match="redirects are not followed"):
        facade.create(**PARAMS)
    with pytest.raises(InvalidResponseError, match="redirects are not followed"):
        facade.get("task_1")
    assert [p for _, _, p, _ in redirector.seen] == ["/v1/video/generations", "/v1/videos/task_1"]

"""Resume rules on scripted servers (httpx.MockTransport): what the sandbox cannot misbehave into.

Content-Length lies in both directions, servers without ranges, weak ETags,
a resume answered with the whole file, a 206 of the wrong range, a 416: the
target gets the whole, right bytes or nothing, and no temporary file stays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from _harness import KEY, FakeClock
from _videobytes import ENDLESS_HEAD, mp4_bytes

from wan_r2v import Client, DownloadError, Task, TaskStatus

BASE = "https://gw.test"
URL = "https://cdn.test/v/1.mp4"
DONE = Task(id="task_1", status=TaskStatus.SUCCEEDED, video_url=URL)
VIDEO = mp4_bytes(16 * 1024, bytes(range(256)))  # a whole 16 KiB MP4
ETAG = '"v1"'


def body(data: bytes, *, broken: bool = False) -> Iterator[bytes]:
    """`data` in 1 KiB chunks; `broken` raises a transport error after them."""
    for i in range(0, len(data), 1024):
        yield data[i : i + 1024]
    if broken:
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


@attrs.define
class Server:
    """Answers each GET with the next scripted handler; records the requests."""

    handlers: list[Callable[[httpx.Request], httpx.Response]]
    requests: list[httpx.Request] = attrs.field(factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handlers.pop(0)(request)

    @property
    def ranges(self) -> list[str | None]:
        return [r.headers.get("range") for r in self.requests]


def whole(*, cut: int | None = None, headers: dict[str, str] | None = None, **kw: Any) -> Any:
    """A 200 with the whole video (cut off after `cut` bytes), Content-Length of the whole."""

    def answer(request: httpx.Request) -> httpx.Response:
        data = VIDEO if cut is None else VIDEO[:cut]
        base = {
            "content-type": "video/mp4",
            "content-length": str(len(VIDEO)),
            "accept-ranges": "bytes",
            "etag": ETAG,
        }
        base.update(headers or {})
        base = {k: v for k, v in base.items() if v}
        return httpx.Response(200, headers=base, content=body(data, broken=cut is not None), **kw)

    return answer


def rest(start: int, *, end: int | None = None, total: int | None = None) -> Any:
    """A 206 with VIDEO[start:] (or a lying Content-Range)."""

    def answer(request: httpx.Request) -> httpx.Response:
        last = len(VIDEO) - 1 if end is None else end
        size = len(VIDEO) if total is None else total
        data = VIDEO[start : last + 1]
        return httpx.Response(
            206,
            headers={
                "content-type": "video/mp4",
                "content-length": str(len(data)),
                "content-range": f"bytes {start}-{last}/{size}",
                "etag": ETAG,
            },
            content=body(data),
        )

    return answer


def client(server: Server, **kwargs: Any) -> Client:
    made = Client(
        KEY, BASE, http_client=httpx.Client(transport=httpx.MockTransport(server)), **kwargs
    )
    clock = FakeClock()
    made._ctx = made._ctx._replace(clock=clock, rand=lambda: 0.0)
    made._sleep = clock.sleep  # type: ignore[method-assign]
    return made


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_resumes_from_the_byte_it_stopped_at(tmp_path: Path) -> None:
    server = Server([whole(cut=5120), rest(5120)])
    path = client(server).download(DONE, tmp_path / "v.mp4")
    assert path.read_bytes() == VIDEO
    assert server.ranges == [None, "bytes=5120-"]
    assert server.requests[1].headers["if-range"] == ETAG
    assert entries(tmp_path) == ["v.mp4"]


def test_a_resume_answered_with_the_whole_file_starts_over(tmp_path: Path) -> None:
    """The file changed (If-Range failed): the server sends all of it; nothing old is kept."""
    server = Server([whole(cut=5120), whole()])
    path = client(server).download(DONE, tmp_path / "v.mp4")
    assert path.read_bytes() == VIDEO
    assert server.ranges == [None, "bytes=5120-"]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"accept-ranges": ""}, id="no-accept-ranges"),
        pytest.param({"accept-ranges": "none"}, id="accept-ranges-none"),
        pytest.param({"etag": 'W/"weak"'}, id="weak-etag"),
        pytest.param({"etag": ""}, id="no-validator"),
    ],
)
def test_without_ranges_or_a_strong_validator_it_starts_over(
    tmp_path: Path, headers: dict[str, str]
) -> None:
    server = Server([whole(cut=5120, headers=headers), whole(headers=headers)])
    path = client(server).download(DONE, tmp_path / "v.mp4")
    assert path.read_bytes() == VIDEO
    assert server.ranges == [None, None]


def test_last_modified_is_a_validator_too(tmp_path: Path) -> None:
    stamp = "Wed, 21 Oct 2026 07:28:00 GMT"
    server = Server([whole(cut=100, headers={"etag": "", "last-modified": stamp}), rest(100)])
    client(server).download(DONE, tmp_path / "v.mp4")
    assert server.requests[1].headers["if-range"] == stamp


def test_a_body_shorter_than_its_content_length_is_not_saved_as_complete(tmp_path: Path) -> None:
    """A transport that ends the body early without an error still never yields a short file."""

    def short(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"content-type": "video/mp4", "content-length": str(len(VIDEO))},
            content=body(VIDEO[:1000]),
        )

    server = Server([short, short, short])
    with pytest.raises(DownloadError, match=f"after 1000 of {len(VIDEO)} bytes"):
        client(server).download(DONE, tmp_path / "v.mp4")
    assert entries(tmp_path) == []


def test_a_body_longer_than_its_content_length_is_refused(tmp_path: Path) -> None:
    def long(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"content-type": "video/mp4", "content-length": "1000"},
            content=body(VIDEO),
        )

    with pytest.raises(DownloadError, match="longer than its Content-Length"):
        client(Server([long])).download(DONE, tmp_path / "v.mp4")
    assert entries(tmp_path) == []


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(rest(4000), id="wrong-start"),
        pytest.param(rest(5120, total=len(VIDEO) * 2), id="other-total"),
        pytest.param(rest(5120, end=len(VIDEO) + 10), id="past-the-end"),
    ],
)
def test_a_206_that_does_not_fit_fails_cleanly(tmp_path: Path, answer: Any) -> None:
    server = Server([whole(cut=5120), answer])
    with pytest.raises(DownloadError, match="range"):
        client(server).download(DONE, tmp_path / "v.mp4")
    assert entries(tmp_path) == []


def test_a_416_on_resume_fails_cleanly(tmp_path: Path) -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        return httpx.Response(416, headers={"content-range": f"bytes */{len(VIDEO)}"})

    server = Server([whole(cut=5120), refused])
    with pytest.raises(DownloadError, match="416"):
        client(server).download(DONE, tmp_path / "v.mp4")
    assert entries(tmp_path) == []


def test_a_kept_part_is_removed_when_the_retries_run_out(tmp_path: Path) -> None:
    server = Server([whole(cut=1000), rest(1000)])
    server.handlers[1] = lambda request: httpx.Response(503)
    with pytest.raises(DownloadError):
        client(server, max_retries=1).download(DONE, tmp_path / "v.mp4")
    assert entries(tmp_path) == []


def test_an_endless_body_stops_at_max_download_bytes(tmp_path: Path) -> None:
    def endless(request: httpx.Request) -> httpx.Response:
        def forever() -> Iterator[bytes]:
            while True:
                yield ENDLESS_HEAD + b"\0" * 65536

        return httpx.Response(200, headers={"content-type": "video/mp4"}, content=forever())

    with pytest.raises(DownloadError, match="max_download_bytes"):
        client(Server([endless]), max_download_bytes=1_000_000).download(DONE, tmp_path / "v.mp4")
    assert entries(tmp_path) == []

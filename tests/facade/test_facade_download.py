"""download(): streamed with flat memory, atomic on any failure, the key only for the gateway's host."""

from __future__ import annotations

import socket
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from _facade_fakes import BASE, KEY, Gateway, chunks, error, make_client, ok, task_json
from _videobytes import mp4_bytes, mp4_head

from wan_r2v import (
    Client,
    DownloadError,
    ResultExpiredError,
    TargetExistsError,
    Task,
    TaskFailedError,
    TaskStatus,
)

CDN = "https://cdn.test/videos/1.mp4"
DONE = Task(id="task_1", status=TaskStatus.SUCCEEDED, video_url=CDN)
MiB = 1024 * 1024


def video(body: bytes = mp4_bytes(100, b"fake video")) -> httpx.Response:
    return httpx.Response(200, content=body, headers={"content-type": "video/mp4"})


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_download_writes_the_file_and_sends_no_key_to_another_host(tmp_path: Path) -> None:
    gateway = Gateway(video())
    path = make_client(gateway).download(DONE, tmp_path / "out.mp4")
    assert path == tmp_path / "out.mp4" and path.read_bytes().startswith(b"\x00\x00\x00\x18ftyp")
    (request,) = gateway.requests
    assert str(request.url) == CDN and "authorization" not in request.headers
    assert leftovers(tmp_path) == ["out.mp4"]


def test_the_gateways_own_url_gets_the_key(tmp_path: Path) -> None:
    gateway = Gateway(video())
    task = Task(id="task_1", status=TaskStatus.SUCCEEDED, video_url="/v1/videos/task_1/content")
    make_client(gateway).download(task, tmp_path / "v.mp4")
    (request,) = gateway.requests
    assert str(request.url) == f"{BASE}/v1/videos/task_1/content"
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_a_redirect_to_another_host_drops_the_key(tmp_path: Path) -> None:
    gateway = Gateway(httpx.Response(302, headers={"location": CDN}), video())
    task = Task(
        id="task_1", status=TaskStatus.SUCCEEDED, video_url=f"{BASE}/v1/videos/task_1/content"
    )
    make_client(gateway).download(task, tmp_path / "v.mp4")
    first, second = gateway.requests
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert str(second.url) == CDN and "authorization" not in second.headers


def test_a_folder_target_gets_the_task_id_as_name(tmp_path: Path) -> None:
    path = make_client(Gateway(video())).download(DONE, tmp_path)
    assert path == tmp_path / "task_1.mp4" and path.exists()


def test_download_by_id_queries_the_task_first(tmp_path: Path) -> None:
    gateway = Gateway(ok(task_json(status="succeeded", video_url=CDN)), video())
    path = make_client(gateway).download("task_1", tmp_path / "v.mp4")
    assert path.exists()
    assert [r.method + " " + r.url.host for r in gateway.requests] == [
        "GET gw.test",
        "GET cdn.test",
    ]


def test_bounded_memory_on_a_large_body(tmp_path: Path) -> None:
    size = 200 * MiB
    gateway = Gateway(
        lambda request: httpx.Response(
            200, content=chunks(size), headers={"content-type": "video/mp4"}
        )
    )
    client = make_client(gateway)
    tracemalloc.start()
    try:
        path = client.download(DONE, tmp_path / "big.mp4")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert path.stat().st_size == size
    assert peak < 16 * MiB, f"peak traced memory {peak / MiB:.1f} MiB for a {size // MiB} MiB body"


def _broken_body(request: httpx.Request) -> httpx.Response:
    def body() -> Iterator[bytes]:
        yield mp4_bytes(100_000)  # the first 100,000 of a 200,000-byte file
        raise httpx.ReadError("connection reset mid-body")

    return httpx.Response(200, content=body(), headers={"content-type": "video/mp4"})


def test_a_broken_body_leaves_no_file_and_keeps_an_old_one(tmp_path: Path) -> None:
    target = tmp_path / "v.mp4"
    target.write_bytes(b"previous video")
    gateway = Gateway(_broken_body)
    with pytest.raises(DownloadError):
        make_client(gateway, max_retries=1).download(DONE, target)
    assert gateway.count("GET") == 2  # retried once, as a GET
    assert target.read_bytes() == b"previous video"
    assert leftovers(tmp_path) == ["v.mp4"]


@pytest.fixture
def cut_off_server() -> Iterator[tuple[str, list[int]]]:
    """A real HTTP server on 127.0.0.1 that promises 10 MB and closes after 64 KiB."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    served: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    part = conn.recv(4096)
                    if not part:
                        break
                    data += part
                served.append(len(data))
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 10000000\r\n\r\n"
                )
                conn.sendall(mp4_head(10_000_000) + b"\x00" * 65536)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/1.mp4", served
    stop.set()
    thread.join(timeout=5)
    listener.close()


def test_a_cut_off_body_from_a_real_server_leaves_nothing(
    tmp_path: Path, cut_off_server: tuple[str, list[int]]
) -> None:
    url, served = cut_off_server
    client = Client(KEY, BASE, max_retries=1)
    client._sleep = lambda seconds: None  # type: ignore[method-assign]
    task = Task(id="task_1", status=TaskStatus.SUCCEEDED, video_url=url)
    with pytest.raises(DownloadError) as info:
        client.download(task, tmp_path / "v.mp4")
    client.close()
    assert leftovers(tmp_path) == []
    assert len(served) == 2
    assert "nothing was written" in str(info.value)


def test_a_body_over_the_limit_is_stopped(tmp_path: Path) -> None:
    gateway = Gateway(
        lambda request: httpx.Response(
            200, content=chunks(3 * MiB), headers={"content-type": "video/mp4"}
        )
    )
    with pytest.raises(DownloadError, match="max_download_bytes"):
        make_client(gateway, max_download_bytes=MiB).download(DONE, tmp_path / "v.mp4")
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("status", [403, 404, 410])
def test_an_expired_url_falls_back_to_content_then_a_fresh_query(
    tmp_path: Path, status: int
) -> None:
    gateway = Gateway(error(status))
    with pytest.raises(ResultExpiredError) as raised:
        make_client(gateway).download(DONE, tmp_path / "v.mp4")
    message = str(raised.value)
    assert f"answered {status} (expired)" in message and "/content failed" in message
    assert "a fresh query failed" in message
    assert [str(r.url) for r in gateway.requests] == [
        CDN,
        f"{BASE}/v1/videos/task_1/content",
        f"{BASE}/v1/videos/task_1",
    ]
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("status", [403, 404, 410])
def test_an_expired_url_is_downloaded_through_content_with_the_key(
    tmp_path: Path, status: int
) -> None:
    gateway = Gateway(error(status), video())
    path = make_client(gateway).download(DONE, tmp_path)
    assert path == tmp_path / "task_1.mp4" and path.read_bytes().startswith(b"\x00\x00\x00\x18ftyp")
    expired, content = gateway.requests
    assert str(expired.url) == CDN and "authorization" not in expired.headers
    assert str(content.url) == f"{BASE}/v1/videos/task_1/content"
    assert content.headers["authorization"] == f"Bearer {KEY}"


def test_content_failing_a_fresh_query_gives_a_new_url(tmp_path: Path) -> None:
    fresh = "https://cdn.test/videos/fresh.mp4"
    answer = task_json(status="completed", progress=100, video_url=fresh)
    gateway = Gateway(error(403), error(404), ok(answer), video())
    path = make_client(gateway).download(DONE, tmp_path / "v.mp4")
    assert path.read_bytes().startswith(b"\x00\x00\x00\x18ftyp")
    assert [str(r.url) for r in gateway.requests] == [
        CDN,
        f"{BASE}/v1/videos/task_1/content",
        f"{BASE}/v1/videos/task_1",
        fresh,
    ]
    assert "authorization" not in gateway.requests[-1].headers


def test_a_task_without_url_is_downloaded_through_content(tmp_path: Path) -> None:
    answer = task_json(status="completed", progress=100)  # new-api before metadata.url is filled
    gateway = Gateway(ok(answer), video())
    path = make_client(gateway).download("task_1", tmp_path)
    assert path == tmp_path / "task_1.mp4"
    assert [str(r.url) for r in gateway.requests] == [
        f"{BASE}/v1/videos/task_1",
        f"{BASE}/v1/videos/task_1/content",
    ]


def test_an_html_page_from_the_result_url_is_not_retried_elsewhere(tmp_path: Path) -> None:
    page = httpx.Response(200, content=b"<html>login</html>", headers={"content-type": "text/html"})
    gateway = Gateway(page)
    with pytest.raises(DownloadError, match="text/html"):
        make_client(gateway).download(DONE, tmp_path / "v.mp4")
    assert len(gateway.requests) == 1


def test_an_html_page_is_not_saved_as_a_video(tmp_path: Path) -> None:
    page = httpx.Response(200, content=b"<html>login</html>", headers={"content-type": "text/html"})
    with pytest.raises(DownloadError, match="text/html"):
        make_client(Gateway(page)).download(DONE, tmp_path / "v.mp4")
    assert leftovers(tmp_path) == []


def test_overwrite_false_keeps_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "v.mp4"
    target.write_bytes(b"mine")
    with pytest.raises(TargetExistsError) as raised:
        make_client(Gateway(video())).download(DONE, target, overwrite=False)
    # both a DownloadError and a FileExistsError, so either catches it
    assert isinstance(raised.value, DownloadError) and isinstance(raised.value, FileExistsError)
    assert raised.value.filename == str(target) and "overwrite=True" in str(raised.value)
    assert target.read_bytes() == b"mine" and leftovers(tmp_path) == ["v.mp4"]


def test_unfinished_and_failed_tasks_are_not_downloaded(tmp_path: Path) -> None:
    gateway = Gateway(video())
    with pytest.raises(DownloadError, match="wait"):
        make_client(gateway).download(
            Task(id="t", status=TaskStatus.RUNNING, video_url=CDN), tmp_path
        )
    with pytest.raises(TaskFailedError):
        make_client(gateway).download(
            Task(id="t", status=TaskStatus.FAILED, video_url=CDN), tmp_path
        )
    assert gateway.requests == []


def test_a_non_http_result_url_is_refused(tmp_path: Path) -> None:
    gateway = Gateway(video())
    with pytest.raises(DownloadError):
        make_client(gateway).download(
            Task(id="t", status=TaskStatus.SUCCEEDED, video_url="file:///etc/passwd"), tmp_path
        )
    assert gateway.requests == []

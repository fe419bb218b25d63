"""AsyncClient: the same behaviour through the same core (retries, wait, download, generate)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from _facade_fakes import (
    KEY,
    SEED_VIDEO_KWARGS,
    FakeClock,
    Gateway,
    achunks,
    error,
    make_async_client,
    ok,
    task_json,
)

from wan_r2v import (
    AsyncClient,
    DownloadError,
    RateLimitError,
    Task,
    TaskFailedError,
    TaskMayExistError,
    TaskStatus,
    WaitTimeoutError,
)

pytestmark = pytest.mark.anyio

CREATED = ok(task_json(status="queued", progress=0))
CDN = "https://cdn.test/1.mp4"
DONE = ok(task_json(status="completed", progress=100, video_url=CDN))
MiB = 1024 * 1024


def video(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=achunks(3 * MiB), headers={"content-type": "video/mp4"})


async def test_create_retries_429_but_not_5xx() -> None:
    clock = FakeClock()
    gateway = Gateway(error(429, headers={"Retry-After": "3"}), CREATED)
    async with make_async_client(gateway, clock) as client:
        assert (await client.create(**SEED_VIDEO_KWARGS)).status is TaskStatus.QUEUED
    assert gateway.count("POST") == 2 and clock.sleeps == [3.0]

    gateway = Gateway(error(500), CREATED)
    async with make_async_client(gateway) as client:
        with pytest.raises(TaskMayExistError):
            await client.create(**SEED_VIDEO_KWARGS)
    assert gateway.count("POST") == 1

    gateway = Gateway(httpx.ReadTimeout("no answer"), CREATED)
    async with make_async_client(gateway) as client:
        with pytest.raises(TaskMayExistError):
            await client.create(**SEED_VIDEO_KWARGS)
    assert gateway.count("POST") == 1


async def test_get_retries_and_gives_up() -> None:
    gateway = Gateway(error(429))
    async with make_async_client(gateway, max_retries=2) as client:
        with pytest.raises(RateLimitError):
            await client.get("task_1")
    assert gateway.count("GET") == 3


async def test_wait_with_sync_and_async_callbacks() -> None:
    seen: list[int] = []

    async def on_progress(task: Task) -> None:
        seen.append(task.progress)

    gateway = Gateway(
        ok(task_json(progress=10)),
        httpx.ConnectError("refused"),
        ok(task_json(progress="55%")),
        DONE,
    )
    async with make_async_client(gateway, max_retries=0) as client:
        task = await client.wait("task_1", poll_interval=1, on_progress=on_progress)
        assert task.succeeded and seen == [10, 55, 100]
        plain: list[str] = []
        await client.wait(task, on_progress=lambda t: plain.append(t.id))
        assert plain == ["task_1"]


async def test_wait_deadline_and_failure() -> None:
    clock = FakeClock()
    async with make_async_client(Gateway(ok(task_json(progress=5))), clock) as client:
        with pytest.raises(WaitTimeoutError) as info:
            await client.wait("task_1", timeout=20, poll_interval=5)
    assert info.value.task.progress == 5 and clock.now - 1000.0 <= 20
    async with make_async_client(
        Gateway(ok(task_json(status="failed", fail_reason="blocked")))
    ) as client:
        with pytest.raises(TaskFailedError, match="blocked"):
            await client.wait("task_1")


async def test_download_streams_and_drops_the_key_for_the_cdn(tmp_path: Path) -> None:
    gateway = Gateway(video)
    async with make_async_client(gateway) as client:
        path = await client.download(
            Task(id="task_1", status=TaskStatus.SUCCEEDED, video_url=CDN), tmp_path
        )
    assert path == tmp_path / "task_1.mp4" and path.stat().st_size == 3 * MiB
    assert "authorization" not in gateway.requests[0].headers


async def test_download_broken_body_leaves_nothing(tmp_path: Path) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"x" * 1000
        raise httpx.ReadError("reset")

    gateway = Gateway(
        lambda request: httpx.Response(200, content=body(), headers={"content-type": "video/mp4"})
    )
    async with make_async_client(gateway, max_retries=0) as client:
        with pytest.raises(DownloadError):
            await client.download(
                Task(id="t", status=TaskStatus.SUCCEEDED, video_url=CDN), tmp_path / "v.mp4"
            )
    assert list(tmp_path.iterdir()) == []


async def test_generate_reports_the_created_task_first(tmp_path: Path) -> None:
    gateway = Gateway(CREATED, ok(task_json(progress=50)), DONE, video)
    reports: list[tuple[str, int]] = []
    async with make_async_client(gateway) as client:
        result = await client.generate(
            path=tmp_path,
            poll_interval=1,
            on_progress=lambda t: reports.append((t.status.value, len(gateway.requests))),
            **SEED_VIDEO_KWARGS,
        )
    assert result.task.succeeded and result.path == tmp_path / "task_1.mp4" and result.path.exists()
    assert reports[0] == ("queued", 1)  # only the create had been sent
    assert [s for s, _ in reports] == ["queued", "running", "succeeded"]


async def test_own_client_is_closed_and_a_passed_one_is_not() -> None:
    mine = httpx.AsyncClient()
    async with AsyncClient(KEY, "https://gw.test", http_client=mine):
        pass
    assert not mine.is_closed
    client = AsyncClient(KEY, "https://gw.test")
    await client.aclose()
    assert client._http.is_closed
    await mine.aclose()

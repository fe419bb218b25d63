"""generate(): create, wait and download in one call; the created task is reported at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from _facade_fakes import (
    SEED_VIDEO_KWARGS,
    FakeClock,
    Gateway,
    make_async_client,
    make_client,
    ok,
    task_json,
)
from _videobytes import mp4_bytes

from wan_r2v import DownloadError, TargetExistsError, TaskFailedError

CDN = "https://cdn.test/1.mp4"


VIDEO = mp4_bytes(64, b"mp4 bytes")


def test_generate_creates_waits_and_downloads(tmp_path: Path) -> None:
    gateway = Gateway(
        ok(task_json(status="queued", progress=0)),
        ok(task_json(progress=40)),
        ok(task_json(status="completed", progress=100, video_url=CDN)),
        httpx.Response(200, content=VIDEO, headers={"content-type": "video/mp4"}),
    )
    reports: list[tuple[str, int]] = []
    with make_client(gateway) as client:
        result = client.generate(
            path=tmp_path / "out.mp4",
            poll_interval=1,
            on_progress=lambda t: reports.append((t.id, len(gateway.requests))),
            **SEED_VIDEO_KWARGS,
        )
    assert result.path.read_bytes() == VIDEO and result.task.video_url == CDN
    assert reports[0] == ("task_1", 1)  # the id is known right after the create
    assert [r.method for r in gateway.requests] == ["POST", "GET", "GET", "GET"]


def test_generate_raises_with_the_task_when_it_fails(tmp_path: Path) -> None:
    gateway = Gateway(
        ok(task_json(status="queued")), ok(task_json(status="failed", fail_reason="blocked"))
    )
    with pytest.raises(TaskFailedError) as info:
        make_client(gateway).generate(path=tmp_path, poll_interval=1, **SEED_VIDEO_KWARGS)
    assert info.value.task.id == "task_1" and list(tmp_path.iterdir()) == []


def test_a_failed_download_names_the_task_for_a_retry(tmp_path: Path) -> None:
    gateway = Gateway(
        ok(task_json(status="queued")),
        ok(task_json(status="succeeded", video_url=CDN)),
        httpx.Response(500),
    )
    with pytest.raises(DownloadError, match="task_1"):
        make_client(gateway, max_retries=0).generate(
            path=tmp_path, poll_interval=1, **SEED_VIDEO_KWARGS
        )
    assert gateway.count("POST") == 1 and list(tmp_path.iterdir()) == []


def test_generate_asks_about_its_new_task_after_one_poll_interval(tmp_path: Path) -> None:
    # the create answer just said "queued": asking at once would only hear that again
    clock = FakeClock()
    seen: list[tuple[str, float]] = []

    def record(answer: httpx.Response) -> object:
        def handler(request: httpx.Request) -> httpx.Response:
            seen.append((request.method, clock.now))
            return answer

        return handler

    gateway = Gateway(
        record(ok(task_json(status="queued", progress=0))),
        record(ok(task_json(progress=40))),
        record(ok(task_json(status="completed", progress=100, video_url=CDN))),
        httpx.Response(200, content=VIDEO, headers={"content-type": "video/mp4"}),
    )
    with make_client(gateway, clock) as client:
        client.generate(path=tmp_path / "out.mp4", poll_interval=3, **SEED_VIDEO_KWARGS)
    start = seen[0][1]
    assert [(method, at - start) for method, at in seen] == [("POST", 0), ("GET", 3), ("GET", 6)]


def test_wait_on_a_task_it_did_not_create_asks_at_once() -> None:
    clock = FakeClock()
    gateway = Gateway(
        ok(task_json(status="queued", progress=0)),
        ok(task_json(status="completed", progress=100, video_url=CDN)),
    )
    with make_client(gateway, clock) as client:
        created = client.create(**SEED_VIDEO_KWARGS)
        done = client.wait(created, poll_interval=3)
    # a task handed to wait() may be old or resumed: it is asked about at once
    assert done.succeeded and clock.sleeps == []
    assert [r.method for r in gateway.requests] == ["POST", "GET"]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_taken_target_is_refused_before_the_create(tmp_path: Path, mode: str) -> None:
    # the create costs money: a download that can only fail must not be paid for
    taken = tmp_path / "out.mp4"
    taken.write_bytes(b"keep me")
    gateway = Gateway()
    with pytest.raises(TargetExistsError):
        if mode == "sync":
            make_client(gateway).generate(path=taken, overwrite=False, **SEED_VIDEO_KWARGS)
        else:
            client = make_async_client(gateway)
            asyncio.run(client.generate(path=taken, overwrite=False, **SEED_VIDEO_KWARGS))
    assert gateway.requests == [] and taken.read_bytes() == b"keep me"


def test_a_folder_target_with_overwrite_false_still_creates(tmp_path: Path) -> None:
    gateway = Gateway(
        ok(task_json(status="completed", video_url=CDN)),  # done at once: no poll
        httpx.Response(200, content=VIDEO, headers={"content-type": "video/mp4"}),
    )
    result = make_client(gateway).generate(
        path=tmp_path, overwrite=False, poll_interval=1, **SEED_VIDEO_KWARGS
    )
    assert result.path == tmp_path / "task_1.mp4" and result.path.read_bytes() == VIDEO

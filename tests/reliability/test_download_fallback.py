"""Download fallback against the sandbox: an expired or missing result URL, then /content, then a fresh URL.

The result URL's 403/404/410 (expired) sends the download to the gateway's own
``GET /v1/videos/{id}/content`` with the key; when that fails too, the task is
queried once and its fresh URL fetched. Nothing is written until a whole video
arrived. Sleeps are faked (see `_harness`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _harness import KEY, PARAMS, Facade
from _mp4probe import probe_mp4

from wan_r2v import DownloadError, ResultExpiredError, Task
from wan_r2v.sandbox import Sandbox


def finished(facade: Facade) -> Task:
    task = facade.wait(facade.create(**PARAMS), timeout=600)
    assert task.video_url
    return task


def routes(sandbox: Sandbox) -> list[tuple[str, int | None]]:
    """(route, status) of every request after the create and the wait."""
    seen = [(r.route, r.status) for r in sandbox.requests]
    first = max(i for i, (route, _) in enumerate(seen) if route == "create")
    rest = seen[first + 1 :]
    while rest and rest[0][0] == "query" and rest[0][1] == 200:  # the wait's polls
        rest.pop(0)
    return rest


@pytest.mark.parametrize("status", ["403", "404", "410"])
def test_an_expired_url_downloads_through_content_with_the_key(
    facade: Facade, sandbox: Sandbox, tmp_path: Path, status: str
) -> None:
    task = finished(facade)
    fault = "expired" if status == "403" else status
    sandbox.faults.add(fault, route="download")
    path = facade.download(task, tmp_path)
    assert path == tmp_path / f"{task.id}.mp4" and probe_mp4(path).width == 1280
    assert routes(sandbox) == [("download", int(status)), ("content", 200)]
    content = next(r for r in sandbox.requests if r.route == "content")
    assert content.path == f"/v1/videos/{task.id}/content"
    assert content.authorized is True  # the key went to the gateway's own origin
    download = next(r for r in sandbox.requests if r.route == "download")
    assert "authorization" not in download.headers or download.headers["authorization"] != KEY


def test_content_failing_a_fresh_query_downloads(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    task = finished(facade)
    sandbox.faults.add("expired", route="download", times=1)
    sandbox.faults.add("404", route="content", times=1)
    path = facade.download(task, tmp_path / "v.mp4")
    assert probe_mp4(path).width == 1280
    assert routes(sandbox) == [
        ("download", 403),
        ("content", 404),
        ("query", 200),
        ("download", 200),
    ]


def test_every_source_failing_leaves_nothing_and_says_what_was_tried(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    task = finished(facade)
    sandbox.faults.add("expired", route="download")
    sandbox.faults.add("404", route="content")
    with pytest.raises(ResultExpiredError) as caught:
        facade.download(task, tmp_path / "v.mp4")
    message = str(caught.value)
    assert "answered 403 (expired)" in message and "/content failed" in message
    assert "fresh URL failed" in message
    assert routes(sandbox) == [
        ("download", 403),
        ("content", 404),
        ("query", 200),
        ("download", 403),
    ]
    assert list(tmp_path.iterdir()) == []


def test_a_url_issued_expired_is_fetched_through_content(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.faults.add("expired", route="create", times=1)
    task = facade.wait(facade.create(**PARAMS), timeout=600)
    path = facade.download(task.id, tmp_path)
    assert path.name == f"{task.id}.mp4" and probe_mp4(path).width == 1280


def test_a_broken_content_body_is_resumed_or_refetched_whole(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    task = finished(facade)
    sandbox.faults.add("expired", route="download")
    sandbox.faults.add("truncate", route="content", times=1)
    path = facade.download(task, tmp_path / "v.mp4")
    assert probe_mp4(path).width == 1280
    assert [r for r, _ in routes(sandbox)] == ["download", "content", "content"]


@pytest.mark.wan_r2v_sandbox(dialect="new-api")
def test_new_api_unknown_task_on_content_is_a_clear_failure(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    task = finished(facade)
    sandbox.faults.add("expired", route="download")
    sandbox.faults.add("400;code=task_not_exist;message=task_not_exist", route="content")
    with pytest.raises(DownloadError, match="task_not_exist"):
        facade.download(task, tmp_path / "v.mp4")
    assert list(tmp_path.iterdir()) == []

"""new-api's real answers (API-NOTES), byte for byte over real TCP, from a peer sharing none of our code.

Task identity (the envelope's integer ``data.id`` is a row number), an unknown
id as 400 ``task_not_exist``, a flat 429 without Retry-After, the request id
in ``X-Oneapi-Request-Id``, and the download fallback: an expired result URL
(another origin) -> ``/v1/videos/{id}/content`` with the key -> a fresh URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _harness import KEY, open_facade
from _peer import Peer, Reply, Request
from _scenarios import answer
from _videobytes import mp4_bytes

from wan_r2v import InvalidResponseError, NotFoundError, ResultExpiredError, Task, TaskStatus

TASK_ID = "task_NewApi01"
GENERATIONS = f"/v1/video/generations/{TASK_ID}"
VIDEOS = f"/v1/videos/{TASK_ID}"
CONTENT = f"/v1/videos/{TASK_ID}/content"
VIDEO = mp4_bytes(4024)  # a whole MP4 (ftyp, moov, mdat): only a video is saved
NOT_EXIST = {"code": "task_not_exist", "message": "task_not_exist", "data": None}
ONEAPI = {"X-Oneapi-Request-Id": "20261130101010123456789"}


def envelope(status: str, progress: str, result_url: str = "") -> dict[str, Any]:
    return {
        "code": "success",
        "message": "",
        "data": {
            "id": 7,
            "task_id": TASK_ID,
            "action": "generate",
            "status": status,
            "progress": progress,
            "fail_reason": "",
            "result_url": result_url,
            "submit_time": 1773984104,
            "finish_time": 0 if status != "SUCCESS" else 1773984190,
        },
    }


def videos_done(url: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": TASK_ID,
        "object": "video",
        "model": "wan2.6-r2v-flash-720p-audio",
        "status": "completed",
        "progress": 100,
        "created_at": 1773984104,
        "completed_at": 1773984190,
    }
    if url is not None:
        body["metadata"] = {"url": url}
    return body


def video(req: Request, out: Reply) -> None:
    out.send(200, VIDEO, headers={"Content-Type": "video/mp4"})


def other_origin(peer: Peer, path: str) -> str:
    """The same peer under another host name: another origin, so no key goes there."""
    return peer.url.replace("127.0.0.1", "localhost") + path


def test_envelope_row_number_never_becomes_the_id(hostile: Peer, mode: str, tmp_path: Path) -> None:
    url = other_origin(hostile, "/cdn/1.mp4")
    hostile.route(
        "GET",
        GENERATIONS,
        answer(200, envelope("NOT_START", "0%"), ONEAPI),
        answer(200, envelope("IN_PROGRESS", "30%"), ONEAPI),
        answer(200, envelope("SUCCESS", "100%", url), ONEAPI),
    )
    hostile.route("GET", "/cdn/1.mp4", video)
    with open_facade(mode, base_url=hostile.url, task_path="video/generations") as facade:
        task = facade.wait(TASK_ID, timeout=60)
        path = facade.download(task, tmp_path)
    assert task.id == TASK_ID and task.status is TaskStatus.SUCCEEDED
    assert path == tmp_path / f"{TASK_ID}.mp4" and path.read_bytes() == VIDEO
    assert hostile.count("GET", GENERATIONS) == 3


@pytest.mark.parametrize("path", [VIDEOS, GENERATIONS])
def test_unknown_task_is_not_found_and_not_retried(hostile: Peer, mode: str, path: str) -> None:
    hostile.route("GET", path, answer(400, NOT_EXIST, ONEAPI))
    task_path = "videos" if path == VIDEOS else "video/generations"
    with (
        open_facade(mode, base_url=hostile.url, task_path=task_path) as facade,
        pytest.raises(NotFoundError) as caught,
    ):
        facade.get(TASK_ID)
    assert (caught.value.status_code, caught.value.code) == (400, "task_not_exist")
    assert caught.value.request_id == ONEAPI["X-Oneapi-Request-Id"]
    assert hostile.count("GET", path) == 1


def test_flat_429_without_retry_after_backs_off(hostile: Peer, mode: str) -> None:
    busy = {"code": "rate_limit", "message": "group load is saturated", "data": None}
    hostile.route("GET", VIDEOS, answer(429, busy, ONEAPI), answer(200, videos_done(None)))
    with open_facade(mode, base_url=hostile.url) as facade:
        task = facade.get(TASK_ID)
        sleeps = facade.sleeps
    assert task.id == TASK_ID and task.succeeded
    assert hostile.count("GET", VIDEOS) == 2 and len(sleeps) == 1 and sleeps[0] > 0


def test_an_answer_about_another_task_is_refused(hostile: Peer, mode: str) -> None:
    other = envelope("SUCCESS", "100%")
    other["data"]["task_id"] = "task_someone_else"
    hostile.route("GET", GENERATIONS, answer(200, other))
    with (
        open_facade(mode, base_url=hostile.url, task_path="video/generations") as facade,
        pytest.raises(InvalidResponseError, match="task_someone_else"),
    ):
        facade.get(TASK_ID)
    assert hostile.count("GET", GENERATIONS) == 1


def test_expired_url_falls_back_to_content_with_the_key(
    hostile: Peer, mode: str, tmp_path: Path
) -> None:
    expired = other_origin(hostile, "/cdn/1.mp4")
    hostile.route("GET", VIDEOS, answer(200, videos_done(expired)))
    hostile.route("GET", "/cdn/1.mp4", lambda req, out: out.send(403, b"<Error>Expired</Error>"))
    hostile.route("GET", CONTENT, video)
    with open_facade(mode, base_url=hostile.url) as facade:
        path = facade.download(TASK_ID, tmp_path / "v.mp4")
    assert path.read_bytes() == VIDEO
    cdn = [r for r in hostile.requests if r.path == "/cdn/1.mp4"]
    content = [r for r in hostile.requests if r.path == CONTENT]
    assert len(cdn) == 1 and cdn[0].key is None  # another origin: no key
    assert len(content) == 1 and content[0].key == KEY  # the gateway's own origin


def test_no_url_then_content_fails_then_a_fresh_url(
    hostile: Peer, mode: str, tmp_path: Path
) -> None:
    fresh = other_origin(hostile, "/cdn/fresh.mp4")
    hostile.route("GET", VIDEOS, answer(200, videos_done(None)), answer(200, videos_done(fresh)))
    hostile.route("GET", CONTENT, answer(400, NOT_EXIST, ONEAPI))
    hostile.route("GET", "/cdn/fresh.mp4", video)
    with open_facade(mode, base_url=hostile.url) as facade:
        path = facade.download(TASK_ID, tmp_path)
    assert path == tmp_path / f"{TASK_ID}.mp4" and path.read_bytes() == VIDEO
    assert [r.path for r in hostile.requests] == [VIDEOS, CONTENT, VIDEOS, "/cdn/fresh.mp4"]


def test_every_source_failing_leaves_no_file(hostile: Peer, mode: str, tmp_path: Path) -> None:
    expired = other_origin(hostile, "/cdn/1.mp4")
    hostile.route("GET", VIDEOS, answer(200, videos_done(expired)))
    hostile.route("GET", "/cdn/1.mp4", lambda req, out: out.send(410, b"gone"))
    hostile.route("GET", CONTENT, lambda req, out: out.send(404, b"no such route"))
    done = Task(id=TASK_ID, status=TaskStatus.SUCCEEDED, video_url=expired)
    with open_facade(mode, base_url=hostile.url) as facade, pytest.raises(ResultExpiredError):
        facade.download(done, tmp_path / "v.mp4")
    assert list(tmp_path.iterdir()) == []
    assert [r.path for r in hostile.requests] == ["/cdn/1.mp4", CONTENT, VIDEOS, "/cdn/1.mp4"]

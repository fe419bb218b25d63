"""new-api's real answers (copied from API-NOTES, "new-api as it really answers"), read by the core."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from wan_r2v import (
    BadRequestError,
    InvalidResponseError,
    NotFoundError,
    RateLimitError,
    TaskStatus,
)
from wan_r2v._core import Exchange, read_task

CREATE = {
    "id": "task_abc",
    "task_id": "task_abc",
    "object": "video",
    "model": "wan2.6-r2v-flash-720p-audio",
    "status": "queued",
    "progress": 0,
    "created_at": 1773984104,
}
VIDEOS_RUNNING = {
    "id": "task_abc",
    "object": "video",
    "model": "wan2.6-r2v-flash-720p-audio",
    "status": "in_progress",
    "progress": 30,
    "created_at": 1773984104,
    "completed_at": 1773984150,  # the row's last update, not an end
}
VIDEOS_DONE = {
    **VIDEOS_RUNNING,
    "status": "completed",
    "progress": 100,
    "completed_at": 1773984190,
    "metadata": {"url": "https://cdn.example/1.mp4"},
}
ENVELOPE = {
    "code": "success",
    "message": "",
    "data": {
        "id": 7,
        "task_id": "task_abc",
        "action": "generate",
        "status": "IN_PROGRESS",
        "progress": "30%",
        "fail_reason": "",
        "result_url": "",
        "submit_time": 1773984104,
        "finish_time": 0,
    },
}
NOT_EXIST = {"code": "task_not_exist", "message": "task_not_exist", "data": None}


def answer(status: int, body: Any, **headers: str) -> Exchange:
    return Exchange(status, httpx.Headers(headers), json.dumps(body).encode())


def test_create_answer_reads_the_task_id() -> None:
    task = read_task(answer(200, CREATE))
    assert (task.id, task.status, task.progress) == ("task_abc", TaskStatus.QUEUED, 0)


def test_videos_path_url_is_metadata_url() -> None:
    task = read_task(answer(200, VIDEOS_DONE), task_id="task_abc")
    assert task.succeeded and task.video_url == "https://cdn.example/1.mp4"
    assert task.completed_at is not None and task.completed_at.timestamp() == 1773984190


def test_completed_at_of_a_running_task_is_not_an_end() -> None:
    task = read_task(answer(200, VIDEOS_RUNNING), task_id="task_abc")
    assert task.status is TaskStatus.RUNNING and not task.done
    assert task.completed_at is None
    assert task.raw["completed_at"] == 1773984150  # still there for whoever wants it


def test_envelope_row_number_is_not_the_task_id() -> None:
    task = read_task(answer(200, ENVELOPE), task_id="task_abc")
    assert task.id == "task_abc"
    assert (task.status, task.progress) == (TaskStatus.RUNNING, 30)
    assert task.video_url is None and task.error_message is None


@pytest.mark.parametrize("row", [7, "7"])
def test_task_id_wins_over_id_without_a_known_id(row: object) -> None:
    body = {**ENVELOPE, "data": {**ENVELOPE["data"], "id": row}}
    assert read_task(answer(200, body)).id == "task_abc"


def test_integer_id_alone_is_not_taken_for_the_task_asked_about() -> None:
    data = {k: v for k, v in ENVELOPE["data"].items() if k != "task_id"}
    task = read_task(answer(200, {**ENVELOPE, "data": data}), task_id="task_abc")
    assert task.id == "task_abc"


def test_an_answer_about_another_task_is_invalid() -> None:
    body = {**ENVELOPE, "data": {**ENVELOPE["data"], "task_id": "task_other"}}
    with pytest.raises(InvalidResponseError) as caught:
        read_task(answer(200, body, **{"X-Oneapi-Request-Id": "req-9"}), task_id="task_abc")
    assert "task_abc" in str(caught.value) and "task_other" in str(caught.value)
    assert caught.value.request_id == "req-9"


def test_unknown_task_is_not_found_not_bad_request() -> None:
    with pytest.raises(NotFoundError) as caught:
        read_task(answer(400, NOT_EXIST, **{"X-Oneapi-Request-Id": "2026113009"}), task_id="t")
    error = caught.value
    assert (error.status_code, error.code, error.request_id) == (
        400,
        "task_not_exist",
        "2026113009",
    )
    assert "check the task id" in error.message


def test_other_flat_400_stays_a_bad_request() -> None:
    body = {"code": "invalid_request", "message": "prompt is required", "data": None}
    with pytest.raises(BadRequestError) as caught:
        read_task(answer(400, body))
    assert not isinstance(caught.value, NotFoundError)
    assert (caught.value.code, caught.value.status_code) == ("invalid_request", 400)
    assert "prompt is required" in caught.value.message


def test_flat_429_without_retry_after() -> None:
    body = {
        "code": "rate_limit_exceeded",
        "message": "The current group load is saturated, please try again later",
        "data": None,
    }
    with pytest.raises(RateLimitError) as caught:
        read_task(answer(429, body, **{"X-Oneapi-Request-Id": "r1"}))
    error = caught.value
    assert error.retry_after is None
    assert (error.code, error.request_id) == ("rate_limit_exceeded", "r1")
    assert "saturated" in error.message


def test_nested_401_reads_the_oneapi_request_id() -> None:
    body = {"error": {"message": "invalid token", "type": "new_api_error", "code": None}}
    from wan_r2v import AuthenticationError

    with pytest.raises(AuthenticationError) as caught:
        read_task(answer(401, body, **{"X-Oneapi-Request-Id": "r2"}))
    assert caught.value.request_id == "r2" and "invalid token" in caught.value.message


def test_completed_at_is_kept_for_a_task_ended_as_unknown() -> None:
    body = {**VIDEOS_RUNNING, "status": "unknown"}
    task = read_task(answer(200, body), task_id="task_abc")
    assert task.done and task.completed_at is not None
    assert task.completed_at.timestamp() == 1773984150

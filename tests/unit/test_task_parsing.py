"""Reading a Task out of every dialect of API-NOTES; unknown words and odd types never raise."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wan_r2v import InvalidResponseError, Task, TaskStatus
from wan_r2v._core import STATUS_WORDS, map_status, parse_task

CREATED = datetime(2026, 3, 20, 5, 21, 44, tzinfo=UTC)  # 1773984104


def test_gateway_create_answer() -> None:
    task = parse_task(
        {
            "id": "task_abc",
            "task_id": "task_abc",
            "object": "video.generation.job",
            "model": "wan2.6-r2v-flash-720p-audio",
            "status": "in_progress",
            "progress": 5,
            "created_at": 1773984104,
        }
    )
    assert (task.id, task.status, task.raw_status, task.progress) == (
        "task_abc",
        TaskStatus.RUNNING,
        "in_progress",
        5,
    )
    assert task.model == "wan2.6-r2v-flash-720p-audio"
    assert task.created_at == CREATED and task.completed_at is None
    assert not task.done and task.video_url is None


def test_gateway_query_answer_completed() -> None:
    payload = {
        "id": "task_abc",
        "status": "completed",
        "progress": 100,
        "created_at": 1773984104,
        "completed_at": 1773984190,
        "error": None,
        "raw_status": "SUCCEEDED",
        "video_url": "https://cdn.example/1.mp4",
        "result": {
            "outputs": ["https://cdn.example/1.mp4"],
            "video_url": "https://cdn.example/1.mp4",
        },
    }
    task = parse_task(payload)
    assert task.status is TaskStatus.SUCCEEDED and task.succeeded and task.done and not task.failed
    assert task.upstream_status == "SUCCEEDED" and task.raw_status == "completed"
    assert task.completed_at == datetime(2026, 3, 20, 5, 23, 10, tzinfo=UTC)
    assert task.raw == payload


@pytest.mark.parametrize(
    "payload",
    [
        {"id": "t", "status": "completed", "video_url": "https://u/1.mp4"},
        {"id": "t", "status": "completed", "result": {"video_url": "https://u/1.mp4"}},
        {"id": "t", "status": "completed", "result": {"outputs": ["https://u/1.mp4"]}},
        {"id": "t", "status": "completed", "metadata": {"url": "https://u/1.mp4"}},
        {"id": "t", "status": "completed", "result_url": "https://u/1.mp4"},
        {
            "id": "t",
            "status": "completed",
            "video_url": None,
            "result": {"outputs": [" https://u/1.mp4 "]},
        },
    ],
)
def test_video_url_in_any_documented_place(payload: dict[str, Any]) -> None:
    assert parse_task(payload).video_url == "https://u/1.mp4"


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("queued", TaskStatus.QUEUED),
        ("PENDING", TaskStatus.QUEUED),
        ("NOT_START", TaskStatus.QUEUED),
        ("submitted", TaskStatus.QUEUED),
        ("IN_PROGRESS", TaskStatus.RUNNING),
        ("Processing", TaskStatus.RUNNING),
        ("SUCCESS", TaskStatus.SUCCEEDED),
        ("succeeded", TaskStatus.SUCCEEDED),
        ("FAILURE", TaskStatus.FAILED),
        ("error", TaskStatus.FAILED),
        ("expired", TaskStatus.FAILED),
        ("canceled", TaskStatus.CANCELLED),
        ("CANCELLED", TaskStatus.CANCELLED),
        ("unknown", TaskStatus.UNKNOWN),
        ("warming_up", TaskStatus.UNKNOWN),
        ("", TaskStatus.UNKNOWN),
    ],
)
def test_status_words_in_any_case(word: str, status: TaskStatus) -> None:
    task = parse_task({"id": "t", "status": word})
    assert task.status is status
    assert task.raw_status == (word or None)


def test_a_new_word_is_unknown_and_not_done_but_the_documented_unknown_is_done() -> None:
    assert not parse_task({"id": "t", "status": "warming_up"}).done
    assert parse_task({"id": "t", "status": "UNKNOWN"}).done
    assert parse_task({"id": "t", "status": "UNKNOWN"}).failed


def test_upstream_word_decides_when_the_gateways_is_unknown() -> None:
    task = parse_task({"id": "t", "status": "weird", "raw_status": "RUNNING"})
    assert (
        task.status is TaskStatus.RUNNING
        and task.raw_status == "weird"
        and task.upstream_status == "RUNNING"
    )


@pytest.mark.parametrize(
    ("progress", "expected"),
    [
        (30, 30),
        ("30%", 30),
        ("30", 30),
        (" 45.5 % ", 45),
        (150, 100),
        (-3, 0),
        ("n/a", 0),
        (None, 0),
        (True, 0),
    ],
)
def test_progress_as_int_or_percent_text(progress: object, expected: int) -> None:
    assert parse_task({"id": "t", "status": "running", "progress": progress}).progress == expected


def test_succeeded_without_progress_is_100() -> None:
    assert parse_task({"id": "t", "status": "success"}).progress == 100


def test_envelope_dialect() -> None:
    payload = {
        "code": "success",
        "message": "",
        "data": {
            "task_id": "task_9",
            "status": "SUCCESS",
            "progress": "100%",
            "fail_reason": "",
            "result_url": "https://u/9.mp4",
            "submit_time": 1773984104,
            "finish_time": 1773984190,
        },
    }
    task = parse_task(payload)
    assert (task.id, task.status, task.progress, task.video_url) == (
        "task_9",
        TaskStatus.SUCCEEDED,
        100,
        "https://u/9.mp4",
    )
    assert (
        task.error_message is None and task.created_at == CREATED and task.completed_at is not None
    )
    assert task.raw == payload


@pytest.mark.parametrize(
    ("payload", "code", "message"),
    [
        (
            {
                "id": "t",
                "status": "failed",
                "error": {"message": "content blocked", "code": "DataInspectionFailed"},
            },
            "DataInspectionFailed",
            "content blocked",
        ),
        (
            {"id": "t", "status": "FAILURE", "fail_reason": "upstream timeout"},
            None,
            "upstream timeout",
        ),
        ({"id": "t", "status": "failed", "error": "bad reference"}, None, "bad reference"),
        (
            {
                "data": {"task_id": "t", "status": "failed", "fail_reason": "quota"},
                "code": "success",
            },
            None,
            "quota",
        ),
        (
            {
                "output": {
                    "task_id": "t",
                    "task_status": "FAILED",
                    "code": "InvalidParameter",
                    "message": "bad size",
                }
            },
            "InvalidParameter",
            "bad size",
        ),
    ],
)
def test_both_error_shapes(payload: dict[str, Any], code: str | None, message: str) -> None:
    task = parse_task(payload)
    assert task.status is TaskStatus.FAILED and task.failed
    assert (task.error_code, task.error_message) == (code, message)


def test_times_in_many_forms() -> None:
    for value in (
        1773984104,
        1773984104.0,
        "1773984104",
        1773984104000,
        "2026-03-20T05:21:44Z",
        "2026-03-20T13:21:44+08:00",
    ):
        assert parse_task({"id": "t", "created_at": value}).created_at == CREATED, value
    for value in (0, -1, "", "soon", [1], {"a": 1}, True, float("nan"), 10**30):
        assert parse_task({"id": "t", "created_at": value}).created_at is None, value


def test_integers_too_large_for_a_float_are_read_not_raised() -> None:
    # JSON allows any size of integer; float() of one past 1e308 raises OverflowError
    task = parse_task({"id": "t", "progress": 10**400, "created_at": 10**400})
    assert task.progress == 100 and task.created_at is None
    assert parse_task({"id": "t", "progress": -(10**400)}).progress == 0


def test_a_task_keeps_its_own_copy_of_the_answer() -> None:
    payload: dict[str, Any] = {"id": "t", "status": "queued"}
    task = parse_task(payload)
    payload["status"] = "failed"
    assert task.raw == {"id": "t", "status": "queued"}


def test_missing_id_uses_the_known_one_or_raises_a_typed_error() -> None:
    assert parse_task({"status": "running"}, task_id="t7").id == "t7"
    with pytest.raises(InvalidResponseError):
        parse_task({"status": "running"})
    with pytest.raises(InvalidResponseError):
        parse_task(["not", "a", "task"])


def test_task_is_a_frozen_value_with_from_response() -> None:
    task = Task.from_response({"id": "t", "status": "queued"})
    assert task == parse_task({"id": "t", "status": "queued"})
    assert hash(task) == hash(parse_task({"id": "t", "status": "queued"}))
    with pytest.raises(AttributeError):
        task.status = TaskStatus.FAILED  # type: ignore[misc]


def test_every_known_word_maps_to_its_status() -> None:
    for word, status in STATUS_WORDS.items():
        assert map_status(word.upper()) is status


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12))
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
task_keys = st.sampled_from(
    [
        "id",
        "task_id",
        "status",
        "task_status",
        "progress",
        "video_url",
        "result",
        "result_url",
        "metadata",
        "error",
        "fail_reason",
        "created_at",
        "completed_at",
        "finish_time",
        "raw_status",
        "model",
        "data",
        "output",
        "code",
        "message",
    ]
)


@given(st.dictionaries(task_keys, json_value, max_size=8), st.booleans())
def test_any_answer_gives_a_task_or_a_typed_error(payload: dict[str, Any], envelope: bool) -> None:
    answer = {"code": "success", "message": "", "data": payload} if envelope else payload
    try:
        task = parse_task(answer, task_id="fallback")
    except InvalidResponseError:
        return
    assert isinstance(task.status, TaskStatus)
    assert 0 <= task.progress <= 100
    assert task.id
    assert task.video_url is None or isinstance(task.video_url, str)
    for when in (task.created_at, task.completed_at):
        assert when is None or when.tzinfo is not None


@given(st.text(max_size=20))
def test_any_status_word_maps_without_raising(word: str) -> None:
    task = parse_task({"id": "t", "status": word})
    assert task.status in TaskStatus
    assert task.status is map_status(word)

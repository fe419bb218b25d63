"""wait(): a real deadline, progress reports, transient errors survived, failures raised, resume by id."""

from __future__ import annotations

import httpx
import pytest
from _facade_fakes import KEY, FakeClock, Gateway, error, make_client, ok, task_json

from wan_r2v import (
    AuthenticationError,
    Client,
    NotFoundError,
    Task,
    TaskFailedError,
    TaskStatus,
    WaitTimeoutError,
)

DONE = ok(task_json(status="completed", progress=100, video_url="https://cdn.test/1.mp4"))


def running(progress: int) -> httpx.Response:
    return ok(task_json(status="in_progress", progress=progress))


def test_progress_is_reported_at_first_and_then_only_on_change() -> None:
    gateway = Gateway(
        running(10),
        running(10),
        running(40),
        ok(task_json(status="IN_PROGRESS", progress=40)),
        DONE,
    )
    seen: list[tuple[str, int]] = []
    task = make_client(gateway).wait(
        "task_1", poll_interval=1, on_progress=lambda t: seen.append((t.status.value, t.progress))
    )
    assert task.succeeded and task.video_url == "https://cdn.test/1.mp4"
    assert seen == [
        ("running", 10),
        ("running", 40),
        ("succeeded", 100),
    ]  # a word's case is no change
    assert gateway.count("GET") == 5


def test_a_known_task_is_reported_before_any_request() -> None:
    gateway = Gateway(DONE)
    requests_at_first_report: list[int] = []
    created = Task(id="task_1", status=TaskStatus.QUEUED)
    make_client(gateway).wait(
        created, on_progress=lambda t: requests_at_first_report.append(len(gateway.requests))
    )
    assert requests_at_first_report[0] == 0 and len(requests_at_first_report) == 2


def test_the_deadline_is_real_and_the_error_carries_the_last_task() -> None:
    clock = FakeClock()
    start = clock.now
    gateway = Gateway(running(10), running(20), running(30))
    with pytest.raises(WaitTimeoutError) as info:
        make_client(gateway, clock).wait("task_1", timeout=60, poll_interval=5)
    assert clock.now - start <= 60
    assert info.value.task.id == "task_1" and info.value.task.progress == 30
    assert "wait for task_1 again to resume" in str(info.value)
    assert gateway.count("GET") == 13  # at 0, 5, ..., 60 s
    assert isinstance(info.value, TimeoutError)


def test_default_polling_backs_off_from_5_to_15_seconds() -> None:
    clock = FakeClock()
    with pytest.raises(WaitTimeoutError):
        make_client(Gateway(running(1)), clock).wait("task_1", timeout=60)
    assert clock.sleeps[:5] == [5.0, 7.5, 11.25, 15.0, 15.0]
    assert sum(clock.sleeps) == 60


def test_real_clock_deadline() -> None:
    gateway = Gateway(running(1))
    client = Client(
        KEY, "https://gw.test", http_client=httpx.Client(transport=httpx.MockTransport(gateway))
    )
    with pytest.raises(WaitTimeoutError):
        client.wait("task_1", timeout=0.2, poll_interval=0.05)
    assert gateway.count("GET") >= 2


def test_transient_poll_errors_are_survived() -> None:
    gateway = Gateway(
        running(10),
        httpx.ConnectError("refused"),
        error(502),
        httpx.Response(200, content=b"<html>proxy hiccup</html>"),
        httpx.ReadTimeout("slow"),
        error(429),
        running(60),
        DONE,
    )
    task = make_client(gateway, max_retries=0).wait("task_1", poll_interval=1)
    assert task.succeeded and gateway.count("GET") == 8


def test_retry_after_stretches_the_poll_delay() -> None:
    clock = FakeClock()
    gateway = Gateway(running(10), error(429, headers={"Retry-After": "30"}), DONE)
    make_client(gateway, clock, max_retries=0).wait("task_1", poll_interval=2)
    assert clock.sleeps == [2.0, 30.0]


def test_polls_that_always_fail_end_in_wait_timeout_with_the_cause() -> None:
    clock = FakeClock()
    with pytest.raises(WaitTimeoutError) as info:
        make_client(Gateway(error(503)), clock).wait("task_1", timeout=30, poll_interval=5)
    assert info.value.task.id == "task_1" and info.value.task.status is TaskStatus.UNKNOWN
    assert info.value.__cause__ is not None
    assert clock.now - 1000.0 <= 30


@pytest.mark.parametrize(
    ("answer", "raised"), [(error(404), NotFoundError), (error(401), AuthenticationError)]
)
def test_definite_errors_end_the_wait_at_once(
    answer: httpx.Response, raised: type[Exception]
) -> None:
    gateway = Gateway(answer)
    with pytest.raises(raised):
        make_client(gateway).wait("task_1", timeout=60)
    assert gateway.count("GET") == 1


@pytest.mark.parametrize(
    "answer",
    [
        ok(
            task_json(
                status="failed",
                error={"message": "content blocked", "code": "DataInspectionFailed"},
            )
        ),
        ok(task_json(status="CANCELED")),
        ok(task_json(status="unknown")),
        ok(
            {
                "code": "success",
                "data": {"task_id": "task_1", "status": "FAILURE", "fail_reason": "upstream"},
            }
        ),
    ],
)
def test_a_failed_task_raises_with_the_task_unless_opted_out(answer: httpx.Response) -> None:
    with pytest.raises(TaskFailedError) as info:
        make_client(Gateway(answer)).wait("task_1")
    assert info.value.task.id == "task_1" and info.value.task.failed
    task = make_client(Gateway(answer)).wait("task_1", raise_on_failure=False)
    assert task.failed


def test_failure_message_names_reason_and_code() -> None:
    answer = ok(
        task_json(
            status="failed", error={"message": "content blocked", "code": "DataInspectionFailed"}
        )
    )
    with pytest.raises(TaskFailedError, match=r"content blocked \[DataInspectionFailed\]"):
        make_client(Gateway(answer)).wait("task_1")


def test_an_unknown_new_word_does_not_end_the_wait() -> None:
    gateway = Gateway(ok(task_json(status="warming_up")), DONE)
    assert make_client(gateway).wait("task_1", poll_interval=1).succeeded
    assert gateway.count("GET") == 2


def test_a_task_id_is_enough_to_resume_in_another_client() -> None:
    first = make_client(Gateway(running(20)))
    with pytest.raises(WaitTimeoutError) as info:
        first.wait("task_1", timeout=10, poll_interval=5)
    token = info.value.task.id
    second = make_client(Gateway(running(90), DONE))
    assert second.wait(token, poll_interval=5).succeeded


def test_a_finished_task_with_its_url_needs_no_request() -> None:
    gateway = Gateway(DONE)
    finished = Task(id="task_1", status=TaskStatus.SUCCEEDED, video_url="https://cdn.test/1.mp4")
    assert make_client(gateway).wait(finished) is finished
    assert gateway.requests == []

"""Fault matrix, polling: wait() rides out transient faults, ends on every end state, never loops forever.

The sandbox runs per_poll with two steps: a task completes after two queries
that reach it, so the number of queries is exact. Sleeps are faked; every
wait has a (fake-clock) deadline.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from _harness import KEY, PARAMS, Facade, open_facade

from wan_r2v import (
    APIConnectionError,
    AuthenticationError,
    NotFoundError,
    ServerError,
    TaskFailedError,
    TaskStatus,
    WaitTimeoutError,
)
from wan_r2v.sandbox import Sandbox

#: Queries that reach a per_poll task (poll_steps=2) until it completes.
POLLS_TO_COMPLETE = 2

# (fault on the query route, how many queries it hits, a sleep it must cause)
TRANSIENT = [
    pytest.param("429;retry_after=1;count=2", 2, 1.0, id="429-retry-after"),
    pytest.param("429;retry_after=none;count=2", 2, None, id="429-no-retry-after"),
    pytest.param("500;count=4", 4, None, id="500"),
    pytest.param("502;count=4", 4, None, id="502"),
    pytest.param("503;retry_after=2;count=4", 4, 2.0, id="503-retry-after"),
    pytest.param("520;count=4", 4, None, id="520"),
    pytest.param("reset;count=4", 4, None, id="reset"),
    pytest.param("malformed;count=2", 2, None, id="malformed-json"),
    pytest.param("html;count=2", 2, None, id="html-502"),
    pytest.param("html;status=200;count=2", 2, None, id="html-200"),
    pytest.param("empty;count=2", 2, None, id="empty-200"),
    pytest.param("empty;status=502;count=2", 2, None, id="empty-502"),
]


@pytest.mark.parametrize(("fault", "hits", "sleep"), TRANSIENT)
def test_wait_rides_out_transient_poll_faults(
    facade: Facade, sandbox: Sandbox, fault: str, hits: int, sleep: float | None
) -> None:
    task = facade.create(**PARAMS)
    sandbox.faults.add(fault, route="query")
    done = facade.wait(task, timeout=600)
    assert done.status is TaskStatus.SUCCEEDED and done.video_url
    assert sandbox.count("create") == 1
    assert sandbox.count("query") == hits + POLLS_TO_COMPLETE
    if sleep is not None:
        assert sleep in facade.sleeps


def test_wait_rides_out_a_poll_read_timeout(
    make_facade: Callable[..., Facade], sandbox: Sandbox
) -> None:
    facade = make_facade(timeout=0.5)
    task = facade.create(**PARAMS)
    sandbox.faults.add("hang;seconds=30;count=1", route="query")
    done = facade.wait(task, timeout=600)
    assert done.succeeded
    assert sandbox.count("query") == 1 + POLLS_TO_COMPLETE
    assert sandbox.count("create") == 1


def test_wait_on_a_gateway_that_always_fails_ends_at_its_deadline(
    facade: Facade, sandbox: Sandbox
) -> None:
    task = facade.create(**PARAMS)
    sandbox.faults.add("503;retry_after=none", route="query")
    with pytest.raises(WaitTimeoutError) as caught:
        facade.wait(task, timeout=120)
    assert isinstance(caught.value.__cause__, ServerError)
    assert caught.value.task.id == task.id
    assert f"wait for {task.id} again" in str(caught.value)
    assert sum(facade.sleeps) == pytest.approx(120)
    assert 3 <= sandbox.count("query") <= 60
    assert sandbox.count("create") == 1


def test_wait_on_a_gateway_that_went_away_ends_at_its_deadline(mode: str) -> None:
    sandbox = Sandbox(clock="per_poll", api_key=KEY).start()
    try:
        with open_facade(mode, base_url=sandbox.base_url) as facade:
            task = facade.create(**PARAMS)
            sandbox.stop()
            with pytest.raises(WaitTimeoutError) as caught:
                facade.wait(task, timeout=60)
    finally:
        sandbox.stop()
    assert isinstance(caught.value.__cause__, APIConnectionError)
    assert sum(facade.sleeps) == pytest.approx(60)


def test_wait_with_a_key_the_gateway_refuses_stops_at_once(
    make_facade: Callable[..., Facade], sandbox: Sandbox
) -> None:
    task = make_facade().create(**PARAMS)
    stranger = make_facade(api_key="sk-not-the-right-key")
    with pytest.raises(AuthenticationError):
        stranger.wait(task.id, timeout=600)
    assert sandbox.count("query") == 1


# Task end states: (fault on the create route, status, raw word)
ENDS = [
    pytest.param("failed", TaskStatus.FAILED, "failed", id="failed"),
    pytest.param(
        "unknown_status;word=cancelled;final=1", TaskStatus.CANCELLED, "cancelled", id="cancelled"
    ),
    pytest.param(
        "unknown_status;word=unknown;final=1", TaskStatus.UNKNOWN, "unknown", id="unknown"
    ),
    pytest.param("unknown_status;word=expired;final=1", TaskStatus.FAILED, "expired", id="expired"),
]


@pytest.mark.parametrize(("fault", "status", "word"), ENDS)
def test_wait_ends_on_a_task_that_ended_without_a_video(
    facade: Facade, sandbox: Sandbox, fault: str, status: TaskStatus, word: str
) -> None:
    sandbox.faults.add(fault, route="create", times=1)
    task = facade.create(**PARAMS)
    with pytest.raises(TaskFailedError) as caught:
        facade.wait(task, timeout=600)
    ended = caught.value.task
    assert (ended.status, ended.raw_status) == (status, word)
    assert sandbox.count("create") == 1
    assert task.id in str(caught.value)
    assert sandbox.count("query") <= POLLS_TO_COMPLETE
    # raise_on_failure=False hands the ended task back instead
    again = facade.wait(task.id, timeout=600, raise_on_failure=False)
    assert again.failed and again.status is status


def test_failed_task_carries_the_gateway_reason(facade: Facade, sandbox: Sandbox) -> None:
    sandbox.faults.add("failed;code=content_policy;message=refused%20by%20policy", route="create")
    task = facade.create(**PARAMS)
    with pytest.raises(TaskFailedError) as caught:
        facade.wait(task, timeout=600)
    assert caught.value.task.error_code == "content_policy"
    assert "refused by policy" in str(caught.value)


def test_wait_on_an_unknown_task_id_stops_at_once(facade: Facade, sandbox: Sandbox) -> None:
    with pytest.raises(NotFoundError):
        facade.wait("task_does_not_exist", timeout=600)
    assert sandbox.count("query") == 1


def test_a_status_word_never_seen_before_does_not_end_the_wait(
    facade: Facade, sandbox: Sandbox
) -> None:
    sandbox.faults.add("unknown_status;word=rendering_on_mars", route="create", times=1)
    task = facade.create(**PARAMS)
    assert task.raw_status == "rendering_on_mars" and not task.done
    done = facade.wait(task, timeout=600)
    assert done.succeeded
    assert sandbox.count("query") == POLLS_TO_COMPLETE


def test_a_task_stuck_on_an_unseen_word_ends_the_wait_at_its_deadline(
    facade: Facade, sandbox: Sandbox
) -> None:
    sandbox.configure(clock="manual")  # the task never moves on: it runs under that word forever
    sandbox.faults.add("unknown_status;word=rendering_on_mars", route="create", times=1)
    task = facade.create(**PARAMS)
    with pytest.raises(WaitTimeoutError) as caught:
        facade.wait(task, timeout=300)
    assert caught.value.task.raw_status == "rendering_on_mars"
    assert sum(facade.sleeps) == pytest.approx(300)
    # the poll schedule grows to 15 s: about 300 / 15 polls, not a busy loop
    assert sandbox.count("query") <= 30

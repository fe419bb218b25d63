"""Fault matrix, create: each fault's outcome and how many create requests reached the sandbox.

A create is resent only when the task certainly does not exist (429, or the
connection never opened). After any answer or silence that may mean the task
was made (5xx, reset, read timeout, a garbled 2xx) the facade raises
`TaskMayExistError` and sends nothing more. Sleeps are faked (see `_harness`).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from _harness import KEY, PARAMS, Facade, FakeClock, free_port, open_facade

from wan_r2v import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    RateLimitError,
    TaskMayExistError,
    TaskStatus,
    WanR2VError,
)
from wan_r2v.sandbox import Sandbox

# (fault on the create route, the created task's expected retry sleep, creates sent)
RETRIED_THEN_CREATED = [
    pytest.param("429;retry_after=1;count=1", 1.0, 2, id="429-retry-after"),
    pytest.param("429;retry_after=none;count=1", 0.5, 2, id="429-no-retry-after"),
    pytest.param("429;retry_after=0;count=2", 0.0, 3, id="429-twice"),
]


@pytest.mark.parametrize(("fault", "first_sleep", "creates"), RETRIED_THEN_CREATED)
def test_create_rate_limited_is_resent_and_creates_one_task(
    facade: Facade, sandbox: Sandbox, fault: str, first_sleep: float, creates: int
) -> None:
    sandbox.faults.add(fault, route="create")
    task = facade.create(**PARAMS)
    assert task.status in (TaskStatus.QUEUED, TaskStatus.RUNNING)
    assert sandbox.count("create") == creates
    assert [t.id for t in sandbox.tasks] == [task.id]
    assert facade.sleeps[0] == pytest.approx(first_sleep)


def test_create_rate_limited_every_time_gives_up_after_max_retries(
    facade: Facade, sandbox: Sandbox
) -> None:
    sandbox.faults.add("429;retry_after=0", route="create")
    with pytest.raises(RateLimitError) as caught:
        facade.create(**PARAMS)
    assert caught.value.status_code == 429
    assert sandbox.count("create") == 3  # 1 + max_retries (2)
    assert sandbox.tasks == []


def test_create_retry_after_beyond_the_cap_is_raised_not_slept(
    facade: Facade, sandbox: Sandbox
) -> None:
    sandbox.faults.add("429;retry_after=3600", route="create")
    with pytest.raises(RateLimitError) as caught:
        facade.create(**PARAMS)
    assert caught.value.retry_after == 3600
    assert sandbox.count("create") == 1
    assert facade.sleeps == []


# (fault on the create route, status code on the error): each may have created the task.
AMBIGUOUS = [
    pytest.param("500;count=1", 500, id="500"),
    pytest.param("502;count=1", 502, id="502"),
    pytest.param("503;count=1", 503, id="503-retry-after"),
    pytest.param("503;retry_after=none;count=1", 503, id="503"),
    pytest.param("520;count=1", 520, id="520"),
    pytest.param("html;count=1", 502, id="html-502"),
    pytest.param("html;status=200;count=1", 200, id="html-200"),
    pytest.param("malformed;count=1", 200, id="malformed-json-200"),
    pytest.param("malformed;status=500;count=1", 500, id="malformed-json-500"),
    pytest.param("empty;count=1", 200, id="empty-200"),
    pytest.param("empty;status=503;count=1", 503, id="empty-503"),
    pytest.param("reset;count=1", None, id="reset-before-answer"),
]


@pytest.mark.parametrize(("fault", "status"), AMBIGUOUS)
def test_create_ambiguous_failure_raises_may_exist_and_never_resends(
    facade: Facade, sandbox: Sandbox, fault: str, status: int | None
) -> None:
    sandbox.faults.add(fault, route="create")
    with pytest.raises(TaskMayExistError) as caught:
        facade.create(**PARAMS)
    assert caught.value.status_code == status
    assert "may exist" in str(caught.value)
    assert sandbox.count("create") == 1
    assert facade.sleeps == []
    # the cause is one of ours, never a raw decode or lookup error
    assert isinstance(caught.value.__cause__, WanR2VError)


def test_create_read_timeout_raises_may_exist_and_never_resends(
    make_facade: Callable[..., Facade], sandbox: Sandbox
) -> None:
    facade = make_facade(timeout=0.5)
    sandbox.faults.add("hang;seconds=30;count=1", route="create")
    with pytest.raises(TaskMayExistError) as caught:
        facade.create(**PARAMS)
    assert isinstance(caught.value.__cause__, APITimeoutError)
    assert sandbox.count("create") == 1
    assert facade.sleeps == []


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        pytest.param("malformed;status=400;count=1", BadRequestError, id="400-not-json"),
        pytest.param("html;status=400;count=1", BadRequestError, id="400-html"),
        pytest.param("empty;status=401;count=1", AuthenticationError, id="401-empty"),
    ],
)
def test_create_refused_with_an_odd_body_is_a_typed_error_sent_once(
    facade: Facade, sandbox: Sandbox, fault: str, error: type[Exception]
) -> None:
    sandbox.faults.add(fault, route="create")
    with pytest.raises(error):
        facade.create(**PARAMS)
    assert sandbox.count("create") == 1


def test_create_with_a_wrong_key_is_refused_once(
    make_facade: Callable[..., Facade], sandbox: Sandbox
) -> None:
    facade = make_facade(api_key="sk-wrong-key-for-this-test")
    with pytest.raises(AuthenticationError):
        facade.create(**PARAMS)
    assert sandbox.count("create") == 1


def test_create_on_a_refused_connection_is_retried_then_raised(mode: str) -> None:
    """Nothing listens: certainly not sent, so retried; the error is a connection error, not 'may exist'."""
    url = f"http://127.0.0.1:{free_port()}"
    with open_facade(mode, base_url=url) as facade, pytest.raises(APIConnectionError) as caught:
        facade.create(**PARAMS)
    assert not isinstance(caught.value, TaskMayExistError)
    assert len(facade.sleeps) == 2  # max_retries


def test_create_on_a_refused_connection_succeeds_once_the_gateway_is_up(mode: str) -> None:
    """Refused, then the gateway comes up during the backoff: exactly one create arrives."""
    port = free_port()
    started: list[Sandbox] = []

    def bring_up(_: float) -> None:
        if not started:
            started.append(Sandbox(port=port, clock="per_poll", api_key=KEY).start())

    clock = FakeClock(on_sleep=bring_up)
    try:
        with open_facade(mode, base_url=f"http://127.0.0.1:{port}", clock=clock) as facade:
            task = facade.create(**PARAMS)
        (sandbox,) = started
        assert sandbox.count("create") == 1
        assert [t.id for t in sandbox.tasks] == [task.id]
        assert len(clock.sleeps) == 1
    finally:
        for sandbox in started:
            sandbox.stop()

"""Retry decisions: which failures are retried, how long to wait, and what a create never does."""

from __future__ import annotations

import pytest

from wan_r2v import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    InvalidResponseError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TaskMayExistError,
    WanR2VError,
)
from wan_r2v._config import RetryPolicy
from wan_r2v._core import Failure, backoff_delay, final_error, retry_delay

POLICY = RetryPolicy(max_retries=3, initial_delay=0.5, max_delay=4.0, max_retry_after=60.0)


def delay(failure: Failure, *, is_create: bool = False, attempt: int = 0) -> float | None:
    return retry_delay(POLICY, attempt, failure, is_create=is_create, rand=lambda: 0.0)


REFUSED = Failure(APIConnectionError("refused"), not_sent=True)
READ_TIMEOUT = Failure(APITimeoutError("read timeout"))
BROKEN = Failure(APIConnectionError("reset"))
E429 = Failure(RateLimitError("slow", status_code=429))
E500 = Failure(ServerError("boom", status_code=500))
E400 = Failure(BadRequestError("bad", status_code=400))
E404 = Failure(NotFoundError("gone", status_code=404))
GARBLED_200 = Failure(InvalidResponseError("html", status_code=200))


@pytest.mark.parametrize("failure", [REFUSED, READ_TIMEOUT, BROKEN, E429, E500])
def test_gets_retry_transient_failures(failure: Failure) -> None:
    assert delay(failure) == 0.5


@pytest.mark.parametrize("failure", [E400, E404, GARBLED_200])
def test_gets_do_not_retry_definite_failures(failure: Failure) -> None:
    assert delay(failure) is None


@pytest.mark.parametrize("failure", [REFUSED, E429])
def test_create_retries_only_when_certainly_not_created(failure: Failure) -> None:
    assert delay(failure, is_create=True) == 0.5


@pytest.mark.parametrize("failure", [READ_TIMEOUT, BROKEN, E500, GARBLED_200, E400])
def test_create_never_retries_an_ambiguous_or_definite_failure(failure: Failure) -> None:
    assert delay(failure, is_create=True) is None


@pytest.mark.parametrize("failure", [READ_TIMEOUT, BROKEN, E500, GARBLED_200])
def test_ambiguous_create_failures_become_task_may_exist(failure: Failure) -> None:
    error = final_error(failure, is_create=True)
    assert isinstance(error, TaskMayExistError)
    assert "may exist" in str(error) and "not resent" in str(error)


@pytest.mark.parametrize("failure", [REFUSED, E429, E400, E404])
def test_certain_create_failures_keep_their_class(failure: Failure) -> None:
    assert final_error(failure, is_create=True) is failure.error


def test_get_failures_keep_their_class() -> None:
    assert final_error(E500, is_create=False) is E500.error


def test_backoff_grows_caps_and_jitters() -> None:
    assert [backoff_delay(POLICY, n, lambda: 0.0) for n in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert backoff_delay(POLICY, 1, lambda: 1.0) == 0.75  # jitter takes at most a quarter off


def test_attempts_are_bounded() -> None:
    assert delay(E500, attempt=2) is not None
    assert delay(E500, attempt=3) is None
    assert (
        retry_delay(RetryPolicy(max_retries=0), 0, E500, is_create=False, rand=lambda: 0.0) is None
    )


def test_retry_after_wins_and_a_huge_one_is_not_slept_through() -> None:
    assert delay(Failure(E429.error, retry_after=7.0)) == 7.0
    assert delay(Failure(E429.error, retry_after=7.0), is_create=True) == 7.0
    assert delay(Failure(E500.error, retry_after=0.0)) == 0.0
    assert delay(Failure(E429.error, retry_after=3600.0)) is None


def test_failure_error_is_a_library_error() -> None:
    assert all(isinstance(f.error, WanR2VError) for f in (REFUSED, E429, E500))

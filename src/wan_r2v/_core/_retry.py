"""Retry decisions as pure functions: what may be retried, after how long, and what a create may not.

GETs are retried on connection errors, 429 and 5xx. A create is retried only
when the task certainly was not created (the connection never opened, or 429);
after an ambiguous failure it becomes `TaskMayExistError` and is never resent,
so a create is never billed twice.
"""

from __future__ import annotations

from collections.abc import Callable

from .._config import RetryPolicy
from .._frozen import Frozen, field_setter
from ..errors import (
    APIConnectionError,
    APIError,
    InvalidResponseError,
    RateLimitError,
    ServerError,
    TaskMayExistError,
    WanR2VError,
)

__all__ = [
    "Failure",
    "backoff_delay",
    "final_error",
    "is_transient",
    "may_have_reached",
    "retry_delay",
]

#: Share of a backoff delay that jitter may take off (spreads clients apart).
JITTER = 0.25


class Failure(Frozen):
    """One failed attempt: the typed error, the server's Retry-After and whether it was never sent."""

    __slots__ = ("error", "not_sent", "retry_after")
    error: WanR2VError
    retry_after: float | None
    #: True only when the request provably never reached the gateway.
    not_sent: bool

    def __init__(
        self, error: WanR2VError, retry_after: float | None = None, not_sent: bool = False
    ) -> None:
        set_field = field_setter(self)
        set_field("error", error)
        set_field("retry_after", retry_after)
        set_field("not_sent", not_sent)


def backoff_delay(policy: RetryPolicy, attempt: int, rand: Callable[[], float]) -> float:
    """Capped exponential backoff with jitter for retry number `attempt` (0-based)."""
    delay = min(policy.initial_delay * (2.0**attempt), policy.max_delay)
    return delay * (1.0 - JITTER * rand())


def is_transient(error: WanR2VError) -> bool:
    """Whether asking again later may succeed (connection, timeout, 429, 5xx, garbled answer)."""
    return isinstance(
        error, APIConnectionError | RateLimitError | ServerError | InvalidResponseError
    )


def _retryable(failure: Failure, *, is_create: bool) -> bool:
    if is_create:
        return failure.not_sent or isinstance(failure.error, RateLimitError)
    return isinstance(failure.error, APIConnectionError | RateLimitError | ServerError)


def retry_delay(
    policy: RetryPolicy,
    attempt: int,
    failure: Failure,
    *,
    is_create: bool,
    rand: Callable[[], float],
) -> float | None:
    """Seconds to wait before retry number `attempt` (0-based), or None: do not retry.

    Retry-After wins over backoff; one longer than ``policy.max_retry_after``
    is not slept through (the error goes to the caller, who knows better).
    """
    if attempt >= policy.max_retries or not _retryable(failure, is_create=is_create):
        return None
    if failure.retry_after is not None:
        return failure.retry_after if failure.retry_after <= policy.max_retry_after else None
    return backoff_delay(policy, attempt, rand)


def may_have_reached(failure: Failure) -> bool:
    """Whether a failed create may still have created the task (timeout after sending, 5xx, garbled 2xx)."""
    if failure.not_sent:
        return False
    error = failure.error
    if isinstance(error, APIConnectionError | ServerError):
        return True
    return isinstance(error, InvalidResponseError) and 200 <= (error.status_code or 0) < 300


def final_error(failure: Failure, *, is_create: bool) -> WanR2VError:
    """The error to raise once no retry is left: a create's ambiguous failure becomes `TaskMayExistError`."""
    error = failure.error
    if not (is_create and may_have_reached(failure)):
        return error
    api = error if isinstance(error, APIError) else None
    return TaskMayExistError(
        f"the create request may have reached the gateway ({error.message}); the task may exist "
        "and may be billed, so it was not resent. Look for it on the gateway before creating again",
        status_code=api.status_code if api else None,
        code=api.code if api else None,
        request_id=api.request_id if api else None,
    )

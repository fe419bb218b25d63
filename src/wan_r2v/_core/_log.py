"""The debug log: one line per request and its answer, with what happens next.

Lines go to the ``wan_r2v`` logger (``WAN_R2V_LOG=debug`` prints them on stderr,
see `wan_r2v._logs`): the method, where (an API path; for a download the host and
path, its query, which carries a signed URL's credentials, left out), the status or
the transport failure, the gateway's request id, the time the attempt took and the
decision: ok (saved, redirected), a retry (which, and when), or why not. A successful answer is
logged at DEBUG, a retry or a final failure at INFO. Headers are never logged, and
the API key is scrubbed from every line, in case a gateway echoes it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import httpx

from .._config import RetryPolicy
from ..errors import RateLimitError
from ._answers import Exchange, request_id_of
from ._redact import redact
from ._requests import RequestSpec
from ._retry import Failure, is_transient

__all__ = ["log_attempt", "logger", "logs_successes", "no_retry_reason"]

logger = logging.getLogger("wan_r2v")


def _where(request: RequestSpec, *, download: bool) -> str:
    if not download:
        return request.path
    url = httpx.URL(request.url)
    query = "?<redacted>" if url.query else ""
    return f"{url.scheme}://{url.netloc.decode('ascii', 'replace')}{url.path}{query}"


def _answer(outcome: object) -> str:
    if isinstance(outcome, Exchange):
        request_id = request_id_of(outcome.headers)
        return f"{outcome.status_code} request_id={request_id or '-'}"
    if isinstance(outcome, Path):
        return "200"
    if isinstance(outcome, BaseException):
        return f"{type(outcome).__name__} (no answer)"
    received = getattr(outcome, "received", None)  # an interrupted download body
    if received is not None:
        return f"body cut off after {received} bytes"
    return type(outcome).__name__


def no_retry_reason(
    policy: RetryPolicy, attempt: int, failure: Failure, *, is_create: bool, deadline_near: bool
) -> str:
    """Why a failed attempt is not retried, in a few words."""
    error = failure.error
    if not is_transient(error):
        return "final answer, not retried"
    if is_create and not failure.not_sent and not isinstance(error, RateLimitError):
        return "not resent: the create may have reached the gateway"
    if deadline_near:
        return "not retried: the deadline comes first"
    if attempt >= policy.max_retries:
        return f"no retry left ({policy.max_retries} used)"
    if failure.retry_after is not None and failure.retry_after > policy.max_retry_after:
        return f"not retried: Retry-After {failure.retry_after:g} s is over {policy.max_retry_after:g} s"
    return "not retried"


def logs_successes() -> bool:
    """Whether a successful attempt's line would be logged (DEBUG is on for ``wan_r2v``)."""
    return logger.isEnabledFor(logging.DEBUG)


def log_attempt(
    request: RequestSpec,
    outcome: object,
    *,
    seconds: float,
    decision: str,
    secret: str | None,
    failed: bool,
    download: bool = False,
) -> None:
    """Log one request and its answer (DEBUG when it succeeded, INFO when it failed)."""
    level = logging.INFO if failed else logging.DEBUG
    if not logger.isEnabledFor(level):
        return
    line = (
        f"{request.method} {_where(request, download=download)} -> {_answer(outcome)} "
        f"in {seconds:.3f} s: {decision}"
    )
    logger.log(level, "%s", redact(line, secret))

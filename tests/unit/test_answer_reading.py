"""Reading answers: every status, body and shape becomes a Task or a typed error (never a raw one)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wan_r2v import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InvalidResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    Task,
    TaskStatus,
    WanR2VError,
)
from wan_r2v._core import Exchange, error_for_transport, read_task, retry_after_of

KEY = "sk-answer-test-secret-42"


def answer(
    status: int,
    payload: Any = None,
    *,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Exchange:
    body = content if content is not None else json.dumps(payload).encode()
    return Exchange(status, headers or {}, body)


def test_a_task_answer_reads_into_a_task() -> None:
    task = read_task(answer(200, {"id": "t1", "status": "queued", "progress": 0}))
    assert (task.id, task.status) == ("t1", TaskStatus.QUEUED)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (422, BadRequestError),
        (409, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (520, ServerError),
        (599, ServerError),
    ],
)
def test_error_status_maps_to_its_class_with_details(status: int, cls: type[WanR2VError]) -> None:
    payload = {
        "error": {
            "message": "nope",
            "type": "invalid_request_error",
            "code": "bad_thing",
            "param": "size",
        }
    }
    with pytest.raises(cls) as info:
        read_task(answer(status, payload, headers={"x-request-id": "req-1"}))
    error = info.value
    assert error.status_code == status and error.code == "bad_thing" and error.param == "size"  # type: ignore[attr-defined]
    assert error.request_id == "req-1"  # type: ignore[attr-defined]
    assert "nope" in str(error) and f"status={status}" in str(error)


def test_flat_error_shape() -> None:
    with pytest.raises(NotFoundError) as info:
        read_task(
            answer(404, {"code": "task_not_exist", "message": "task not found", "data": None})
        )
    assert info.value.code == "task_not_exist" and "task not found" in str(info.value)


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("task_not_exist", NotFoundError),
        ("invalid_api_key", AuthenticationError),
        ("quota_exceeded", RateLimitError),
        ("upstream_error", ServerError),
        ("invalid_request", BadRequestError),
    ],
)
def test_error_envelope_with_status_200(code: str, cls: type[WanR2VError]) -> None:
    with pytest.raises(cls) as info:
        read_task(answer(200, {"code": code, "message": "went wrong", "data": None}))
    assert "went wrong" in str(info.value)


@pytest.mark.parametrize(
    ("status", "content", "cls"),
    [
        (200, b"<html><body>Bad gateway</body></html>", InvalidResponseError),
        (200, b"", InvalidResponseError),
        (200, b'{"id": "t", "status":', InvalidResponseError),
        (200, b"[1, 2]", InvalidResponseError),
        (200, b'{"hello": "world"}', InvalidResponseError),
        (200, b"\xff\xfe\x00garbage", InvalidResponseError),
        (200, b"[" * 100_000, InvalidResponseError),
        (502, b"<html>502 Bad Gateway</html>", ServerError),
        (520, b"", ServerError),
        (401, b"Unauthorized", AuthenticationError),
        (302, b"", InvalidResponseError),
    ],
)
def test_odd_bodies_become_typed_errors(
    status: int, content: bytes, cls: type[WanR2VError]
) -> None:
    with pytest.raises(cls):
        read_task(answer(status, content=content))


def test_html_error_page_is_described_not_dumped() -> None:
    with pytest.raises(ServerError) as info:
        read_task(answer(502, content=b"<html><body>" + b"x" * 5000 + b"</body></html>"))
    assert "HTML page" in str(info.value) and len(str(info.value)) < 400


def test_rate_limit_carries_retry_after() -> None:
    with pytest.raises(RateLimitError) as info:
        read_task(answer(429, {"error": {"message": "slow down"}}, headers={"Retry-After": "7"}))
    assert info.value.retry_after == 7.0


def test_retry_after_forms() -> None:
    assert retry_after_of(httpx.Headers({"retry-after": "3"})) == 3.0
    assert retry_after_of(httpx.Headers({"retry-after": "1.5"})) == 1.5
    assert retry_after_of(httpx.Headers({"retry-after-ms": "250"})) == 0.25
    assert retry_after_of(httpx.Headers({"retry-after": "-4"})) == 0.0
    assert retry_after_of(httpx.Headers({"retry-after": "soon"})) is None
    assert retry_after_of(httpx.Headers({})) is None
    when = datetime(2030, 1, 1, tzinfo=UTC)
    date = format_datetime(when, usegmt=True)
    assert retry_after_of(httpx.Headers({"retry-after": date}), now=when.timestamp() - 12) == 12.0


def test_transport_errors() -> None:
    assert isinstance(error_for_transport(httpx.ReadTimeout("slow")), APITimeoutError)
    refused = error_for_transport(httpx.ConnectError("[Errno 111] Connection refused"))
    assert isinstance(refused, APIConnectionError) and not isinstance(refused, APITimeoutError)
    with pytest.raises(APIConnectionError):
        read_task(httpx.RemoteProtocolError("peer closed"))
    queued = error_for_transport(httpx.PoolTimeout("no turn within 0.3 s"))
    assert isinstance(queued, APITimeoutError)
    assert "nothing was sent to the gateway" in str(queued) and "did not answer" not in str(queued)
    assert "max_connections" in str(queued)


def test_the_key_echoed_by_a_gateway_is_scrubbed() -> None:
    payload = {"error": {"message": f"invalid key {KEY}", "code": f"bad:{KEY}"}}
    with pytest.raises(AuthenticationError) as info:
        read_task(answer(401, payload), secret=KEY)
    assert (
        KEY not in str(info.value)
        and KEY not in repr(info.value.args)
        and KEY not in (info.value.code or "")
    )


def _task_or_error(exchange: Exchange) -> Task | WanR2VError:
    try:
        return read_task(exchange, task_id="t")
    except WanR2VError as exc:  # anything else (KeyError, JSONDecodeError, ...) fails the test
        return exc


@given(status=st.integers(100, 599), content=st.binary(max_size=64))
def test_any_answer_is_a_task_or_a_typed_error(status: int, content: bytes) -> None:
    outcome = _task_or_error(answer(status, content=content))
    assert isinstance(outcome, Task | WanR2VError)
    if isinstance(outcome, Task):
        assert 200 <= status < 300


@given(
    st.recursive(
        st.one_of(st.none(), st.integers(), st.text(max_size=5)),
        lambda c: st.dictionaries(
            st.sampled_from(["error", "code", "message", "data", "id", "status", "detail"]),
            c,
            max_size=4,
        ),
        max_leaves=8,
    ),
    st.sampled_from([200, 400, 404, 429, 500]),
)
def test_any_json_shape_is_a_task_or_a_typed_error(payload: Any, status: int) -> None:
    outcome = _task_or_error(answer(status, payload))
    assert isinstance(outcome, Task | WanR2VError)
    if isinstance(outcome, Task):
        assert outcome.id and 200 <= status < 300

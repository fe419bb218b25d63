"""create(): the exact request, and retries that never create a task twice (create requests counted)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from _facade_fakes import (
    BASE,
    KEY,
    SEED_VIDEO_KWARGS,
    FakeClock,
    Gateway,
    error,
    make_client,
    ok,
    task_json,
)

from wan_r2v import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    RateLimitError,
    TaskMayExistError,
    TaskStatus,
    WanR2VError,
)

HTML_502 = httpx.Response(
    502, content=b"<html><h1>502 Bad Gateway</h1></html>", headers={"content-type": "text/html"}
)
HTML_200 = httpx.Response(
    200, content=b"<html>captive portal</html>", headers={"content-type": "text/html"}
)
CREATED = ok(task_json(status="queued", progress=0))


def test_create_sends_the_seed_body_once_with_the_key() -> None:
    gateway = Gateway(CREATED)
    task = make_client(gateway).create(**SEED_VIDEO_KWARGS)
    assert (task.id, task.status, task.progress) == ("task_1", TaskStatus.QUEUED, 0)
    (request,) = gateway.requests
    assert (request.method, str(request.url)) == ("POST", f"{BASE}/v1/video/generations")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("wan-r2v/")
    body = json.loads(request.content)
    assert body["model"] == "wan2.6-r2v-flash-720p-audio"
    assert body["extra_body"] == {
        "negative_prompt": "watermark, blur, flicker",
        "audio": "https://example.com/guide-audio.mp3",
        "shot_type": "single",
        "enable_prompt_expansion": False,
        "seed": -1,
    }


CASES: list[tuple[str, list[Any], type[WanR2VError] | None, int]] = [
    ("refused then created", [httpx.ConnectError("refused"), CREATED], None, 2),
    ("connect timeout then created", [httpx.ConnectTimeout("slow connect"), CREATED], None, 2),
    ("429 then created", [error(429, "slow down", headers={"Retry-After": "2"}), CREATED], None, 2),
    ("always refused", [httpx.ConnectError("refused")], APIConnectionError, 3),
    ("always 429", [error(429, "slow down")], RateLimitError, 3),
    (
        "429 for an hour",
        [error(429, "quota", headers={"Retry-After": "3600"}), CREATED],
        RateLimitError,
        1,
    ),
    ("read timeout after sending", [httpx.ReadTimeout("no answer"), CREATED], TaskMayExistError, 1),
    (
        "connection reset after sending",
        [httpx.RemoteProtocolError("peer closed"), CREATED],
        TaskMayExistError,
        1,
    ),
    ("write broke", [httpx.WriteError("broken pipe"), CREATED], TaskMayExistError, 1),
    ("500", [error(500), CREATED], TaskMayExistError, 1),
    ("503", [error(503, headers={"Retry-After": "1"}), CREATED], TaskMayExistError, 1),
    ("502 html", [HTML_502, CREATED], TaskMayExistError, 1),
    ("520 empty", [httpx.Response(520), CREATED], TaskMayExistError, 1),
    ("200 html", [HTML_200, CREATED], TaskMayExistError, 1),
    ("200 without id", [ok({"status": "queued"}), CREATED], TaskMayExistError, 1),
    ("400", [error(400, "bad size"), CREATED], BadRequestError, 1),
    ("401", [error(401, "bad key"), CREATED], AuthenticationError, 1),
]


@pytest.mark.parametrize(
    ("answers", "raised", "creates"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_create_retries_only_when_the_task_certainly_was_not_created(
    answers: list[Any], raised: type[WanR2VError] | None, creates: int
) -> None:
    gateway = Gateway(*answers)
    client = make_client(gateway, max_retries=2)
    if raised is None:
        assert client.create(**SEED_VIDEO_KWARGS).id == "task_1"
    else:
        with pytest.raises(raised):
            client.create(**SEED_VIDEO_KWARGS)
    assert gateway.count("POST") == creates


def test_task_may_exist_says_so_and_keeps_the_cause() -> None:
    gateway = Gateway(error(502, "upstream broke", headers={"x-request-id": "req-77"}))
    with pytest.raises(TaskMayExistError) as info:
        make_client(gateway).create(**SEED_VIDEO_KWARGS)
    error_ = info.value
    assert "may exist" in str(error_) and "not resent" in str(error_)
    assert error_.status_code == 502 and error_.request_id == "req-77"
    assert isinstance(error_.__cause__, WanR2VError)


def test_retry_after_is_honoured_on_create() -> None:
    clock = FakeClock()
    gateway = Gateway(error(429, headers={"Retry-After": "2.5"}), CREATED)
    make_client(gateway, clock).create(**SEED_VIDEO_KWARGS)
    assert clock.sleeps == [2.5]


def test_backoff_without_retry_after_grows() -> None:
    clock = FakeClock()
    gateway = Gateway(httpx.ConnectError("refused"), httpx.ConnectError("refused"), CREATED)
    make_client(gateway, clock, max_retries=2).create(**SEED_VIDEO_KWARGS)
    assert clock.sleeps == [0.5, 1.0]


def test_rate_limit_error_carries_retry_after() -> None:
    gateway = Gateway(error(429, "quota", headers={"Retry-After": "120"}))
    with pytest.raises(RateLimitError) as info:
        make_client(gateway).create(**SEED_VIDEO_KWARGS)
    assert info.value.retry_after == 120.0

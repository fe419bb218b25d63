"""get(): the query paths, GET retries per status and error (counted), Retry-After."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from _facade_fakes import BASE, KEY, FakeClock, Gateway, error, make_client, ok, task_json

from wan_r2v import (
    APITimeoutError,
    AuthenticationError,
    InvalidResponseError,
    NotFoundError,
    ServerError,
    TaskStatus,
    WanR2VError,
)

RUNNING = ok(task_json(progress="30%"))


@pytest.mark.parametrize(
    ("task_path", "path"),
    [("videos", "/v1/videos/task_1"), ("video/generations", "/v1/video/generations/task_1")],
)
def test_get_uses_the_configured_query_path(task_path: str, path: str) -> None:
    gateway = Gateway(RUNNING)
    task = make_client(gateway, task_path=task_path).get("task_1")
    assert (task.status, task.progress) == (TaskStatus.RUNNING, 30)
    (request,) = gateway.requests
    assert (request.method, str(request.url)) == ("GET", BASE + path)
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_get_reads_the_envelope_dialect() -> None:
    gateway = Gateway(
        ok(
            {
                "code": "success",
                "message": "",
                "data": {
                    "task_id": "task_1",
                    "status": "SUCCESS",
                    "result_url": "https://cdn/1.mp4",
                },
            }
        )
    )
    task = make_client(gateway).get("task_1")
    assert task.succeeded and task.video_url == "https://cdn/1.mp4"


CASES: list[tuple[str, list[Any], type[WanR2VError] | None, int]] = [
    ("500 then ok", [error(500), RUNNING], None, 2),
    ("502 html then ok", [httpx.Response(502, content=b"<html>bad</html>"), RUNNING], None, 2),
    ("429 then ok", [error(429), RUNNING], None, 2),
    ("read timeout then ok", [httpx.ReadTimeout("slow"), RUNNING], None, 2),
    ("reset then ok", [httpx.RemoteProtocolError("closed"), RUNNING], None, 2),
    ("always 503", [error(503)], ServerError, 3),
    ("always timing out", [httpx.ReadTimeout("slow")], APITimeoutError, 3),
    ("404", [error(404, "no such task"), RUNNING], NotFoundError, 1),
    ("401", [error(401), RUNNING], AuthenticationError, 1),
    (
        "200 html",
        [httpx.Response(200, content=b"<html>portal</html>"), RUNNING],
        InvalidResponseError,
        1,
    ),
]


@pytest.mark.parametrize(
    ("answers", "raised", "gets"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_gets_are_retried_on_connection_errors_429_and_5xx(
    answers: list[Any], raised: type[WanR2VError] | None, gets: int
) -> None:
    gateway = Gateway(*answers)
    client = make_client(gateway, max_retries=2)
    if raised is None:
        assert client.get("task_1").progress == 30
    else:
        with pytest.raises(raised):
            client.get("task_1")
    assert gateway.count("GET") == gets


def test_retry_after_is_honoured_on_get() -> None:
    clock = FakeClock()
    gateway = Gateway(
        error(503, headers={"Retry-After": "4"}),
        error(429, headers={"retry-after-ms": "1500"}),
        RUNNING,
    )
    make_client(gateway, clock).get("task_1")
    assert clock.sleeps == [4.0, 1.5]


def test_no_retries_when_max_retries_is_zero() -> None:
    gateway = Gateway(error(500), RUNNING)
    with pytest.raises(ServerError):
        make_client(gateway, max_retries=0).get("task_1")
    assert gateway.count("GET") == 1


def test_retries_log_attempt_and_delay_without_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG", logger="wan_r2v")
    make_client(Gateway(error(500), RUNNING)).get("task_1")
    failed, answered = [r for r in caplog.records if r.name == "wan_r2v"]  # one per request
    assert "retry 1 of 2" in failed.getMessage() and "0.50 s" in failed.getMessage()
    assert answered.getMessage().endswith(": ok")
    assert KEY not in failed.getMessage() + answered.getMessage()

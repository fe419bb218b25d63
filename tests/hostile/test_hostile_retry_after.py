"""Retry-After over real TCP: honoured on every retried status (429 and 503) by get and wait.

Sleeps are recorded on a fake clock (the harness), the HTTP is real. A
Retry-After that reaches past a wait's deadline ends the wait at once: no
poll could be made before the deadline without ignoring the gateway.
"""

from __future__ import annotations

import pytest
from _harness import open_facade
from _peer import Peer
from _scenarios import QUERY, answer, task

from wan_r2v import RateLimitError, ServerError, WaitTimeoutError

DONE = task(status="completed", progress=100, video_url="https://cdn.example/v.mp4")


def busy(status: int, retry_after: str) -> object:
    return answer(status, {"error": {"message": "busy"}}, {"Retry-After": retry_after})


@pytest.mark.parametrize("status", [429, 503])
def test_get_waits_as_long_as_the_gateway_asks(hostile: Peer, mode: str, status: int) -> None:
    hostile.route("GET", QUERY, busy(status, "7"), answer(200, DONE))  # type: ignore[arg-type]
    with open_facade(mode, base_url=hostile.url) as facade:
        assert facade.get("task_hostile_1").succeeded
        assert facade.sleeps == [7.0]
    assert hostile.count("GET", QUERY) == 2


@pytest.mark.parametrize("status", [429, 503])
def test_get_does_not_sleep_through_a_retry_after_beyond_its_cap(
    hostile: Peer, mode: str, status: int
) -> None:
    hostile.route("GET", QUERY, busy(status, "120"))  # type: ignore[arg-type]
    with open_facade(mode, base_url=hostile.url) as facade:
        with pytest.raises((RateLimitError, ServerError)) as caught:
            facade.get("task_hostile_1")
        assert facade.sleeps == []
    assert caught.value.retry_after == 120.0  # type: ignore[union-attr]
    assert hostile.count("GET", QUERY) == 1


@pytest.mark.parametrize("status", [429, 503])
def test_wait_honours_retry_after(hostile: Peer, mode: str, status: int) -> None:
    hostile.route("GET", QUERY, busy(status, "9"), answer(200, DONE))  # type: ignore[arg-type]
    with open_facade(mode, base_url=hostile.url) as facade:
        assert facade.wait("task_hostile_1", timeout=60, poll_interval=0.2).succeeded
        assert facade.sleeps == [9.0]
    assert hostile.count("GET", QUERY) == 2


@pytest.mark.parametrize("status", [429, 503])
def test_wait_honours_a_long_retry_after_between_polls(
    hostile: Peer, mode: str, status: int
) -> None:
    """Beyond the per-request cap (60 s) the wait itself waits, before its next poll."""
    hostile.route("GET", QUERY, busy(status, "90"), answer(200, DONE))  # type: ignore[arg-type]
    with open_facade(mode, base_url=hostile.url) as facade:
        assert facade.wait("task_hostile_1", timeout=600, poll_interval=0.2).succeeded
        assert facade.sleeps == [90.0]
    assert hostile.count("GET", QUERY) == 2


@pytest.mark.parametrize("status", [429, 503])
def test_a_retry_after_past_the_deadline_ends_the_wait_at_once(
    hostile: Peer, mode: str, status: int
) -> None:
    hostile.route("GET", QUERY, busy(status, "120"))  # type: ignore[arg-type]
    with open_facade(mode, base_url=hostile.url) as facade:
        with pytest.raises(WaitTimeoutError, match="asked to wait 120 s"):
            facade.wait("task_hostile_1", timeout=30, poll_interval=0.2)
        assert facade.sleeps == []
    assert hostile.count("GET", QUERY) == 1

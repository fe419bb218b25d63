"""Whole-request deadlines over real TCP: a gateway trickling its answer cannot hold a call.

httpx bounds each read, not the request; these gateways send a byte every
0.25 s, so no read ever times out. Real time, real sockets, both clients.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest
from _harness import PARAMS, open_facade
from _peer import Peer, Reply, Request
from _scenarios import CREATE, QUERY, task, trickled

from wan_r2v import APITimeoutError, TaskMayExistError, WaitTimeoutError

EVERY = 0.25
#: "Within about a second": the last poll before a deadline still gets 1 s to answer,
#: and the sync client notices the deadline at the next trickled byte.
SLACK = 1.0 + EVERY + 0.5


def test_wait_ends_within_a_second_of_its_deadline(hostile: Peer, mode: str) -> None:
    hostile.route("GET", QUERY, trickled(task(), every=EVERY))
    with open_facade(mode, base_url=hostile.url, real_time=True, timeout=30) as facade:
        started = time.monotonic()
        with pytest.raises(WaitTimeoutError):
            facade.wait("task_hostile_1", timeout=2.0, poll_interval=0.5)
        elapsed = time.monotonic() - started
    assert 2.0 <= elapsed < 2.0 + SLACK, elapsed
    assert 1 <= hostile.count("GET", QUERY) <= 3


def test_a_create_is_cut_at_its_time_limit_and_never_resent(hostile: Peer, mode: str) -> None:
    hostile.route("POST", CREATE, trickled(task(), every=EVERY))
    with open_facade(mode, base_url=hostile.url, real_time=True, timeout=1.5) as facade:
        started = time.monotonic()
        with pytest.raises(TaskMayExistError, match=r"time limit of 1\.5 s"):
            facade.create(**PARAMS)
        elapsed = time.monotonic() - started
    assert 1.5 <= elapsed < 1.5 + EVERY + 0.5, elapsed
    assert hostile.count("POST", CREATE) == 1


def test_a_get_is_cut_at_its_time_limit(hostile: Peer, mode: str) -> None:
    hostile.route("GET", QUERY, trickled(task(), every=EVERY))
    with open_facade(
        mode, base_url=hostile.url, real_time=True, timeout=1.0, max_retries=0
    ) as facade:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="time limit of 1 s"):
            facade.get("task_hostile_1")
        elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 1.0 + EVERY + 0.5, elapsed


def test_async_cuts_a_trickled_head_too(hostile: Peer) -> None:
    """Async cancels the whole request, status line and headers included."""

    def head_trickle(req: Request, out: Reply) -> None:
        body = json.dumps(task()).encode()
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n" + "X-Pad: " + "x" * 200
        out.trickle(head.encode() + b"\r\n\r\n" + body, every=EVERY)

    hostile.route("POST", CREATE, head_trickle)
    with open_facade("async", base_url=hostile.url, real_time=True, timeout=1.0) as facade:
        started = time.monotonic()
        with pytest.raises(TaskMayExistError):
            facade.create(**PARAMS)
        elapsed = time.monotonic() - started
    assert elapsed < 1.0 + 0.5, elapsed
    assert hostile.count("POST", CREATE) == 1


def test_an_answer_complete_just_past_the_limit_is_used(hostile: Peer, mode: str) -> None:
    """The last byte lands after the limit: the answer is whole, so the task is not 'may exist'."""

    def late(req: Request, out: Reply) -> None:
        body = json.dumps(task("task_late")).encode()
        out.head(200, {"Content-Type": "application/json", "Content-Length": str(len(body))})
        out.write(body[:1])  # each gap (0.6 s) within the 1 s read timeout, the last past the limit
        out.pause(0.6)
        out.write(body[1:-1])
        out.pause(0.6)
        out.write(body[-1:])

    hostile.route("POST", CREATE, late)
    with open_facade(mode, base_url=hostile.url, real_time=True, timeout=1.0) as facade:
        if mode == "async":  # async cancels at the limit, whole request: may exist
            with pytest.raises(TaskMayExistError):
                facade.create(**PARAMS)
        else:  # sync notices the limit at a chunk, and this chunk completes the body
            assert facade.create(**PARAMS).id == "task_late"
    assert hostile.count("POST", CREATE) == 1


def test_a_sync_create_through_your_own_http_client_is_cut_in_its_body_too(
    hostile: Peer,
) -> None:
    """Your own `httpx.Client` (no socket-level cut): the body is still stopped at the limit,
    and the request carries your client's headers as well as the gateway's."""
    seen: list[Request] = []

    def trickle(req: Request, out: Reply) -> None:
        seen.append(req)
        trickled(task(), every=EVERY)(req, out)

    hostile.route("POST", CREATE, trickle)
    with (
        httpx.Client(headers={"X-App": "mine", "User-Agent": "app/1"}) as http,
        open_facade(
            "sync", base_url=hostile.url, real_time=True, timeout=1.5, http_client=http
        ) as facade,
    ):
        started = time.monotonic()
        with pytest.raises(TaskMayExistError, match=r"time limit of 1\.5 s"):
            facade.create(**PARAMS)
        elapsed = time.monotonic() - started
    assert 1.5 <= elapsed < 1.5 + EVERY + 0.5, elapsed
    assert hostile.count("POST", CREATE) == 1
    (req,) = seen
    assert req.headers["x-app"] == "mine"
    assert req.headers["user-agent"].startswith("wan-r2v/")  # the gateway's headers win
    assert req.headers["content-type"] == "application/json"

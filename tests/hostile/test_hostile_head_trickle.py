"""A gateway trickling its status line and headers cannot hold a call past its time limit.

httpx gives no hook between the reads of an answer's head; the async client
cancels the whole request, the blocking one cuts every socket wait of its own
pool at the request's deadline (`wan_r2v._socket_deadline`). Real time, real
sockets, both clients; the head arrives one byte every 0.25 s, so no read ever
times out.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from _harness import PARAMS, open_facade
from _peer import Peer, Reply, Request
from _scenarios import CREATE, QUERY, task

from wan_r2v import APITimeoutError, TaskMayExistError, WaitTimeoutError

EVERY = 0.25
#: A cut lands at the deadline itself (the socket wait is clipped to it); this is scheduling slack.
SLACK = 0.5


def head_trickle(req: Request, out: Reply) -> None:
    """A correct answer whose head (and then body) arrive one byte every `EVERY` s."""
    body = json.dumps(task()).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nX-Pad: " + "x" * 200
    out.trickle(head.encode() + b"\r\n\r\n" + body, every=EVERY)


def test_a_get_is_cut_at_its_time_limit_while_the_head_trickles(hostile: Peer, mode: str) -> None:
    hostile.route("GET", QUERY, head_trickle)
    with open_facade(
        mode, base_url=hostile.url, real_time=True, timeout=1.0, max_retries=0
    ) as facade:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="time limit of 1 s"):
            facade.get("task_hostile_1")
        elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 1.0 + SLACK, elapsed
    assert hostile.count("GET", QUERY) == 1


def test_wait_ends_within_a_second_of_its_deadline_while_heads_trickle(
    hostile: Peer, mode: str
) -> None:
    hostile.route("GET", QUERY, head_trickle)
    with open_facade(mode, base_url=hostile.url, real_time=True, timeout=30) as facade:
        started = time.monotonic()
        with pytest.raises(WaitTimeoutError):
            facade.wait("task_hostile_1", timeout=2.0, poll_interval=0.5)
        elapsed = time.monotonic() - started
    assert 2.0 <= elapsed < 2.0 + 1.0, elapsed
    assert 1 <= hostile.count("GET", QUERY) <= 3


def test_a_create_is_cut_while_its_head_trickles_and_sent_once(hostile: Peer, mode: str) -> None:
    hostile.route("POST", CREATE, head_trickle)
    with open_facade(mode, base_url=hostile.url, real_time=True, timeout=1.0) as facade:
        started = time.monotonic()
        with pytest.raises(TaskMayExistError, match=r"time limit of 1 s"):
            facade.create(**PARAMS)
        elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 1.0 + SLACK, elapsed
    assert hostile.count("POST", CREATE) == 1


def test_a_reused_connection_is_cut_too(hostile: Peer, mode: str) -> None:
    """The first answer is quick and keeps the connection; the second, on it, trickles its head."""
    connections: list[int] = []

    def quick(req: Request, out: Reply) -> None:
        connections.append(id(out))
        out.json(200, task())

    def slow(req: Request, out: Reply) -> None:
        connections.append(id(out))
        head_trickle(req, out)

    hostile.route("GET", QUERY, quick, slow)
    with open_facade(
        mode, base_url=hostile.url, real_time=True, timeout=1.0, max_retries=0
    ) as facade:
        assert facade.get("task_hostile_1").id == "task_hostile_1"
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="time limit of 1 s"):
            facade.get("task_hostile_1")
        elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 1.0 + SLACK, elapsed
    assert len(connections) == 2 and connections[0] == connections[1], (
        "not one kept-alive connection"
    )


def test_the_sync_cut_leaves_no_thread_running(hostile: Peer) -> None:
    before = set(threading.enumerate())  # the peer's acceptor is among them
    hostile.route("GET", QUERY, head_trickle)
    hostile.route("POST", CREATE, head_trickle)
    with open_facade("sync", base_url=hostile.url, real_time=True, timeout=1.0) as facade:
        with pytest.raises(TaskMayExistError):
            facade.create(**PARAMS)
        with pytest.raises(WaitTimeoutError):
            facade.wait("task_hostile_1", timeout=1.0, poll_interval=0.2)
        during = set(threading.enumerate()) - before
        assert all(t.name == "hostile-peer" for t in during), during  # the client started none
    hostile.stop()
    assert set(threading.enumerate()) <= before


def test_a_quick_answer_after_a_cut_is_read_as_usual(hostile: Peer) -> None:
    """The deadline lives only as long as a request's head: the next request is not affected."""
    hostile.route("GET", QUERY, head_trickle, lambda req, out: out.json(200, task("task_next")))
    with open_facade(
        "sync", base_url=hostile.url, real_time=True, timeout=1.0, max_retries=0
    ) as facade:
        with pytest.raises(APITimeoutError):
            facade.get("task_hostile_1")
        assert facade.get("task_next").id == "task_next"

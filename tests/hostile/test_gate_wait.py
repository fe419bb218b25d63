"""The client's own queue (`max_connections` turns) over real TCP: a busy fan-out neither fails nor resends.

By default a request waits for its turn as long as it takes (every request holding a
turn ends within its own limits, so the queue drains): many more calls than turns all
finish, each sent exactly once, even when the queue wait is far longer than the
whole-request limit. A pool timeout set explicitly (``httpx.Timeout(..., pool=X)``)
still sheds a request that waited too long, unsent (`httpx.PoolTimeout`); a caller's
deadline (``wait(timeout=)``) bounds the wait too. Turns go in arrival order. The
hostile peer counts what it received and how many requests it served at once.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import Any

import httpx
import pytest
from _harness import KEY, PARAMS
from _peer import Peer, Reply, Request
from _polling import eventually
from _scenarios import CREATE, task

from wan_r2v import APIConnectionError, AsyncClient, Client, WaitTimeoutError

QUERY_HELD = "/v1/videos/task_held"


class _Busy:
    """A create handler answering each prompt's own task after `pause` s; records how many it served at once."""

    def __init__(self, pause: float) -> None:
        self.pause = pause
        self.now = self.most = 0
        self._lock = threading.Lock()

    def __call__(self, req: Request, out: Reply) -> None:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            out.pause(self.pause)
            out.json(200, task(f"task_{req.json()['prompt'].split()[-1]}", status="queued"))
        finally:
            with self._lock:
                self.now -= 1


def _params(n: int) -> dict[str, Any]:
    return {**PARAMS, "prompt": f"character1 walks, take {n}"}


def _held(release: threading.Event) -> Callable[[Request, Reply], None]:
    """A query handler that answers only once `release` is set (it holds the client's turn)."""

    def handle(req: Request, out: Reply) -> None:
        while not release.is_set():
            out.pause(0.01)
        out.json(200, task("task_held"))

    return handle


CALLS, TURNS, LIMIT, PAUSE = 30, 2, 1.0, 0.1


def test_many_more_calls_than_turns_all_finish_each_sent_once(hostile: Peer, mode: str) -> None:
    busy = _Busy(PAUSE)
    hostile.route("POST", CREATE, busy)
    # timeout=1.0: each request's whole limit is 1 s; the last of 30 creates through 2
    # turns waits about 1.4 s for its turn: it must be neither cut nor resent
    options: dict[str, Any] = {
        "base_url": hostile.url,
        "timeout": LIMIT,
        "max_connections": TURNS,
        "max_retries": 0,  # a PoolTimeout would show as an error, not hide behind a resend
    }
    if mode == "sync":
        with Client(KEY, **options) as client, ThreadPoolExecutor(CALLS) as pool:
            ids = list(pool.map(lambda n: client.create(**_params(n)).id, range(CALLS)))
    else:

        async def main() -> list[str]:
            async with AsyncClient(KEY, **options) as client:
                made = await asyncio.gather(*(client.create(**_params(n)) for n in range(CALLS)))
                return [t.id for t in made]

        ids = asyncio.run(main())
    assert sorted(ids) == sorted(f"task_{n}" for n in range(CALLS))
    creates = hostile.of("POST", CREATE)
    assert len(creates) == CALLS  # each sent exactly once
    assert busy.most <= TURNS
    # the queue wait was longer than the whole-request limit: the test shows what it claims
    assert creates[-1].at - creates[0].at > LIMIT


def _queue_behind_a_held_turn(
    hostile: Peer,
    mode: str,
    calls: list[Callable[[Any], object]],
    *,
    hold_to_the_end: bool = False,
    **options: Any,
) -> list[object]:
    """Hold the only turn with a query, queue `calls` one after another, then free the turn.

    Each call is queued only once the one before waits in the client's queue. The turn
    is freed once all are queued, or (`hold_to_the_end`) once all have ended without it.
    Their outcomes (a result or the exception) come back in order.
    """
    release = threading.Event()
    hostile.route("GET", QUERY_HELD, _held(release))
    opts = {"base_url": hostile.url, "max_connections": 1, **options}

    def queued(gate: Any, n: int) -> int | None:
        return n if len(gate._waiters) >= n else None

    if mode == "sync":
        with Client(KEY, **opts) as client, ThreadPoolExecutor(len(calls) + 1) as pool:
            holder = pool.submit(client.get, "task_held")
            futures = []
            try:
                eventually(lambda: hostile.count("GET", QUERY_HELD) or None, what="held query")
                for n, call in enumerate(calls, 1):
                    futures.append(pool.submit(call, client))
                    eventually(lambda n=n: queued(client._gate, n), what=f"call {n} queued")
                if hold_to_the_end:
                    wait_futures(futures, timeout=20)
            finally:
                release.set()
            holder.result()
            return [f.exception() or f.result() for f in futures]

    async def main() -> list[object]:
        async with AsyncClient(KEY, **opts) as client:
            holder = asyncio.ensure_future(client.get("task_held"))
            tasks = []
            try:
                while hostile.count("GET", QUERY_HELD) == 0:
                    await asyncio.sleep(0.01)
                for n, call in enumerate(calls, 1):
                    tasks.append(asyncio.ensure_future(call(client)))  # type: ignore[arg-type]
                    while queued(client._gate, n) is None:
                        await asyncio.sleep(0.001)
                if hold_to_the_end:
                    await asyncio.wait(tasks, timeout=20)
            finally:
                release.set()
            await holder
            return list(await asyncio.gather(*tasks, return_exceptions=True))

    return asyncio.run(asyncio.wait_for(main(), 30))


def test_turns_go_in_arrival_order(hostile: Peer, mode: str) -> None:
    hostile.route("POST", CREATE, _Busy(0.0))

    def create(n: int) -> Callable[[Any], object]:
        return lambda client: client.create(**_params(n))

    outcomes = _queue_behind_a_held_turn(hostile, mode, [create(n) for n in range(6)])
    assert [getattr(o, "id", o) for o in outcomes] == [f"task_{n}" for n in range(6)]
    prompts = [r.json()["prompt"] for r in hostile.of("POST", CREATE)]
    assert prompts == [f"character1 walks, take {n}" for n in range(6)]


def test_an_explicit_pool_timeout_sheds_a_queued_create_unsent(hostile: Peer, mode: str) -> None:
    hostile.route("POST", CREATE, _Busy(0.0))
    started = time.monotonic()
    [outcome] = _queue_behind_a_held_turn(
        hostile,
        mode,
        [lambda client: client.create(**_params(1))],
        hold_to_the_end=True,
        timeout=httpx.Timeout(10.0, pool=0.3),
        max_retries=0,
    )
    assert isinstance(outcome, APIConnectionError), outcome
    assert "PoolTimeout" in str(outcome) and "(the pool timeout); nothing was sent" in str(outcome)
    assert hostile.count("POST", CREATE) == 0  # nothing left the client
    assert time.monotonic() - started < 10  # shed at the pool timeout, not at the holder's end


def test_a_wait_for_a_turn_ends_with_the_callers_deadline(hostile: Peer, mode: str) -> None:
    waited = task("task_waited")
    hostile.route("GET", "/v1/videos/task_waited", lambda req, out: out.json(200, waited))
    started = time.monotonic()
    [outcome] = _queue_behind_a_held_turn(
        hostile,
        mode,
        [lambda client: client.wait("task_waited", timeout=0.5)],
        hold_to_the_end=True,
    )
    assert isinstance(outcome, WaitTimeoutError), outcome
    assert isinstance(outcome.__cause__, APIConnectionError), outcome.__cause__
    assert hostile.count("GET", "/v1/videos/task_waited") == 0  # never sent
    assert time.monotonic() - started < 10  # ended by its deadline, not the holder's end


@pytest.mark.parametrize(
    ("timeout", "turn_timeout"),
    [(2.0, None), (httpx.Timeout(2.0, pool=None), None), (httpx.Timeout(2.0), 2.0)],
    ids=["number", "pool-none", "httpx-timeout"],
)
def test_only_an_httpx_timeouts_pool_bounds_the_wait_for_a_turn(
    timeout: Any, turn_timeout: float | None
) -> None:
    with Client(KEY, base_url="http://127.0.0.1:9", timeout=timeout) as client:
        assert client._gate.timeout == turn_timeout
    assert AsyncClient(KEY, base_url="http://127.0.0.1:9", timeout=timeout)._gate.timeout == (
        turn_timeout
    )

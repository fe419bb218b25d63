"""Benchmark 3: fan-out of many tasks created and awaited at once, `AsyncClient` vs raw httpx.

The sandbox runs in its own process (`bench._sandbox_child`, wall clock: every task finishes
`duration` seconds after the sandbox creates it), so it never shares the GIL with the client.
Each variant runs in a fresh child process of its own, so that its peak RSS is its own; rounds
alternate the variants. The facade runs as a user would write it (`AsyncClient` with its own
httpx client and default `max_connections`); raw httpx gets the same bound by hand (a
`BoundedTransport`, see below), without which it takes 10x as long or fails. Requests are
counted by the sandbox, and both poll with the same fixed interval.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from typing import Any

import httpx

from bench._gateway import API_KEY, CREATE_BODY, CREATE_KWARGS
from bench._report import Check, Section, fmt
from bench._servers import run_child, sandbox_process
from bench._timing import interleaved, median
from wan_r2v._config import DEFAULT_MAX_CONNECTIONS

VARIANTS = ("facade", "httpx")
DONE = frozenset({"completed", "succeeded", "success"})
FAILED = frozenset({"failed", "failure", "error", "cancelled", "canceled", "expired"})


#: In-flight requests allowed at once; the rest wait on a semaphore, not in httpcore's pool.
#: The facade's default, so that raw httpx gets the same bound.
IN_FLIGHT = DEFAULT_MAX_CONNECTIONS


class BoundedTransport(httpx.AsyncBaseTransport):
    """httpx's transport behind a semaphore, so no more than `limit` requests reach the pool.

    httpcore's pool rescans every queued request against every connection each time one
    finishes (O(queued x connections)); with 1,000 coroutines on a 100-connection pool that scan
    takes most of the client's CPU. Waiting on a semaphore instead costs O(1) per request.
    """

    def __init__(self, limit: int = IN_FLIGHT) -> None:
        self._gate = asyncio.Semaphore(limit)
        limits = httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
        self._inner = httpx.AsyncHTTPTransport(limits=limits)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send once a slot is free; the slot is held until the body is read."""
        await self._gate.acquire()
        try:
            response = await self._inner.handle_async_request(request)
            await response.aread()
        finally:
            self._gate.release()
        return response

    async def aclose(self) -> None:
        """Close the pool."""
        await self._inner.aclose()


async def _facade(base_url: str, tasks: int, poll: float) -> list[tuple[float, float]]:
    import wan_r2v

    async with wan_r2v.AsyncClient(api_key=API_KEY, base_url=base_url) as client:

        async def one() -> tuple[float, float]:
            task = await client.create(**CREATE_KWARGS)
            created = time.time()
            done = await client.wait(task, poll_interval=poll, timeout=600.0)
            if not done.succeeded:
                raise RuntimeError(f"task ended {done.raw_status}")
            return created, time.time()

        return await asyncio.gather(*(one() for _ in range(tasks)))


async def _raw(base_url: str, tasks: int, poll: float) -> list[tuple[float, float]]:
    async with httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(60.0, connect=10.0),  # the facade's default
        headers={"Authorization": f"Bearer {API_KEY}"},
        transport=BoundedTransport(),
    ) as client:

        async def one() -> tuple[float, float]:
            r = await client.post("/v1/video/generations", json=CREATE_BODY)
            r.raise_for_status()
            task_id = r.json()["id"]
            created = time.time()
            while True:  # the facade's policy: query at once, then every `poll` seconds
                r = await client.get(f"/v1/videos/{task_id}")
                r.raise_for_status()
                status = str(r.json()["status"]).lower()
                if status in DONE:
                    return created, time.time()
                if status in FAILED:
                    raise RuntimeError(f"task ended {status}")
                await asyncio.sleep(poll)

        return await asyncio.gather(*(one() for _ in range(tasks)))


def _child(variant: str, base_url: str, tasks: int, poll: float, duration: float) -> dict[str, Any]:
    """In the child process: create and await `tasks` tasks at once; report what was seen."""
    from bench._memory import status_kib

    httpx.post(f"{base_url}/_sandbox/reset").raise_for_status()  # the count starts at 0
    run = _facade if variant == "facade" else _raw
    start = time.time()
    times = asyncio.run(run(base_url, tasks, poll))
    wall = time.time() - start
    return {
        "wall": wall,
        "creates": _count(base_url, "create"),
        "polls": _count(base_url, "query"),
        "created": [c for c, _ in times],
        "detected": [d for _, d in times],
        "peak_rss_kib": status_kib("VmHWM"),
    }


def _count(base_url: str, route: str) -> int:
    """How many requests of a route the sandbox received since its last reset."""
    answer = httpx.get(f"{base_url}/_sandbox/count", params={"route": route})
    answer.raise_for_status()
    return int(answer.json()["count"])


def _run(variant: str, base_url: str, tasks: int, poll: float, duration: float) -> dict[str, Any]:
    args = (variant, base_url, str(tasks), str(poll), str(duration))
    return run_child("bench.fanout", *args, what=f"fan-out {variant}")


def fanout(
    *,
    tasks: int = 1000,
    rounds: int = 3,
    poll: float = 1.0,
    duration: float = 5.0,
    variants: tuple[str, ...] = VARIANTS,
) -> Section:
    """Benchmark 3: wall time, polls per task, detection lag and peak RSS per variant."""
    results: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    with sandbox_process(duration=duration, clock="wall") as server:

        def sample(variant: str) -> float:
            r = _run(variant, server.base_url, tasks, poll, duration)
            results[variant].append(r)
            return float(r["wall"])

        samples = interleaved(
            {v: (lambda v=v: sample(v)) for v in variants}, rounds=rounds, warmup=0
        )
    return _section(samples, results, tasks=tasks, rounds=rounds, poll=poll, duration=duration)


def _section(
    samples: dict[str, list[float]],
    results: dict[str, list[dict[str, Any]]],
    *,
    tasks: int,
    rounds: int,
    poll: float,
    duration: float,
) -> Section:
    section = Section(
        key="fanout",
        title=f"3. Fan-out: {tasks:,} tasks created and awaited concurrently",
        method=(
            f"{tasks:,} coroutines each create a task and wait for it (`AsyncClient.create` + "
            f"`wait(poll_interval={poll:g})` vs a hand-written httpx loop with the facade's poll "
            f"policy: query at once, then every {poll:g} s), against the sandbox in its own process with every task taking "
            f"{duration:g} s of wall clock; each variant in a fresh process, {rounds} interleaved "
            f"rounds. The facade runs with its own httpx client and default `max_connections` "
            f"({IN_FLIGHT} in flight, the rest wait in the client, a pool of {IN_FLIGHT} kept alive); "
            f"raw httpx gets the same by hand: a pool of {IN_FLIGHT} behind a semaphore of {IN_FLIGHT} "
            "(with httpx's defaults alone it takes about 10x as long or fails with PoolTimeout: "
            "httpcore's pool scan, see the profiling notes). Lag = detection time minus the earliest moment the task could have been seen "
            f"done (create answer received + {duration:g} s); polls are query requests per task, as counted by the sandbox."
        ),
        columns=[
            "variant",
            "wall s",
            "vs raw httpx",
            "polls/task",
            "lag median s",
            "lag p95 s",
            "peak RSS MiB",
        ],
    )
    med = {v: median(s) for v, s in samples.items()}
    for v in samples:
        runs = results[v]
        lags = [lag for r in runs for lag in _lags(r, duration)]
        polls = statistics.median(r["polls"] / tasks for r in runs)
        peak = max(r["peak_rss_kib"] for r in runs) / 1024
        q = statistics.quantiles(lags, n=20) if len(lags) >= 2 else [lags[0]] * 19
        ratio = f"{med[v] / med['httpx']:.2f}x" if "httpx" in med else "-"
        section.rows.append(
            [v, fmt(med[v]), ratio, fmt(polls), fmt(statistics.median(lags)), fmt(q[18]), fmt(peak)]
        )
        section.numbers.update(
            {
                f"{v} wall s": med[v],
                f"{v} polls/task": polls,
                f"{v} lag median s": statistics.median(lags),
                f"{v} peak RSS MiB": peak,
            }
        )
    if "facade" in med and "httpx" in med:
        section.checks.append(
            Check("facade / raw httpx wall time", med["facade"] / med["httpx"], 1.2)
        )
    if "facade peak RSS MiB" in section.numbers:
        section.checks.append(
            Check("facade peak RSS", section.numbers["facade peak RSS MiB"], 150, " MiB")
        )
    return section


def _lags(run: dict[str, Any], duration: float) -> list[float]:
    return [d - c - duration for d, c in zip(run["detected"], run["created"], strict=True)]


if __name__ == "__main__":
    variant, base_url, n, poll_s, dur = sys.argv[1:6]
    print(json.dumps(_child(variant, base_url, int(n), float(poll_s), float(dur))))

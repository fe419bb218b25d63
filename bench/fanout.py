"""Benchmark 3: fan-out of many tasks created and awaited at once, `AsyncClient` vs raw httpx.

The sandbox runs in its own process (`bench._sandbox_child`, wall clock: every task finishes
`duration` seconds after the sandbox creates it), so it never shares the GIL with the client.
Each variant runs in a fresh child process of its own, so that its peak RSS and CPU time are
its own; rounds alternate the variants. The facade runs as a user would write it; raw httpx is
the idiomatic loop (a semaphore around each request), plus a row with httpx's default limits.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections import Counter
from typing import Any

import httpx

from bench._gateway import API_KEY, CREATE_BODY, CREATE_KWARGS
from bench._report import Check, Section, fmt
from bench._servers import run_child, sandbox_process
from bench._timing import interleaved, median
from wan_r2v._config import DEFAULT_MAX_CONNECTIONS

VARIANTS = ("facade", "httpx", "httpx-defaults")
DONE = frozenset({"completed", "succeeded", "success"})
FAILED = frozenset({"failed", "failure", "error", "cancelled", "canceled", "expired"})


#: In-flight requests allowed at once: the facade's default `max_connections`, which the
#: idiomatic raw loop gets by hand (a semaphore of this size and a pool of this size).
IN_FLIGHT = DEFAULT_MAX_CONNECTIONS
#: The `httpx-defaults` row (httpx's own limits, no semaphore) stops after this long.
DEFAULTS_CAP_S = 240.0


async def _facade(base_url: str, tasks: int, poll: float) -> list[Any]:
    import wan_r2v

    async with wan_r2v.AsyncClient(api_key=API_KEY, base_url=base_url) as client:

        async def one() -> tuple[float, float]:
            task = await client.create(**CREATE_KWARGS)
            created = time.time()
            done = await client.wait(task, poll_interval=poll, timeout=600.0)
            if not done.succeeded:
                raise RuntimeError(f"task ended {done.raw_status}")
            return created, time.time()

        return await asyncio.gather(*(one() for _ in range(tasks)), return_exceptions=True)


async def _raw(base_url: str, tasks: int, poll: float, *, bounded: bool = True) -> list[Any]:
    """The loop a user writes with httpx: a semaphore around each request (`bounded`), or nothing."""
    limits = (
        httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
        if bounded
        else httpx.Limits()  # httpx's defaults: 100 connections, 20 kept alive
    )
    gate = asyncio.Semaphore(IN_FLIGHT if bounded else tasks * 4)
    async with httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(60.0, connect=10.0),  # the facade's default
        headers={"Authorization": f"Bearer {API_KEY}"},
        limits=limits,
    ) as client:

        async def one() -> tuple[float, float]:
            async with gate:
                r = await client.post("/v1/video/generations", json=CREATE_BODY)
            r.raise_for_status()
            task_id = r.json()["id"]
            created = time.time()
            while True:  # the facade's policy: query at once, then every `poll` seconds
                async with gate:
                    r = await client.get(f"/v1/videos/{task_id}")
                r.raise_for_status()
                status = str(r.json()["status"]).lower()
                if status in DONE:
                    return created, time.time()
                if status in FAILED:
                    raise RuntimeError(f"task ended {status}")
                await asyncio.sleep(poll)

        return await asyncio.gather(*(one() for _ in range(tasks)), return_exceptions=True)


async def _capped(coro: Any, cap: float | None) -> tuple[list[Any], str]:
    """Run `coro` (a gather), at most `cap` s; its results and how it ended."""
    try:
        return await asyncio.wait_for(coro, cap), "done"
    except TimeoutError:
        return [], f"stopped after {cap:g} s"
    except Exception as exc:  # e.g. httpx.PoolTimeout from httpx's own pool queue
        return [], type(exc).__name__


def _child(variant: str, base_url: str, tasks: int, poll: float, duration: float) -> dict[str, Any]:
    """In the child process: create and await `tasks` tasks at once; report what was seen."""
    import resource

    from bench._memory import status_kib

    httpx.post(f"{base_url}/_sandbox/reset").raise_for_status()  # the count starts at 0
    if variant == "facade":
        coro, cap = _facade(base_url, tasks, poll), None
    else:
        defaults = variant == "httpx-defaults"
        coro = _raw(base_url, tasks, poll, bounded=not defaults)
        cap = DEFAULTS_CAP_S if defaults else None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    start = time.time()
    outcomes, ended = asyncio.run(_capped(coro, cap))
    times = [o for o in outcomes if isinstance(o, tuple)]
    failures = Counter(type(o).__name__ for o in outcomes if isinstance(o, BaseException))
    if failures:  # each task's own failure: counted, never hidden
        ended = ", ".join(f"{n:,} {name}" for name, n in failures.most_common())
        ended += f"; {len(times):,} done"
    wall = time.time() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    return {
        "wall": wall,
        "cpu": cpu,
        "ended": ended,
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
    tasks: int = 10_000,
    rounds: int = 2,
    poll: float = 15.0,
    duration: float = 30.0,
    variants: tuple[str, ...] = VARIANTS,
) -> Section:
    """Benchmark 3: client CPU, wall time, polls per task, detection lag and peak RSS per variant.

    The `httpx-defaults` row (httpx's own limits) runs once, capped: it is the slow path users
    hit, shown for scale, not a baseline.
    """
    results: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    with sandbox_process(duration=duration, clock="wall") as server:

        def sample(variant: str) -> float:
            r = _run(variant, server.base_url, tasks, poll, duration)
            results[variant].append(r)
            return float(r["cpu"])

        main = [v for v in variants if v != "httpx-defaults"]
        samples = interleaved({v: (lambda v=v: sample(v)) for v in main}, rounds=rounds, warmup=0)
        if "httpx-defaults" in variants:
            samples["httpx-defaults"] = [sample("httpx-defaults")]
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
        title=f"3. Fan-out: {tasks:,} tasks created and awaited concurrently in one process",
        method=(
            f"{tasks:,} coroutines each create a task and wait for it (`AsyncClient.create` + "
            f"`wait(poll_interval={poll:g})`, as a user writes it: the facade's own httpx client "
            f"and default `max_connections={IN_FLIGHT}`) against the sandbox in its own process, "
            f"every task taking {duration:g} s of wall clock. Raw httpx is the loop a user writes: "
            f"`async with semaphore: await client.post(...)` (and the same around each poll) with "
            f"a semaphore of {IN_FLIGHT} and a pool of {IN_FLIGHT}, polling as the facade does "
            f"(at once, then every {poll:g} s). `httpx-defaults` is the same loop with httpx's "
            f"default limits and no semaphore, run once and stopped after {DEFAULTS_CAP_S:g} s. "
            f"Client CPU is user + system time of the client's process during the run (the "
            f"figure the target is on: with every task taking {duration:g} s, wall time is "
            f"mostly that floor and the server's speed); each variant in a fresh process, "
            f"{rounds} interleaved rounds. Lag = detection time minus create answer + "
            f"{duration:g} s; polls are query requests per task, counted by the sandbox. A "
            "task that fails is counted under `ended` (by error type), not hidden; its lag is "
            "left out. The poll interval (providers advise 5 to 15 s) and task time are chosen so "
            "that one sandbox process on this machine can answer the polls of 10,000 tasks."
        ),
        columns=[
            "variant",
            "client CPU s",
            "vs raw httpx",
            "wall s",
            "polls/task",
            "lag median s",
            "lag p95 s",
            "peak RSS MiB",
            "ended",
        ],
    )
    med = {v: median(s) for v, s in samples.items()}
    for v in samples:
        runs = results[v]
        lags = [lag for r in runs for lag in _lags(r, duration)] or [float("nan")]
        polls = statistics.median(r["polls"] / tasks for r in runs)
        peak = max(r["peak_rss_kib"] for r in runs) / 1024
        wall = statistics.median(r["wall"] for r in runs)
        q = statistics.quantiles(lags, n=20) if len(lags) >= 2 else [lags[0]] * 19
        ratio = f"{med[v] / med['httpx']:.2f}x" if "httpx" in med else "-"
        ended = ", ".join(sorted({r["ended"] for r in runs}))
        section.rows.append(
            [
                v,
                fmt(med[v]),
                ratio,
                fmt(wall),
                fmt(polls),
                fmt(statistics.median(lags)),
                fmt(q[18]),
                fmt(peak),
                ended,
            ]
        )
        section.numbers.update(
            {
                f"{v} cpu s": med[v],
                f"{v} wall s": wall,
                f"{v} polls/task": polls,
                f"{v} lag median s": statistics.median(lags),
                f"{v} peak RSS MiB": peak,
            }
        )
    if "facade" in med and "httpx" in med:
        section.checks.append(
            Check("facade / raw httpx client CPU", med["facade"] / med["httpx"], 1.1)
        )
    if "facade peak RSS MiB" in section.numbers:
        section.checks.append(
            Check("facade peak RSS", section.numbers["facade peak RSS MiB"], 300, " MiB")
        )
    return section


def _lags(run: dict[str, Any], duration: float) -> list[float]:
    return [d - c - duration for d, c in zip(run["detected"], run["created"], strict=True)]


if __name__ == "__main__":
    variant, base_url, n, poll_s, dur = sys.argv[1:6]
    print(json.dumps(_child(variant, base_url, int(n), float(poll_s), float(dur))))

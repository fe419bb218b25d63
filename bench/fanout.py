"""Benchmark 3: fan-out of many tasks created and awaited at once, `AsyncClient` vs raw httpx.

The sandbox runs in its own process (`bench._sandbox_child`), so it never shares the GIL with
the client. Its tasks finish on their second query (the sandbox's ``per_poll`` clock with two
steps), whenever that comes: every variant makes exactly one create and two queries per task
(the first at once, the second one poll interval later), whatever the load, and the sandbox
counts them. Each variant runs in a fresh child process of its own, so that its peak RSS and
CPU time are its own; rounds alternate the variants. The facade runs as a user would write it;
raw httpx is the idiomatic loop (a semaphore around each request), plus a row with httpx's
default limits.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import threading
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
DEFAULTS_CAP_S = 60.0
#: Queries that finish a sandbox task (its ``per_poll`` clock's steps): one at once, one later.
QUERIES_PER_TASK = 2
#: The sandbox's nominal task length; with the ``per_poll`` clock only the query count matters.
TASK_SECONDS = 30.0

#: When each finished task was created and seen done (`time.time()`), shared by a run's tasks.
Times = list[tuple[float, float]]


async def _facade(base_url: str, tasks: int, poll: float, done: Times) -> list[Any]:
    import wan_r2v

    async with wan_r2v.AsyncClient(api_key=API_KEY, base_url=base_url) as client:

        async def one() -> None:
            task = await client.create(**CREATE_KWARGS)
            created = time.time()
            finished = await client.wait(task, poll_interval=poll, timeout=1800.0)
            if not finished.succeeded:
                raise RuntimeError(f"task ended {finished.raw_status}")
            done.append((created, time.time()))

        return await asyncio.gather(*(one() for _ in range(tasks)), return_exceptions=True)


async def _raw(
    base_url: str, tasks: int, poll: float, done: Times, *, bounded: bool = True
) -> list[Any]:
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

        async def one() -> None:
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
                    done.append((created, time.time()))
                    return
                if status in FAILED:
                    raise RuntimeError(f"task ended {status}")
                await asyncio.sleep(poll)

        return await asyncio.gather(*(one() for _ in range(tasks)), return_exceptions=True)


def _child(variant: str, base_url: str, tasks: int, poll: float) -> None:
    """In the child process: create and await `tasks` tasks at once; print what was seen (JSON)."""
    import resource

    from bench._memory import status_kib

    httpx.post(f"{base_url}/_sandbox/reset").raise_for_status()  # the count starts at 0
    done: Times = []
    if variant == "facade":
        coro, cap = _facade(base_url, tasks, poll, done), None
    else:
        defaults = variant == "httpx-defaults"
        coro = _raw(base_url, tasks, poll, done, bounded=not defaults)
        cap = DEFAULTS_CAP_S if defaults else None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    start = time.time()

    def report(outcomes: list[Any], ended: str) -> None:
        failures = Counter(type(o).__name__ for o in outcomes if isinstance(o, BaseException))
        if failures:  # each task's own failure: counted, never hidden
            ended = ", ".join(f"{n:,} {name}" for name, n in failures.most_common())
        if failures or ended != "done":
            ended += f"; {len(done):,} of {tasks:,} done"
        wall = time.time() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
        figures = {
            "wall": wall,
            "cpu": cpu,
            "ended": ended,
            "creates": _count(base_url, "create"),
            "polls": _count(base_url, "query"),
            "took": [d - c for c, d in done],
            "peak_rss_kib": status_kib("VmHWM"),
        }
        print(json.dumps(figures), flush=True)

    def stop() -> None:
        # at the cap: measured now, then the process ends at once. A thread does it, since
        # the event loop itself can be busy for minutes: 10,000 requests entering httpcore's
        # pool each rescan its whole queue (a 60 s cap inside the loop fired after 207 s),
        # and cancelling them cost as much again.
        report([], f"stopped after {cap:g} s")
        os._exit(0)

    timer = threading.Timer(cap, stop) if cap is not None else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    outcomes = asyncio.run(coro)
    if timer is not None:
        timer.cancel()
    report(outcomes, "done")


def _count(base_url: str, route: str) -> int:
    """How many requests of a route the sandbox received since its last reset."""
    answer = httpx.get(f"{base_url}/_sandbox/count", params={"route": route})
    answer.raise_for_status()
    return int(answer.json()["count"])


def _run(variant: str, base_url: str, tasks: int, poll: float) -> dict[str, Any]:
    args = (variant, base_url, str(tasks), str(poll))
    return run_child("bench.fanout", *args, what=f"fan-out {variant}")


def fanout(
    *,
    tasks: int = 10_000,
    rounds: int = 2,
    poll: float = 15.0,
    variants: tuple[str, ...] = VARIANTS,
) -> Section:
    """Benchmark 3: client CPU, wall time, requests, time to done and peak RSS per variant.

    The `httpx-defaults` row (httpx's own limits) runs once, capped: it is the slow path users
    hit, shown for scale, not a baseline.
    """
    results: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    with sandbox_process(
        duration=TASK_SECONDS, clock="per_poll", poll_steps=QUERIES_PER_TASK
    ) as server:

        def sample(variant: str) -> float:
            r = _run(variant, server.base_url, tasks, poll)
            results[variant].append(r)
            return float(r["cpu"])

        main = [v for v in variants if v != "httpx-defaults"]
        samples = interleaved({v: (lambda v=v: sample(v)) for v in main}, rounds=rounds, warmup=0)
        if "httpx-defaults" in variants:
            samples["httpx-defaults"] = [sample("httpx-defaults")]
    return _section(samples, results, tasks=tasks, rounds=rounds, poll=poll)


def _section(
    samples: dict[str, list[float]],
    results: dict[str, list[dict[str, Any]]],
    *,
    tasks: int,
    rounds: int,
    poll: float,
) -> Section:
    section = Section(
        key="fanout",
        title=f"3. Fan-out: {tasks:,} tasks created and awaited concurrently in one process",
        method=(
            f"{tasks:,} coroutines each create a task and wait for it (`AsyncClient.create` + "
            f"`wait(poll_interval={poll:g})`, as a user writes it: the facade's own httpx client "
            f"and default `max_connections={IN_FLIGHT}`) against the sandbox in its own process. "
            f"Raw httpx is the loop a user writes: `async with semaphore: await client.post(...)` "
            f"(and the same around each poll) with a semaphore of {IN_FLIGHT} and a pool of "
            f"{IN_FLIGHT}, polling as the facade does (at once, then every {poll:g} s). "
            f"`httpx-defaults` is the same loop with httpx's default limits and no semaphore, run "
            f"once and stopped after {DEFAULTS_CAP_S:g} s. Every sandbox task finishes on its "
            f"second query (its `per_poll` clock, {QUERIES_PER_TASK} steps), whenever that comes, "
            "so every variant does the same work, 1 create and 2 queries per task, however loaded "
            "the machine, and one sandbox process keeps up (with tasks finishing on the wall "
            "clock, the number of polls depended on how long queries queued). The sandbox counts "
            "the requests of every run. Client CPU is user + system time of the client's process "
            "during the run (the figure the target is on: wall time is mostly the poll interval "
            "and the server's speed); each variant in a fresh process, "
            f"{rounds} interleaved rounds. Done after = detection time minus the create's answer. "
            "A task that fails is counted under `ended` (by error type), not hidden."
        ),
        columns=[
            "variant",
            "client CPU s",
            "vs raw httpx",
            "wall s",
            "requests",
            "done after median s",
            "p95 s",
            "peak RSS MiB",
            "ended",
        ],
    )
    med = {v: median(s) for v, s in samples.items()}
    for v in samples:
        runs = results[v]
        took = [t for r in runs for t in r["took"]] or [float("nan")]
        peak = max(r["peak_rss_kib"] for r in runs) / 1024
        wall = statistics.median(r["wall"] for r in runs)
        q = statistics.quantiles(took, n=20) if len(took) >= 2 else [took[0]] * 19
        finished = all(r["ended"] == "done" for r in runs)
        # a run stopped at its cap did less work: its CPU compares with nothing
        ratio = f"{med[v] / med['httpx']:.2f}x" if "httpx" in med and finished else "-"
        ended = ", ".join(sorted({r["ended"] for r in runs}))
        requests = statistics.median(r["creates"] + r["polls"] for r in runs)
        section.rows.append(
            [
                v,
                fmt(med[v]),
                ratio,
                fmt(wall),
                f"{requests:,.0f}",
                fmt(statistics.median(took)) if finished else "-",
                fmt(q[18]) if finished else "-",
                fmt(peak),
                ended,
            ]
        )
        for n, r in enumerate(runs, 1):
            section.figures.append(
                f"{v} run {n}: client CPU {r['cpu']:.2f} s, wall {r['wall']:.1f} s, peak RSS "
                f"{r['peak_rss_kib'] / 1024:.0f} MiB, {r['creates']:,} creates + {r['polls']:,} "
                f"queries at the sandbox; {r['ended']}"
            )
        section.numbers.update(
            {
                f"{v} cpu s": med[v],
                f"{v} wall s": wall,
                f"{v} requests": requests,
                f"{v} peak RSS MiB": peak,
            }
        )
    if "facade" in med and "httpx" in med:
        counts = {v: {r["creates"] + r["polls"] for r in results[v]} for v in ("facade", "httpx")}
        expected = tasks * (1 + QUERIES_PER_TASK)
        same = counts["facade"] == counts["httpx"] == {expected}
        section.notes.append(
            f"requests at the sandbox per run: facade {', '.join(f'{c:,}' for c in sorted(counts['facade']))}; "
            f"httpx {', '.join(f'{c:,}' for c in sorted(counts['httpx']))}"
            + (
                f" (the same work: {expected:,} each)"
                if same
                else f" (NOT {expected:,} each: the CPU ratio compares unlike work)"
            )
        )
        section.checks.append(
            Check("facade / raw httpx client CPU", med["facade"] / med["httpx"], 1.1)
        )
    if "facade peak RSS MiB" in section.numbers:
        section.checks.append(
            Check("facade peak RSS", section.numbers["facade peak RSS MiB"], 300, " MiB")
        )
    return section


if __name__ == "__main__":
    variant, base_url, n, poll_s = sys.argv[1:5]
    _child(variant, base_url, int(n), float(poll_s))

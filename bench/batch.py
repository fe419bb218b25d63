"""Benchmark: the batch runner's journal overhead vs a plain `AsyncClient.generate` fan-out.

The same jobs (a JSONL file, one distinct prompt per job) are run two ways, each in a
fresh child process so that its peak RSS and CPU time are its own, against the sandbox in
a process of its own. Its tasks finish on their second query (the sandbox's ``per_poll``
clock with two steps), whenever that comes, so both variants make exactly one create, two
queries (one poll interval after the create, and one more later) and one download per job,
however loaded the machine: with tasks done on the wall clock, how many first queries found
a task done depended on timing, and each query costs the client about a millisecond of CPU.

- ``generate``: what a user writes without the batch module: one `AsyncClient`, every
  job's ``generate(path=out/NAME.mp4, poll_interval=P)`` gathered at once;
- ``batch``: ``run_batch`` on the same client settings, every job in flight at once
  (``max_in_flight`` = the number of jobs, like the fan-out), the same poll interval,
  and a SQLite journal (WAL, synchronous=FULL) recording three durable moves per job
  (the intent, the task id, the download).

The sandbox counts the creates, queries and downloads of every run; a run whose counts are
not those is shown as such, not compared silently. Rounds alternate the variants. The batch
variant pays for the job file's validation, the journal and its fsyncs; everything else is
the same client doing the same requests.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench._gateway import API_KEY
from bench._report import Check, Section, fmt
from bench._servers import run_child, sandbox_process
from bench._timing import interleaved, median

VARIANTS = ("generate", "batch")
MODEL = "wan2.6-r2v-flash-720p-silent"
#: Queries that finish a sandbox task (its ``per_poll`` clock's steps).
QUERIES_PER_TASK = 2
#: The sandbox's nominal task length; with the ``per_poll`` clock only the query count matters.
TASK_SECONDS = 30.0
#: What the sandbox counts per run, in this order.
ROUTES = ("create", "query", "download")


def _write_jobs(folder: Path, jobs: int) -> Path:
    path = folder / "jobs.jsonl"
    lines = (
        json.dumps(
            {
                "name": f"v{i:05d}",
                "model": MODEL,
                "prompt": f"character1 walks through the rain, take {i}",
                "images": ["https://example.com/reference.png"],
                "duration": 2,
            }
        )
        for i in range(jobs)
    )
    path.write_text("\n".join(lines) + "\n")
    return path


async def _generate(base_url: str, jobs_file: Path, out: Path, poll: float) -> int:
    from wan_r2v import AsyncClient
    from wan_r2v.batch import load_jobs

    # the same jobs, read and validated as run_batch does (~20 ms for 1,000, timed in both)
    jobs = load_jobs(jobs_file).jobs
    out.mkdir()
    async with AsyncClient(api_key=API_KEY, base_url=base_url) as client:
        results = await asyncio.gather(
            *(
                client.generate(path=out / j.filename, poll_interval=poll, **j.create_params())
                for j in jobs
            )
        )
    return len(results)


async def _batch(base_url: str, jobs_file: Path, out: Path, poll: float, jobs: int) -> int:
    from wan_r2v import AsyncClient
    from wan_r2v.batch import run_batch

    done = 0
    async with AsyncClient(api_key=API_KEY, base_url=base_url) as client:
        async for outcome in run_batch(
            jobs_file, out, client=client, max_in_flight=jobs, poll_interval=poll
        ):
            if not outcome.ok:
                raise RuntimeError(f"job {outcome.name} ended {outcome.state}: {outcome.error}")
            done += 1
    return done


def _child(variant: str, base_url: str, jobs: int, poll: float, scratch: str) -> dict[str, Any]:
    """In the child process: run every job one way in a new folder of `scratch`; report what was seen.

    The folder stays until the section ends (`batch` removes `scratch`): deleting a run's
    1,000 files made the next run's file creations pay for them (ext4 scans recently
    deleted inodes when it allocates one: up to ~0.6 s of kernel time, varying run to run).
    """
    from bench._memory import status_kib

    httpx.post(f"{base_url}/_sandbox/reset").raise_for_status()
    folder = Path(tempfile.mkdtemp(prefix=f"{variant}-", dir=scratch))
    jobs_file = _write_jobs(folder, jobs)
    out = folder / "out"
    start, cpu = time.perf_counter(), time.process_time()
    if variant == "generate":
        done = asyncio.run(_generate(base_url, jobs_file, out, poll))
    else:
        done = asyncio.run(_batch(base_url, jobs_file, out, poll, jobs))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    files = len(list(out.glob("*.mp4")))
    if done != jobs or files != jobs:
        raise RuntimeError(f"{variant}: {done} jobs done, {files} files, of {jobs}")
    return {
        "wall": wall,
        "cpu": cpu,
        "requests": [_count(base_url, route) for route in ROUTES],
        "peak_rss_kib": status_kib("VmHWM"),
    }


def _count(base_url: str, route: str) -> int:
    """How many requests of a route the sandbox received since its last reset."""
    answer = httpx.get(f"{base_url}/_sandbox/count", params={"route": route})
    answer.raise_for_status()
    return int(answer.json()["count"])


def batch(
    *,
    jobs: int = 1000,
    rounds: int = 7,
    poll: float = 1.0,
    variants: tuple[str, ...] = VARIANTS,
    scratch_in: str | None = None,
) -> Section:
    """The batch runner vs a plain generate fan-out: wall time, CPU, requests and peak RSS.

    Every run's files stay in one scratch folder (in `scratch_in`, default the system's
    temporary folder) until the section ends.
    """
    results: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    with (
        sandbox_process(
            duration=TASK_SECONDS, clock="per_poll", poll_steps=QUERIES_PER_TASK
        ) as server,
        tempfile.TemporaryDirectory(prefix="bench-batch-", dir=scratch_in) as scratch,
    ):

        def sample(variant: str) -> float:
            args = (variant, server.base_url, str(jobs), str(poll), scratch)
            r = run_child("bench.batch", *args, what=f"batch {variant}")
            results[variant].append(r)
            return float(r["wall"])

        samples = interleaved(
            {v: (lambda v=v: sample(v)) for v in variants}, rounds=rounds, warmup=0
        )
    return _section(samples, results, jobs=jobs, rounds=rounds, poll=poll)


def _requests(counts: list[int] | tuple[int, ...]) -> str:
    """`1,000 + 2,000 + 1,000` (creates + queries + downloads)."""
    return " + ".join(f"{c:,}" for c in counts)


def _section(
    samples: dict[str, list[float]],
    results: dict[str, list[dict[str, Any]]],
    *,
    jobs: int,
    rounds: int,
    poll: float,
) -> Section:
    variants = list(samples)
    expected = (jobs, jobs * QUERIES_PER_TASK, jobs)
    section = Section(
        key="batch",
        title=f"Batch: {jobs:,} jobs through the journal vs a plain generate fan-out",
        method=(
            f"The same {jobs:,} jobs (a JSONL file, distinct prompts) run as `asyncio.gather` of "
            f"`AsyncClient.generate(path=..., poll_interval={poll:g})` and as `wan_r2v.batch.run_batch` "
            f"(`max_in_flight={jobs}`, the same poll interval, a SQLite journal with WAL and "
            "synchronous=FULL: three durable moves per job, those that queue up while one commit "
            "is on disk go in the next one), each in a fresh process with the facade's defaults (20 "
            "connections), against the sandbox in its own process. Every sandbox task finishes on "
            f"its second query (its `per_poll` clock, {QUERIES_PER_TASK} steps), whenever that "
            "comes, so both variants do the same work however loaded the machine: 1 create, "
            f"{QUERIES_PER_TASK} queries and 1 download per job, counted by the sandbox in every run "
            "(with tasks done on the wall clock the number of queries per job varied between runs "
            "and variants, at about 1 ms of client CPU each). "
            "Every run writes into a new folder, and all of them are removed when the section "
            "ends: removing a run's 1,000 files at once made the next run's file creations pay "
            "for them (ext4 scans recently deleted inodes), up to ~0.6 s, varying. "
            f"{rounds} interleaved rounds, median wall time (the target) and "
            "median CPU time: the client process's, its own threads included (the journal's "
            "commits run in one), steadier than wall time on a shared machine; every run's "
            "figures are in the notes, and a run whose requests differ is marked there."
        ),
        columns=[
            "variant",
            "wall s",
            "vs generate",
            "ms/job over generate",
            "CPU s",
            "CPU vs generate",
            "creates + queries + downloads",
            "peak RSS MiB",
        ],
    )
    med = {v: median(s) for v, s in samples.items()}
    cpus = {v: median([r["cpu"] for r in results[v]]) for v in variants}
    counts = {v: [tuple(r["requests"]) for r in results[v]] for v in variants}
    for v in variants:
        runs = results[v]
        peak = max(r["peak_rss_kib"] for r in runs) / 1024
        ratio = f"{med[v] / med['generate']:.3f}x" if "generate" in med else "-"
        per_job = (
            fmt((med[v] - med["generate"]) / jobs * 1000)
            if "generate" in med and v != "generate"
            else "-"
        )
        cpu_ratio = f"{cpus[v] / cpus['generate']:.3f}x" if "generate" in cpus else "-"
        seen = sorted(set(counts[v]))
        requests = _requests(seen[0]) if len(seen) == 1 else "differ between runs"
        section.rows.append(
            [v, fmt(med[v]), ratio, per_job, fmt(cpus[v]), cpu_ratio, requests, fmt(peak)]
        )
        section.numbers.update(
            {
                f"{v} wall s": med[v],
                f"{v} CPU s": cpus[v],
                f"{v} queries/job": median([r["requests"][1] / jobs for r in runs]),
                f"{v} peak RSS MiB": peak,
            }
        )
        for n, r in enumerate(runs, 1):
            mark = "" if tuple(r["requests"]) == expected else " (NOT the expected requests)"
            section.notes.append(
                f"{v} run {n}: wall {r['wall']:.2f} s, CPU {r['cpu']:.2f} s, peak RSS "
                f"{r['peak_rss_kib'] / 1024:.0f} MiB, {_requests(r['requests'])} "
                f"creates + queries + downloads{mark}"
            )
    same = all(c == expected for v in variants for c in counts[v])
    if same:
        c, q, d = expected
        section.figures.append(
            f"requests at the sandbox: {c:,} creates + {q:,} queries + {d:,} downloads in every "
            f"run ({' and '.join(variants)}, {rounds} each): the same work"
        )
    else:
        section.figures.append(
            "requests at the sandbox (creates + queries + downloads): "
            + "; ".join(
                f"{v} {', '.join(_requests(c) for c in sorted(set(counts[v])))}" for v in variants
            )
            + f": NOT {_requests(expected)} in every run, the ratios compare unlike work"
        )
    unlike = "" if same else " (unlike work)"
    if "generate" in med and "batch" in med:
        section.checks.append(
            Check(f"batch / generate wall time{unlike}", med["batch"] / med["generate"], 1.05)
        )
        section.figures.append(
            f"batch / generate CPU time{unlike} = {cpus['batch'] / cpus['generate']:.3f}x "
            f"({cpus['batch']:.2f} s / {cpus['generate']:.2f} s, medians of {rounds} rounds; "
            "not a target)"
        )
    if "batch peak RSS MiB" in section.numbers:
        section.checks.append(
            Check("batch peak RSS", section.numbers["batch peak RSS MiB"], 200, " MiB")
        )
    return section


if __name__ == "__main__":
    variant, base_url, n, poll_s, scratch = sys.argv[1:6]
    print(json.dumps(_child(variant, base_url, int(n), float(poll_s), scratch)))

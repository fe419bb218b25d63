"""Benchmark: the batch runner's journal overhead vs a plain `AsyncClient.generate` fan-out.

The same jobs (a JSONL file, one distinct prompt per job) are run two ways, each in a
fresh child process so that its peak RSS is its own, against the sandbox in a process
of its own (wall clock: a task is done `duration` s after its create):

- ``generate``: what a user writes without the batch module: one `AsyncClient`, every
  job's ``generate(path=out/NAME.mp4, poll_interval=P)`` gathered at once;
- ``batch``: ``run_batch`` on the same client settings, every job in flight at once
  (``max_in_flight`` = the number of jobs, like the fan-out), the same poll interval,
  and a SQLite journal (WAL, synchronous=FULL) recording three durable moves per job
  (the intent, the task id, the download).

Both create, poll and download the same number of tasks (counted by the sandbox); rounds
alternate the variants. The batch variant pays for the job file's validation, the journal
and its fsyncs; everything else is the same client doing the same requests.
"""

from __future__ import annotations

import asyncio
import json
import shutil
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

    jobs = load_jobs(jobs_file).jobs  # the same validated jobs (validation is not timed here)
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


def _child(variant: str, base_url: str, jobs: int, poll: float) -> dict[str, Any]:
    """In the child process: run every job one way; report what was seen."""
    from bench._memory import status_kib

    httpx.post(f"{base_url}/_sandbox/reset").raise_for_status()
    folder = Path(tempfile.mkdtemp(prefix=f"bench-batch-{variant}-"))
    try:
        jobs_file = _write_jobs(folder, jobs)
        out = folder / "out"
        start, cpu = time.perf_counter(), time.process_time()
        if variant == "generate":
            done = asyncio.run(_generate(base_url, jobs_file, out, poll))
        else:
            done = asyncio.run(_batch(base_url, jobs_file, out, poll, jobs))
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        files = len(list(out.glob("*.mp4")))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if done != jobs or files != jobs:
        raise RuntimeError(f"{variant}: {done} jobs done, {files} files, of {jobs}")
    return {
        "wall": wall,
        "cpu": cpu,
        "creates": _count(base_url, "create"),
        "polls": _count(base_url, "query"),
        "downloads": _count(base_url, "download"),
        "peak_rss_kib": status_kib("VmHWM"),
    }


def _count(base_url: str, route: str) -> int:
    answer = httpx.get(f"{base_url}/_sandbox/count", params={"route": route})
    answer.raise_for_status()
    return int(answer.json()["count"])


def batch(
    *,
    jobs: int = 1000,
    rounds: int = 7,
    poll: float = 1.0,
    duration: float = 3.0,
    variants: tuple[str, ...] = VARIANTS,
) -> Section:
    """The batch runner vs a plain generate fan-out: wall time, requests and peak RSS."""
    results: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    with sandbox_process(duration=duration, clock="wall") as server:

        def sample(variant: str) -> float:
            args = (variant, server.base_url, str(jobs), str(poll))
            r = run_child("bench.batch", *args, what=f"batch {variant}")
            results[variant].append(r)
            return float(r["wall"])

        samples = interleaved(
            {v: (lambda v=v: sample(v)) for v in variants}, rounds=rounds, warmup=0
        )
    section = Section(
        key="batch",
        title=f"Batch: {jobs:,} jobs through the journal vs a plain generate fan-out",
        method=(
            f"The same {jobs:,} jobs (a JSONL file, distinct prompts) run as `asyncio.gather` of "
            f"`AsyncClient.generate(path=..., poll_interval={poll:g})` and as `wan_r2v.batch.run_batch` "
            f"(`max_in_flight={jobs}`, the same poll interval, a SQLite journal with WAL and "
            "synchronous=FULL: three durable moves per job, those that queue up while one commit "
            "is on disk go in the next one), each in a fresh process with the facade's defaults (20 "
            f"connections), against the sandbox in its own process (every task takes {duration:g} s "
            f"of wall clock); {rounds} interleaved rounds, median wall time (the target) and "
            "median CPU time: the client process's, its own threads included (the journal's "
            "commits run in one), steadier than wall time on a shared machine; every run's "
            "figures are in the notes."
        ),
        columns=[
            "variant",
            "wall s",
            "vs generate",
            "ms/job over generate",
            "CPU s",
            "CPU vs generate",
            "polls/job",
            "peak RSS MiB",
        ],
    )
    med = {v: median(s) for v, s in samples.items()}
    for v in variants:
        runs = results[v]
        polls = median([r["polls"] / jobs for r in runs])
        peak = max(r["peak_rss_kib"] for r in runs) / 1024
        ratio = f"{med[v] / med['generate']:.3f}x" if "generate" in med else "-"
        per_job = (
            fmt((med[v] - med["generate"]) / jobs * 1000)
            if "generate" in med and v != "generate"
            else "-"
        )
        cpu = median([r["cpu"] for r in runs])
        cpu_ratio = (
            f"{cpu / median([r['cpu'] for r in results['generate']]):.3f}x"
            if results.get("generate")
            else "-"
        )
        section.rows.append(
            [v, fmt(med[v]), ratio, per_job, fmt(cpu), cpu_ratio, fmt(polls), fmt(peak)]
        )
        section.numbers.update(
            {
                f"{v} wall s": med[v],
                f"{v} CPU s": cpu,
                f"{v} polls/job": polls,
                f"{v} peak RSS MiB": peak,
            }
        )
        for r in runs:
            if r["creates"] != jobs or r["downloads"] < jobs:
                raise RuntimeError(
                    f"{v}: {r['creates']} creates, {r['downloads']} downloads of {jobs}"
                )
        section.notes.append(
            f"{v} runs (wall / CPU / peak RSS): "
            + ", ".join(
                f"{r['wall']:.2f} s / {r['cpu']:.2f} s / {r['peak_rss_kib'] / 1024:.0f} MiB"
                for r in runs
            )
        )
    if "generate" in med and "batch" in med:
        section.checks.append(
            Check("batch / generate wall time", med["batch"] / med["generate"], 1.05)
        )
    if "generate CPU s" in section.numbers and "batch CPU s" in section.numbers:
        gen_cpu, batch_cpu = section.numbers["generate CPU s"], section.numbers["batch CPU s"]
        section.figures.append(
            f"batch / generate CPU time = {batch_cpu / gen_cpu:.3f}x "
            f"({batch_cpu:.2f} s / {gen_cpu:.2f} s, medians of {rounds} rounds; not a target)"
        )
    if "batch peak RSS MiB" in section.numbers:
        section.checks.append(
            Check("batch peak RSS", section.numbers["batch peak RSS MiB"], 200, " MiB")
        )
    return section


if __name__ == "__main__":
    variant, base_url, n, poll_s = sys.argv[1:5]
    print(json.dumps(_child(variant, base_url, int(n), float(poll_s))))

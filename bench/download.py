"""Benchmark 4: download a 1 GiB result from a local server: facade vs raw httpx streaming vs curl.

Every variant runs in its own process, started in turn (interleaved) against one byte server
that also runs in its own process. Python variants time the query + streamed download to a
file from inside the child and report peak RSS growth (VmHWM reset just before the download,
minus VmRSS at that moment); curl reports its own `time_total` and its whole peak RSS.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._gateway import API_KEY
from bench._report import Check, Section, fmt
from bench._servers import byte_server, run_child
from bench._timing import interleaved, median, spread

GiB = 1 << 30
MiB = 1 << 20
VARIANTS = ("facade", "httpx", "curl")


def _child(variant: str, base_url: str, path: str) -> dict[str, float]:
    """In the child process: one download, measured from the inside."""
    import httpx

    from bench._memory import reset_peak, status_kib

    task_id = "task_download"
    if variant == "facade":
        import wan_r2v

        client: Any = wan_r2v.Client(api_key=API_KEY, base_url=base_url)

        def run() -> None:
            client.download(task_id, path)

    else:
        client = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {API_KEY}"})

        def run() -> None:
            r = client.get(f"/v1/videos/{task_id}")
            r.raise_for_status()
            url = r.json()["video_url"]
            with client.stream("GET", url) as response, open(path, "wb") as f:
                response.raise_for_status()
                for chunk in response.iter_bytes():
                    f.write(chunk)

    peak_reset = reset_peak()
    rss_before = status_kib("VmRSS")
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    hwm = status_kib("VmHWM")
    client.close()
    return {
        "seconds": seconds,
        "rss_growth_kib": float(hwm - rss_before) if peak_reset else float("nan"),
        "peak_kib": float(hwm),
    }


def _run_python(variant: str, base_url: str, path: Path) -> dict[str, float]:
    return run_child("bench.download", variant, base_url, str(path), what=f"{variant} download")


def _run_curl(base_url: str, path: Path) -> dict[str, float]:
    curl = shutil.which("curl")
    assert curl is not None
    url = f"{base_url}/files/task_download.mp4"
    proc = subprocess.Popen(
        [curl, "-sS", "--fail", "-o", str(path), "-w", "%{time_total}", url],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    time_total = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"curl failed with {proc.returncode}")
    return {
        "seconds": float(time_total),
        "rss_growth_kib": float("nan"),
        "peak_kib": float(usage.ru_maxrss),
    }


def download(*, size: int = GiB, rounds: int = 5, variants: tuple[str, ...] = VARIANTS) -> Section:
    """Benchmark 4: throughput and memory of a `size`-byte download, per variant."""
    missing = [] if shutil.which("curl") else ["curl"]
    variants = tuple(v for v in variants if v not in missing)
    results: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    workdir = Path(tempfile.mkdtemp(prefix="wan-r2v-bench-"))
    try:
        with byte_server(size) as server:

            def sample(variant: str) -> float:
                path = workdir / f"{variant}.mp4"
                if variant == "curl":
                    r = _run_curl(server.base_url, path)
                else:
                    r = _run_python(variant, server.base_url, path)
                got = path.stat().st_size
                path.unlink()
                if got != size:
                    raise RuntimeError(f"{variant} wrote {got} bytes, expected {size}")
                results[variant].append(r)
                return size / r["seconds"]

            samples = interleaved(
                {v: (lambda v=v: sample(v)) for v in variants}, rounds=rounds, warmup=0
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    section = _section(samples, results, size=size, rounds=rounds)
    section.notes += [f"{m} is not installed on this machine: not measured" for m in missing]
    return section


def _section(
    samples: dict[str, list[float]],
    results: dict[str, list[dict[str, float]]],
    *,
    size: int,
    rounds: int,
) -> Section:
    section = Section(
        key="download",
        title=f"4. Download of a {fmt(size / MiB)} MiB result from a local server",
        method=(
            f"A threaded server in its own process streams {fmt(size / MiB)} MiB with a "
            "Content-Length; each variant queries the task and streams its `video_url` to a file "
            f"in its own fresh process, {rounds} interleaved samples each. Facade: "
            "`Client.download(task_id, path)`; raw httpx: `client.stream()` + `iter_bytes()` into a "
            "file; curl: `curl -o`. RSS growth is the peak (VmHWM, reset just before the download) "
            "minus the RSS right after the reset; for curl the whole process's peak RSS is shown."
        ),
        columns=["variant", "MiB/s", "± (IQR/2)", "vs curl", "peak RSS growth MiB", "peak RSS MiB"],
    )
    med = {v: median(s) for v, s in samples.items()}
    for v, s in samples.items():
        growth = max(r["rss_growth_kib"] for r in results[v]) / 1024
        peak = max(r["peak_kib"] for r in results[v]) / 1024
        ratio = f"{med[v] / med['curl']:.2f}x" if "curl" in med else "-"
        section.rows.append(
            [
                v,
                fmt(med[v] / MiB),
                f"{spread(s) * 100:.0f}%",
                ratio,
                "-" if growth != growth else fmt(growth),
                fmt(peak),
            ]
        )
        section.numbers[f"{v} MiB/s"] = med[v] / MiB
        section.numbers[f"{v} peak RSS MiB"] = peak
        if growth == growth:
            section.numbers[f"{v} RSS growth MiB"] = growth
    if "facade" in med and "curl" in med:
        section.checks.append(
            Check("facade / curl throughput", med["facade"] / med["curl"], 0.8, at_least=True)
        )
    if "facade RSS growth MiB" in section.numbers:
        section.checks.append(
            Check("facade peak RSS growth", section.numbers["facade RSS growth MiB"], 32, " MiB")
        )
    return section


if __name__ == "__main__":
    print(json.dumps(_child(sys.argv[1], sys.argv[2], sys.argv[3])))

"""Benchmark 4: download a 1 GiB result from a local server: facade vs raw httpx vs curl, like with like.

The facade writes durably (fsync before the rename), so its baselines do too: curl then an
fsync of its file, raw httpx then fsync. The page-cache variants (no fsync) are shown beside
them, against each other. Every variant runs in its own process, started in turn
(interleaved) against one byte server in its own process, after a `sync` so that no sample
pays for the previous one's writeback. Python variants time the query + download from inside
the child and report peak RSS growth (VmHWM reset just before the download, minus VmRSS at that
moment); curl's own `time_total` (plus the fsync, timed by the driver) and its own peak RSS,
measured by `/usr/bin/time` around it (a `wait4` from the Python driver would also count the
driver's memory that the forked child held before it became curl).
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
#: Durable (fsync before done) first, then page cache only.
VARIANTS = ("facade", "httpx+fsync", "curl+fsync", "httpx", "curl")
DURABLE = ("facade", "httpx+fsync", "curl+fsync")
TIME = "/usr/bin/time"  # GNU time: %M is the peak RSS of the command itself


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
                if variant.endswith("+fsync"):
                    f.flush()
                    os.fsync(f.fileno())

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


def _run_curl(base_url: str, path: Path, *, durable: bool) -> dict[str, float]:
    curl = shutil.which("curl")
    assert curl is not None
    url = f"{base_url}/files/task_download.mp4"
    timed = [TIME, "-f", "%M"] if Path(TIME).exists() else []
    out = subprocess.run(
        [*timed, curl, "-sS", "--fail", "-o", str(path), "-w", "%{time_total}", url],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"curl failed with {out.returncode}: {out.stderr[-2000:]}")
    seconds = float(out.stdout)
    if durable:  # what the facade does before its rename, timed the same way
        start = time.perf_counter()
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        seconds += time.perf_counter() - start
    peak = float(out.stderr.strip().splitlines()[-1]) if timed else float("nan")
    return {"seconds": seconds, "rss_growth_kib": float("nan"), "peak_kib": peak}


def download(*, size: int = GiB, rounds: int = 5, variants: tuple[str, ...] = VARIANTS) -> Section:
    """Benchmark 4: throughput and memory of a `size`-byte download, per variant."""
    missing = [] if shutil.which("curl") else ["curl"]
    variants = tuple(v for v in variants if v not in missing)
    results: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    workdir = Path(tempfile.mkdtemp(prefix="wan-r2v-bench-"))
    try:
        with byte_server(size) as server:

            def sample(variant: str) -> float:
                path = workdir / "video.mp4"
                os.sync()  # the previous sample's writeback is not this one's to pay
                if variant.startswith("curl"):
                    r = _run_curl(server.base_url, path, durable=variant == "curl+fsync")
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
            "Content-Length; each variant queries the task (curl: only downloads) and streams "
            f"its `video_url` to a file in its own fresh process, {rounds} interleaved samples "
            "each, a `sync` before every sample. Durable, like the facade "
            "(`Client.download(task_id, path)`: fsync before the rename): raw httpx "
            "(`client.stream()` + `iter_bytes()` into a file, then fsync) and curl (`curl -o`, "
            "then an fsync of the file, timed by the driver). Page cache only: the same two "
            "without the fsync, compared with each other. RSS growth is the peak (VmHWM, reset "
            "just before the download) minus the RSS right after the reset; curl's peak RSS is "
            "its own process's, from `/usr/bin/time -f %M`."
        ),
        columns=[
            "variant",
            "writes",
            "MiB/s",
            "± (IQR/2)",
            "vs curl alike",
            "vs httpx alike",
            "peak RSS growth MiB",
            "peak RSS MiB",
        ],
    )
    med = {v: median(s) for v, s in samples.items()}

    def alike(v: str, base: str) -> str:
        other = base + ("+fsync" if v in DURABLE else "")
        return f"{med[v] / med[other]:.2f}x" if other in med else "-"

    for v, s in samples.items():
        growth = max(r["rss_growth_kib"] for r in results[v]) / 1024
        peak = max(r["peak_kib"] for r in results[v]) / 1024
        section.rows.append(
            [
                v,
                "durable" if v in DURABLE else "page cache",
                fmt(med[v] / MiB),
                f"{spread(s) * 100:.0f}%",
                alike(v, "curl"),
                alike(v, "httpx"),
                "-" if growth != growth else fmt(growth),
                "-" if peak != peak else fmt(peak),
            ]
        )
        section.numbers[f"{v} MiB/s"] = med[v] / MiB
        if peak == peak:
            section.numbers[f"{v} peak RSS MiB"] = peak
        if growth == growth:
            section.numbers[f"{v} RSS growth MiB"] = growth
    for base in ("curl+fsync", "httpx+fsync"):
        if "facade" in med and base in med:
            section.checks.append(
                Check(f"facade / {base} throughput", med["facade"] / med[base], 0.95, at_least=True)
            )
    if "facade RSS growth MiB" in section.numbers:
        section.checks.append(
            Check("facade peak RSS growth", section.numbers["facade RSS growth MiB"], 8, " MiB")
        )
    return section


if __name__ == "__main__":
    print(json.dumps(_child(sys.argv[1], sys.argv[2], sys.argv[3])))

"""Benchmark 5: cold start as users meet it, in a venv holding only the runtime dependencies.

The venv is built for the run: a wheel of this checkout (hatchling, no network) installed
without extras, so httpx, attrs and python-dateutil are all there is (no rich or click, which
make `import httpx` load its command line in the dev venv). Timed in fresh processes:

- the first lines of a program: `from wan_r2v import Client; Client(...)` against
  `import httpx; httpx.Client()` (perf_counter and CPU time inside the process);
- the command line as a process: `wan-r2v --version` and `wan-r2v create --dry-run ...`
  against `python -c "import httpx; httpx.Client()"` (wall and CPU time of the whole process,
  interpreter start-up included, from `wait4`).

Targets are on CPU time, which a machine busy with other work inflates less than wall time.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench._report import Check, Section, fmt
from bench._servers import ROOT
from bench._timing import interleaved, median, spread

CLIENT = (
    "from wan_r2v import Client; Client(api_key='sk-bench', base_url='https://gateway.example')"
)
HTTPX = "import httpx; httpx.Client()"
IMPORT = "import wan_r2v"
STATEMENTS = {"client": CLIENT, "httpx": HTTPX, "import": IMPORT}
DRY_RUN = [
    "create", "--dry-run", "-m", "wan2.6-r2v-flash-720p-audio", "-p", "character1 waves",
    "--video", "https://example.com/ref.mp4", "--duration", "5",
]  # fmt: skip
_SNIPPET = (
    "import time; w, c = time.perf_counter(), time.process_time(); {stmt}; "
    "print(time.perf_counter() - w, time.process_time() - c)"
)


@contextmanager
def runtime_venv() -> Iterator[Path]:
    """A temporary venv with this checkout's wheel and its runtime dependencies only."""
    where = Path(tempfile.mkdtemp(prefix="wan-r2v-cold-"))
    try:
        subprocess.run(
            [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(where)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        (wheel,) = where.glob("*.whl")
        venv.EnvBuilder(with_pip=False).create(where / "venv")
        python = where / "venv" / "bin" / "python"
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", str(wheel)],
            check=True,
            capture_output=True,
        )
        yield where / "venv"
    finally:
        shutil.rmtree(where, ignore_errors=True)


def _statement(python: Path, stmt: str) -> tuple[float, float]:
    out = subprocess.run(
        [str(python), "-c", _SNIPPET.format(stmt=stmt)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),  # not the checkout: only the installed package
    )
    wall, cpu = out.stdout.split()
    return float(wall), float(cpu)


def _process(argv: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tempfile.gettempdir()
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        assert proc.stderr is not None
        raise RuntimeError(f"{argv} failed: {proc.stderr.read()[-2000:]!r}")
    return wall, usage.ru_utime + usage.ru_stime


def heaviest(python: Path, stmt: str, baseline: str, top: int = 8) -> list[tuple[str, float]]:
    """Modules `stmt` loads that `baseline` does not, by their own import time (ms, min of 3)."""

    def selfs(code: str) -> dict[str, float]:
        best: dict[str, float] = {}
        for _ in range(3):
            err = subprocess.run(
                [str(python), "-X", "importtime", "-c", code],
                capture_output=True,
                text=True,
                check=True,
                cwd=tempfile.gettempdir(),
            ).stderr
            for m in re.finditer(r"import time:\s+(\d+) \|\s+\d+ \|\s+(\S+)", err):
                us = int(m.group(1)) / 1000
                best[m.group(2)] = min(best.get(m.group(2), us), us)
        return best

    base = selfs(baseline)
    extra = {k: v for k, v in selfs(stmt).items() if k not in base}
    groups: dict[str, float] = {}
    for name, ms in extra.items():
        top_name = name.split(".")[0]
        key = top_name if top_name in ("attr", "attrs", "wan_r2v_api") else name
        groups[key] = groups.get(key, 0.0) + ms
    return sorted(groups.items(), key=lambda kv: -kv[1])[:top]


def cold_start(*, rounds: int = 15) -> Section:
    """Benchmark 5: cold start of the library and the CLI in a runtime-only venv."""
    with runtime_venv() as env:
        python, cli = env / "bin" / "python", env / "bin" / "wan-r2v"
        variants = {
            **{f"stmt {k}": (lambda s=s: _statement(python, s)) for k, s in STATEMENTS.items()},
            "proc version": lambda: _process([str(cli), "--version"]),
            "proc dry-run": lambda: _process([str(cli), *DRY_RUN]),
            "proc httpx": lambda: _process([str(python), "-c", HTTPX]),
            "proc python": lambda: _process([str(python), "-c", "pass"]),
        }
        pairs: dict[str, list[tuple[float, float]]] = {k: [] for k in variants}

        def sample(name: str) -> float:
            wall, cpu = variants[name]()
            pairs[name].append((wall, cpu))
            return cpu

        interleaved({k: (lambda k=k: sample(k)) for k in variants}, rounds=rounds)
        top = heaviest(python, CLIENT, HTTPX)
    return _section(pairs, top, rounds=rounds)


_LABELS = {
    "stmt client": f"`{CLIENT}`",
    "stmt httpx": f"`{HTTPX}`",
    "stmt import": f"`{IMPORT}`",
    "proc version": "process `wan-r2v --version`",
    "proc dry-run": "process `wan-r2v create --dry-run ...`",
    "proc httpx": f'process `python -c "{HTTPX}"`',
    "proc python": 'process `python -c "pass"`',
}


def _section(
    pairs: dict[str, list[tuple[float, float]]], top: list[tuple[str, float]], *, rounds: int
) -> Section:
    section = Section(
        key="cold_start",
        title="5. Cold start in a venv with only the runtime dependencies",
        method=(
            "A venv built for the run holds this checkout's wheel installed without extras (httpx, "
            "attrs, python-dateutil and their dependencies; no rich or click). Statements are "
            "timed inside a fresh `python -c` process of that venv (bytecode cached by a warm-up "
            "run); processes are timed whole by the driver (`wait4`: wall, and CPU = user + "
            f"system), interpreter start-up included. {rounds} interleaved samples each; the "
            "ratios and targets are on CPU time (a busy machine inflates wall time more)."
        ),
        columns=["what", "CPU ms", "± (IQR/2)", "wall ms", "CPU vs its httpx baseline"],
    )
    cpu = {k: median([c for _, c in v]) for k, v in pairs.items()}
    wall = {k: median([w for w, _ in v]) for k, v in pairs.items()}
    for key, samples in pairs.items():
        base = "stmt httpx" if key.startswith("stmt") else "proc httpx"
        section.rows.append(
            [
                _LABELS[key],
                fmt(cpu[key] * 1e3),
                f"{spread([c for _, c in samples]) * 100:.0f}%",
                fmt(wall[key] * 1e3),
                f"{cpu[key] / cpu[base]:.2f}x",
            ]
        )
        section.numbers[f"{key} cpu ms"] = cpu[key] * 1e3
        section.numbers[f"{key} wall ms"] = wall[key] * 1e3
    section.checks += [
        Check("Client cold start / httpx.Client()", cpu["stmt client"] / cpu["stmt httpx"], 1.3),
        Check("wan-r2v --version / httpx process", cpu["proc version"] / cpu["proc httpx"], 1.3),
        Check(
            "wan-r2v create --dry-run / httpx process", cpu["proc dry-run"] / cpu["proc httpx"], 1.3
        ),
    ]
    section.notes.append(
        "what `from wan_r2v import Client; Client(...)` loads beyond `httpx.Client()` (own import "
        "time, ms, min of 3): " + ", ".join(f"{name} {ms:.1f}" for name, ms in top)
    )
    return section

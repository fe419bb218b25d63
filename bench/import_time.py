"""Benchmark 5: import time of `wan_r2v` vs `httpx` vs `openai`, each in a fresh interpreter."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.util import find_spec

from bench._report import Check, Section, fmt
from bench._servers import ROOT
from bench._timing import interleaved, median, spread

MODULES = ("wan_r2v", "wan_r2v.Client", "httpx", "openai")
_SNIPPET = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"


def _statement(name: str) -> str:
    """`import pkg`, or `from pkg import Name` for a dotted name ending in a capitalised one."""
    pkg, _, attr = name.rpartition(".")
    if pkg and attr[:1].isupper():
        return f"from {pkg} import {attr}"
    return f"import {name}"


def _once(module: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _SNIPPET.format(stmt=_statement(module))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip())


def heaviest(module: str, top: int = 6) -> list[tuple[str, float]]:
    """The direct imports of `module` that `-X importtime` charges the most to it (ms)."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines: list[tuple[int, str, float]] = []  # (depth, name, cumulative ms)
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( +)(\S+)", line)
        if m:
            lines.append(((len(m.group(2)) - 1) // 2, m.group(3), int(m.group(1)) / 1000))
    # children are printed before their parent: walk back from the module's own line
    at = next(i for i, (depth, name, _) in enumerate(lines) if depth == 0 and name == module)
    children: list[tuple[str, float]] = []
    for depth, name, ms in reversed(lines[:at]):
        if depth == 0:
            break
        if depth == 1:
            children.append((name, ms))
    children.sort(key=lambda r: -r[1])
    return children[:top]


def import_time(*, rounds: int = 15, modules: tuple[str, ...] = MODULES) -> Section:
    """Benchmark 5: median wall time of `import X` in fresh processes, interleaved."""
    samples = interleaved({m: (lambda m=m: _once(m)) for m in modules}, rounds=rounds)
    med = {m: median(s) for m, s in samples.items()}
    section = Section(
        key="import",
        title="5. Import time",
        method=(
            f"`import X` timed with perf_counter inside a fresh `python -c` process (bytecode "
            f"already cached by a warm-up run), {rounds} interleaved samples per module. The "
            "heaviest top-level imports come from `python -X importtime`. `from wan_r2v import "
            "Client` is what a user's first line costs, whatever `import wan_r2v` defers."
        ),
        columns=["statement", "ms", "± (IQR/2)", "vs httpx"],
    )
    for m, s in samples.items():
        ratio = f"{med[m] / med['httpx']:.2f}x" if "httpx" in med else "-"
        section.rows.append(
            [f"`{_statement(m)}`", fmt(med[m] * 1e3), f"{spread(s) * 100:.0f}%", ratio]
        )
        section.numbers[f"{m} ms"] = med[m] * 1e3
    if "wan_r2v" in med and "httpx" in med:
        section.checks.append(
            Check("import wan_r2v / import httpx", med["wan_r2v"] / med["httpx"], 1.3)
        )
    if find_spec("rich") and find_spec("click"):
        section.notes.append(
            "rich and click are installed here, so `import httpx` also loads its command line "
            "(`httpx._main`, about 30 ms); where they are not, httpx imports faster and every "
            "ratio to it grows"
        )
    if "wan_r2v" in modules:
        top = ", ".join(f"{name} {ms:.0f} ms" for name, ms in heaviest("wan_r2v"))
        section.notes.append(f"`import wan_r2v` spends the most in: {top}")
    return section

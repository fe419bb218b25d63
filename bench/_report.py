"""Result sections, the console table and BENCHMARKS.md (machine, command, date, tables, targets)."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

HISTORY = Path(__file__).with_name("HISTORY.md")
PACKAGES = ("wan-r2v", "httpx", "httpcore", "h11", "openai", "httpx2", "uvicorn")


@dataclass(frozen=True)
class Check:
    """One target: a measured figure against its limit."""

    what: str
    measured: float
    limit: float
    unit: str = "x"
    # True when the figure must reach the limit, False when it must stay under it
    at_least: bool = False

    @property
    def ok(self) -> bool:
        """Whether the target holds."""
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit

    def render(self) -> str:
        """`facade / httpx = 1.08x (target <= 1.3x): ok`."""
        sign = ">=" if self.at_least else "<="
        verdict = "ok" if self.ok else "MISSED"
        return (
            f"{self.what} = {self.measured:#.4g}{self.unit} "
            f"(target {sign} {self.limit:g}{self.unit}): {verdict}"
        )


@dataclass
class Section:
    """One benchmark's results: a table, its targets and the raw numbers behind them."""

    key: str
    title: str
    method: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    numbers: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: Figures worth keeping beside the targets in bench/HISTORY.md (no limit of their own).
    figures: list[str] = field(default_factory=list)

    def table(self) -> str:
        """The rows as a Markdown table."""
        widths = [len(c) for c in self.columns]
        for row in self.rows:
            widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

        def line(cells: list[str]) -> str:
            return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

        out = [line(self.columns), "| " + " | ".join("-" * w for w in widths) + " |"]
        out += [line(row) for row in self.rows]
        return "\n".join(out)

    def markdown(self, heading: str = "###") -> str:
        """The section as Markdown: title, method, table, targets, notes."""
        parts = [f"{heading} {self.title}", "", self.method, "", self.table(), ""]
        for check in self.checks:
            parts.append(f"- {check.render()}")
        for figure in self.figures:
            parts.append(f"- {figure}")
        for note in self.notes:
            parts.append(f"- {note}")
        return "\n".join(parts).rstrip() + "\n"


def fmt(value: float, digits: int = 3) -> str:
    """A number with `digits` significant figures, no exponent for everyday sizes."""
    if value == 0:
        return "0"
    if abs(value) >= 10**digits:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or the platform's guess."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def versions() -> dict[str, str]:
    """Installed versions of the packages the benchmarks compare."""
    found: dict[str, str] = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    curl = shutil.which("curl")
    if curl:
        first = subprocess.run([curl, "--version"], capture_output=True, text=True).stdout
        found["curl"] = first.split()[1] if first else "?"
    return found


def machine() -> list[str]:
    """Machine facts as Markdown list items."""
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f", {int(line.split()[1]) // 1024:,} MiB RAM"
    except OSError:
        pass
    pkgs = ", ".join(f"{k} {v}" for k, v in versions().items())
    return [
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores{mem}",
        f"- OS: {platform.platform()}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- Packages: {pkgs}",
    ]


def document(sections: list[Section], command: str, elapsed: float) -> str:
    """The whole BENCHMARKS.md text."""
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    checks = [c for s in sections for c in s.checks]
    held = sum(c.ok for c in checks)
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`); do not edit by hand: edit `bench/` and rerun.",
        "Profiling notes and before/after figures are kept in `bench/HISTORY.md` and copied below.",
        "",
        f"- Command: `{command}`",
        f"- Date: {now}; whole run {elapsed:.0f} s",
        *machine(),
        "",
        "Each figure is the median of interleaved repeated runs (A B C, B C A, ...), so drift on a",
        "noisy machine hits every variant alike; ratios compare variants measured in the same run.",
        "",
        f"## Targets: {held} of {len(checks)} hold",
        "",
        *[f"- {s.title}: {c.render()}" for s in sections for c in s.checks],
        "",
        "## Results",
        "",
    ]
    lines += [s.markdown() for s in sections]
    if HISTORY.exists():
        lines += ["## Profiling: before and after", "", HISTORY.read_text().strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


RUNS_HEADING = "### Every run's figures"


def load() -> str:
    """The machine's load average (1, 5, 15 min) and core count, for the record of a run."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load unknown"
    return f"load {one:.1f}/{five:.1f}/{fifteen:.1f} on {os.cpu_count()} cores"


def run_record(sections: list[Section], command: str, elapsed: float, load_before: str) -> str:
    """One run as a Markdown list item: when, how, the machine's load, every target's figure."""
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    checks = [c for s in sections for c in s.checks]
    head = (
        f"- {now}, `{command}`, {elapsed:.0f} s, {load_before} at the start, {load()} at the "
        f"end: {sum(c.ok for c in checks)} of {len(checks)} targets hold"
    )
    lines = [head]
    for s in sections:
        lines += [f"  - {s.title}: {c.render()}" for c in s.checks]
        lines += [f"  - {s.title}: {figure}" for figure in s.figures]
    return "\n".join(lines)


def record_run(sections: list[Section], command: str, elapsed: float, load_before: str) -> None:
    """Append this run's figures to bench/HISTORY.md (every run, met or missed, is kept)."""
    text = HISTORY.read_text() if HISTORY.exists() else ""
    if RUNS_HEADING not in text:
        text = (
            text.rstrip()
            + f"\n\n{RUNS_HEADING}\n\nAppended by every `python -m bench` run but `--quick`, newest last.\n"
        )
    HISTORY.write_text(
        text.rstrip() + "\n\n" + run_record(sections, command, elapsed, load_before) + "\n"
    )


def console(section: Section) -> None:
    """Print one section as soon as it is done."""
    print(section.markdown(heading="==="), flush=True)


def command_line() -> str:
    """How this run was started, for the record."""
    args = " ".join(sys.argv[1:])
    return f"python -m bench {args}".strip()

"""`python -m bench`: run the benchmarks, print each table, write BENCHMARKS.md."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench._report import Section, command_line, console, document, load, record_run

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("in_process", "loopback", "fanout", "download", "cold_start", "batch")


def _plan(quick: bool) -> dict[str, Callable[[], Section]]:
    from bench.batch import batch
    from bench.client_cost import client_cost
    from bench.cold_start import cold_start
    from bench.download import GiB, MiB, download
    from bench.fanout import fanout

    if quick:
        return {
            "in_process": lambda: client_cost(ops=50, rounds=3),
            "loopback": lambda: client_cost(ops=20, rounds=3, loopback=True),
            "fanout": lambda: fanout(tasks=100, rounds=1, poll=1.0),
            "download": lambda: download(size=64 * MiB, rounds=2),
            "cold_start": lambda: cold_start(rounds=3),
            "batch": lambda: batch(jobs=100, rounds=1),
        }
    return {
        "in_process": lambda: client_cost(ops=300, rounds=15),
        "loopback": lambda: client_cost(ops=150, rounds=9, loopback=True),
        "fanout": lambda: fanout(tasks=10_000, rounds=2),
        "download": lambda: download(size=GiB, rounds=7),
        "cold_start": lambda: cold_start(rounds=15),
        "batch": lambda: batch(jobs=1000, rounds=9),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks; a full run writes BENCHMARKS.md at the repository root."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke run")
    parser.add_argument("--only", nargs="+", choices=NAMES, help="run only these benchmarks")
    parser.add_argument(
        "--out",
        type=Path,
        help="where to write the report (default: BENCHMARKS.md for a full run, nothing otherwise)",
    )
    args = parser.parse_args(argv)
    out: Path | None = args.out
    if out is None and not args.quick and not args.only:
        out = ROOT / "BENCHMARKS.md"

    plan = _plan(args.quick)
    load_before = load()
    start = time.perf_counter()
    sections: list[Section] = []
    for name in args.only or NAMES:
        print(f"... running {name}", file=sys.stderr, flush=True)
        section = plan[name]()
        console(section)
        sections.append(section)
    elapsed = time.perf_counter() - start

    checks = [c for s in sections for c in s.checks]
    print(f"targets: {sum(c.ok for c in checks)} of {len(checks)} hold; {elapsed:.0f} s")
    if not args.quick:  # every real run's figures are kept, met or missed
        record_run(sections, command_line(), elapsed, load_before)
    if out is not None:
        out.write_text(document(sections, command_line(), elapsed))
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

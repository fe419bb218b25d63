"""The batch benchmark runs both variants on the same jobs and the same requests, and says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_batch_bench_runs_both_variants_on_the_same_requests(tmp_path: Path) -> None:
    from bench.batch import batch

    # batch() raises when a variant did not finish every job with its file
    section = batch(jobs=4, rounds=1, poll=0.05, scratch_in=str(tmp_path))
    assert list(tmp_path.iterdir()) == []  # every run's files removed at the section's end
    assert [row[0] for row in section.rows] == ["generate", "batch"]
    for name in ("generate wall s", "batch wall s", "batch peak RSS MiB"):
        assert section.numbers[name] > 0, name
    assert section.numbers["batch wall s"] >= 0.1  # two poll intervals before the second query
    # the sandbox's per_poll clock: each task finishes on its second query, in both variants
    column = section.columns.index("creates + queries + downloads")
    assert [row[column] for row in section.rows] == ["4 + 8 + 4", "4 + 8 + 4"]
    assert section.numbers["batch queries/job"] == section.numbers["generate queries/job"] == 2
    assert section.figures[0] == (
        "requests at the sandbox: 4 creates + 8 queries + 4 downloads in every run "
        "(generate and batch, 1 each): the same work"
    )
    assert {c.what for c in section.checks} == {"batch / generate wall time", "batch peak RSS"}
    # the CPU time of both, beside the wall-time target (steadier on a shared machine)
    assert section.numbers["batch CPU s"] > 0 and section.numbers["generate CPU s"] > 0
    assert section.figures[1].startswith("batch / generate CPU time = ")
    assert section.rows[1][section.columns.index("CPU vs generate")].endswith("x")
    notes = [n for n in section.notes if " run 1: " in n]
    assert len(notes) == 2 and all("4 + 8 + 4 creates + queries + downloads" in n for n in notes)
    assert not any("NOT" in n for n in section.notes)


def _run(wall: float, requests: list[int]) -> dict[str, Any]:
    return {"wall": wall, "cpu": wall / 2, "requests": requests, "peak_rss_kib": 50 * 1024}


def test_a_run_with_other_requests_is_marked_not_compared_silently() -> None:
    from bench.batch import _section

    results = {
        "generate": [_run(10.0, [10, 20, 10]), _run(11.0, [10, 20, 10])],
        "batch": [_run(10.5, [10, 20, 10]), _run(10.4, [10, 17, 10])],
    }
    samples = {v: [r["wall"] for r in runs] for v, runs in results.items()}
    section = _section(samples, results, jobs=10, rounds=2, poll=1.0)
    column = section.columns.index("creates + queries + downloads")
    assert [row[column] for row in section.rows] == ["10 + 20 + 10", "differ between runs"]
    marked = [n for n in section.notes if "NOT the expected requests" in n]
    assert marked == [
        "batch run 2: wall 10.40 s, CPU 5.20 s, peak RSS 50 MiB, 10 + 17 + 10 creates + "
        "queries + downloads (NOT the expected requests)"
    ]
    assert "NOT 10 + 20 + 10 in every run, the ratios compare unlike work" in section.figures[0]
    assert "batch / generate wall time (unlike work)" in {c.what for c in section.checks}
    assert section.figures[1].startswith("batch / generate CPU time (unlike work) = ")

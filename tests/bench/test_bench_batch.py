"""The batch benchmark runs both variants on a few jobs and reports comparable figures."""

from __future__ import annotations


def test_batch_bench_runs_both_variants_on_the_same_jobs() -> None:
    from bench.batch import batch

    # batch() raises when a variant did not create and download every job exactly once
    section = batch(jobs=4, rounds=1, poll=0.05, duration=0.3)
    assert [row[0] for row in section.rows] == ["generate", "batch"]
    for name in ("generate wall s", "batch wall s", "batch peak RSS MiB"):
        assert section.numbers[name] > 0, name
    assert section.numbers["batch wall s"] >= 0.3  # a task takes 0.3 s
    assert section.numbers["batch polls/job"] >= 1
    assert {c.what for c in section.checks} == {"batch / generate wall time", "batch peak RSS"}
    # the CPU time of both, beside the wall-time target (steadier on a shared machine)
    assert section.numbers["batch CPU s"] > 0 and section.numbers["generate CPU s"] > 0
    assert [f.split(" = ")[0] for f in section.figures] == ["batch / generate CPU time"]
    assert section.rows[1][section.columns.index("CPU vs generate")].endswith("x")

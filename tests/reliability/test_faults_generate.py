"""generate() through a fault at every stage: one task, one file, the create counted.

Create, wait and download each meet a transient fault; generate() rides them
all out. An ambiguous create (503) stops it before anything else is asked.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _harness import PARAMS, Facade
from _mp4probe import probe_mp4

from wan_r2v import TaskMayExistError, TaskStatus
from wan_r2v.sandbox import Sandbox


def test_generate_rides_out_a_fault_at_every_stage(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.faults.add("429;retry_after=1;count=1", route="create")
    sandbox.faults.add("503;retry_after=0;count=3", route="query")
    sandbox.faults.add("reset;count=1", route="query")
    sandbox.faults.add("truncate;bytes=7000;count=1", route="download")
    reported: list[TaskStatus] = []
    result = facade.generate(
        path=tmp_path, on_progress=lambda task: reported.append(task.status), **PARAMS
    )
    assert result.task.succeeded
    assert result.path == tmp_path / f"{result.task.id}.mp4"
    assert probe_mp4(result.path).width == 1280
    assert sorted(p.name for p in tmp_path.iterdir()) == [result.path.name]
    assert sandbox.count("create") == 2  # the 429, then the one that made the task
    assert [t.id for t in sandbox.tasks] == [result.task.id]
    ranges = [r.headers.get("range") for r in sandbox.requests if r.route == "download"]
    assert ranges == [None, "bytes=7000-"]
    assert reported[0] in (TaskStatus.QUEUED, TaskStatus.RUNNING)
    assert reported[-1] is TaskStatus.SUCCEEDED


def test_generate_stops_at_an_ambiguous_create(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.faults.add("503;count=1", route="create")
    with pytest.raises(TaskMayExistError):
        facade.generate(path=tmp_path, **PARAMS)
    assert sandbox.count("create") == 1
    assert sandbox.count("query") == sandbox.count("download") == 0
    assert list(tmp_path.iterdir()) == []

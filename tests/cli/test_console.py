"""The console redacts secrets from every stream; the progress line suits TTYs and logs."""

from __future__ import annotations

import io

from wan_r2v.cli._console import REDACTED, Console
from wan_r2v.cli._progress import ProgressBar
from wan_r2v.task import Task, TaskStatus


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_secrets_never_reach_either_stream() -> None:
    out, err = io.StringIO(), io.StringIO()
    console = Console(out, err, secrets=["sk-secret-1"])
    console.add_secret("sk-secret-22")
    console.out("key sk-secret-1 and sk-secret-22")
    console.err("again sk-secret-22")
    console.json({"k": "sk-secret-1"})
    assert "sk-secret" not in out.getvalue() + err.getvalue()
    assert out.getvalue().count(REDACTED) == 3
    assert REDACTED in err.getvalue()


def test_empty_or_tiny_secrets_are_ignored() -> None:
    out = io.StringIO()
    console = Console(out, io.StringIO(), secrets=["", "a"])
    console.out("a banana")
    assert out.getvalue() == "a banana\n"


def _task(status: TaskStatus, progress: int) -> Task:
    return Task(id="task_1", status=status, progress=progress)


def test_progress_in_a_log_prints_one_line_per_change() -> None:
    err = io.StringIO()
    bar = ProgressBar(Console(io.StringIO(), err), clock=lambda: 0.0)
    for task in [
        _task(TaskStatus.QUEUED, 0),
        _task(TaskStatus.QUEUED, 0),
        _task(TaskStatus.RUNNING, 40),
        _task(TaskStatus.SUCCEEDED, 100),
    ]:
        bar.update(task)
    bar.close()
    lines = err.getvalue().splitlines()
    assert lines == [
        "task_1: queued 0% (0:00)",
        "task_1: running 40% (0:00)",
        "task_1: succeeded 100% (0:00)",
    ]
    assert "\r" not in err.getvalue()


def test_progress_on_a_terminal_redraws_one_line() -> None:
    err = _Tty()
    ticks = iter([0.0, 5.0, 65.0])
    bar = ProgressBar(Console(io.StringIO(), err), clock=lambda: next(ticks))
    bar.update(_task(TaskStatus.RUNNING, 50))
    bar.update(_task(TaskStatus.SUCCEEDED, 100))
    bar.close()
    text = err.getvalue()
    assert text.count("\r") == 2
    assert text.endswith("\n") and text.count("\n") == 1
    assert " 50%" in text and "100%" in text and "1:05" in text
    assert "[" + "#" * 24 + "]" in text


def test_disabled_progress_writes_nothing() -> None:
    err = _Tty()
    bar = ProgressBar(Console(io.StringIO(), err), enabled=False)
    bar.update(_task(TaskStatus.RUNNING, 50))
    bar.close()
    assert err.getvalue() == ""

"""`wan-r2v batch run|status`: exit codes, JSON lines, summary, progress lines, invalid files."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from _batch_helpers import job, write_jobs

from wan_r2v.batch import BatchProgress, State
from wan_r2v.cli._batch import format_progress
from wan_r2v.cli._main import run
from wan_r2v.sandbox import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(duration=0.2) as sb:
        yield sb


def cli(sb: Sandbox, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = {"WAN_R2V_API_KEY": sb.api_key, "WAN_R2V_BASE_URL": sb.base_url}
    code = run(list(argv), stdout=out, stderr=err, environ=env)
    return code, out.getvalue(), err.getvalue()


def test_an_invalid_file_sends_nothing_and_lists_every_line(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("\n".join([json.dumps(job(0)), json.dumps({**job(1), "duration": 99}), "{"]))
    code, out, err = cli(sandbox, "batch", "run", str(jobs), "-o", str(tmp_path / "out"), "--json")
    assert code == 2 and len(sandbox.requests) == 0
    problems = json.loads(out)["error"]["problems"]
    assert [(p["line"], p["field"]) for p in problems] == [(2, "duration"), (3, "")]
    assert "line 2: duration" in err and "--skip-invalid" in err
    assert not (tmp_path / "jobs.jsonl.journal.sqlite").exists()

    code, out, err = cli(
        sandbox,
        "batch",
        "run",
        str(jobs),
        "-o",
        str(tmp_path / "out"),
        "--skip-invalid",
        "--poll-interval",
        "0.05",
    )
    assert code == 0 and sandbox.count("create") == 1
    assert "skipped: " in err and "line 3" in err
    assert out.startswith("1 jobs: 1 downloaded")


def test_json_lines_then_a_summary_and_status(sandbox: Sandbox, tmp_path: Path) -> None:
    jobs = write_jobs(tmp_path, 3)
    sandbox.faults.add("failed", route="create", times=1, message="policy")
    argv = [
        "batch",
        "run",
        str(jobs),
        "-o",
        str(tmp_path / "out"),
        "--json",
        "--poll-interval",
        "0.05",
    ]
    code, out, err = cli(sandbox, *argv, "--max-in-flight", "1")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 4  # a job failed
    assert sorted(line["state"] for line in lines[:-1]) == ["downloaded", "downloaded", "failed"]
    assert lines[-1]["summary"]["counts"] == {"downloaded": 2, "failed": 1}
    assert err.count("] v00") == 3  # a plain line per ended job (stderr is not a terminal)

    journal = f"{jobs}.journal.sqlite"
    code, out, _ = cli(sandbox, "batch", "status", journal, "--json")
    status = json.loads(out)
    assert code == 0 and status["counts"]["failed"] == 1 and status["counts"]["downloaded"] == 2
    assert status["failed"][0]["error"].startswith("policy") and not status["complete"]
    code, out, _ = cli(sandbox, "batch", "status", journal)
    assert "failed 1" in out and "policy" in out

    code, out, _ = cli(sandbox, *argv, "--retry-failed")
    assert code == 0 and json.loads(out.splitlines()[-1])["summary"]["counts"] == {"downloaded": 3}


def test_status_of_a_missing_journal_is_a_usage_error(sandbox: Sandbox, tmp_path: Path) -> None:
    code, _, err = cli(sandbox, "batch", "status", str(tmp_path / "none.sqlite"))
    assert code == 2 and "no journal" in err


def test_the_progress_line_counts_the_whole_batch() -> None:
    p = BatchProgress(
        total=10,
        counts={State.DOWNLOADED: 4, State.CREATED: 3, State.FAILED: 1, State.PENDING: 2},
        ended_this_run=5,
        to_do=10,
        started=0.0,
        now=50.0,
    )
    assert format_progress(p) == (
        "batch 4/10 done  3 running  1 failed  2 pending  elapsed 0:50  eta 0:50"
    )


def test_a_wait_timeout_exits_5_and_a_rerun_resumes_by_id(tmp_path: Path) -> None:
    with Sandbox(duration=1.5) as sb:
        jobs = write_jobs(tmp_path, 2)
        argv = ["batch", "run", str(jobs), "-o", str(tmp_path / "out"), "--poll-interval", "0.05"]
        code, out, _ = cli(sb, *argv, "--timeout", "0.2")
        assert code == 5 and "still running" in out and "rerun" in out
        code, out, _ = cli(sb, *argv)
        assert code == 0 and out.startswith("2 jobs: 2 downloaded")
        assert sb.count("create") == 2  # resumed by task id, not created again


def test_a_refused_key_exits_3_and_another_output_folder_exits_2(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    jobs = write_jobs(tmp_path, 2)
    argv = ["batch", "run", str(jobs), "--poll-interval", "0.05"]
    code, _, err = cli(sandbox, *argv, "-o", str(tmp_path / "out"), "--api-key", "sk-wrong")
    assert code == 3 and "run the batch again" in err
    code, _, err = cli(sandbox, *argv, "-o", str(tmp_path / "elsewhere"))
    assert code == 2 and "output folder" in err
    code, _, _ = cli(sandbox, *argv, "-o", str(tmp_path / "out"))
    assert code == 0


def test_a_second_runner_on_the_same_journal_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    from wan_r2v.batch import SQLiteJournal

    jobs = write_jobs(tmp_path, 1)
    with SQLiteJournal(f"{jobs}.journal.sqlite"):  # a run holds it
        code, _, err = cli(sandbox, "batch", "run", str(jobs), "-o", str(tmp_path / "out"))
    assert code == 2 and "another `batch run`" in err and sandbox.count("create") == 0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_batch_line_is_redrawn_and_ended_jobs_print_above_it() -> None:
    from wan_r2v.batch import JobOutcome
    from wan_r2v.cli._batch import _Display
    from wan_r2v.cli._console import Console

    err = _Terminal()
    display = _Display(Console(io.StringIO(), err), enabled=True)
    progress = BatchProgress(
        total=2, counts={State.CREATED: 2}, ended_this_run=0, to_do=2, started=0.0, now=1.0
    )
    display.progress(progress)
    assert err.getvalue() == "\r" + format_progress(progress)
    display.ended(
        JobOutcome(name="a", line=1, state=State.DOWNLOADED, file=Path("out/a.mp4")), 1, 2
    )
    # the live line is wiped, the job's line printed, the live line drawn again below it
    assert err.getvalue().endswith(
        "[1/2] a: downloaded -> out/a.mp4\n\r" + format_progress(progress)
    )
    display.close()
    assert err.getvalue().endswith("\r")

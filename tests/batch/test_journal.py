"""The journal's rules: allowed moves, what a run does per state, SQLite durability and guards."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _batch_helpers import job

from wan_r2v.batch import (
    Change,
    JobRecord,
    Journal,
    JournalBusyError,
    JournalConflictError,
    JournalMismatchError,
    Quota,
    SQLiteJournal,
    State,
    Step,
    parse_jobs,
    read_status,
    step_for,
)
from wan_r2v.batch._states import ALLOWED, TransitionError


def jobs(*indexes: int, **extra: object):  # type: ignore[no-untyped-def]
    import json

    text = "".join(json.dumps(job(i, **extra)) + "\n" for i in indexes)
    return parse_jobs(text, path="j.jsonl").jobs


def record(state: State, **kw: object) -> JobRecord:
    return JobRecord(name="a", line=1, fingerprint="f", state=state, **kw)  # type: ignore[arg-type]


def test_moves_outside_the_table_are_refused() -> None:
    for old in State:
        for new in State:
            if new in ALLOWED[old]:
                Change("a", old, new)
            else:
                with pytest.raises(TransitionError):
                    Change("a", old, new)
    assert ALLOWED[State.DOWNLOADED] == frozenset()
    assert State.CREATING not in ALLOWED[State.CREATED]  # a task with an id is never re-created


def test_step_for_each_state() -> None:
    assert step_for(record(State.PENDING)) is Step.CREATE
    assert step_for(record(State.CREATING)) is Step.MARK_UNCERTAIN
    assert step_for(record(State.CREATED, task_id="t")) is Step.WAIT
    assert step_for(record(State.SUCCEEDED, task_id="t")) is Step.DOWNLOAD
    assert step_for(record(State.DOWNLOADED, task_id="t")) is Step.DONE
    assert step_for(record(State.UNCERTAIN)) is Step.LEAVE_UNCERTAIN
    assert step_for(record(State.UNCERTAIN), recreate_uncertain=lambda n: True) is Step.CREATE
    assert step_for(record(State.FAILED, error_stage="task")) is Step.LEAVE_FAILED
    yes = {"retry_failed": lambda n: True}
    assert step_for(record(State.FAILED, error_stage="task", task_id="t"), **yes) is Step.CREATE
    assert (
        step_for(record(State.FAILED, error_stage="download", task_id="t"), **yes) is Step.DOWNLOAD
    )


def test_quota_paces_creates_and_a_429_pauses_everything() -> None:
    q = Quota(creates_per_minute=60)
    assert q.reserve_create(100.0) == 0.0
    assert q.reserve_create(100.0) == pytest.approx(1.0)
    assert q.send_delay(100.0) == 0.0
    q.on_rate_limited(100.0, retry_after=5.0)
    assert q.send_delay(100.0) == pytest.approx(5.0)  # every request of the batch waits
    assert q.factor == 0.5
    # the next create waits for the pause, then goes at half the rate
    assert q.reserve_create(100.0) == pytest.approx(5.0)
    assert q.reserve_create(105.0) == pytest.approx(2.0)
    q.on_rate_limited(106.0, retry_after=None)  # second in a row, no Retry-After: 2 s backoff
    assert q.send_delay(106.0) == pytest.approx(2.0)
    q.on_success(create=True)
    assert q.strikes == 0 and q.factor == pytest.approx(0.25 * 1.1)
    assert Quota().reserve_create(0.0) == 0.0 and Quota().reserve_create(0.0) == 0.0
    with pytest.raises(ValueError):
        Quota(creates_per_minute=0)


def test_sqlite_journal_is_wal_with_synchronous_full(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with SQLiteJournal(path) as journal:
        assert isinstance(journal, Journal)
        journal.open_batch(jobs(0, 1), str(tmp_path / "out"))
        db = journal._db
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 100  # a small log


def test_moves_are_applied_only_from_the_expected_state(tmp_path: Path) -> None:
    with SQLiteJournal(tmp_path / "j.sqlite") as journal:
        journal.open_batch(jobs(0, 1), str(tmp_path))
        journal.apply([Change("v000", State.PENDING, State.CREATING)])
        journal.apply([Change("v000", State.CREATING, State.CREATED, task_id="task_1")])
        with pytest.raises(JournalConflictError, match="v001"):
            # one move that does not fit: the whole transaction is refused
            journal.apply(
                [
                    Change("v000", State.CREATED, State.SUCCEEDED),
                    Change("v001", State.CREATED, State.SUCCEEDED),
                ]
            )
        rows = {r.name: r for r in journal.records()}
        assert rows["v000"].state is State.CREATED and rows["v000"].task_id == "task_1"
        assert rows["v000"].attempts == 1 and rows["v001"].state is State.PENDING
        # a new create forgets the old task id
        journal.apply(
            [Change("v000", State.CREATED, State.FAILED, error="boom", error_stage="task")]
        )
        journal.apply([Change("v000", State.FAILED, State.CREATING)])
        row = journal.records()[0]
        assert (row.state, row.task_id, row.attempts, row.error) == (State.CREATING, None, 2, None)


def test_a_changed_job_or_another_output_folder_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with SQLiteJournal(path) as journal:
        journal.open_batch(jobs(0, 1), str(tmp_path / "out"))
    with SQLiteJournal(path) as journal:
        with pytest.raises(JournalMismatchError, match="v001"):
            journal.open_batch(jobs(0) + jobs(1, duration=3), str(tmp_path / "out"))
        with pytest.raises(JournalMismatchError, match="output folder"):
            journal.open_batch(jobs(0, 1), str(tmp_path / "elsewhere"))
        # new jobs join as pending, known ones keep their rows
        rows = journal.open_batch(jobs(0, 1, 2), str(tmp_path / "out"))
        assert [(r.name, r.state) for r in rows] == [(f"v00{i}", State.PENDING) for i in range(3)]


def test_one_runner_per_journal(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with SQLiteJournal(path), pytest.raises(JournalBusyError, match="another"):
        SQLiteJournal(path)
    SQLiteJournal(path).close()  # released


def test_an_applied_move_survives_a_killed_process(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with SQLiteJournal(path) as journal:
        journal.open_batch(jobs(0), str(tmp_path))
    child = (
        "import os, sys\n"
        "from wan_r2v.batch import SQLiteJournal, Change, State\n"
        "j = SQLiteJournal(sys.argv[1])\n"
        "j.apply([Change('v000', State.PENDING, State.CREATING)])\n"
        "os.kill(os.getpid(), 9)\n"
    )
    done = subprocess.run([sys.executable, "-c", child, str(path)], check=False)
    assert done.returncode == -9
    status = read_status(path)
    assert status.counts["creating"] == 1 and [r.name for r in status.uncertain] == ["v000"]
    assert sqlite3.connect(path).execute("SELECT attempts FROM jobs").fetchone()[0] == 1


def test_each_row_keeps_when_it_was_sent_got_its_task_and_ended(tmp_path: Path) -> None:
    with SQLiteJournal(tmp_path / "j.sqlite") as journal:
        journal.open_batch(jobs(0), str(tmp_path))
        journal.apply([Change("v000", State.PENDING, State.CREATING)])
        sent = journal.records()[0]
        assert sent.sent_at is not None and sent.task_at is None and sent.ended_at is None
        journal.apply([Change("v000", State.CREATING, State.CREATED, task_id="t")])
        journal.apply([Change("v000", State.CREATED, State.SUCCEEDED)])
        journal.apply([Change("v000", State.SUCCEEDED, State.DOWNLOADED, file="f.mp4")])
        done = journal.records()[0]
        assert done.sent_at == sent.sent_at
        assert done.created_at <= done.sent_at <= done.task_at <= done.ended_at == done.updated_at  # type: ignore[operator]


# --- a group of moves: one statement where SQLite can, one statement a move otherwise ------


@pytest.fixture(params=["one statement", "one a move"])
def journal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLiteJournal]:
    """A journal of jobs v000-v002, its groups applied either way (both must write the same)."""
    with SQLiteJournal(tmp_path / "j.sqlite") as opened:
        assert opened._one_statement  # this machine's SQLite can; the other way is forced
        opened._one_statement = request.param == "one statement"
        opened.open_batch(jobs(0, 1, 2), str(tmp_path))
        yield opened


def _rows(journal: SQLiteJournal) -> list[tuple[object, ...]]:
    return [tuple(row) for row in journal._db.execute("SELECT * FROM jobs ORDER BY name")]


def test_a_group_that_does_not_fit_writes_nothing_and_names_the_move(
    journal: SQLiteJournal,
) -> None:
    journal.apply([Change("v000", State.PENDING, State.CREATING)])
    before = _rows(journal)
    with pytest.raises(JournalConflictError, match="'v002' was not created"):
        journal.apply(
            [
                Change("v000", State.CREATING, State.CREATED, task_id="t0"),
                Change("v001", State.PENDING, State.CREATING),
                Change("v002", State.CREATED, State.SUCCEEDED),  # it is pending
            ]
        )
    assert _rows(journal) == before


def test_one_job_moved_twice_in_a_group_moves_in_order(journal: SQLiteJournal) -> None:
    journal.apply(
        [
            Change("v000", State.PENDING, State.CREATING),
            Change("v001", State.PENDING, State.CREATING),
            Change("v000", State.CREATING, State.CREATED, task_id="t0"),
        ]
    )
    rows = {r.name: r for r in journal.records()}
    assert (rows["v000"].state, rows["v000"].task_id, rows["v000"].attempts) == (
        State.CREATED,
        "t0",
        1,
    )
    assert rows["v001"].state is State.CREATING and rows["v002"].state is State.PENDING


def test_both_ways_write_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter(range(1000, 2000))
    monkeypatch.setattr("wan_r2v.batch._journal.time.time", lambda: float(next(clock)))
    # every field a move can set: a new create, a task id, an error, a file, an end, a retry
    groups = [
        [Change(f"v00{i}", State.PENDING, State.CREATING) for i in range(3)],
        [
            Change("v000", State.CREATING, State.CREATED, task_id="t0"),
            Change("v001", State.CREATING, State.UNCERTAIN, error="lost", error_stage="create"),
            Change("v002", State.CREATING, State.CREATED, task_id="t2"),
        ],
        [
            Change("v000", State.CREATED, State.DOWNLOADED, file="out/v000.mp4"),
            Change("v002", State.CREATED, State.FAILED, error="boom", error_stage="task"),
            Change("v001", State.UNCERTAIN, State.CREATING),
        ],
        [Change("v002", State.FAILED, State.CREATING)],
    ]
    seen = []
    for way in (True, False):
        clock = iter(range(1000, 2000))
        with SQLiteJournal(tmp_path / f"{way}.sqlite") as journal:
            journal._one_statement = way
            journal.open_batch(jobs(0, 1, 2), str(tmp_path))
            journal._db.execute("UPDATE jobs SET created_at = 0, updated_at = 0")
            for group in groups:
                journal.apply(group)
            seen.append(_rows(journal))
    assert seen[0] == seen[1]
    by_name = {row[0]: row for row in seen[0]}
    assert by_name["v000"][4:10] == ("downloaded", "t0", 1, None, None, "out/v000.mp4")
    assert by_name["v001"][4:10] == ("creating", None, 2, None, None, None)
    assert by_name["v002"][4:10] == ("creating", None, 2, None, None, None)


def test_a_group_is_one_statement_and_one_transaction(tmp_path: Path) -> None:
    with SQLiteJournal(tmp_path / "j.sqlite") as journal:
        journal.open_batch(jobs(0, 1, 2), str(tmp_path))
        statements: list[str] = []
        journal._db.set_trace_callback(statements.append)
        journal.apply([Change(f"v00{i}", State.PENDING, State.CREATING) for i in range(3)])
        journal._db.set_trace_callback(None)
        assert len(statements) == 1 and statements[0].startswith("UPDATE jobs SET")
        assert [r.state for r in journal.records()] == [State.CREATING] * 3


def test_an_sqlite_without_update_from_moves_one_statement_a_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))  # Ubuntu 20.04's
    with SQLiteJournal(tmp_path / "j.sqlite") as journal:
        assert not journal._one_statement
        journal.open_batch(jobs(0, 1), str(tmp_path))
        journal.apply([Change(f"v00{i}", State.PENDING, State.CREATING) for i in range(2)])
        assert [r.state for r in journal.records()] == [State.CREATING] * 2


def test_a_job_on_another_line_keeps_its_row_with_the_new_line(tmp_path: Path) -> None:
    import json

    def lines(*indexes: int):  # type: ignore[no-untyped-def]
        return parse_jobs("".join(json.dumps(job(i)) + "\n" for i in indexes), path="j.jsonl").jobs

    with SQLiteJournal(tmp_path / "j.sqlite") as journal:
        journal.open_batch(lines(0, 1, 2), str(tmp_path))
        journal.apply([Change("v002", State.PENDING, State.CREATING)])
        rows = journal.open_batch(lines(2, 0, 1), str(tmp_path))  # v002 moved to the top
        assert [(r.name, r.line, r.state) for r in rows] == [
            ("v002", 1, State.CREATING),
            ("v000", 2, State.PENDING),
            ("v001", 3, State.PENDING),
        ]


def test_text_utf8_cannot_hold_is_spelled_out_and_a_nul_is_kept(journal: SQLiteJournal) -> None:
    journal.apply([Change(f"v00{i}", State.PENDING, State.CREATING) for i in range(3)])
    # a lone surrogate (an emoji cut in a gateway's message, a non-UTF-8 path) is not UTF-8:
    # the move is stored with it spelled out, and the journal stays readable
    journal.apply(
        [
            Change("v000", State.CREATING, State.FAILED, error="cut \ud83d", error_stage="task"),
            Change("v001", State.CREATING, State.CREATED, task_id="t1"),
        ]
    )
    journal.apply([Change("v001", State.CREATED, State.DOWNLOADED, file="out/\udcff.mp4")])
    rows = journal.records()
    assert rows[0].error == "cut \\ud83d" and rows[1].file == "out/\\udcff.mp4"
    # a NUL in an error is kept whole (SQLite 3.40's json_extract would cut it there)
    journal.apply(
        [
            Change("v002", State.CREATING, State.FAILED, error="a\x00b", error_stage="task"),
            Change("v000", State.FAILED, State.CREATING),
        ]
    )
    assert journal.records()[2].error == "a\x00b"

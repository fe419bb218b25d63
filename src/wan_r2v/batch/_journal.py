"""The journal: one durable row per job, behind one small interface (`Journal`); SQLite by default.

A backend only has to: register a batch's jobs (`open_batch`), read every row
(`records`), apply a list of moves in one durable transaction, each only if the
job is still where the runner believes it is (`apply`), and close. The runner
never sees SQL, so another backend (PostgreSQL, see README "Batches") plugs in
without touching it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..errors import WanR2VError
from ._jobs import Job
from ._states import END_STATES, Change, JobRecord, State

__all__ = [
    "Journal",
    "JournalBusyError",
    "JournalConflictError",
    "JournalMismatchError",
    "SQLiteJournal",
]

SCHEMA_VERSION = "1"

#: Pages the write-ahead log holds before they go into the database file. A small log is
#: written over in place once full, so a commit's fdatasync flushes its data alone (a log
#: that grows changes its size, which ext4 commits to its own journal, every time): a 1,000
#: job batch's commits took ~28% less time and ~20% less CPU than with SQLite's 1,000.
_WAL_PAGES = 100

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    name TEXT PRIMARY KEY,
    line INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    params TEXT NOT NULL,
    state TEXT NOT NULL,
    task_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    error_stage TEXT,
    file TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    sent_at REAL,
    task_at REAL,
    ended_at REAL
);
"""


#: The fields of one move (`_move_fields`): named parameters of `_MOVE`, columns of `_MOVES`' moves.
_FIELDS = (
    "name",
    "expected",
    "state",
    "new_create",
    "task_id",
    "error",
    "error_stage",
    "file",
    "ended",
)

#: What a move does to its job's row, once for both statements: ``{x}`` is the move's field x.
_SET = (
    "state = {state}, "
    "task_id = CASE WHEN {new_create} THEN NULL ELSE COALESCE({task_id}, jobs.task_id) END, "
    "attempts = jobs.attempts + {new_create}, error = {error}, error_stage = {error_stage}, "
    "file = COALESCE({file}, jobs.file), updated_at = :now, "
    "sent_at = CASE WHEN {new_create} THEN :now ELSE jobs.sent_at END, "
    "task_at = CASE WHEN {task_id} IS NOT NULL THEN :now ELSE jobs.task_at END, "
    "ended_at = CASE WHEN {ended} THEN :now ELSE NULL END"
)

#: One move, only from the state the runner believes its job is in.
_MOVE = (
    "UPDATE jobs SET "
    + _SET.format(**{f: f":{f}" for f in _FIELDS})
    + " WHERE name = :name AND state = :expected"
)

#: The moves of a group (``:moves``, a JSON array of `_move_fields` objects), as a table.
_TABLE = (
    "(SELECT "
    + ", ".join(f"json_extract(value, '$.{f}') AS {f}" for f in _FIELDS)
    + " FROM json_each(:moves))"
)

#: A whole group of moves as one statement: one transaction, and one step (the writer
#: thread takes the GIL back once, not once a row). It changes every job of the group or
#: none: the guard counts the jobs found where their moves expect them. SQLite 3.33+, JSON.
_MOVES = (
    "UPDATE jobs SET "
    + _SET.format(**{f: f"m.{f}" for f in _FIELDS})
    + f" FROM {_TABLE} AS m WHERE jobs.name = m.name AND jobs.state = m.expected"
    + f" AND (SELECT count(*) FROM jobs AS j JOIN {_TABLE} AS k"
    + " ON j.name = k.name AND j.state = k.expected) = json_array_length(:moves)"
)


def _move_fields(change: Change) -> dict[str, object]:
    """A move's `_FIELDS`."""
    return {
        "name": change.name,
        "expected": change.expected.value,
        "state": change.state.value,
        "new_create": 1 if change.counts_attempt else 0,  # a new create: the old task id is gone
        "task_id": change.task_id,
        "error": _storable(change.error),
        "error_stage": change.error_stage,
        "file": _storable(change.file),
        "ended": 1 if change.state in END_STATES else 0,
    }


def _storable(text: str | None) -> str | None:
    """`text` as UTF-8 can hold it: a lone surrogate (an emoji cut in a gateway's message, a
    path's undecodable byte) spelled out as ``\\udcff``, rather than a move that cannot be stored."""
    return None if text is None else text.encode("utf-8", "backslashreplace").decode("utf-8")


def _group_json(moves: list[dict[str, object]]) -> str | None:
    """`_MOVES`' ``:moves`` for a group it can apply, else None: each job once, and no NUL
    (3.40's json_extract cuts it). Text as it is, not ASCII escapes: json_extract would turn
    an escaped lone surrogate into bytes no read decodes."""
    if len({m["name"] for m in moves}) != len(moves):
        return None
    text = json.dumps(moves, ensure_ascii=False)
    return None if "\\u0000" in text else text


def _groups_in_one_statement(db: sqlite3.Connection) -> bool:
    """Whether this SQLite runs `_MOVES` (UPDATE ... FROM is 3.33+; JSON may be left out)."""
    if sqlite3.sqlite_version_info < (3, 33, 0):
        return False
    try:
        db.execute("SELECT json_array_length('[]')").fetchone()
    except sqlite3.OperationalError:  # built without JSON
        return False
    return True


class JournalBusyError(WanR2VError):
    """Another run holds the journal: two runners on one journal could create a job twice."""


class JournalMismatchError(WanR2VError):
    """The journal belongs to other jobs or another output folder; nothing was sent."""


class JournalConflictError(WanR2VError):
    """A job was not where the runner believed (a second writer?): the move was refused."""


@runtime_checkable
class Journal(Protocol):
    """Where a batch keeps each job's state; every `apply` is durable when it returns."""

    def open_batch(self, jobs: Sequence[Job], output: str) -> list[JobRecord]:
        """Register the jobs (new ones as pending) and return every row; refuse a changed job."""
        ...

    def records(self) -> list[JobRecord]:
        """Every job's row, in line order."""
        ...

    def apply(self, changes: Sequence[Change]) -> None:
        """Apply the moves in one durable transaction; `JournalConflictError` if one does not fit."""
        ...

    def close(self) -> None:
        """Release the journal."""
        ...


def _record(row: sqlite3.Row) -> JobRecord:
    return JobRecord(
        name=row["name"],
        line=row["line"],
        fingerprint=row["fingerprint"],
        state=State(row["state"]),
        task_id=row["task_id"],
        attempts=row["attempts"],
        error=row["error"],
        error_stage=row["error_stage"],
        file=row["file"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        sent_at=row["sent_at"],
        task_at=row["task_at"],
        ended_at=row["ended_at"],
    )


def _lock(path: Path) -> int | None:
    """An exclusive lock on the journal file for this process's run (POSIX); None where unsupported."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        return None
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise JournalBusyError(
            f"another `batch run` is using the journal {path}; wait for it to end "
            "(two runners on one journal could create a job twice)"
        ) from None
    return fd


class SQLiteJournal:
    """The journal in one SQLite file (WAL, synchronous=FULL): a move is on disk when `apply` returns.

    `readonly=True` opens it for reading only (``batch status``), without the run lock.
    """

    def __init__(self, path: str | os.PathLike[str], *, readonly: bool = False) -> None:
        self.path = Path(path)
        self._lock_fd: int | None = None
        self._mutex = threading.Lock()
        if readonly:
            if not self.path.exists():
                raise FileNotFoundError(f"no journal at {self.path}")
            self._db = sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, check_same_thread=False
            )
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock_fd = _lock(self.path)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(f"PRAGMA wal_autocheckpoint={_WAL_PAGES}")
            self._db.executescript(_SCHEMA)
        #: A group of moves in one statement (`_MOVES`), or one statement a move (older SQLite).
        self._one_statement = _groups_in_one_statement(self._db)
        self._db.row_factory = sqlite3.Row

    # --- the interface --------------------------------------------------------------------

    def open_batch(self, jobs: Sequence[Job], output: str) -> list[JobRecord]:
        """Register the jobs (new ones as pending) and return every row; refuse a changed job."""
        with self._mutex:
            known = {
                row["name"]: row
                for row in self._db.execute("SELECT name, fingerprint, line FROM jobs")
            }
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("output") not in (None, output):
                raise JournalMismatchError(
                    f"the journal {self.path} is for the output folder {meta['output']}, not "
                    f"{output}: use -o {meta['output']}, or another journal (--journal)"
                )
            changed = [
                j for j in jobs if j.name in known and known[j.name]["fingerprint"] != j.fingerprint
            ]
            if changed:
                names = ", ".join(f"{j.name!r} (line {j.line})" for j in changed[:10])
                raise JournalMismatchError(
                    f"{len(changed)} job(s) differ from what the journal {self.path} recorded for "
                    f"them: {names}. A changed job would not match its task: restore the line, give "
                    "it a new name, or use another journal (--journal)"
                )
            now = time.time()
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?), ('output', ?)",
                    (SCHEMA_VERSION, output),
                )
                self._db.executemany(
                    "INSERT OR IGNORE INTO jobs (name, line, fingerprint, params, state, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)",
                    [
                        (j.name, j.line, j.fingerprint, json.dumps(dict(j.params)), now, now)
                        for j in jobs
                        if j.name not in known
                    ],
                )
                # a job that moved to another line keeps its row; the line is only for messages
                self._db.executemany(
                    "UPDATE jobs SET line = ? WHERE name = ?",
                    [
                        (j.line, j.name)
                        for j in jobs
                        if j.name in known and known[j.name]["line"] != j.line
                    ],
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return self.records()

    def records(self) -> list[JobRecord]:
        """Every job's row, in line order."""
        with self._mutex:
            rows = self._db.execute("SELECT * FROM jobs ORDER BY line, name").fetchall()
        return [_record(row) for row in rows]

    def apply(self, changes: Sequence[Change]) -> None:
        """Apply the moves in one durable transaction; `JournalConflictError` if one does not fit."""
        if not changes:
            return
        now = time.time()
        moves = [_move_fields(change) for change in changes]
        text = _group_json(moves) if self._one_statement else None
        with self._mutex:
            if text is not None and self._db.execute(
                _MOVES, {"now": now, "moves": text}
            ).rowcount == len(moves):
                return
            # else (when it ran: one did not fit, and nothing was written) one move at a time,
            # in order, naming the one that does not fit
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for change, move in zip(changes, moves, strict=True):  # in order
                    if self._db.execute(_MOVE, {**move, "now": now}).rowcount != 1:
                        raise JournalConflictError(
                            f"job {change.name!r} was not {change.expected} in {self.path} "
                            f"(moving it to {change.state}): is another runner using it?"
                        )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Close the database and release the run lock."""
        with self._mutex:
            self._db.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = None

    # --- reading beyond the interface (status) --------------------------------------------

    def meta(self) -> dict[str, str]:
        """The journal's own facts: schema version, output folder."""
        with self._mutex:
            return dict(self._db.execute("SELECT key, value FROM meta").fetchall())

    def params_of(self, name: str) -> dict[str, object] | None:
        """The create() arguments recorded for a job."""
        with self._mutex:
            row = self._db.execute("SELECT params FROM jobs WHERE name = ?", (name,)).fetchone()
        return None if row is None else dict(json.loads(row["params"]))

    def __enter__(self) -> SQLiteJournal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

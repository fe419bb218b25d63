"""A journal's summary: counts by state and the failures with their reasons (``batch status``)."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import attrs

from ._journal import SQLiteJournal
from ._states import JobRecord, State

__all__ = ["BatchStatus", "read_status", "summarize"]


@attrs.frozen
class BatchStatus:
    """Counts by state, and the jobs that need attention (failed, uncertain, still running)."""

    journal: str
    output: str | None
    counts: dict[str, int]
    total: int
    failed: tuple[JobRecord, ...]
    uncertain: tuple[JobRecord, ...]
    unfinished: tuple[JobRecord, ...]

    @property
    def complete(self) -> bool:
        """Whether every job has its video."""
        return self.counts.get(State.DOWNLOADED.value, 0) == self.total

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""

        def job(r: JobRecord) -> dict[str, Any]:
            return {
                "name": r.name,
                "line": r.line,
                "state": r.state.value,
                "task_id": r.task_id,
                "attempts": r.attempts,
                "error": r.error,
                "error_stage": r.error_stage,
                "created_at": r.created_at,
                "updated_at": r.updated_at,
                "sent_at": r.sent_at,
                "task_at": r.task_at,
                "ended_at": r.ended_at,
            }

        return {
            "journal": self.journal,
            "output": self.output,
            "total": self.total,
            "complete": self.complete,
            "counts": self.counts,
            "failed": [job(r) for r in self.failed],
            "uncertain": [job(r) for r in self.uncertain],
            "unfinished": [job(r) for r in self.unfinished],
        }


def summarize(journal: str, output: str | None, records: list[JobRecord]) -> BatchStatus:
    """The status of these rows (pure)."""
    counts = Counter(r.state.value for r in records)
    return BatchStatus(
        journal=journal,
        output=output,
        counts={s.value: counts.get(s.value, 0) for s in State},
        total=len(records),
        failed=tuple(r for r in records if r.state is State.FAILED),
        uncertain=tuple(
            r for r in records if r.state in (State.UNCERTAIN, State.CREATING) and r.task_id is None
        ),
        unfinished=tuple(
            r for r in records if r.state in (State.PENDING, State.CREATED, State.SUCCEEDED)
        ),
    )


def read_status(path: str | os.PathLike[str]) -> BatchStatus:
    """Read a SQLite journal (read-only; a run may be using it) and summarise it."""
    with SQLiteJournal(path, readonly=True) as journal:
        return summarize(str(path), journal.meta().get("output"), journal.records())

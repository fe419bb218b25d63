"""The task state machine: pure functions of elapsed time, over an injectable clock.

A task goes ``queued`` (first tenth of its time) -> ``in_progress`` with
progress rising from 5 to 95 -> ``completed`` (or ``failed``, at a chosen
fraction of its time). Nothing here sleeps or reads the wall clock unless it is
given a `WallClock`; the sandbox decides how elapsed time is counted:

- ``wall``: real time since the task was created (plus any `advance`);
- ``manual``: only `advance` moves time;
- ``per_poll``: each query of the task moves it ``duration / poll_steps``
  seconds (plus any `advance`), so a test needs neither sleeps nor a clock.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Literal, Protocol

import attrs

__all__ = [
    "CLOCK_MODES",
    "QUEUED_SHARE",
    "Clock",
    "ClockMode",
    "ManualClock",
    "Outcome",
    "Snapshot",
    "TaskPlan",
    "WallClock",
    "snapshot",
]

ClockMode = Literal["wall", "manual", "per_poll"]
CLOCK_MODES: tuple[ClockMode, ...] = ("wall", "manual", "per_poll")
Outcome = Literal["completed", "failed", "unknown"]

#: The share of a task's time it spends queued.
QUEUED_SHARE = 0.1
_FIRST_PROGRESS = 5
_LAST_PROGRESS = 95
#: Float slack, so that ``n`` polls of ``total / n`` seconds reach the end.
_EPSILON = 1e-9


class Clock(Protocol):
    """Seconds since the sandbox started; `advance` moves it forward."""

    def now(self) -> float:
        """The current time, in seconds since the clock started."""
        ...

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        ...


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._now = 0.0

    def now(self) -> float:
        """The current time, in seconds since the clock started."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (must not be negative)."""
        if seconds < 0:
            raise ValueError(f"cannot move the clock back ({seconds} s)")
        with self._lock:
            self._now += seconds


class WallClock(ManualClock):
    """Real (monotonic) time since creation, plus whatever `advance` added."""

    def __init__(self) -> None:
        super().__init__()
        self._start = time.monotonic()

    def now(self) -> float:
        """The current time, in seconds since the clock started."""
        return time.monotonic() - self._start + super().now()


@attrs.frozen(kw_only=True)
class TaskPlan:
    """How one task will go: its total time, how it ends, and what it calls its states."""

    total: float = attrs.field(validator=attrs.validators.gt(0))
    outcome: Outcome = "completed"
    #: For a failed task: the share of ``total`` after which it fails.
    fail_at: float = attrs.field(
        default=0.5, validator=[attrs.validators.ge(0), attrs.validators.le(1)]
    )
    #: A status word to show while the task waits or runs (and at the end when
    #: ``outcome == "unknown"``), instead of queued/in_progress.
    odd_word: str | None = None


@attrs.frozen
class Snapshot:
    """A task's state at one moment."""

    status: str
    raw_status: str
    progress: int
    #: Elapsed seconds at which the task ended, or None while it runs.
    ended_at: float | None

    @property
    def done(self) -> bool:
        """Whether the task reached an end (completed, failed or unknown)."""
        return self.ended_at is not None


def _running_progress(elapsed: float, total: float) -> int:
    start = QUEUED_SHARE * total
    share = (elapsed - start) / (total - start)
    span = _LAST_PROGRESS - _FIRST_PROGRESS
    return max(0, min(_LAST_PROGRESS, _FIRST_PROGRESS + math.floor(span * share + 1e-9)))


def snapshot(plan: TaskPlan, elapsed: float) -> Snapshot:
    """The state of a task ``elapsed`` seconds after it was created."""
    elapsed = max(0.0, elapsed)
    end = plan.total * plan.fail_at if plan.outcome == "failed" else plan.total
    if elapsed >= end - _EPSILON:
        if plan.outcome == "failed":
            return Snapshot("failed", "FAILED", _running_progress(end, plan.total), end)
        if plan.outcome == "unknown":
            return Snapshot(plan.odd_word or "unknown", "UNKNOWN", 100, end)
        return Snapshot("completed", "SUCCEEDED", 100, end)
    if elapsed < QUEUED_SHARE * plan.total:
        return Snapshot(plan.odd_word or "queued", "PENDING", 0, None)
    progress = _running_progress(elapsed, plan.total)
    return Snapshot(plan.odd_word or "in_progress", "RUNNING", progress, None)

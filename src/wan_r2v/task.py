"""The normalised task: one frozen value whatever dialect the gateway speaks.

`Task.raw_status` keeps the gateway's status word exactly as sent; the
upstream provider's own word (the answer's ``raw_status`` JSON field, e.g.
``SUCCEEDED``) is kept as `Task.upstream_status`. `Task.raw` is the whole
answer, envelope included.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ._frozen import Frozen, field_setter

__all__ = ["GenerationResult", "Task", "TaskStatus"]


class TaskStatus(enum.StrEnum):
    """Where a task stands, normalised from the gateway's many words."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    #: A word this library does not know (or no word at all), or the documented
    #: word ``unknown`` (upstream: the id is unknown or older than 24 h).
    UNKNOWN = "unknown"

    @property
    def is_terminal(self) -> bool:
        """Whether the status can no longer change (succeeded, failed or cancelled)."""
        return self in (TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED)


def _progress(value: int) -> int:
    return min(100, max(0, int(value)))


class Task(Frozen):
    """A video generation task as the gateway last described it."""

    __slots__ = (
        "completed_at",
        "created_at",
        "error_code",
        "error_message",
        "id",
        "model",
        "progress",
        "raw",
        "raw_status",
        "status",
        "upstream_status",
        "video_url",
    )
    _unshown = frozenset({"raw"})
    _unhashed = frozenset({"raw"})

    id: str
    status: TaskStatus
    #: The gateway's status word as sent (any case), or None when it sent none.
    raw_status: str | None
    #: The upstream provider's word (the answer's ``raw_status`` field), when sent.
    upstream_status: str | None
    model: str | None
    #: Percent done, 0..100 (100 once succeeded when the gateway sends no number).
    progress: int
    video_url: str | None
    error_code: str | None
    error_message: str | None
    #: Timezone-aware (UTC when the gateway gave no zone).
    created_at: datetime | None
    completed_at: datetime | None
    #: The whole answer as received (envelope included).
    raw: Mapping[str, Any]

    def __init__(
        self,
        *,
        id: str,
        status: TaskStatus = TaskStatus.UNKNOWN,
        raw_status: str | None = None,
        upstream_status: str | None = None,
        model: str | None = None,
        progress: int = 0,
        video_url: str | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        created_at: datetime | None = None,
        completed_at: datetime | None = None,
        raw: Mapping[str, Any] | None = None,
    ) -> None:
        set_field = field_setter(self)
        set_field("id", id)
        set_field("status", status)
        set_field("raw_status", raw_status)
        set_field("upstream_status", upstream_status)
        set_field("model", model)
        set_field("progress", _progress(progress))
        set_field("video_url", video_url)
        set_field("error_code", error_code)
        set_field("error_message", error_message)
        set_field("created_at", created_at)
        set_field("completed_at", completed_at)
        set_field("raw", {} if raw is None else raw)

    @classmethod
    def from_response(cls, payload: object, *, task_id: str | None = None) -> Task:
        """Read a task from any documented answer dialect; `task_id` fills a missing id."""
        from ._core import parse_task  # the parser lives in the pure core

        return parse_task(payload, task_id=task_id)

    @property
    def done(self) -> bool:
        """Whether waiting longer cannot change the outcome.

        True for succeeded, failed and cancelled, and for the documented word
        ``unknown`` (the task is unknown or expired). An unrecognised word is
        not done: a new word from a gateway never ends a wait early.
        """
        if self.status.is_terminal:
            return True
        if self.status is not TaskStatus.UNKNOWN:
            return False
        words = (self.raw_status, self.upstream_status)
        return any(w is not None and w.strip().lower() == "unknown" for w in words)

    @property
    def succeeded(self) -> bool:
        """Whether the task finished with a video."""
        return self.status is TaskStatus.SUCCEEDED

    @property
    def failed(self) -> bool:
        """Whether the task ended without a video."""
        return self.done and not self.succeeded


class GenerationResult(Frozen):
    """What `generate()` returns: the finished task and the downloaded file."""

    __slots__ = ("path", "task")
    task: Task
    path: Path

    def __init__(self, task: Task, path: Path) -> None:
        set_field = field_setter(self)
        set_field("task", task)
        set_field("path", path)

"""A job's life in the journal, and what a run does with a job in each state (pure decisions).

::

    pending -> creating -> created(task id) -> succeeded -> downloaded
                   |              |  |              |            ^
                   |              |  +--------------|------------+ (downloaded at once)
                   |              +--> failed <-----+
                   +--> uncertain (stopped between sending the create and reading its answer)
                   +--> failed (the gateway refused it: certainly not created)

A task that succeeded is downloaded at once, so a run records it by the download:
``created`` goes straight to ``downloaded`` (or to ``failed`` at the download
stage, its task id kept), one durable write fewer per job. A run stopped in
between leaves ``created``: the next one queries the task once and downloads it.
``succeeded`` is recorded before a failed download is tried again.

A job in ``creating`` without a task id when a run starts was being created when
a runner stopped: the gateway may or may not have the task, and a new create may
pay twice, so it becomes ``uncertain`` and is only created again when the user
says so (``recreate_uncertain``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping

import attrs

__all__ = [
    "ALLOWED",
    "END_STATES",
    "Change",
    "JobRecord",
    "State",
    "Step",
    "TransitionError",
    "check_transition",
    "step_for",
]


class State(enum.StrEnum):
    """Where a job stands; the journal's word for it."""

    PENDING = "pending"
    CREATING = "creating"
    CREATED = "created"
    SUCCEEDED = "succeeded"
    DOWNLOADED = "downloaded"
    FAILED = "failed"
    UNCERTAIN = "uncertain"


#: The states a run leaves a job in when it has nothing more to do with it.
END_STATES = frozenset({State.DOWNLOADED, State.FAILED, State.UNCERTAIN})

#: Every allowed move; anything else is a bug or a second runner, and is refused.
ALLOWED: Mapping[State, frozenset[State]] = {
    # a create (or the upload of a local file) refused before anything reached the gateway
    State.PENDING: frozenset({State.CREATING, State.FAILED}),
    # created; refused for sure (failed); not sent for sure (pending); unknown (uncertain)
    State.CREATING: frozenset({State.CREATED, State.FAILED, State.PENDING, State.UNCERTAIN}),
    # succeeded, and downloaded at once (failed: the task, or its download)
    State.CREATED: frozenset({State.SUCCEEDED, State.DOWNLOADED, State.FAILED}),
    State.SUCCEEDED: frozenset({State.DOWNLOADED, State.FAILED}),
    # retry: a new create, or (the task had succeeded) a new download
    State.FAILED: frozenset({State.CREATING, State.SUCCEEDED}),
    State.UNCERTAIN: frozenset({State.CREATING}),
    State.DOWNLOADED: frozenset(),
}


class TransitionError(RuntimeError):
    """A job was asked to move in a way the state machine forbids (or it moved under us)."""


def check_transition(old: State, new: State) -> None:
    """Raise `TransitionError` unless `old` -> `new` is allowed."""
    if new not in ALLOWED[old]:
        raise TransitionError(f"a job cannot go from {old} to {new}")


@attrs.frozen
class JobRecord:
    """One job as the journal holds it."""

    name: str
    line: int
    fingerprint: str
    state: State
    task_id: str | None = None
    #: Creates sent (or about to be) for this job, over all runs.
    attempts: int = 0
    error: str | None = None
    #: Where it failed: ``upload``, ``create``, ``task``, ``wait`` or ``download``.
    error_stage: str | None = None
    #: The downloaded file.
    file: str | None = None
    #: Unix times: the row was added; it last moved; the last create's intent was recorded;
    #: the task id was recorded; the job reached an end (downloaded, failed, uncertain).
    created_at: float | None = None
    updated_at: float | None = None
    sent_at: float | None = None
    task_at: float | None = None
    ended_at: float | None = None


@attrs.frozen
class Change:
    """One move of one job, applied only if the job is still in `expected` (else a conflict)."""

    name: str
    expected: State
    state: State
    task_id: str | None = None
    error: str | None = None
    error_stage: str | None = None
    file: str | None = None

    def __attrs_post_init__(self) -> None:
        check_transition(self.expected, self.state)

    @property
    def counts_attempt(self) -> bool:
        """Whether this move is the intent to send a create (attempts + 1)."""
        return self.state is State.CREATING


class Step(enum.Enum):
    """What a run does next with a job."""

    CREATE = "create"  # send a create (its intent first)
    WAIT = "wait"  # the task exists: wait for it by id
    DOWNLOAD = "download"  # the task succeeded: download it by id
    DONE = "done"  # downloaded: nothing to do
    LEAVE_FAILED = "leave_failed"  # failed, and not chosen for a retry
    LEAVE_UNCERTAIN = "leave_uncertain"  # uncertain, and not chosen for a new create
    MARK_UNCERTAIN = "mark_uncertain"  # found in creating: a runner stopped mid-create


def step_for(
    record: JobRecord,
    *,
    retry_failed: Callable[[str], bool] = lambda name: False,
    recreate_uncertain: Callable[[str], bool] = lambda name: False,
) -> Step:
    """What a starting run does with a job it finds in the journal."""
    state = record.state
    if state is State.PENDING:
        return Step.CREATE
    if state is State.CREATING:
        return Step.MARK_UNCERTAIN
    if state is State.CREATED:
        return Step.WAIT
    if state is State.SUCCEEDED:
        return Step.DOWNLOAD
    if state is State.DOWNLOADED:
        return Step.DONE
    if state is State.UNCERTAIN:
        return Step.CREATE if recreate_uncertain(record.name) else Step.LEAVE_UNCERTAIN
    # failed
    if not retry_failed(record.name):
        return Step.LEAVE_FAILED
    if record.error_stage == "download" and record.task_id is not None:
        return Step.DOWNLOAD  # the task had succeeded: only the download is retried
    return Step.CREATE

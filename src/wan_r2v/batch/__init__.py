"""Batches: many videos from one JSONL or CSV file, crash-safe, never created twice by accident.

>>> from wan_r2v.batch import load_jobs, run_batch
>>> async for outcome in run_batch("jobs.jsonl", "out/", client=client):  # doctest: +SKIP
...     print(outcome.name, outcome.state)

`load_jobs` validates a whole file first (every problem with its line number);
`run_batch` records each job in a journal (SQLite by default, next to the jobs
file) before each step, so running it again resumes; `run_batch_sync` is the
same for synchronous code; `read_status` summarises a journal.
"""

from ._jobs import (
    CREATE_FIELDS,
    InvalidJobsError,
    Job,
    JobProblem,
    Jobs,
    job_has_local_files,
    load_jobs,
    parse_jobs,
)
from ._journal import (
    Journal,
    JournalBusyError,
    JournalConflictError,
    JournalMismatchError,
    SQLiteJournal,
)
from ._quota import Quota
from ._runner import (
    DEFAULT_MAX_IN_FLIGHT,
    BatchAborted,
    BatchProgress,
    JobOutcome,
    default_journal_path,
    run_batch,
    run_batch_sync,
)
from ._states import Change, JobRecord, State, Step, step_for
from ._status import BatchStatus, read_status

__all__ = [
    "CREATE_FIELDS",
    "DEFAULT_MAX_IN_FLIGHT",
    "BatchAborted",
    "BatchProgress",
    "BatchStatus",
    "Change",
    "InvalidJobsError",
    "Job",
    "JobOutcome",
    "JobProblem",
    "JobRecord",
    "Jobs",
    "Journal",
    "JournalBusyError",
    "JournalConflictError",
    "JournalMismatchError",
    "Quota",
    "SQLiteJournal",
    "State",
    "Step",
    "default_journal_path",
    "job_has_local_files",
    "load_jobs",
    "parse_jobs",
    "read_status",
    "run_batch",
    "run_batch_sync",
    "step_for",
]

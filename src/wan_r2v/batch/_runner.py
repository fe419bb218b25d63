"""The batch runner: the I/O edge that drives each job through the client's flows and the journal.

Decisions live elsewhere (`_states.step_for`, `Quota`, the client's flows); this
module awaits. The order of durable writes is the whole point:

1. the intent (``pending -> creating``) is committed before the create is sent;
2. the task id (``creating -> created``) as soon as the create's answer is read (in
   the writer's next group: within `GROUP_WINDOW` and one commit);
3. then the wait and the download, and each end is committed as it happens. A task
   that succeeded is recorded once, by its download that follows at once
   (``created -> downloaded``, or ``failed`` at the download stage, task id kept).

Every move is durable before the job goes on, and before its outcome is yielded.

A runner stopped anywhere leaves every job in a state the next run resumes
from: by id when it has one, never by a second create unless the user asks
(``recreate_uncertain``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import threading
import time
from collections import Counter
from collections.abc import (
    AsyncGenerator,
    Callable,
    Collection,
    Iterator,
    Mapping,
    Sequence,
)
from pathlib import Path
from typing import Any, TypeVar

import attrs

from .._core import (
    Exchange,
    Flow,
    Send,
    Sleep,
    Stream,
    create_flow,
    download_flow,
    retry_after_of,
    wait_flow,
)
from .._core._local_files import build_body_with_files
from ..aclient import AsyncClient
from ..errors import (
    AuthenticationError,
    DownloadError,
    PermissionDeniedError,
    RateLimitError,
    ResultExpiredError,
    TaskMayExistError,
    WaitTimeoutError,
    WanR2VError,
)
from ..task import Task
from ._jobs import Job, Jobs, job_has_local_files, load_jobs
from ._journal import Journal, SQLiteJournal
from ._quota import Quota
from ._states import Change, JobRecord, State, Step, step_for

__all__ = [
    "DEFAULT_MAX_IN_FLIGHT",
    "BatchAborted",
    "BatchProgress",
    "JobOutcome",
    "default_journal_path",
    "run_batch",
    "run_batch_sync",
]

T = TypeVar("T")

#: Tasks at the gateway at once (created, not yet ended): gateways cap them per key.
DEFAULT_MAX_IN_FLIGHT = 10
#: Seconds the journal's writer waits, after the first move of a group, for more moves to
#: join it: one commit (one fsync) for the moves of many jobs when they move often, each
#: move at most this much later on disk. A create's answer takes far longer than this.
GROUP_WINDOW = 0.02
#: Seconds a stopped run waits for the creates already on the way to be answered and recorded.
_CREATE_GRACE = 30.0
#: Times a job whose create hit 429 after its retries goes back in the queue in one run.
_RATE_LIMIT_REQUEUES = 5

UNCERTAIN_REASON = (
    "the runner stopped after this job's create was sent (or about to be) and before its "
    "answer was read: the gateway may have the task and may bill it. It is not created again; "
    "look for it on the gateway, or pass --recreate-uncertain (recreate_uncertain=) to create "
    "it anew (which may pay twice)"
)


class BatchAborted(WanR2VError):
    """The run stopped early (a wrong key, a refused permission): no job was lost; rerun to resume."""


@attrs.frozen
class JobOutcome:
    """How a job stands at the end of this run (one per job of the batch)."""

    name: str
    line: int
    #: ``downloaded``, ``failed``, ``uncertain``, or ``created`` (at the gateway; not downloaded).
    state: State
    task_id: str | None = None
    file: Path | None = None
    error: str | None = None
    error_stage: str | None = None
    attempts: int = 0
    #: True when this run found the job already ended and did nothing with it.
    earlier: bool = False

    @property
    def ok(self) -> bool:
        """Whether the job's video is on disk."""
        return self.state is State.DOWNLOADED

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "name": self.name,
            "line": self.line,
            "state": self.state.value,
            "task_id": self.task_id,
            "file": str(self.file) if self.file is not None else None,
            "error": self.error,
            "error_stage": self.error_stage,
            "attempts": self.attempts,
            "earlier": self.earlier,
        }


@attrs.frozen
class BatchProgress:
    """The whole batch at one moment, for a progress display."""

    total: int
    counts: Mapping[State, int]
    #: Jobs that reached an end in this run, and when the run started (monotonic).
    ended_this_run: int
    to_do: int
    started: float
    now: float
    rate_limited: int = 0
    #: Jobs holding one of the `max_in_flight` places (being created, or their task waited for).
    at_gateway: int = 0

    @property
    def done(self) -> int:
        """Jobs with their video."""
        return self.counts.get(State.DOWNLOADED, 0)

    @property
    def failed(self) -> int:
        """Jobs failed or uncertain."""
        return self.counts.get(State.FAILED, 0) + self.counts.get(State.UNCERTAIN, 0)

    @property
    def running(self) -> int:
        """Jobs being created, at the gateway, or downloading."""
        return sum(self.counts.get(s, 0) for s in (State.CREATING, State.CREATED, State.SUCCEEDED))

    @property
    def eta(self) -> float | None:
        """Seconds until this run ends, from its pace so far (None: too early to say)."""
        if self.ended_this_run == 0:
            return None
        left = self.to_do - self.ended_this_run
        return max(0.0, (self.now - self.started) / self.ended_this_run * left)


def default_journal_path(jobs_file: str | os.PathLike[str]) -> Path:
    """Where a jobs file's journal lives by default: next to it, ``NAME.journal.sqlite``."""
    path = Path(jobs_file)
    return path.with_name(f"{path.name}.journal.sqlite")


# --- the pure wrapper around a flow: every request of the batch follows one Quota ------------


def _paced(flow: Flow[T], quota: Quota, clock: Callable[[], float], *, create: bool) -> Flow[T]:
    """The flow, each request first waiting out a batch-wide pause; 429s and successes reported."""
    outcome: Any = None
    while True:
        try:
            action = flow.send(outcome)
        except StopIteration as stop:
            result: T = stop.value
            return result
        if isinstance(action, Send | Stream):
            delay = quota.send_delay(clock())
            while delay > 0:
                yield Sleep(delay)
                delay = quota.send_delay(clock())
        outcome = yield action
        if isinstance(action, Send) and isinstance(outcome, Exchange):
            if outcome.status_code == 429:
                quota.on_rate_limited(clock(), retry_after_of(outcome.headers))
            elif outcome.status_code < 400:
                quota.on_success(create=create)


def _until_send(flow: Flow[T]) -> Flow[tuple[Send | None, T | None]]:
    """Drive `flow` (validation, uploads) up to its first request; return that request unsent.

    The flow stays suspended there, to be finished by `_from_send`: between the two,
    the runner makes the intent to create durable. (None, result): it ended unsent.
    """
    outcome: Any = None
    while True:
        try:
            action = flow.send(outcome)
        except StopIteration as stop:
            return None, stop.value
        if isinstance(action, Send):
            return action, None
        outcome = yield action


def _from_send(flow: Flow[T], first: Send) -> Flow[T]:
    """Go on with a flow suspended by `_until_send`: send its first request, then the rest."""
    outcome = yield first
    while True:
        try:
            action = flow.send(outcome)
        except StopIteration as stop:
            result: T = stop.value
            return result
        outcome = yield action


# --- durable writes, grouped: one commit and one wake-up of the loop per group --------------


#: A move and the future its writer awaits.
_Move = tuple[Change, "asyncio.Future[None]"]


class _Writer:
    """One long-lived thread that applies the moves queued up, each group in one transaction.

    `write` returns once its move is durable. The moves written during one turn of
    the event loop are handed to the thread together, at the end of that turn; the
    thread takes every move handed over while it committed the last group or within
    `window` seconds of the group's first move, applies them in one durable
    transaction, and wakes the event loop once for the whole group (one
    ``call_soon_threadsafe`` resolving each move's future). During the window the
    thread sleeps: moves handed over then wait in the queue without waking it (each
    wake-up would take the GIL from the busy event loop).
    """

    def __init__(
        self, journal: Journal, loop: asyncio.AbstractEventLoop, window: float = GROUP_WINDOW
    ) -> None:
        self._journal = journal
        self._loop = loop
        self._window = window
        self._queue: queue.SimpleQueue[list[_Move] | None] = queue.SimpleQueue()
        #: Moves written in this turn of the loop, not yet handed to the thread.
        self._turn: list[_Move] = []
        self._closed = False
        #: Set by `aclose`: the thread stops waiting out windows.
        self._closing = threading.Event()
        #: Groups committed (for tests and measurements).
        self.groups = 0
        self._thread = threading.Thread(target=self._work, name="wan-r2v-journal", daemon=True)
        self._thread.start()

    async def write(self, change: Change) -> None:
        """Return once the move is durable (it is applied even if the caller is cancelled)."""
        if self._closed:
            raise RuntimeError("the batch's journal writer is closed")
        done: asyncio.Future[None] = self._loop.create_future()
        if not self._turn:
            self._loop.call_soon(self._hand_over)
        self._turn.append((change, done))
        await done

    def _hand_over(self) -> None:
        """On the loop, once per turn with moves: give them to the thread (one wake-up)."""
        if self._turn:
            turn, self._turn = self._turn, []
            self._queue.put(turn)

    def _work(self) -> None:
        """The writer thread: take what was handed over, apply it, wake the loop; until `close`."""
        while True:
            first = self._queue.get()
            if first is not None:
                # moves handed over meanwhile queue up without waking this thread
                self._closing.wait(self._window)
            group = [] if first is None else list(first)
            ending = first is None
            while not ending:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    ending = True
                else:
                    group += more
            if group:
                errors = self._apply(group)
                self.groups += 1
                # RuntimeError: the loop is gone, so nobody waits for these moves
                with contextlib.suppress(RuntimeError):
                    self._loop.call_soon_threadsafe(_resolve, group, errors)
            if ending:
                return

    def _apply(self, group: list[_Move]) -> list[Exception | None] | None:
        """Apply the group in one transaction; None when it all went in, else each move's error."""
        try:
            self._journal.apply([change for change, _ in group])
        except Exception:
            pass
        else:
            return None
        # one move that does not fit must not sink the others: apply them one by one
        errors: list[Exception | None] = []
        for change, _ in group:
            try:
                self._journal.apply([change])
            except Exception as exc:
                errors.append(exc)
            else:
                errors.append(None)
        return errors

    async def aclose(self) -> None:
        """Apply what is queued, then end the thread."""
        if self._closed:
            return
        self._closed = True
        self._closing.set()
        self._hand_over()
        self._queue.put(None)
        await asyncio.to_thread(self._thread.join)


def _resolve(group: list[_Move], errors: list[Exception | None] | None) -> None:
    """On the loop: tell each move of a committed group how it went."""
    for i, (_, done) in enumerate(group):
        if done.done():  # its writer was cancelled; the move was applied all the same
            continue
        error = None if errors is None else errors[i]
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)


# --- the run ---------------------------------------------------------------------------------


class _Places:
    """The `max_in_flight` places at the gateway (a create and its wait hold one); counts those taken."""

    def __init__(self, size: int) -> None:
        self._free = asyncio.Semaphore(size)
        self.taken = 0

    async def __aenter__(self) -> None:
        await self._free.acquire()
        self.taken += 1

    async def __aexit__(self, *exc_info: object) -> None:
        self.taken -= 1
        self._free.release()


@attrs.define
class _Job:
    job: Job
    state: State
    task_id: str | None
    attempts: int
    error: str | None = None
    error_stage: str | None = None
    file: Path | None = None
    task: Task | None = None


@attrs.define(kw_only=True)
class _Run:
    client: AsyncClient
    writer: _Writer
    output: Path
    quota: Quota
    in_flight: _Places
    wait_timeout: float
    poll_interval: float | None
    clock: Callable[[], float]
    on_progress: Callable[[BatchProgress], object] | None
    counts: Counter[State]
    total: int
    to_do: int
    started: float
    ended: int = 0
    stopping: BaseException | None = None
    #: Creates on the way (sent or about to be), each recording its own outcome.
    creating: set[asyncio.Future[bool | None]] = attrs.Factory(set)

    def progress(self) -> BatchProgress:
        return BatchProgress(
            total=self.total,
            counts=dict(self.counts),
            ended_this_run=self.ended,
            to_do=self.to_do,
            started=self.started,
            now=self.clock(),
            rate_limited=self.quota.rate_limited,
            at_gateway=self.in_flight.taken,
        )

    def _report(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.progress())

    async def move(self, item: _Job, state: State, **fields: Any) -> None:
        """Make a move durable, then take it in memory."""
        change = Change(item.job.name, item.state, state, **fields)
        await self.writer.write(change)
        self.counts[item.state] -= 1
        self.counts[state] += 1
        item.state = state
        if change.counts_attempt:
            item.attempts += 1
            item.task_id = None
        if change.task_id is not None:
            item.task_id = change.task_id
        item.error, item.error_stage = change.error, change.error_stage
        if change.file is not None:
            item.file = Path(change.file)
        self._report()

    def flow(self, flow: Flow[T], *, create: bool = False) -> Flow[T]:
        return _paced(flow, self.quota, self.clock, create=create)

    def stop(self, error: BaseException) -> None:
        if self.stopping is None:
            self.stopping = error

    # the stages

    async def create(self, item: _Job) -> bool:
        """Create the job's task; True when it has a task id to wait for."""
        for _ in range(_RATE_LIMIT_REQUEUES + 1):
            if self.stopping is not None:
                return False
            # uploaded files' URLs must outlive this job's wait
            flow = create_flow(
                self.client._ctx,
                item.job.create_params(),
                wait_timeout=item.job.timeout or self.wait_timeout,
            )
            try:
                # validation and uploads of local files: nothing is sent to the gateway yet
                first, _ = await self.client._run(_until_send(flow))
            except WanR2VError as error:
                await self.refuse(item, error)
                return False
            assert first is not None, "a create flow always sends"
            delay = self.quota.reserve_create(self.clock())
            if delay > 0:
                await asyncio.sleep(delay)
            if self.stopping is not None:
                return False
            await self.move(item, State.CREATING)  # the intent, durable before the send
            if self.stopping is not None:  # stopped meanwhile: not sent after all
                await self.move(item, State.PENDING)
                return False
            # Shielded: a stop (Ctrl-C, a cancelled consumer) lets a create on the way finish
            # and be recorded (`run_batch` waits for it), rather than leave it uncertain.
            sending = asyncio.ensure_future(self._send_create(item, flow, first))
            self.creating.add(sending)
            sending.add_done_callback(self.creating.discard)
            created = await asyncio.shield(sending)
            if created is None:
                continue  # rate limited through its retries: queued again
            return created
        return False

    async def _send_create(self, item: _Job, flow: Flow[Task], first: Send) -> bool | None:
        """Send the create and record what came of it: True created, False ended, None requeue."""
        try:
            task = await self.client._run(self.flow(_from_send(flow, first), create=True))
        except TaskMayExistError as error:
            await self.move(item, State.UNCERTAIN, error=error.message, error_stage="create")
            return False
        except RateLimitError as error:
            # certainly not created: back in the queue, behind the batch-wide pause that
            # its 429s set (`_paced` saw them)
            await self.move(item, State.PENDING, error=error.message, error_stage="create")
            return None
        except (AuthenticationError, PermissionDeniedError) as error:
            await self.move(item, State.PENDING, error=error.message, error_stage="create")
            self.stop(error)
            return False
        except WanR2VError as error:  # refused or not sent: certainly not created
            await self.move(item, State.FAILED, error=error.message, error_stage="create")
            return False
        # Anything else (cancelled, a bug) leaves the job "creating": the next run calls
        # it uncertain rather than risk a second create.
        item.task = task
        await self.move(item, State.CREATED, task_id=task.id)  # the id, as soon as it is read
        return True

    async def refuse(self, item: _Job, error: WanR2VError) -> None:
        """A create stopped before anything was sent (a local file, an upload): certainly no task."""
        if item.state is State.PENDING:
            await self.move(item, State.FAILED, error=error.message, error_stage="upload")
        else:  # failed or uncertain already: it stays so (an uncertain job's first create may exist)
            item.error, item.error_stage = error.message, "upload"

    async def wait(self, item: _Job, *, fresh: bool) -> bool:
        """Wait for the job's task by id; True when it succeeded.

        A success is not a move of its own: the download that follows at once records
        it (``created -> downloaded``, or ``failed`` at the download stage). A run that
        stops before that download leaves the job ``created``: the next run queries the
        task once and downloads it.
        """
        assert item.task_id is not None
        known: Task | str = item.task if item.task is not None else item.task_id
        timeout = item.job.timeout or self.wait_timeout
        poll = item.job.poll_interval or self.poll_interval
        flow = wait_flow(
            self.client._ctx,
            known,
            timeout=timeout,
            poll_interval=poll,
            raise_on_failure=False,
            fresh=fresh,
        )
        try:
            task = await self.client._run(self.flow(flow))
        except WaitTimeoutError as error:
            item.error, item.error_stage = error.message, "wait"
            return False  # still at the gateway: stays "created", a rerun resumes it
        except (AuthenticationError, PermissionDeniedError) as error:
            self.stop(error)
            return False
        except WanR2VError as error:  # the gateway does not know the task, or will not say
            await self.move(item, State.FAILED, error=error.message, error_stage="task")
            return False
        item.task = task
        if task.failed or not task.succeeded:
            reason = task.error_message or f"the task ended {task.raw_status or task.status.value}"
            code = f" [{task.error_code}]" if task.error_code else ""
            await self.move(item, State.FAILED, error=f"{reason}{code}", error_stage="task")
            return False
        return True

    async def download(self, item: _Job) -> None:
        """Download the video to ``OUTPUT/NAME.mp4``, atomically; record how it went.

        From ``created`` (its task just succeeded) or ``succeeded``: ``downloaded``, or
        ``failed`` at the download stage with the task id kept (a retry only downloads).
        """
        assert item.task_id is not None
        target = self.output / item.job.filename
        source: Task | str = item.task if item.task is not None else item.task_id
        try:
            try:
                path = await self.client._run(
                    self.flow(download_flow(self.client._ctx, source, target, overwrite=True))
                )
            except ResultExpiredError:
                if not isinstance(source, Task):
                    raise
                # the URL in hand expired: ask the gateway for a fresh one
                path = await self.client._run(
                    self.flow(download_flow(self.client._ctx, item.task_id, target, overwrite=True))
                )
        except (AuthenticationError, PermissionDeniedError) as error:
            self.stop(error)
            return
        except (DownloadError, WanR2VError) as error:
            await self.move(item, State.FAILED, error=error.message, error_stage="download")
            return
        await self.move(item, State.DOWNLOADED, file=str(path))

    async def drive(self, item: _Job, step: Step) -> JobOutcome:
        """Take a job as far as it goes in this run."""
        try:
            if step is Step.CREATE:
                async with self.in_flight:
                    if not await self.create(item):
                        return self.outcome(item)
                    if not await self.wait(item, fresh=True):
                        return self.outcome(item)
            elif step is Step.WAIT:
                async with self.in_flight:
                    if self.stopping is not None or not await self.wait(item, fresh=False):
                        return self.outcome(item)
            elif step is Step.DOWNLOAD and item.state is State.FAILED:
                await self.move(item, State.SUCCEEDED)  # retry of a failed download
            if self.stopping is None:
                await self.download(item)
            return self.outcome(item)
        finally:
            self.ended += 1
            self._report()

    def outcome(self, item: _Job, *, earlier: bool = False) -> JobOutcome:
        return JobOutcome(
            name=item.job.name,
            line=item.job.line,
            state=item.state,
            task_id=item.task_id,
            file=item.file,
            error=item.error,
            error_stage=item.error_stage,
            attempts=item.attempts,
            earlier=earlier,
        )


def _check_uploads(client: AsyncClient, jobs: Sequence[Job]) -> None:
    """Jobs naming local files need a client that can upload them: say so before anything is sent."""
    for job in jobs:
        if job_has_local_files(job):
            config = client._ctx.config
            build_body_with_files(
                job.create_params(),
                presets=config.presets,
                strict=config.strict,
                uploads=client._ctx.uploads,
            )  # ValidationError: no uploader (the problem says how to give one)
            return


def _chooser(choice: bool | Collection[str]) -> Callable[[str], bool]:
    if isinstance(choice, bool):
        return lambda name: choice
    names = frozenset(choice)
    return lambda name: name in names


def _as_jobs(jobs: Jobs | Sequence[Job] | str | os.PathLike[str]) -> tuple[list[Job], str | None]:
    if isinstance(jobs, Jobs):
        return list(jobs.jobs), jobs.path
    if isinstance(jobs, str | os.PathLike):
        loaded = load_jobs(Path(jobs))
        return list(loaded.jobs), loaded.path
    return list(jobs), None


async def run_batch(
    jobs: Jobs | Sequence[Job] | str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    client: AsyncClient,
    journal: Journal | str | os.PathLike[str] | None = None,
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
    creates_per_minute: float | None = None,
    wait_timeout: float = 900.0,
    poll_interval: float | None = None,
    retry_failed: bool | Collection[str] = False,
    recreate_uncertain: bool | Collection[str] = False,
    on_progress: Callable[[BatchProgress], object] | None = None,
) -> AsyncGenerator[JobOutcome, None]:
    """Run a batch; yield each job's outcome as it ends (jobs ended in earlier runs first).

    Every move is recorded in `journal` (a `Journal`, or the path of a SQLite
    journal; default: next to the jobs file) before the next step is taken, so
    running the same batch again resumes it: tasks already created are waited
    for and downloaded by id, never created again. A job whose create may or may
    not have reached the gateway is `uncertain` and is only created again when
    `recreate_uncertain` says so (True, or a collection of job names); the same
    for `retry_failed` and failed jobs. `max_in_flight` caps the tasks at the
    gateway at once, `creates_per_minute` the pace of creates; a 429 pauses the
    whole batch. Raises `BatchAborted` (after the jobs in flight are recorded)
    when the key is refused.
    """
    items, jobs_path = _as_jobs(jobs)
    if max_in_flight < 1:
        raise ValueError(f"max_in_flight must be 1 or more, not {max_in_flight}")
    _check_uploads(client, items)
    out = Path(os.path.expanduser(output)).absolute()
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"the output {out} is a file: a batch writes into a folder")
    out.mkdir(parents=True, exist_ok=True)
    own_journal = not isinstance(journal, Journal)
    if isinstance(journal, Journal):
        store: Journal = journal
    else:
        if journal is None:
            if jobs_path is None:
                raise ValueError(
                    "pass journal= (a path or a Journal) for jobs not read from a file"
                )
            journal = default_journal_path(jobs_path)
        store = await asyncio.to_thread(SQLiteJournal, journal)
    writer = _Writer(store, asyncio.get_running_loop())
    tasks: list[asyncio.Task[JobOutcome]] = []
    run: _Run | None = None
    try:
        records = await asyncio.to_thread(store.open_batch, items, str(out))
        by_name: dict[str, JobRecord] = {r.name: r for r in records}
        clock = time.monotonic
        run = _Run(
            client=client,
            writer=writer,
            output=out,
            quota=Quota(creates_per_minute=creates_per_minute),
            in_flight=_Places(max_in_flight),
            wait_timeout=wait_timeout,
            poll_interval=poll_interval,
            clock=clock,
            on_progress=on_progress,
            counts=Counter(),
            total=len(items),
            to_do=0,
            started=clock(),
        )
        retry = _chooser(retry_failed)
        recreate = _chooser(recreate_uncertain)
        plan: list[tuple[_Job, Step]] = []
        for job in items:
            record = by_name[job.name]
            item = _Job(
                job, record.state, record.task_id, record.attempts, record.error, record.error_stage
            )
            item.file = Path(record.file) if record.file else None
            run.counts[item.state] += 1
            step = step_for(record, retry_failed=retry, recreate_uncertain=recreate)
            if step is Step.MARK_UNCERTAIN:
                await run.move(item, State.UNCERTAIN, error=UNCERTAIN_REASON, error_stage="create")
                step = step_for(
                    attrs.evolve(record, state=State.UNCERTAIN),
                    retry_failed=retry,
                    recreate_uncertain=recreate,
                )
            plan.append((item, step))
        idle = (Step.DONE, Step.LEAVE_FAILED, Step.LEAVE_UNCERTAIN)
        for item, step in plan:
            if step in idle:
                yield run.outcome(item, earlier=True)
        work = [(item, step) for item, step in plan if step not in idle]
        run.to_do = len(work)
        run._report()
        # tasks already at the gateway take their in-flight places before any new create
        work.sort(key=lambda pair: pair[1] is Step.CREATE)
        tasks = [asyncio.ensure_future(run.drive(item, step)) for item, step in work]
        for finished in asyncio.as_completed(tasks):
            yield await finished
        if run.stopping is not None:
            raise BatchAborted(
                f"the batch stopped: {getattr(run.stopping, 'message', run.stopping)}; every job is "
                "recorded: fix it and run the batch again to resume"
            ) from run.stopping
    finally:
        if run is not None:
            run.stop(asyncio.CancelledError("the batch run stopped"))  # no new creates
        if run is not None and run.creating:
            # stopped early: let the creates on the way be answered and recorded (a second
            # Ctrl-C stops at once; one still unanswered then is uncertain on the next run)
            await asyncio.wait(set(run.creating), timeout=_CREATE_GRACE)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await writer.aclose()
        if own_journal:
            store.close()


def run_batch_sync(
    jobs: Jobs | Sequence[Job] | str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    client_options: Mapping[str, Any] | None = None,
    **options: Any,
) -> Iterator[JobOutcome]:
    """`run_batch` for synchronous code: an iterator of outcomes (an `AsyncClient` is made inside).

    `client_options` are `AsyncClient`'s arguments (``api_key``, ``base_url``, ...);
    `options` are `run_batch`'s. The batch advances while the iterator is read.
    """
    with asyncio.Runner() as runner:
        client = runner.run(_make_client(dict(client_options or {})))
        outcomes = run_batch(jobs, output, client=client, **options)
        try:
            while True:
                try:
                    yield runner.run(_next(outcomes))
                except StopAsyncIteration:
                    return
        finally:
            runner.run(outcomes.aclose())
            runner.run(client.aclose())


async def _next(outcomes: AsyncGenerator[JobOutcome, None]) -> JobOutcome:
    return await anext(outcomes)


async def _make_client(options: dict[str, Any]) -> AsyncClient:
    return AsyncClient(**options)

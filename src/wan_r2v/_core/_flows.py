"""The calls as sans-I/O flows: generators that yield actions and receive their outcomes.

A flow yields `Send` (make this request, send back an `Exchange` or the
transport error), `Stream` (stream this GET into a file, send back the
`Path`, an `Interrupted` body, the `Exchange` of an answer that is not the
video, or the transport error), `Discard` (remove a kept partial file),
`Sleep` (send back None), `Report` (hand a task to ``on_progress``) and `Upload`
(store local reference files, send back their URLs or the `UploadError`).
Retries, deadlines, polling, redirects and resuming live here once; `Client` and `AsyncClient` only drive
the generator, the first with blocking calls, the second with awaits.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Generator
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx

from .._config import ClientConfig
from .._frozen import Frozen, field_setter
from ..errors import DownloadError, TaskFailedError, UploadError, WaitTimeoutError, WanR2VError
from ..references import LocalFile, UploaderSource, substitute, url_lifetime
from ..references._uploads import AsyncUploader, Uploader
from ..task import GenerationResult, Task, TaskStatus
from ._answers import NOT_SENT_ERRORS, Exchange, read_created, read_task, retry_after_of
from ._create_body import CreateParams
from ._download_plan import (
    MAX_REDIRECTS,
    Interrupted,
    Pace,
    PartialFile,
    Resume,
    Target,
    download_request,
    read_download,
    resolve_video_url,
    safe_filename,
)
from ._fallback import fetch_with_fallback
from ._local_files import DEFAULT_WAIT_TIMEOUT, build_body_with_files
from ._log import log_attempt, logs_successes, no_retry_reason
from ._polling import poll_delay
from ._requests import (
    RequestSpec,
    build_create_request,
    build_get_request,
    check_task_id,
    clip_timeout,
)
from ._retry import Failure, final_error, is_transient, retry_delay

__all__ = [
    "Action",
    "Discard",
    "Flow",
    "FlowContext",
    "Report",
    "Send",
    "Sleep",
    "Stream",
    "Upload",
    "create_flow",
    "download_flow",
    "finish",
    "generate_flow",
    "get_flow",
    "wait_flow",
]

logger = logging.getLogger("wan_r2v")
T = TypeVar("T")


class Send(Frozen):
    """Make this request; send back an `Exchange` or the `httpx.TransportError`."""

    __match_args__ = ("request",)
    __slots__ = ("request",)
    request: RequestSpec

    def __init__(self, request: RequestSpec) -> None:
        set_field = field_setter(self)
        set_field("request", request)


class Stream(Frozen):
    """GET this URL into a file atomically; send back the `Path`, an `Interrupted` body, an `Exchange` or the transport error."""

    __match_args__ = ("request",)
    __slots__ = (
        "default_name",
        "max_bytes",
        "overwrite",
        "pace",
        "part",
        "request",
        "resume",
        "target",
    )
    _uncompared = frozenset({"part", "pace"})
    request: RequestSpec
    #: A file, or a folder (then the file is ``default_name`` inside it).
    target: Target
    default_name: str
    overwrite: bool
    max_bytes: int | None
    #: The partial file of an interrupted attempt to go on writing (None: a new file).
    part: PartialFile | None
    #: Where `part` stands; the request asks for the rest (None: the whole file).
    resume: Resume | None
    #: This attempt's clocks (the download's time limit, the stall rule), fed with each chunk.
    pace: Pace | None

    def __init__(
        self,
        request: RequestSpec,
        *,
        target: Target,
        default_name: str,
        overwrite: bool,
        max_bytes: int | None,
        part: PartialFile | None = None,
        resume: Resume | None = None,
        pace: Pace | None = None,
    ) -> None:
        set_field = field_setter(self)
        set_field("request", request)
        set_field("target", target)
        set_field("default_name", default_name)
        set_field("overwrite", overwrite)
        set_field("max_bytes", max_bytes)
        set_field("part", part)
        set_field("resume", resume)
        set_field("pace", pace)


class Discard(Frozen):
    """Remove the partial file of a download that will not go on; send back None."""

    __match_args__ = ("part",)
    __slots__ = ("part",)
    part: PartialFile

    def __init__(self, part: PartialFile) -> None:
        set_field = field_setter(self)
        set_field("part", part)


class Sleep(Frozen):
    """Wait this many seconds; send back None."""

    __match_args__ = ("seconds",)
    __slots__ = ("seconds",)
    seconds: float

    def __init__(self, seconds: float) -> None:
        set_field = field_setter(self)
        set_field("seconds", seconds)


class Report(Frozen):
    """Hand this task to the ``on_progress`` callback, if any; send back None."""

    __match_args__ = ("task",)
    __slots__ = ("task",)
    task: Task

    def __init__(self, task: Task) -> None:
        set_field = field_setter(self)
        set_field("task", task)


class Upload(Frozen):
    """Store these local files with this uploader, at once; send back their URLs in order, or the `UploadError`."""

    __match_args__ = ("uploader", "files", "expires_in")
    __slots__ = ("expires_in", "files", "uploader")
    _unshown = frozenset({"uploader"})
    uploader: Uploader | AsyncUploader
    files: tuple[LocalFile, ...]
    expires_in: timedelta

    def __init__(
        self,
        uploader: Uploader | AsyncUploader,
        files: tuple[LocalFile, ...],
        expires_in: timedelta,
    ) -> None:
        set_field = field_setter(self)
        set_field("uploader", uploader)
        set_field("files", files)
        set_field("expires_in", expires_in)


Action = Send | Stream | Discard | Sleep | Report | Upload
Flow = Generator[Action, Any, T]


class FlowContext(Frozen):
    """What every flow reads: the configuration, the effective timeout, a clock and a dice."""

    __slots__ = ("clock", "config", "rand", "timeout", "uploads", "user_agent")
    config: ClientConfig
    timeout: httpx.Timeout
    user_agent: str
    clock: Callable[[], float]
    rand: Callable[[], float]
    #: Where local reference files go (None: nowhere; a local file is then a validation problem).
    uploads: UploaderSource | None

    def __init__(
        self,
        *,
        config: ClientConfig,
        timeout: httpx.Timeout,
        user_agent: str,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
        uploads: UploaderSource | None = None,
    ) -> None:
        set_field = field_setter(self)
        set_field("config", config)
        set_field("timeout", timeout)
        set_field("user_agent", user_agent)
        set_field("clock", clock)
        set_field("rand", rand)
        set_field("uploads", uploads)

    @property
    def secret(self) -> str | None:
        """The API key, only to scrub it out of messages."""
        return self.config.api_key.reveal() if self.config.api_key is not None else None


def _failure(error: WanR2VError, outcome: object) -> Failure:
    """What a retry decision needs of a failed attempt: the error, Retry-After, never-sent."""
    return Failure(
        error,
        retry_after=retry_after_of(outcome.headers) if isinstance(outcome, Exchange) else None,
        not_sent=isinstance(outcome, NOT_SENT_ERRORS),
    )


def _attempts(
    ctx: FlowContext,
    request: RequestSpec,
    read: Callable[[Any], T],
    *,
    is_create: bool,
    deadline: float | None = None,
) -> Flow[T]:
    """Send a request until `read` accepts its outcome or no retry is left (never past `deadline`)."""
    attempt = 0
    while True:
        started = ctx.clock()
        remaining = None if deadline is None else deadline - started
        outcome = yield Send(request.within(remaining))
        try:
            result = read(outcome)
        except WanR2VError as error:
            failure = _failure(error, outcome)
            delay = retry_delay(
                ctx.config.retry, attempt, failure, is_create=is_create, rand=ctx.rand
            )
            deadline_near = (
                delay is not None and deadline is not None and ctx.clock() + delay >= deadline
            )
            if deadline_near:
                delay = None
            if delay is None:
                reason = no_retry_reason(
                    ctx.config.retry,
                    attempt,
                    failure,
                    is_create=is_create,
                    deadline_near=deadline_near,
                )
                log_attempt(
                    request, outcome, seconds=ctx.clock() - started, decision=f"{reason}: {error.message}",
                    secret=ctx.secret, failed=True,
                )  # fmt: skip
                final = final_error(failure, is_create=is_create)
                if final is error:
                    raise
                raise final from error
            retry = f"retry {attempt + 1} of {ctx.config.retry.max_retries} in {delay:.2f} s"
            log_attempt(
                request, outcome, seconds=ctx.clock() - started, decision=f"{retry}: {error.message}",
                secret=ctx.secret, failed=True,
            )  # fmt: skip
            yield Sleep(delay)
            attempt += 1
        else:
            if logs_successes():  # checked first: the line's parts cost more than the check
                log_attempt(
                    request, outcome, seconds=ctx.clock() - started, decision="ok",
                    secret=ctx.secret, failed=False,
                )  # fmt: skip
            return result


def create_flow(
    ctx: FlowContext, params: CreateParams, *, wait_timeout: float = DEFAULT_WAIT_TIMEOUT
) -> Flow[Task]:
    """Validate (local files too), upload local files, then create a task; retried only when it certainly was not created.

    Uploaded files' URLs stay valid for `wait_timeout` plus a margin; a failed upload sends no create.
    """
    body, files, uploader = build_body_with_files(
        params, presets=ctx.config.presets, strict=ctx.config.strict, uploads=ctx.uploads
    )
    if files and uploader is not None:
        urls = yield Upload(uploader, files, url_lifetime(wait_timeout))
        if isinstance(urls, UploadError):
            raise urls
        body = substitute(body, urls)
    request = build_create_request(ctx.config, body, user_agent=ctx.user_agent, timeout=ctx.timeout)
    read = partial(read_created, secret=ctx.secret)
    return (yield from _attempts(ctx, request, read, is_create=True))


def get_flow(ctx: FlowContext, task_id: str, *, deadline: float | None = None) -> Flow[Task]:
    """Query a task once (with GET retries)."""
    request = build_get_request(ctx.config, task_id, user_agent=ctx.user_agent, timeout=ctx.timeout)
    read = partial(read_task, task_id=task_id, secret=ctx.secret)
    return (yield from _attempts(ctx, request, read, is_create=False, deadline=deadline))


#: How a status reads in a sentence: "task X has failed", never "task X is failed".
_STATUS_PHRASES = {
    TaskStatus.QUEUED: "is queued",
    TaskStatus.RUNNING: "is running",
    TaskStatus.SUCCEEDED: "has succeeded",
    TaskStatus.FAILED: "has failed",
    TaskStatus.CANCELLED: "was cancelled",
    TaskStatus.UNKNOWN: "is in an unknown state",
}


def _describe(task: Task) -> str:
    word = (
        f" ({task.raw_status})" if task.raw_status and task.raw_status != task.status.value else ""
    )
    return f"task {task.id} {_STATUS_PHRASES.get(task.status, f'is {task.status.value}')}{word}"


def finish(task: Task, *, raise_on_failure: bool) -> Task:
    """The finished task, or `TaskFailedError` carrying it when it ended without a video."""
    if task.failed and raise_on_failure:
        reason = task.error_message or "the gateway gave no reason"
        code = f" [{task.error_code}]" if task.error_code else ""
        raise TaskFailedError(f"{_describe(task)}: {reason}{code}", task)
    return task


def _progress_key(task: Task | None) -> tuple[object, ...] | None:
    return None if task is None else (task.id, task.status, task.progress)


def wait_flow(
    ctx: FlowContext,
    task_or_id: Task | str,
    *,
    timeout: float,
    poll_interval: float | None = None,
    raise_on_failure: bool = True,
    fresh: bool = False,
) -> Flow[Task]:
    """Poll until the task is done or the wall-clock deadline passes; survive transient errors.

    Reports the first known task at once, then every change of status or
    progress. A task id alone is enough: any process can resume waiting.
    `fresh`: the task was created just now, so the first query waits one poll
    interval (asking at once would only hear what the create answer said).
    """
    deadline = ctx.clock() + timeout
    known = task_or_id if isinstance(task_or_id, Task) else None
    task_id = check_task_id(known.id if known is not None else task_or_id, secret=ctx.secret)
    interval = poll_interval if poll_interval is not None else ctx.config.poll_interval
    reported = _progress_key(known)
    if known is not None:
        yield Report(known)
        if known.done and (known.failed or known.video_url is not None):
            return finish(known, raise_on_failure=raise_on_failure)
    polls = 0
    if fresh and known is not None and not known.done:
        yield Sleep(poll_delay(0, poll_interval=interval, remaining=deadline - ctx.clock()))
        polls = 1
    while True:
        retry_after: float | None = None
        last_error: WanR2VError | None = None
        try:
            task = yield from get_flow(ctx, task_id, deadline=deadline)
        except WanR2VError as error:
            if not is_transient(error):
                raise
            last_error, retry_after = error, getattr(error, "retry_after", None)
            logger.info("polling task %s failed (%s); polling on", task_id, error.message)
        else:
            known = task
            if _progress_key(task) != reported:
                reported = _progress_key(task)
                yield Report(task)
            if task.done:
                return finish(task, raise_on_failure=raise_on_failure)
        remaining = deadline - ctx.clock()
        # a Retry-After reaching past the deadline leaves no poll to make: end now
        if remaining <= 0 or (retry_after is not None and retry_after >= remaining):
            last = known if known is not None else Task(id=task_id)
            asked = (
                f" (the gateway asked to wait {retry_after:g} s before asking again)"
                if remaining > 0
                else ""
            )
            raise WaitTimeoutError(
                f"{_describe(last)} ({last.progress}%) after waiting {timeout:g} s{asked}; it goes "
                f"on: wait for {task_id} again to resume",
                last,
            ) from last_error
        yield Sleep(
            poll_delay(polls, poll_interval=interval, retry_after=retry_after, remaining=remaining)
        )
        polls += 1


def download_flow(
    ctx: FlowContext, task_or_id: Task | str, path: Target | Path, *, overwrite: bool = True
) -> Flow[Path]:
    """Stream the task's video to `path` (a file, or a folder for ``<task_id>.mp4``); query it first if needed.

    No result URL, or an expired one: through the gateway's ``/content``, then a fresh URL (`_fallback`).
    """
    target = path if isinstance(path, Target) else Target(path)
    task = task_or_id if isinstance(task_or_id, Task) else None
    if task is None or task.video_url is None:
        task = yield from get_flow(ctx, task.id if task is not None else str(task_or_id))
    if not task.succeeded:
        finish(task, raise_on_failure=True)
        raise DownloadError(
            f"{_describe(task)} ({task.progress}%), not finished: wait for it first"
        )
    stream = partial(
        Stream,
        target=target,
        default_name=safe_filename(task.id),
        overwrite=overwrite,
        max_bytes=ctx.config.max_download_bytes,
    )
    # one time limit for the whole download: result URL, /content and a fresh URL together
    limit = ctx.config.download.timeout
    deadline = None if limit is None else ctx.clock() + limit
    try:
        return (
            yield from fetch_with_fallback(
                task,
                ctx.config,
                fetch=lambda url: _fetch(ctx, url, stream, deadline),
                query=lambda task_id: get_flow(ctx, task_id),
            )
        )
    except DownloadError:
        raise
    except WanR2VError as error:
        raise DownloadError(
            f"could not download the video of task {task.id}: {error.message}; nothing was written",
            status_code=getattr(error, "status_code", None),
        ) from error


def _attempt_timeout(ctx: FlowContext, remaining: float | None) -> httpx.Timeout:
    """The attempt's per-phase timeout: within the download's time left, reads within the stall time."""
    timeout = clip_timeout(ctx.timeout, remaining)
    limits = ctx.config.download
    if not limits.min_speed or (timeout.read is not None and timeout.read <= limits.stall_time):
        return timeout
    # a silent server has stalled too: no read waits longer than the stall rule's window
    return httpx.Timeout(
        connect=timeout.connect, read=limits.stall_time, write=timeout.write, pool=timeout.pool
    )


def _fetch(
    ctx: FlowContext, url: str, stream: Callable[..., Stream], deadline: float | None
) -> Flow[Path]:
    """GET a result into its file: follow redirects, retry, resume a broken body where the server allows.

    All of it ends by `deadline`, the download's time limit (`DownloadLimits.timeout`).
    """
    limits = ctx.config.download
    part: PartialFile | None = None
    resume: Resume | None = None
    attempt = hops = 0

    def over_time() -> DownloadError:
        return DownloadError(
            f"the download did not finish within download_timeout={limits.timeout:g} s; "
            "nothing was written (raise download_timeout for a slow link)"
        )

    try:
        while True:
            remaining = None if deadline is None else deadline - ctx.clock()
            if remaining is not None and remaining <= 0:
                raise over_time()
            request = download_request(
                url,
                ctx.config,
                user_agent=ctx.user_agent,
                timeout=_attempt_timeout(ctx, remaining),
                resume=resume,
                budget=remaining,
            )
            started = ctx.clock()
            pace = Pace(
                ctx.clock,
                deadline=deadline,
                min_speed=limits.min_speed,
                stall_time=limits.stall_time,
            )
            outcome = yield stream(request, part=part, resume=resume, pace=pace)
            if isinstance(outcome, Interrupted):
                part, resume = outcome.part, outcome.resume
            try:
                step = read_download(
                    outcome,
                    url,
                    resume=resume,
                    max_bytes=ctx.config.max_download_bytes,
                    secret=ctx.secret,
                )
            except WanR2VError as error:
                if deadline is not None and ctx.clock() >= deadline:
                    raise over_time() from error
                failure = _failure(error, outcome)
                delay = retry_delay(
                    ctx.config.retry, attempt, failure, is_create=False, rand=ctx.rand
                )
                near = (
                    delay is not None and deadline is not None and ctx.clock() + delay >= deadline
                )
                if near:
                    delay = None  # no time left to try again
                if delay is None:
                    reason = no_retry_reason(
                        ctx.config.retry, attempt, failure, is_create=False, deadline_near=near
                    )
                    log_attempt(
                        request, outcome, seconds=ctx.clock() - started,
                        decision=f"{reason}: {error.message}", secret=ctx.secret, failed=True,
                        download=True,
                    )  # fmt: skip
                    raise
                at = f", resuming at byte {resume.offset}" if resume is not None else ""
                retry = (
                    f"retry {attempt + 1} of {ctx.config.retry.max_retries} in {delay:.2f} s{at}"
                )
                log_attempt(
                    request, outcome, seconds=ctx.clock() - started,
                    decision=f"{retry}: {error.message}", secret=ctx.secret, failed=True,
                    download=True,
                )  # fmt: skip
                yield Sleep(delay)
                attempt += 1
                continue
            done = "saved" if isinstance(step, Path) else "redirected"
            log_attempt(
                request, outcome, seconds=ctx.clock() - started, decision=done,
                secret=ctx.secret, failed=False, download=True,
            )  # fmt: skip
            if isinstance(step, Path):
                part = None
                return step
            hops += 1
            if hops > MAX_REDIRECTS:
                raise DownloadError(
                    f"the result URL redirected more than {MAX_REDIRECTS} times; nothing was written"
                )
            url = resolve_video_url(step.url, None)
    except WanR2VError:
        if part is not None:
            yield Discard(part)
        raise


def generate_flow(
    ctx: FlowContext,
    params: CreateParams,
    *,
    path: Target,
    wait_timeout: float,
    poll_interval: float | None = None,
    overwrite: bool = True,
) -> Flow[GenerationResult]:
    """Create, wait (reporting the created task at once), then download."""
    task = yield from create_flow(ctx, params, wait_timeout=wait_timeout)
    task = yield from wait_flow(
        ctx, task, timeout=wait_timeout, poll_interval=poll_interval, fresh=True
    )
    file = yield from download_flow(ctx, task, path, overwrite=overwrite)
    return GenerationResult(task, file)

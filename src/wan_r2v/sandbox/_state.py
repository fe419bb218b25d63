"""What one sandbox holds: its settings, clock, tasks, the requests it saw and its fault rules.

Every method is thread-safe: the server thread answers requests while a test
thread resets, advances the clock or adds faults.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from wan_r2v.presets import PRESETS, Preset, ReferenceLimits, parse_size

from ._answers import DialectStyle, TaskView
from ._faults import Fault, FaultInput, FaultSet
from ._lifecycle import CLOCK_MODES, Clock, ClockMode, ManualClock, TaskPlan, WallClock, snapshot
from ._mp4 import check_video

__all__ = [
    "DEFAULT_API_KEY",
    "DIALECTS",
    "Dialect",
    "ReceivedRequest",
    "SandboxConfig",
    "SandboxState",
    "TaskRecord",
]

DEFAULT_API_KEY = "sk-sandbox"
_REDACTED = "Bearer ***"


def _positive(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if value <= 0:
        raise ValueError(f"{attribute.name} must be positive, not {value!r}")


Dialect = Literal["uniall", "new-api"]
DIALECTS: tuple[Dialect, ...] = ("uniall", "new-api")


def _dialect_name(_: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in DIALECTS:
        raise ValueError(f"dialect={value!r}; use one of: {', '.join(DIALECTS)}")


def _clock_mode(_: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in CLOCK_MODES:
        raise ValueError(f"clock={value!r}; use one of: {', '.join(CLOCK_MODES)}")


@attrs.frozen(kw_only=True)
class SandboxConfig:
    """The settings of a sandbox (see `Sandbox` for what each means)."""

    api_key: str = DEFAULT_API_KEY
    duration: float = attrs.field(default=2.0, validator=_positive)
    clock: ClockMode = attrs.field(default="wall", validator=_clock_mode)
    poll_steps: int = attrs.field(default=4, validator=_positive)
    url_ttl: float = attrs.field(default=3600.0, validator=_positive)
    fps: int = attrs.field(default=2, validator=_positive)
    presets: Mapping[str, Preset] = PRESETS
    strict: bool = True
    public_url: str | None = None
    #: Seconds of video when a create body gives no duration.
    default_seconds: int = 5
    #: ``"uniall"`` (the gateway's own answers) or ``"new-api"`` (the relay's, exactly:
    #: see `wan_r2v.sandbox._answers.NEW_API`).
    dialect: Dialect = attrs.field(default="uniall", validator=_dialect_name)
    #: Fetch every reference URL of a new task, as the provider does, and fail the task when
    #: one cannot be fetched or is not the media it claims (default: URLs are not fetched).
    check_references: bool = False


@attrs.frozen(kw_only=True)
class ReceivedRequest:
    """A request the sandbox received, as tests see it (the key's value is never kept)."""

    method: str
    path: str
    query: str
    #: ``create``, ``query``, ``download`` or ``unknown``.
    route: str
    #: Lower-case header names; ``authorization`` reads ``Bearer ***``.
    headers: Mapping[str, str]
    #: The parsed JSON body, or None (no body, or not JSON).
    json: Any
    body: bytes
    request_id: str
    #: Sandbox clock time when it arrived.
    at: float
    #: Whether the bearer key was right (None where no key is checked).
    authorized: bool | None = None
    task_id: str | None = None
    #: The status answered, or None when no answer was sent (reset, hang).
    status: int | None = None
    #: The faults that acted on it, in the header grammar.
    faults: tuple[str, ...] = ()


@attrs.define(eq=False)
class TaskRecord:
    """One task the sandbox created."""

    id: str
    model: str
    width: int
    height: int
    seconds: int
    plan: TaskPlan
    #: Clock time of creation, and the Unix time it stands for.
    created: float
    created_epoch: float
    #: Seconds a query moves the task (per_poll clock), else 0.
    poll_step: float
    polls: int = 0
    expired_urls: bool = False
    dialect: DialectStyle | None = None
    error_code: str | None = None
    error_message: str | None = None
    #: Its database row number, as new-api numbers tasks.
    row: int = 0
    #: Whether its video has sound (an AAC track): the preset's ``audio`` is True.
    audio: bool = False
    #: While its references are being fetched (``check_references``), the task stays queued.
    checking: bool = False


def _new_clock(mode: ClockMode) -> Clock:
    return WallClock() if mode == "wall" else ManualClock()


def dialect_style(fault: Fault) -> DialectStyle:
    """The dialect a ``dialect`` fault asks for."""
    url_key = fault.params.get("url", "result_url")
    if url_key not in ("result_url", "metadata"):
        raise ValueError(f"dialect url={url_key!r}; use result_url or metadata")
    envelope = fault.params.get("envelope", "1").lower() not in ("0", "false", "no", "off")
    return DialectStyle(envelope=envelope, url_key=url_key)


class SandboxState:
    """The state of one sandbox, shared by its server thread and the tests."""

    def __init__(self, config: SandboxConfig, faults: Iterable[FaultInput] = ()) -> None:
        self._lock = threading.RLock()
        self._config = config
        self._initial = config
        self._clock = _new_clock(config.clock)
        self._start_epoch = time.time()
        self._secret = secrets.token_bytes(16)
        self._prefix = secrets.token_hex(3)
        self._ids = itertools.count(1)
        self._request_ids = itertools.count(1)
        self._tasks: dict[str, TaskRecord] = {}
        self._requests: list[ReceivedRequest] = []
        self.faults = FaultSet(faults)
        #: Set when the server is stopping: hanging requests give up.
        self.closing = threading.Event()

    # settings and time

    @property
    def config(self) -> SandboxConfig:
        """The current settings."""
        with self._lock:
            return self._config

    def configure(self, **changes: Any) -> SandboxConfig:
        """Change settings; a new clock mode starts a new clock."""
        with self._lock:
            old = self._config
            self._config = attrs.evolve(old, **changes)
            if self._config.clock != old.clock:
                self._clock = _new_clock(self._config.clock)
                self._start_epoch = time.time()
            return self._config

    def now(self) -> float:
        """Sandbox clock time (seconds since the clock started, plus advances)."""
        with self._lock:
            return self._clock.now()

    def epoch(self) -> float:
        """The Unix time the sandbox clock stands at."""
        with self._lock:
            return self._start_epoch + self._clock.now()

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock forward (any clock mode)."""
        with self._lock:
            self._clock.advance(seconds)

    def reset(self) -> None:
        """Forget tasks and requests; settings and fault rules back to the server's own."""
        with self._lock:
            self._tasks.clear()
            self._requests = []
            if self._config != self._initial:
                self.configure(**attrs.asdict(self._initial, recurse=False))
            self.faults.reset()

    # requests

    def next_request_id(self) -> str:
        """A fresh ``X-Request-Id``."""
        return f"req_{self._prefix}{next(self._request_ids):06d}"

    def record(self, request: ReceivedRequest) -> int:
        """Keep a received request; returns its index for `finish`."""
        headers = dict(request.headers)
        if "authorization" in headers:
            headers["authorization"] = _REDACTED
        with self._lock:
            self._requests.append(attrs.evolve(request, headers=headers))
            return len(self._requests) - 1

    def finish(self, index: int, request_id: str, **changes: Any) -> None:
        """Fill in what became known while answering (status, faults, task id)."""
        with self._lock:
            if index < len(self._requests) and self._requests[index].request_id == request_id:
                self._requests[index] = attrs.evolve(self._requests[index], **changes)

    @property
    def requests(self) -> list[ReceivedRequest]:
        """The requests received since the last reset, oldest first."""
        with self._lock:
            return list(self._requests)

    def count(self, route: str | None = None) -> int:
        """How many requests of a route (``create``, ``query``, ``download``) arrived; all when None."""
        with self._lock:
            if route is None:
                return len(self._requests)
            return Counter(r.route for r in self._requests)[route]

    # tasks

    def create_task(self, body: Mapping[str, Any], faults: Iterable[Fault]) -> TaskRecord:
        """Start a task for a valid create body, shaped by the faults acting on the create.

        Raises ValueError when the sandbox cannot make the video asked for
        (only possible with ``strict=False`` or a custom preset table).
        """
        with self._lock:
            config = self._config
            model = str(body["model"])
            preset = config.presets.get(model)
            size = body.get("size") or (preset.default_size if preset else "1280*720")
            width, height = parse_size(str(size))
            seconds = int(body.get("duration") or config.default_seconds)
            check_video(width, height, seconds, config.fps)
            total = config.duration
            plan_args: dict[str, Any] = {}
            record_args: dict[str, Any] = {}
            for fault in faults:
                if fault.kind == "slow":
                    seconds_total = fault.number("seconds", 0)
                    total = (
                        seconds_total if seconds_total > 0 else total * fault.number("factor", 10)
                    )
                elif fault.kind == "failed":
                    plan_args.update(outcome="failed", fail_at=fault.number("at", 0.5))
                    record_args.update(
                        error_code=fault.params.get("code") or "generation_failed",
                        error_message=fault.params.get("message")
                        or "The provider could not generate the video (sandbox fault 'failed').",
                    )
                elif fault.kind == "unknown_status":
                    plan_args["odd_word"] = fault.params.get("word") or "mystery"
                    if fault.flag("final"):
                        plan_args["outcome"] = "unknown"
                elif fault.kind == "expired":
                    record_args["expired_urls"] = True
                elif fault.kind == "dialect":
                    record_args["dialect"] = dialect_style(fault)
            now = self._clock.now()
            row = next(self._ids)
            task = TaskRecord(
                id=f"task_{self._prefix}{row:06d}",
                row=row,
                audio=preset is not None and preset.audio is True,
                model=model,
                width=width,
                height=height,
                seconds=seconds,
                plan=TaskPlan(total=total, **plan_args),
                created=now,
                created_epoch=self._start_epoch + now,
                poll_step=total / config.poll_steps if config.clock == "per_poll" else 0.0,
                **record_args,
            )
            self._tasks[task.id] = task
            if config.check_references:
                task.checking = True
                limits = preset.references if preset is not None else ReferenceLimits()
                threading.Thread(
                    target=self._check_references,
                    args=(task, dict(body), limits),
                    name=f"sandbox-check-{task.id}",
                    daemon=True,
                ).start()
            return task

    def _check_references(
        self, task: TaskRecord, body: Mapping[str, Any], limits: ReferenceLimits
    ) -> None:
        """Fetch the task's references (off the server's loop); then fail it, or let it start."""
        from ._reference_check import inspect_references

        try:
            refused = inspect_references(body, limits)
        except Exception as exc:  # a sandbox bug must not leave the task queued forever
            refused = ("InternalError", f"The reference check failed: {type(exc).__name__}")
        with self._lock:
            now = self._clock.now()
            task.polls = 0
            task.created = now  # generation starts once the references are in
            if refused is not None:
                task.plan = attrs.evolve(task.plan, outcome="failed", fail_at=0.0)
                task.error_code, task.error_message = refused
            task.checking = False

    def find_task(self, task_id: str, *, poll: bool = False) -> TaskRecord | None:
        """A task by id; ``poll=True`` counts a query (it moves a per_poll task one step)."""
        with self._lock:
            task = self._tasks.get(task_id)
            if task is not None and poll:
                task.polls += 1
            return task

    @property
    def tasks(self) -> list[TaskRecord]:
        """The tasks created since the last reset."""
        with self._lock:
            return list(self._tasks.values())

    def view(self, task: TaskRecord, base_url: str) -> TaskView:
        """The task as an answer shows it now, with a freshly signed result URL."""
        with self._lock:
            elapsed = self._clock.now() - task.created + task.polls * task.poll_step
            state = snapshot(task.plan, 0.0) if task.checking else snapshot(task.plan, elapsed)
            url = None
            if state.status == "completed":
                expires = int(self.epoch() + self._config.url_ttl)
                if task.expired_urls:
                    expires = int(self.epoch()) - 1
                url = (
                    f"{base_url}/_sandbox/files/{task.id}.mp4?{self.signed_query(task.id, expires)}"
                )
            completed_at = None
            if state.ended_at is not None:
                completed_at = int(task.created_epoch + state.ended_at)
            updated_at = completed_at if completed_at is not None else int(self.epoch())
            return TaskView(
                id=task.id,
                model=task.model,
                snapshot=state,
                created_at=int(task.created_epoch),
                completed_at=completed_at,
                video_url=url,
                error_code=task.error_code,
                error_message=task.error_message,
                row=task.row,
                updated_at=updated_at,
            )

    # signed result URLs

    def _signature(self, task_id: str, expires: int) -> str:
        message = f"{task_id}:{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]

    def signed_query(self, task_id: str, expires: int) -> str:
        """The ``expires=...&sig=...`` query of a result URL."""
        return f"expires={expires}&sig={self._signature(task_id, expires)}"

    def check_signature(self, task_id: str, expires: str, signature: str) -> str | None:
        """Why a result URL is refused (``"invalid"``, ``"expired"``), or None when it is good."""
        try:
            when = int(expires)
        except ValueError:
            return "invalid"
        if not hmac.compare_digest(self._signature(task_id, when), signature):
            return "invalid"
        if when < self.epoch():
            return "expired"
        return None

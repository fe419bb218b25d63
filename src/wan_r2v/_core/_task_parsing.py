"""Read a task out of any answer dialect of the gateway family; never raise on odd values.

Dialects (API-NOTES): the flat task; the ``{code, message, data: {...task}}``
envelope; DashScope's ``{output: {...}}``; status words in any case; progress
as an int or ``"30%"``; the result URL in ``video_url``, ``result.video_url``,
``result.outputs[0]``, ``metadata.url`` or ``result_url``; the failure text in
``error.message`` or ``fail_reason``; times as Unix seconds (or ms) or ISO text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..errors import InvalidResponseError
from ..task import Task, TaskStatus

__all__ = [
    "STATUS_WORDS",
    "map_status",
    "parse_task",
    "task_from_object",
    "task_identity",
    "unwrap_task",
]

#: Every known word (lower case) and what it means. The set is open: others map to UNKNOWN.
STATUS_WORDS: Mapping[str, TaskStatus] = {
    **dict.fromkeys(("queued", "pending", "submitted", "not_start"), TaskStatus.QUEUED),
    **dict.fromkeys(("in_progress", "processing", "running"), TaskStatus.RUNNING),
    **dict.fromkeys(("completed", "success", "succeeded"), TaskStatus.SUCCEEDED),
    **dict.fromkeys(("failed", "failure", "error", "expired"), TaskStatus.FAILED),
    **dict.fromkeys(("cancelled", "canceled"), TaskStatus.CANCELLED),
    "unknown": TaskStatus.UNKNOWN,
}

_TASK_KEYS = ("id", "task_id", "status", "task_status")
# Above this a Unix time is in milliseconds (1e11 s is the year 5138).
_MS_THRESHOLD = 1e11


def map_status(word: object) -> TaskStatus:
    """The `TaskStatus` of a status word in any case; UNKNOWN for anything else."""
    if type(word) is str:
        known = STATUS_WORDS.get(word)  # a word already in normal form
        if known is not None:
            return known
    if not isinstance(word, str):
        return TaskStatus.UNKNOWN
    key = word.strip().lower().replace("-", "_").replace(" ", "_")
    return STATUS_WORDS.get(key, TaskStatus.UNKNOWN)


def _text(value: object) -> str | None:
    """A non-empty stripped string, a number as text, or None."""
    if type(value) is str:  # the common cases first, by exact type
        return value.strip() or None
    if type(value) is int:
        return str(value)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if isinstance(value, float) and not math.isfinite(value) else str(value)
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    return None


def _url(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _mapping(value: object) -> Mapping[str, Any]:
    if type(value) is dict:
        return value
    if value is None or not isinstance(value, Mapping):
        return {}
    return value


def _first(*values: object) -> object:
    for value in values:
        if value is not None and value != "":
            return value
    return None


def _pick(task: Mapping[str, Any], *keys: str) -> object:
    """``_first`` of the values at `keys`, reading no further key than needed."""
    for key in keys:
        value = task.get(key)
        if value is not None and value != "":
            return value
    return None


def parse_progress(value: object) -> int | None:
    """A percentage 0..100 from ``30``, ``30.5``, ``"30"`` or ``"30%"``; None when unreadable."""
    if type(value) is int:  # the common case first
        return min(100, max(0, value))
    if isinstance(value, bool):
        return None
    if isinstance(value, int):  # any size (float() of a huge int would overflow)
        return min(100, max(0, int(value)))
    number: float
    if isinstance(value, float):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value.strip().rstrip("%").strip())
        except ValueError:
            return None
    else:
        return None
    if not math.isfinite(number):
        return None
    return min(100, max(0, int(number)))


def parse_time(value: object) -> datetime | None:
    """A UTC-aware datetime from Unix seconds or ms, numeric text or ISO text; None otherwise."""
    if type(value) is int and 0 < value <= _MS_THRESHOLD:  # the common case: Unix seconds
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            return _parse_date_text(text)
    if not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int beyond any date
        return None
    if not math.isfinite(number) or number <= 0:
        return None  # some relays send 0 for "not yet"
    if number > _MS_THRESHOLD:
        number /= 1000.0
    try:
        return datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _parse_date_text(text: str) -> datetime | None:
    from dateutil import parser as date_parser  # here: ~6 ms to import, and rarely needed

    try:
        parsed = date_parser.isoparse(text)
    except (ValueError, OverflowError):
        try:
            parsed = date_parser.parse(text)
        except (ValueError, OverflowError, date_parser.ParserError):
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def unwrap_task(payload: Mapping[str, Any], *, _depth: int = 0) -> Mapping[str, Any] | None:
    """The task object inside an answer (flat, ``data`` envelope or ``output``), or None."""
    for key in _TASK_KEYS:
        if key in payload:
            return payload
    if _depth >= 3:
        return None
    for wrapper in ("data", "output"):
        inner = payload.get(wrapper)
        if type(inner) is dict or isinstance(inner, Mapping):
            return unwrap_task(inner, _depth=_depth + 1)
    return None


def _video_url(task: Mapping[str, Any]) -> str | None:
    """The first URL among the documented places, looked at in order."""
    url = _url(task.get("video_url"))
    if url is not None:
        return url
    result = _mapping(task.get("result"))
    url = _url(result.get("video_url"))
    if url is not None:
        return url
    outputs = result.get("outputs")
    first_output = outputs[0] if isinstance(outputs, list) and outputs else None
    if type(first_output) is dict or isinstance(first_output, Mapping):
        first_output = _first(first_output.get("url"), first_output.get("video_url"))
    for candidate in (
        first_output,
        _mapping(task.get("metadata")).get("url"),
        task.get("result_url"),
        result.get("url"),
    ):
        url = _url(candidate)
        if url is not None:
            return url
    return None


def _error(task: Mapping[str, Any], status: TaskStatus) -> tuple[str | None, str | None]:
    """(code, message) of a task's failure, from any of the documented places.

    A bare ``code``/``message`` beside the task (DashScope) counts only once the
    task is not queued or running: elsewhere it is chatter, not an error.
    """
    error = task.get("error")
    code: object = None
    message: object = None
    if error is None:
        pass
    elif type(error) is dict or isinstance(error, Mapping):
        code = _first(error.get("code"), error.get("type"))
        message = error.get("message")
    elif isinstance(error, str):
        message = error
    if message is None or message == "":
        message = _pick(task, "fail_reason", "error_message")
    if code is None or code == "":
        code = _pick(task, "error_code")
    if status is not TaskStatus.QUEUED and status is not TaskStatus.RUNNING:
        if message is None or message == "":
            message = _pick(task, "message")
        if code is None or code == "":
            code = _pick(task, "code")
    return _text(code), _text(message)


def _says_unknown(*words: str | None) -> bool:
    """Whether a word is the documented ``unknown`` (an end: the task is unknown or expired)."""
    return any(w is not None and w.lower() == "unknown" for w in words)


def task_identity(task: Mapping[str, Any], *, known: str | None = None) -> str | None:
    """The task id of an answer's task object: ``task_id`` wins over ``id``.

    An integer ``id`` is a database row number (new-api's envelope puts it in
    ``data.id``), not a task id: it is read only when neither ``task_id``, a
    text ``id`` nor the `known` id of the task asked about is there.
    """
    named = _text(task.get("task_id"))
    if named is not None:
        return named
    ident = task.get("id")
    if isinstance(ident, str):
        return _text(ident) or known
    return known or _text(ident)


def parse_task(payload: object, *, task_id: str | None = None) -> Task:
    """Read a `Task` from an answer of any dialect; `InvalidResponseError` when it holds none.

    Unknown status words become `TaskStatus.UNKNOWN`; values of odd types are
    ignored, never raised on. `task_id` fills in an answer that omits the id.
    """
    if not (type(payload) is dict or isinstance(payload, Mapping)):
        raise InvalidResponseError(
            f"expected a JSON object with a task, got {type(payload).__name__}"
        )
    return task_from_object(unwrap_task(payload), raw=dict(payload), task_id=task_id)


def task_from_object(
    task: Mapping[str, Any] | None, *, raw: Mapping[str, Any], task_id: str | None = None
) -> Task:
    """The `Task` of an answer's task object (`unwrap_task`'s result); `raw` is the whole answer.

    `raw` is kept as is, not copied: pass a mapping nobody else changes.
    """
    if task is None:
        task = {}
    get = task.get
    ident = task_identity(task, known=task_id)
    if ident is None:
        raise InvalidResponseError("the answer holds no task id")
    raw_status = _text(_pick(task, "status", "task_status"))
    upstream = _text(get("raw_status"))
    status = map_status(raw_status)
    if status is TaskStatus.UNKNOWN:
        status = map_status(upstream)  # the upstream's word decides when the gateway's is unknown
    progress = parse_progress(get("progress"))
    if progress is None:
        progress = 100 if status is TaskStatus.SUCCEEDED else 0
    # a finished video has no error, whatever stale text sits beside it
    code, message = (None, None) if status is TaskStatus.SUCCEEDED else _error(task, status)
    return Task(
        id=ident,
        status=status,
        raw_status=raw_status,
        upstream_status=upstream,
        model=_text(get("model")),
        progress=progress,
        video_url=_video_url(task),
        error_code=code,
        error_message=message,
        created_at=parse_time(_pick(task, "created_at", "submit_time")),
        # new-api's completed_at is the row's last update, set while the task runs
        completed_at=parse_time(_pick(task, "completed_at", "finished_at", "finish_time"))
        if status.is_terminal or _says_unknown(raw_status, upstream)
        else None,
        raw=raw,
    )

"""The JSON the sandbox answers with: the gateway's task and error shapes, and a dialect variant.

The gateway's shapes follow ``openapi/wan-r2v.yaml`` and ``API-NOTES``; the
dialect is what other gateways of the family send (an envelope, upper-case
words, progress as ``"30%"``, the URL under ``result_url`` or
``metadata.url``, flat errors).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._lifecycle import Snapshot

__all__ = [
    "DialectStyle",
    "TaskView",
    "create_answer",
    "dialect_error",
    "dialect_task",
    "error_answer",
    "new_api_create",
    "new_api_envelope",
    "new_api_video",
    "query_answer",
]

JSON = dict[str, Any]

#: (type, code) of the gateway's error JSON for each status.
_ERROR_KINDS: Mapping[int, tuple[str, str]] = {
    400: ("invalid_request_error", "invalid_request"),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", "forbidden"),
    404: ("invalid_request_error", "task_not_found"),
    405: ("invalid_request_error", "method_not_allowed"),
    416: ("invalid_request_error", "range_not_satisfiable"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
    500: ("server_error", "internal_error"),
    502: ("upstream_error", "bad_gateway"),
    503: ("server_error", "service_unavailable"),
    504: ("server_error", "gateway_timeout"),
}

_DEFAULT_MESSAGES: Mapping[int, str] = {
    429: "Rate limit reached for this key; retry after the time in the Retry-After header.",
    500: "The gateway failed to handle the request; try again later.",
    502: "The upstream provider failed; try again later.",
    503: "The gateway is overloaded; retry after the time in the Retry-After header.",
}


@attrs.frozen(kw_only=True)
class TaskView:
    """What an answer about a task needs: its identity, state, times and result URL."""

    id: str
    model: str
    snapshot: Snapshot
    created_at: int
    completed_at: int | None
    video_url: str | None
    error_code: str | None = None
    error_message: str | None = None
    #: new-api's database row number of the task (its envelope's ``data.id``).
    row: int = 0
    #: Unix time of the task's last change (new-api's ``completed_at``/``updated_at``).
    updated_at: int = 0


@attrs.frozen(kw_only=True)
class DialectStyle:
    """How the dialect answers: wrapped in an envelope or not, where the URL goes.

    `new_api`: answer exactly as new-api does (`new_api_create`, `new_api_video`,
    `new_api_envelope`, flat errors, 400 ``task_not_exist``, no Retry-After).
    """

    envelope: bool = True
    url_key: str = "result_url"  # or "metadata"
    new_api: bool = False


#: The sandbox answering as new-api (`SandboxConfig.dialect` ``"new-api"``).
NEW_API = DialectStyle(new_api=True)


def default_error(status: int) -> tuple[str, str]:
    """The (type, code) the gateway uses for a status."""
    if status in _ERROR_KINDS:
        return _ERROR_KINDS[status]
    return (
        ("server_error", f"http_{status}")
        if status >= 500
        else ("invalid_request_error", f"http_{status}")
    )


def error_answer(
    status: int,
    message: str | None = None,
    *,
    code: str | None = None,
    type: str | None = None,
    param: str | None = None,
) -> JSON:
    """The OpenAI-shaped error JSON the gateway sends."""
    default_type, default_code = default_error(status)
    text = message or _DEFAULT_MESSAGES.get(status) or f"The gateway answered HTTP {status}."
    return {
        "error": {
            "message": text,
            "type": type or default_type,
            "code": code or default_code,
            "param": param,
        }
    }


def dialect_error(status: int, message: str | None = None, *, code: str | None = None) -> JSON:
    """The flat error JSON of the dialect: ``{"code", "message", "data": null}``."""
    nested = error_answer(status, message, code=code)["error"]
    return {"code": nested["code"], "message": nested["message"], "data": None}


def create_answer(view: TaskView) -> JSON:
    """The create call's answer: the task as it starts."""
    return {
        "id": view.id,
        "task_id": view.id,
        "object": "video.generation.job",
        "model": view.model,
        "status": view.snapshot.status,
        "progress": view.snapshot.progress,
        "created_at": view.created_at,
    }


def query_answer(view: TaskView) -> JSON:
    """The query call's answer: the task with error, result, URL, raw status and end time."""
    answer = create_answer(view)
    error = None
    if view.snapshot.status == "failed":
        error = {
            "message": view.error_message or "The task failed.",
            "code": view.error_code or "generation_failed",
        }
    result = None
    if view.video_url is not None:
        result = {"outputs": [view.video_url], "video_url": view.video_url}
    answer.update(
        {
            "error": error,
            "result": result,
            "video_url": view.video_url,
            "raw_status": view.snapshot.raw_status,
            "completed_at": view.completed_at,
        }
    )
    return answer


_DIALECT_WORDS: Mapping[str, str] = {
    "queued": "NOT_START",
    "in_progress": "IN_PROGRESS",
    "completed": "SUCCESS",
    "failed": "FAILURE",
}


def dialect_task(view: TaskView, style: DialectStyle) -> JSON:
    """The task as the dialect sends it (create and query alike)."""
    word = view.snapshot.status
    data: JSON = {
        "task_id": view.id,
        "action": "generate",
        "model": view.model,
        "status": _DIALECT_WORDS.get(word, word.upper()),
        "progress": f"{view.snapshot.progress}%",
        "fail_reason": view.error_message or "The task failed."
        if view.snapshot.status == "failed"
        else "",
        "submit_time": view.created_at,
        "finish_time": view.completed_at or 0,
    }
    if view.video_url is not None:
        if style.url_key == "metadata":
            data["metadata"] = {"url": view.video_url}
        else:
            data["result_url"] = view.video_url
    if not style.envelope:
        return data
    return {"code": "success", "message": "", "data": data}


#: new-api's words on ``/v1/videos/{id}`` (the upstream's FAILED, CANCELED, UNKNOWN all read failed).
_NEW_API_VIDEO_WORDS: Mapping[str, str] = {
    "queued": "queued",
    "in_progress": "in_progress",
    "completed": "completed",
    "failed": "failed",
    "unknown": "failed",
}
#: new-api's task row words (``/v1/video/generations/{id}``'s envelope).
_NEW_API_ROW_WORDS: Mapping[str, str] = {
    "queued": "QUEUED",
    "in_progress": "IN_PROGRESS",
    "completed": "SUCCESS",
    "failed": "FAILURE",
}


def new_api_create(view: TaskView) -> JSON:
    """new-api's create answer."""
    return {
        "id": view.id,
        "task_id": view.id,
        "object": "video",
        "model": view.model,
        "status": "queued",
        "progress": 0,
        "created_at": view.created_at,
    }


def new_api_video(view: TaskView) -> JSON:
    """new-api's ``GET /v1/videos/{id}``: the URL only in metadata.url, completed_at always set."""
    word = view.snapshot.status
    answer: JSON = {
        "id": view.id,
        "object": "video",
        "model": view.model,
        "status": _NEW_API_VIDEO_WORDS.get(word, word),  # an odd word (fault) as it is
        "progress": view.snapshot.progress,
        "created_at": view.created_at,
        "completed_at": view.updated_at,  # the row's last update, also while running
    }
    if view.video_url is not None:
        answer["metadata"] = {"url": view.video_url}
    if answer["status"] == "failed":
        answer["error"] = {
            "code": view.error_code or "generation_failed",
            "message": view.error_message or "The task failed.",
        }
    return answer


def new_api_envelope(view: TaskView) -> JSON:
    """new-api's ``GET /v1/video/generations/{id}``: the row in an envelope, data.id its number."""
    word = view.snapshot.status
    status = _NEW_API_ROW_WORDS.get(word, word.upper())
    ended = view.completed_at or 0
    data: JSON = {
        "id": view.row,
        "task_id": view.id,
        "action": "generate",
        "model": view.model,
        "status": status,
        "progress": f"{view.snapshot.progress}%",
        "fail_reason": (view.error_message or "The task failed.") if status == "FAILURE" else "",
        "result_url": view.video_url or "",
        "submit_time": view.created_at,
        "start_time": view.created_at,
        "finish_time": ended,
        "created_at": view.created_at,
        "updated_at": view.updated_at,
    }
    return {"code": "success", "message": "", "data": data}

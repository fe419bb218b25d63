"""Gateway answers shared by the hostile tests: a task, a create body, and a few handlers."""

from __future__ import annotations

import json
from typing import Any

from _peer import Handler, Reply, Request

CREATE = "/v1/video/generations"
QUERY = "/v1/videos/*"


def task(task_id: str = "task_hostile_1", **fields: Any) -> dict[str, Any]:
    """A task as new-api's create and query answers carry it."""
    return {
        "id": task_id,
        "task_id": task_id,
        "object": "video",
        "model": "wan2.6-r2v-flash-720p-audio",
        "status": "in_progress",
        "progress": 5,
        "created_at": 1773984104,
        **fields,
    }


def answer(status: int, obj: Any, headers: dict[str, str] | None = None) -> Handler:
    """A handler answering this JSON at once."""
    return lambda req, out: out.json(status, obj, headers)


def trickled(obj: Any, *, every: float, status: int = 200) -> Handler:
    """A handler sending a correct JSON answer one byte every `every` s (head at once)."""

    def handle(req: Request, out: Reply) -> None:
        body = json.dumps(obj).encode()
        out.head(status, {"Content-Type": "application/json", "Content-Length": str(len(body))})
        out.trickle(body, every=every)

    return handle

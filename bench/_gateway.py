"""The gateway's answers and the request body every client variant sends, as fixed bytes."""

from __future__ import annotations

import json
from typing import Any

API_KEY = "sk-bench"
MODEL = "wan2.6-r2v-flash-720p-audio"
TASK_ID = "task_bench0001"

# Seed example 1: a video reference with guide audio (API-NOTES.md), as the wire JSON.
CREATE_BODY: dict[str, Any] = {
    "model": MODEL,
    "prompt": "character1 walks through the rain, generate a new camera move.",
    "videos": ["https://example.com/reference-shot-1.mp4"],
    "size": "1280*720",
    "duration": 5,
    "extra_body": {
        "negative_prompt": "watermark, blur, flicker",
        "audio": "https://example.com/guide-audio.mp3",
        "shot_type": "single",
        "enable_prompt_expansion": False,
        "seed": -1,
    },
}

# The same request as facade keyword arguments.
CREATE_KWARGS: dict[str, Any] = {
    "model": MODEL,
    "prompt": CREATE_BODY["prompt"],
    "videos": CREATE_BODY["videos"],
    "size": "1280*720",
    "duration": 5,
    "negative_prompt": "watermark, blur, flicker",
    "audio": "https://example.com/guide-audio.mp3",
    "shot_type": "single",
    "enable_prompt_expansion": False,
    "seed": -1,
}


def create_answer(task_id: str = TASK_ID) -> dict[str, Any]:
    """The gateway's answer to a create call (its documented example)."""
    return {
        "id": task_id,
        "task_id": task_id,
        "object": "video.generation.job",
        "model": MODEL,
        "status": "in_progress",
        "progress": 5,
        "created_at": 1773984104,
    }


def completed_answer(task_id: str = TASK_ID, video_url: str | None = None) -> dict[str, Any]:
    """The gateway's answer to a query on a finished task."""
    url = video_url or f"https://cdn.example.com/{task_id}/1.mp4"
    return {
        "id": task_id,
        "task_id": task_id,
        "object": "video.generation.job",
        "model": MODEL,
        "status": "completed",
        "raw_status": "SUCCEEDED",
        "progress": 100,
        "created_at": 1773984104,
        "completed_at": 1773984164,
        "error": None,
        "result": {"outputs": [url], "video_url": url},
        "video_url": url,
    }


CREATE_ANSWER_BYTES = json.dumps(create_answer()).encode()
COMPLETED_ANSWER_BYTES = json.dumps(completed_answer()).encode()
JSON_HEADERS = {"content-type": "application/json", "x-request-id": "req_bench"}

"""Helpers for the sandbox's tests: seed bodies, polling with a deadline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

TESTS = Path(__file__).resolve().parents[1]
SEED_EXAMPLES: dict[str, dict[str, Any]] = json.loads(
    (TESTS / "fixtures" / "seed_examples.json").read_text()
)
CREATE = "/v1/video/generations"


def seed(name: str = "video_reference", **changes: Any) -> dict[str, Any]:
    """A copy of a seed example body with some fields changed (None removes one)."""
    body: dict[str, Any] = json.loads(json.dumps(SEED_EXAMPLES[name]))
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body

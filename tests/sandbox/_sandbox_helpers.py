"""Helpers for the sandbox's tests: seed bodies, polling with a deadline."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
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


def eventually(probe: Callable[[], T | None], *, deadline: float = 10.0, what: str = "") -> T:
    """Call ``probe`` until it returns something other than None; fail after ``deadline`` s."""
    end = time.monotonic() + deadline
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"not reached within {deadline} s: {what}")
        time.sleep(0.01)

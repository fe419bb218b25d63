"""Waiting for state in tests: poll with a deadline, never a fixed sleep."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


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


def wait_until(
    predicate: Callable[[], bool], deadline: float = 30, what: str = "condition"
) -> None:
    """Poll ``predicate`` until it holds; fail after ``deadline`` s."""
    eventually(lambda: True if predicate() else None, deadline=deadline, what=what)

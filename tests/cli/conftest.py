"""Fixtures of the CLI tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _cli_helpers import Running


@pytest.fixture
def background() -> Iterator[Callable[..., Running]]:
    """Start `wan-r2v` processes in the background; each is killed at the end of the test."""
    started: list[Running] = []

    def start(*args: str, env: dict[str, str], cwd: Path | None = None, **options: Any) -> Running:
        running = Running(args, env, cwd, **options)
        started.append(running)
        return running

    yield start
    for running in started:
        running.kill()

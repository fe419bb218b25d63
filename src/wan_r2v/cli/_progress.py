"""A live progress line on stderr: redrawn in place on a terminal, plain lines otherwise."""

from __future__ import annotations

import enum
import os
import time
from collections.abc import Callable
from typing import Protocol

from ._console import Console

__all__ = ["ProgressBar", "TaskLike"]

_BAR_WIDTH = 24


class TaskLike(Protocol):
    """What the progress line reads from a task."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> object: ...
    @property
    def progress(self) -> int | None: ...


def _status_word(status: object) -> str:
    if isinstance(status, enum.Enum):
        return str(status.value)
    return str(status)


def _elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


class ProgressBar:
    """Shows a task's status and progress while waiting; call `update` per poll, `close` at the end."""

    def __init__(
        self,
        console: Console,
        *,
        enabled: bool = True,
        live: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._console = console
        self._enabled = enabled
        self._live = console.stderr_is_tty() if live is None else live
        self._clock = clock
        self._start = clock()
        self._last: tuple[str, int | None] | None = None
        self._drawn_width = 0

    def update(self, task: TaskLike) -> None:
        """Show the task's latest state (a terminal line is redrawn; otherwise one line per change)."""
        if not self._enabled:
            return
        word = _status_word(task.status)
        progress = task.progress
        if self._live:
            self._draw(task.id, word, progress)
        elif (word, progress) != self._last:
            percent = "" if progress is None else f" {progress}%"
            self._console.err(f"{task.id}: {word}{percent} ({_elapsed(self._elapsed())})")
        self._last = (word, progress)

    def close(self) -> None:
        """End the live line so the next message starts on a fresh line."""
        if self._enabled and self._live and self._drawn_width:
            self._console.err_raw("\n")
            self._drawn_width = 0

    def _columns(self) -> int:
        try:
            return os.get_terminal_size(self._console.stderr.fileno()).columns
        except (AttributeError, OSError, ValueError):
            return 80

    def _elapsed(self) -> float:
        return max(0.0, self._clock() - self._start)

    def _draw(self, task_id: str, word: str, progress: int | None) -> None:
        if progress is None:
            bar = "[" + "." * _BAR_WIDTH + "]"
            percent = "  --%"
        else:
            clamped = min(100, max(0, progress))
            filled = round(_BAR_WIDTH * clamped / 100)
            bar = "[" + "#" * filled + "." * (_BAR_WIDTH - filled) + "]"
            percent = f" {clamped:3d}%"
        line = f"{bar}{percent}  {word:<10} {_elapsed(self._elapsed())}  {task_id}"
        line = line[: max(20, self._columns() - 1)]  # a wrapped line cannot be redrawn
        padding = " " * max(0, self._drawn_width - len(line))
        self._console.err_raw("\r" + line + padding)
        self._drawn_width = len(line)

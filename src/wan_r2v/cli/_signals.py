"""SIGTERM and SIGHUP stop a command the way Ctrl-C does: same clean-up, same resume hint.

While a command runs, each of these signals raises `Stopped` (a
`KeyboardInterrupt`) in the main thread, so every ``except KeyboardInterrupt``
and every clean-up of the library (part files, the create's warning) runs as
for Ctrl-C; the exit code is 128 + the signal's number (143, 129). The first
signal stops gracefully; a second one of the same kind gets the default
action (the process ends at once), as a user who insists expects.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["STOP_SIGNALS", "Stopped", "signal_name", "stop_signals_as_interrupts"]

#: The signals handled like Ctrl-C (those that exist on this platform).
STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Stopped(KeyboardInterrupt):
    """A stop signal, raised where Ctrl-C would have been."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def signal_name(stop: BaseException) -> str:
    """``SIGTERM`` for a `Stopped`, ``Ctrl-C`` for a plain KeyboardInterrupt."""
    signum = getattr(stop, "signum", None)
    if signum is None:
        return "Ctrl-C"
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _raise_once(signum: int, frame: FrameType | None) -> None:
    signal.signal(signum, signal.SIG_DFL)  # a second one ends the process at once
    raise Stopped(signum)


@contextlib.contextmanager
def stop_signals_as_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise `Stopped`; the old handlers come back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[signal.Signals, object] = {}
    try:
        for signum in STOP_SIGNALS:
            previous[signum] = signal.signal(signum, _raise_once)
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]

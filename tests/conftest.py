"""Suite-wide setup that every test directory shares."""

from __future__ import annotations

import signal

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Let the CLI processes that tests start see Ctrl-C, even when the suite itself ignores it.

    A shell that starts a command in the background (``bash .ci/run &``, a non-interactive job)
    sets SIGINT to "ignored", and an ignored signal stays ignored across fork and exec: every
    ``wan-r2v`` a test starts would then shrug off the SIGINT that the interrupt tests send. A
    handled signal is reset to the default at exec, so handling it here gives children Python's
    usual Ctrl-C behaviour.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)

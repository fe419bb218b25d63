"""The exit codes scripts branch on, and which error maps to which."""

from __future__ import annotations

import enum

from ..errors import (
    APIError,
    TargetExistsError,
    TaskFailedError,
    ValidationError,
    WaitTimeoutError,
)

__all__ = ["EXIT_CODE_HELP", "ExitCode", "exit_code_for"]


class ExitCode(enum.IntEnum):
    """What `wan-r2v` returns; documented in the README and in `wan-r2v --help`."""

    OK = 0
    #: An unexpected error (a bug): please report it.
    ERROR = 1
    #: Bad arguments, a request that breaks a rule (nothing was sent), missing configuration.
    USAGE = 2
    #: The gateway refused or could not be reached (HTTP error, connection, timeout, download),
    #: or the video could not be written locally.
    API = 3
    #: The task ended without a video (failed, cancelled, expired, unknown).
    TASK_FAILED = 4
    #: The wait's deadline passed; the task goes on and can be resumed.
    WAIT_TIMEOUT = 5
    #: SIGHUP (the terminal went away), handled as Ctrl-C: 128 + 1.
    HANGUP = 129
    #: Ctrl-C: waiting stopped; the task goes on and can be resumed.
    INTERRUPTED = 130
    #: SIGTERM (e.g. `kill`, a service manager), handled as Ctrl-C: 128 + 15.
    TERMINATED = 143


#: One line per code, for `--help` and the README.
EXIT_CODE_HELP: tuple[tuple[ExitCode, str], ...] = (
    (ExitCode.OK, "success"),
    (ExitCode.ERROR, "unexpected error (a bug; please report it)"),
    (ExitCode.USAGE, "usage, validation or configuration error; nothing was sent"),
    (
        ExitCode.API,
        "API error: HTTP error status, connection failure, timeout, download failure"
        " (network or local file)",
    ),
    (ExitCode.TASK_FAILED, "the task failed or was cancelled (no video)"),
    (ExitCode.WAIT_TIMEOUT, "the wait timed out; the task goes on (resume with `wan-r2v wait`)"),
    (ExitCode.HANGUP, "hung up (SIGHUP); as Ctrl-C"),
    (ExitCode.INTERRUPTED, "interrupted (Ctrl-C); the task goes on (resume with `wan-r2v wait`)"),
    (ExitCode.TERMINATED, "terminated (SIGTERM); as Ctrl-C"),
)


def exit_code_for(exc: BaseException) -> ExitCode:
    """The exit code for an exception that ended a command."""
    if isinstance(exc, KeyboardInterrupt):
        signum = getattr(exc, "signum", None)  # a stop signal raised as Ctrl-C: 128 + its number
        return ExitCode(128 + signum) if signum in (1, 15) else ExitCode.INTERRUPTED
    if isinstance(exc, ValidationError | TargetExistsError):
        return ExitCode.USAGE  # TargetExistsError: a path to change, though something was sent
    if isinstance(exc, WaitTimeoutError):
        return ExitCode.WAIT_TIMEOUT
    if isinstance(exc, TaskFailedError):
        return ExitCode.TASK_FAILED
    if isinstance(exc, APIError | OSError):
        return ExitCode.API  # OSError: the download could not be written locally
    return ExitCode.ERROR

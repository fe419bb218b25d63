"""The exception hierarchy: one base, one subclass per thing the caller does next.

- fix the input: `ValidationError` (before sending), `BadRequestError` (400)
- fix the credentials: `AuthenticationError` (401), `PermissionDeniedError` (403)
- look elsewhere: `NotFoundError` (404)
- slow down: `RateLimitError` (429, with `retry_after`)
- try later: `ServerError` (5xx), `APIConnectionError`, `APITimeoutError`
- the create's outcome is unknown: `TaskMayExistError` (never resent automatically)
- the task itself: `TaskFailedError`, `WaitTimeoutError`
- the result file: `DownloadError`, `ResultExpiredError`, `TargetExistsError`,
  `InvalidTargetError`
- a local reference file: `UploadError` (the store refused it; no task was created)

No message or attribute ever holds the API key.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._frozen import Frozen, field_setter

if TYPE_CHECKING:
    from .task import Task

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "DownloadError",
    "InvalidResponseError",
    "InvalidTargetError",
    "NotFoundError",
    "PermissionDeniedError",
    "Problem",
    "RateLimitError",
    "ResultExpiredError",
    "ServerError",
    "TargetExistsError",
    "TaskFailedError",
    "TaskMayExistError",
    "UploadError",
    "ValidationError",
    "WaitTimeoutError",
    "WanR2VError",
]


class WanR2VError(Exception):
    """Base class of every error this library raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Problem(Frozen):
    """One broken rule in a request: the field and what to change."""

    __slots__ = ("field", "message")
    field: str
    message: str

    def __init__(self, field: str, message: str) -> None:
        set_field = field_setter(self)
        set_field("field", field)
        set_field("message", message)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationError(WanR2VError, ValueError):
    """The request breaks one or more rules; nothing was sent. `problems` lists them all."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"the request was not sent: {count} {noun} to fix:\n{lines}")


class APIError(WanR2VError):
    """An error tied to an HTTP exchange with the gateway."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        type: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.code = code
        self.type = type
        self.param = param
        self.request_id = request_id
        details = [
            f"{name}={value}"
            for name, value in (
                ("status", status_code),
                ("code", code),
                ("param", param),
                ("request_id", request_id),
            )
            if value is not None
        ]
        suffix = f" ({', '.join(details)})" if details else ""
        super().__init__(f"{message}{suffix}")


class APIStatusError(APIError):
    """The gateway answered with an error status; `retry_after`: its Retry-After in seconds, if any."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class BadRequestError(APIStatusError):
    """400: the gateway refused the request; change it before sending again."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this."""


class NotFoundError(APIStatusError):
    """404: no such task on this gateway (check the id and the base URL)."""


class RateLimitError(APIStatusError):
    """429: too many requests or out of quota; wait `retry_after` seconds when given."""


class ServerError(APIStatusError):
    """5xx (or another unexpected status): the gateway or its upstream failed; try later."""


class InvalidResponseError(APIError):
    """The gateway answered with something that is not a task or an error (HTML, bad JSON)."""


class APIConnectionError(APIError):
    """The gateway could not be reached, or the connection broke."""


class APITimeoutError(APIConnectionError):
    """The gateway did not answer in time."""


class TaskMayExistError(APIError):
    """A create failed after the request may have reached the gateway.

    The task may exist and may be billed: it is never resent automatically.
    Look for it on the gateway before creating again. `answer`: the start of a
    2xx answer the client could not use (key masked, control characters escaped).
    """

    def __init__(self, message: str, *, answer: str | None = None, **kwargs: object) -> None:
        self.answer = answer
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class _TaskError(WanR2VError):
    def __init__(self, message: str, task: Task) -> None:
        self.task = task
        super().__init__(message)


class TaskFailedError(_TaskError):
    """The task ended without a video (failed, cancelled, expired or unknown); `task` has why."""


class WaitTimeoutError(_TaskError, TimeoutError):
    """The wait's deadline passed; the task goes on. `task` is the last state seen."""


class DownloadError(APIError):
    """The result could not be downloaded; no file was left at the target path."""


class ResultExpiredError(DownloadError):
    """The result URL expired (403/404/410): query the task again for a fresh URL."""


class TargetExistsError(DownloadError, FileExistsError):
    """The target file exists and ``overwrite=False``: nothing was downloaded; it is left as it was.

    Also a `FileExistsError` (``errno`` EEXIST, ``filename`` the path), so either catches it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(f"{os.fspath(path)} exists; pass overwrite=True or another path")
        self.errno = errno.EEXIST
        self.filename = os.fspath(path)


class InvalidTargetError(DownloadError, OSError):
    """The target cannot hold the video: it is a FIFO, device, socket or folder, or a file where a folder must be.

    Refused whatever ``overwrite`` says; nothing was downloaded and the path is
    left as it was. Also an `OSError` (``filename`` the path).
    """

    def __init__(self, path: str | os.PathLike[str], why: str) -> None:
        super().__init__(f"{os.fspath(path)} {why}; choose a file path or a folder for the video")
        self.filename = os.fspath(path)


class UploadError(WanR2VError):
    """A local reference file could not be stored or signed: no task was created; fix the store or try again."""

"""Where the command line writes: stdout for results, stderr for people, secrets redacted."""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO

from .._signed_urls import scrub_signed_urls

__all__ = ["REDACTED", "Console", "to_jsonable"]

#: What stands in for a secret in any output.
REDACTED = "[redacted]"
_MIN_SECRET_LENGTH = 3


def to_jsonable(value: Any) -> Any:
    """A JSON-ready copy of a value (dates as ISO 8601, enums as their value, paths as str)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return str(value)


class Console:
    """Writes results to stdout and messages to stderr, replacing every secret first."""

    def __init__(self, stdout: TextIO, stderr: TextIO, secrets: Iterable[str] = ()) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self._secrets: list[str] = []
        for secret in secrets:
            self.add_secret(secret)

    def add_secret(self, secret: str | None) -> None:
        """Never let this string reach the output (too-short strings are not worth hiding)."""
        if secret and len(secret) >= _MIN_SECRET_LENGTH and secret not in self._secrets:
            self._secrets.append(secret)
            self._secrets.sort(key=len, reverse=True)

    def redact(self, text: str) -> str:
        """The text with every known secret, and signed URLs' credentials, replaced by ``[redacted]``."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return scrub_signed_urls(text)

    def out(self, text: str = "") -> None:
        """A line of result on stdout."""
        self._write(self.stdout, text + "\n")

    def err(self, text: str = "") -> None:
        """A line for people on stderr."""
        self._write(self.stderr, text + "\n")

    def out_raw(self, text: str) -> None:
        """Text on stdout as is (argparse's help)."""
        self._write(self.stdout, text)

    def err_raw(self, text: str) -> None:
        """Text on stderr without a newline (the live progress line)."""
        self._write(self.stderr, text)

    def json(self, document: Any) -> None:
        """One JSON document on stdout."""
        self.out(json.dumps(to_jsonable(document), indent=2, ensure_ascii=False))

    def stderr_is_tty(self) -> bool:
        """Whether stderr is a terminal (a live progress line is then drawn in place)."""
        isatty = getattr(self.stderr, "isatty", None)
        try:
            return bool(isatty()) if isatty is not None else False
        except ValueError:  # closed stream
            return False

    def _write(self, stream: TextIO, text: str) -> None:
        stream.write(self.redact(text))
        stream.flush()

"""Keep the API key out of every message, log line and repr."""

from __future__ import annotations

from typing import overload

__all__ = ["redact"]

_MASK = "***"


@overload
def redact(text: str, secret: str | None) -> str: ...
@overload
def redact(text: None, secret: str | None) -> None: ...
def redact(text: str | None, secret: str | None) -> str | None:
    """The text with every occurrence of the secret replaced by ``***``."""
    if text is None or not secret:
        return text
    return text.replace(secret, _MASK)

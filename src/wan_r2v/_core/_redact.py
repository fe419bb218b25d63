"""Keep the API key, and the credentials of signed URLs, out of every message, log line and repr."""

from __future__ import annotations

from typing import overload

from .._signed_urls import scrub_signed_urls

__all__ = ["redact"]

_MASK = "***"


@overload
def redact(text: str, secret: str | None) -> str: ...
@overload
def redact(text: None, secret: str | None) -> None: ...
def redact(text: str | None, secret: str | None) -> str | None:
    """The text with every occurrence of the secret, and every signed URL's credentials, replaced by ``***``."""
    if text is None:
        return text
    if secret:
        text = text.replace(secret, _MASK)
    return scrub_signed_urls(text)

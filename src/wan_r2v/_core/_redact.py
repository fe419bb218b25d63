"""Keep the API key, and the credentials of signed URLs, out of every message, log line and repr.

Also: make gateway text safe to print (`printable`).
"""

from __future__ import annotations

import functools
import json
from typing import overload
from urllib.parse import quote, quote_plus

from .._signed_urls import scrub_signed_urls

__all__ = ["mask_secret", "printable", "redact", "secret_forms"]

_MASK = "***"


@functools.lru_cache(maxsize=8)
def secret_forms(secret: str) -> tuple[str, ...]:
    """The key as it may appear in text: raw, repr-escaped, bytes-repr, JSON, URL-encoded.

    Longest first, so that no form is left half-replaced by a shorter one.
    """
    forms = {
        secret,
        repr(secret)[1:-1],
        repr(secret.encode("utf-8", "backslashreplace"))[2:-1],
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
    }
    return tuple(sorted((f for f in forms if f), key=len, reverse=True))


@overload
def redact(text: str, secret: str | None) -> str: ...
@overload
def redact(text: None, secret: str | None) -> None: ...
def redact(text: str | None, secret: str | None) -> str | None:
    """The text with the secret (in any escaped form) and every signed URL's credentials as ``***``."""
    if text is None:
        return text
    return scrub_signed_urls(mask_secret(text, secret))


def mask_secret(text: str, secret: str | None) -> str:
    """The text with every occurrence of the secret, in any escaped form, replaced by ``***``."""
    if not secret:
        return text
    for form in secret_forms(secret):
        if form in text:
            text = text.replace(form, _MASK)
    return text


def printable(text: str) -> str:
    """Text from a gateway made safe for a terminal: control and invisible characters escaped."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )

"""Mask the API key in the log records of httpx, httpcore and this library.

A gateway may echo the key into a header or a body; httpcore's debug records
print response headers raw. Each client registers its key here while it
lives; a filter on those loggers masks every registered key (in all its
escaped forms) in a record's text. Nothing runs unless a record is emitted.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import Counter

from ._core._redact import mask_secret

__all__ = ["LOGGERS", "protect_logs"]

#: The loggers whose records may carry what a gateway sent (filters do not inherit).
LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "wan_r2v",
)


class _SecretFilter(logging.Filter):
    """Masks every live client's key in a record's message."""

    def __init__(self) -> None:
        super().__init__("wan_r2v.secrets")
        self.secrets: Counter[str] = Counter()
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = list(self.secrets)
        if not secrets:
            return True
        try:
            text = record.getMessage()
        except Exception:  # a bad record is logging's problem, not ours
            return True
        masked = text
        for secret in secrets:
            masked = mask_secret(masked, secret)
        if masked != text:
            record.msg, record.args = masked, None
        return True


_FILTER = _SecretFilter()
_installed = False


def _release(secret: str) -> None:
    with _FILTER.lock:
        _FILTER.secrets[secret] -= 1
        if _FILTER.secrets[secret] <= 0:
            del _FILTER.secrets[secret]


def protect_logs(owner: object, secret: str | None) -> None:
    """Mask `secret` in those loggers' records for as long as `owner` lives."""
    global _installed
    if not secret:
        return
    with _FILTER.lock:
        if not _installed:
            for name in LOGGERS:
                logging.getLogger(name).addFilter(_FILTER)
            _installed = True
        _FILTER.secrets[secret] += 1
    weakref.finalize(owner, _release, secret)

"""``WAN_R2V_LOG=debug|info|warning``: print the ``wan_r2v`` logger's lines on stderr.

Read when a client is built. Without the variable nothing changes: the library
only logs to the ``wan_r2v`` logger and leaves handlers to the application
(``logging.getLogger("wan_r2v").setLevel(logging.DEBUG)`` with a handler of its
own does the same as the variable). What the lines hold: `wan_r2v._core._log`.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Mapping

__all__ = ["ENV_LOG", "LEVELS", "setup_from_env"]

ENV_LOG = "WAN_R2V_LOG"
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


class _EnvHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler `WAN_R2V_LOG` adds (marked, so it is added once)."""


def setup_from_env(environ: Mapping[str, str]) -> None:
    """Apply `WAN_R2V_LOG` to the ``wan_r2v`` logger (idempotent; an unknown word warns)."""
    word = environ.get(ENV_LOG, "").strip().lower()
    if not word:
        return
    level = LEVELS.get(word)
    if level is None:
        warnings.warn(
            f"{ENV_LOG}={word!r} is ignored: use one of {', '.join(LEVELS)}",
            stacklevel=3,
        )
        return
    logger = logging.getLogger("wan_r2v")
    logger.setLevel(level)
    if not any(isinstance(h, _EnvHandler) for h in logger.handlers):
        handler = _EnvHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(handler)

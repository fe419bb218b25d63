"""The poll schedule: how long to wait before asking about a task again."""

from __future__ import annotations

__all__ = ["FIRST_POLL_DELAY", "MAX_POLL_DELAY", "POLL_GROWTH", "poll_delay"]

#: Providers advise polling every 5 to 15 s; generation takes 1 to 5 minutes.
FIRST_POLL_DELAY = 5.0
MAX_POLL_DELAY = 15.0
POLL_GROWTH = 1.5


def poll_delay(
    poll_number: int,
    *,
    poll_interval: float | None,
    retry_after: float | None = None,
    remaining: float | None = None,
) -> float:
    """Seconds before poll number `poll_number` + 1 (0-based).

    Without `poll_interval`: 5 s growing by 1.5x to 15 s. With it: that fixed
    interval. Retry-After lengthens the wait; the deadline (`remaining`) cuts it.
    """
    if poll_interval is not None:
        delay = poll_interval
    else:
        delay = min(FIRST_POLL_DELAY * POLL_GROWTH ** min(poll_number, 32), MAX_POLL_DELAY)
    if retry_after is not None:
        delay = max(delay, retry_after)
    if remaining is not None:
        delay = min(delay, remaining)
    return max(0.0, delay)

"""The batch's shared pace (pure): creates per minute, and a 429 that slows every job, not one.

Every request of the batch asks `Quota` first. A 429 anywhere (create or poll)
pauses the whole batch: for the Retry-After it gave, else for a backoff that
doubles with each 429 in a row (1, 2, 4 ... 30 s); and it halves the create rate
(down to 1/16 of the configured one), which then recovers by 10% per create
that gets through. No I/O and no clock of its own: the runner passes the time.
"""

from __future__ import annotations

import attrs

__all__ = ["MAX_PAUSE", "Quota"]

#: The longest pause a run of 429s without Retry-After causes.
MAX_PAUSE = 30.0
_MIN_FACTOR = 1 / 16


@attrs.define
class Quota:
    """When the batch may send its next request, and its next create."""

    #: Creates per minute allowed (None: as fast as the tasks-in-flight limit lets).
    creates_per_minute: float | None = None
    paused_until: float = 0.0
    next_create_at: float = 0.0
    #: The share of `creates_per_minute` in use (halved on a 429).
    factor: float = 1.0
    #: 429s in a row (reset by any request that gets through).
    strikes: int = 0
    #: Every 429 seen, for the summary.
    rate_limited: int = 0

    def __attrs_post_init__(self) -> None:
        if self.creates_per_minute is not None and not self.creates_per_minute > 0:
            raise ValueError(
                f"creates_per_minute must be positive, not {self.creates_per_minute!r}"
            )

    def _interval(self) -> float:
        if self.creates_per_minute is None:
            return 0.0
        return 60.0 / (self.creates_per_minute * self.factor)

    def send_delay(self, now: float) -> float:
        """Seconds any request must still wait (the batch is paused after a 429)."""
        return max(0.0, self.paused_until - now)

    def reserve_create(self, now: float) -> float:
        """Take the next create turn; the seconds to wait for it (0: send now)."""
        at = max(now, self.paused_until, self.next_create_at)
        self.next_create_at = at + self._interval()
        return at - now

    def on_rate_limited(self, now: float, retry_after: float | None) -> None:
        """A 429: pause every request, slow the creates."""
        self.rate_limited += 1
        self.strikes += 1
        pause = min(2.0 ** (self.strikes - 1), MAX_PAUSE)
        if retry_after is not None:
            pause = max(pause, retry_after)
        self.paused_until = max(self.paused_until, now + pause)
        self.factor = max(self.factor / 2, _MIN_FACTOR)

    def on_success(self, *, create: bool) -> None:
        """A request got through: the 429 streak ends; a create lets the rate recover a little."""
        self.strikes = 0
        if create:
            self.factor = min(1.0, self.factor * 1.1)

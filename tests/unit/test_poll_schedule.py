"""The poll schedule: 5 s growing to 15 s, or a fixed interval; Retry-After and the deadline."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wan_r2v._core import poll_delay


def test_default_schedule_starts_at_5_and_caps_at_15() -> None:
    delays = [poll_delay(n, poll_interval=None) for n in range(6)]
    assert delays[0] == 5.0 and delays[1] == 7.5 and delays[-1] == 15.0
    assert delays == sorted(delays)
    assert poll_delay(10_000, poll_interval=None) == 15.0


def test_configured_interval_is_fixed() -> None:
    assert {poll_delay(n, poll_interval=0.2) for n in range(10)} == {0.2}


def test_retry_after_lengthens_and_the_deadline_cuts() -> None:
    assert poll_delay(0, poll_interval=1.0, retry_after=9.0) == 9.0
    assert poll_delay(0, poll_interval=10.0, retry_after=2.0) == 10.0
    assert poll_delay(0, poll_interval=None, retry_after=30.0, remaining=4.0) == 4.0
    assert poll_delay(0, poll_interval=None, remaining=-1.0) == 0.0


@given(
    n=st.integers(0, 10**6),
    interval=st.one_of(st.none(), st.floats(0.01, 100)),
    retry_after=st.one_of(st.none(), st.floats(0, 10**5)),
    remaining=st.floats(-10, 10**5),
)
def test_never_past_the_deadline(
    n: int, interval: float | None, retry_after: float | None, remaining: float
) -> None:
    d = poll_delay(n, poll_interval=interval, retry_after=retry_after, remaining=remaining)
    assert 0.0 <= d <= max(remaining, 0.0)

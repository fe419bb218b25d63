"""The core's download decisions, without a network: targets, the stall rule, the MP4 check."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import httpx
from _videobytes import ENDLESS_HEAD, FTYP, mp4_bytes
from hypothesis import given
from hypothesis import strategies as st

from wan_r2v._core import BoxWalk, Pace, Target, plan_body, target_of


def test_a_trailing_separator_makes_a_folder() -> None:
    assert target_of("out/") == Target(Path("out"), folder=True)
    assert target_of("out") == Target(Path("out"), folder=False)
    assert target_of(Path("out")) == Target(Path("out"), folder=False)
    assert target_of("~/clips/").path == Path(os.path.expanduser("~/clips"))


def _walk(data: bytes, cuts: list[int]) -> tuple[str | None, str | None]:
    walk = BoxWalk()
    start = 0
    for cut in [*sorted(cuts), len(data)]:
        problem = walk.feed(data[start:cut])
        if problem is not None:
            return problem, None
        start = cut
    return None, walk.end_problem()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


WHOLE = FTYP + _box(b"free", b"") + _box(b"mdat", bytes(300)) + _box(b"moov", bytes(50))
LARGE = FTYP + struct.pack(">I4sQ", 1, b"mdat", 16 + 40) + bytes(40) + _box(b"moov", b"")


@given(st.lists(st.integers(0, len(WHOLE)), max_size=12))
def test_a_whole_mp4_passes_however_it_is_cut_into_chunks(cuts: list[int]) -> None:
    assert _walk(WHOLE, cuts) == (None, None)
    assert _walk(LARGE, [c % len(LARGE) for c in cuts]) == (None, None)


@given(st.integers(1, len(WHOLE) - 8), st.lists(st.integers(0, len(WHOLE)), max_size=8))
def test_an_mp4_cut_short_inside_a_box_is_caught_at_its_end(short: int, cuts: list[int]) -> None:
    data = WHOLE[: len(WHOLE) - short]
    problem, end = _walk(data, [c for c in cuts if c <= len(data)])
    assert problem is None
    assert end is not None and "cut short" in end


@given(
    st.sampled_from([b"<html>hello</html>", b'{"error": 1}', b"\x00" * 64, b"GIF89a" + bytes(20)])
)
def test_anything_that_does_not_begin_with_ftyp_is_refused_at_once(data: bytes) -> None:
    problem, _ = _walk(data, [])
    assert problem is not None and "ftyp" in problem


def test_a_file_cut_at_a_box_boundary_before_its_moov_is_caught() -> None:
    cut = WHOLE[: WHOLE.index(b"moov") - 4]
    assert (
        _walk(cut, [])[1] == f"it has no 'moov' box (the file is cut short after {len(cut)} bytes)"
    )


def test_an_endless_mdat_and_a_few_stray_bytes_are_whole() -> None:
    assert _walk(ENDLESS_HEAD + bytes(1000), []) == (None, None)
    assert _walk(mp4_bytes(100) + b"\0" * 7, []) == (None, None)
    assert _walk(FTYP[:5], [])[1] is not None  # too short to be a video


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_stall_rule_averages_over_its_window() -> None:
    clock = Clock()
    pace = Pace(clock, deadline=None, min_speed=100, stall_time=10)
    for _ in range(200):  # 50 bytes/s for 20 s: stalled once 10 s of it have passed
        clock.now += 0.1
        why = pace.feed(5)
        if why is not None:
            break
    assert why is not None and "below 100 bytes/s for 10 s" in why
    assert 10.0 <= clock.now <= 11.0


def test_a_burst_then_a_steady_flow_is_not_a_stall() -> None:
    clock = Clock()
    pace = Pace(clock, deadline=None, min_speed=100, stall_time=10)
    for _ in range(1000):  # 150 bytes/s for 100 s
        clock.now += 0.1
        assert pace.feed(15) is None


def test_the_deadline_ends_an_attempt_however_fast() -> None:
    clock = Clock()
    pace = Pace(clock, deadline=5.0, min_speed=None, stall_time=10)
    clock.now = 4.9
    assert pace.feed(10**9) is None
    clock.now = 5.0
    assert "time limit" in (pace.feed(10**9) or "")


def _headers(**items: str) -> httpx.Headers:
    return httpx.Headers({k.replace("_", "-"): v for k, v in items.items()})


def test_content_types_that_may_carry_a_video() -> None:
    for ok in (
        "video/mp4",
        "video/quicktime",
        "application/octet-stream",
        "",
        "binary/octet-stream",
    ):
        assert plan_body(200, _headers(content_type=ok), max_bytes=None, resume=None) is not None
    for bad in ("text/html", "text/plain; charset=utf-8", "application/json", "image/png"):
        assert plan_body(200, _headers(content_type=bad), max_bytes=None, resume=None) is None
    assert plan_body(200, _headers(content_length="0"), max_bytes=None, resume=None) is None


def test_an_encoded_body_is_never_resumed_and_its_length_is_the_encoded_one() -> None:
    plan = plan_body(
        200,
        _headers(content_encoding="gzip", content_length="100", accept_ranges="bytes", etag='"a"'),
        max_bytes=None,
        resume=None,
    )
    assert plan is not None and plan.encoded and plan.validator is None and plan.total is None
    assert plan.length == 100

"""A download has a total time limit and a stall rule (issue 10, item 3), over real TCP.

The peer trickles the video; the clients run on the real clock with small
limits (the defaults, 3600 s and 1 KiB/s over 30 s, are checked as data).
Each test bounds how long the call took with a generous margin: the promise
is "ends near its limit", not a speed.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from _downloads import VIDEO, downloads, entries, mp4, serve_finished_task, trickled_video, video
from _harness import open_facade
from _peer import Peer, Reply, Request

from wan_r2v import Client, DownloadError, ValidationError
from wan_r2v._config import DownloadLimits

BIG = mp4(200_000)


def _timed_refusal(hostile: Peer, mode: str, tmp_path: Path, **client: object) -> tuple[str, float]:
    with open_facade(mode, base_url=hostile.url, real_time=True, **client) as facade:
        started = time.monotonic()
        with pytest.raises(DownloadError) as caught:
            facade.download("task_dl_1", tmp_path)
        took = time.monotonic() - started
    assert entries(tmp_path) == []
    return str(caught.value), took


def test_a_trickling_body_stalls_and_ends(hostile: Peer, mode: str, tmp_path: Path) -> None:
    serve_finished_task(hostile, trickled_video(every=0.05, size=1))  # 20 bytes/s
    message, took = _timed_refusal(
        hostile, mode, tmp_path, download_min_speed=1000, download_stall_time=0.5, max_retries=0
    )
    assert "stalled: below 1000 bytes/s for 0.5 s" in message
    assert 0.4 < took < 3.5, took


def test_a_silent_body_stalls_at_the_stall_time_not_the_read_timeout(
    hostile: Peer, mode: str, tmp_path: Path
) -> None:
    def silent(req: Request, out: Reply) -> None:
        out.head(200, {"Content-Type": "video/mp4", "Content-Length": str(len(VIDEO))})
        out.write(VIDEO[:100])
        out.pause(30)

    serve_finished_task(hostile, silent)
    message, took = _timed_refusal(
        hostile,
        mode,
        tmp_path,
        timeout=20.0,  # each read may wait 20 s; the stall rule cuts it at 1 s
        download_stall_time=1.0,
        max_retries=0,
    )
    assert "nothing was written" in message
    assert took < 4.0, took


def test_a_stalled_attempt_is_resumed_by_the_next(hostile: Peer, mode: str, tmp_path: Path) -> None:
    def slow_then_gone(req: Request, out: Reply) -> None:
        out.head(200, {"Content-Type": "video/mp4", "Content-Length": str(len(VIDEO)),
                       "Accept-Ranges": "bytes", "ETag": '"v1"'})  # fmt: skip
        out.write(VIDEO[:3000])
        out.trickle(VIDEO[3000:], every=0.1, size=1)

    def rest(req: Request, out: Reply) -> None:
        start = int(req.headers["range"].removeprefix("bytes=").rstrip("-"))
        out.send(206, VIDEO[start:], {"Content-Type": "video/mp4", "ETag": '"v1"',
                 "Content-Range": f"bytes {start}-{len(VIDEO) - 1}/{len(VIDEO)}"})  # fmt: skip

    serve_finished_task(hostile, slow_then_gone, rest)
    with open_facade(
        mode, base_url=hostile.url, real_time=True, download_min_speed=1000, download_stall_time=0.5
    ) as facade:
        path = facade.download("task_dl_1", tmp_path)
    assert path.read_bytes() == VIDEO
    second = hostile.of("GET", "/files/*")[1]
    assert int(second.headers["range"].removeprefix("bytes=").rstrip("-")) >= 3000


def test_a_download_ends_at_its_total_limit_however_steady(
    hostile: Peer, mode: str, tmp_path: Path
) -> None:
    # 400 bytes every 0.05 s (8 KB/s) passes the stall rule; the whole would take 25 s
    serve_finished_task(hostile, trickled_video(every=0.05, size=400, data=BIG))
    message, took = _timed_refusal(
        hostile, mode, tmp_path, download_timeout=1.5, download_min_speed=1000,
        download_stall_time=0.5,
    )  # fmt: skip
    assert "did not finish within download_timeout=1.5 s" in message
    assert 1.4 < took < 4.5, took
    assert downloads(hostile) == 1  # no time was left to try again


def test_the_total_limit_bounds_retries_too(hostile: Peer, mode: str, tmp_path: Path) -> None:
    def reset(req: Request, out: Reply) -> None:
        out.head(200, {"Content-Type": "video/mp4", "Content-Length": str(len(VIDEO))})
        out.write(VIDEO[:100])
        out.pause(0.4)
        out.reset()

    serve_finished_task(hostile, reset)
    message, took = _timed_refusal(hostile, mode, tmp_path, download_timeout=1.0, max_retries=50)
    assert "nothing was written" in message
    assert took < 4.0, took
    assert downloads(hostile) < 50


def test_a_fast_download_is_not_touched_by_the_limits(
    hostile: Peer, mode: str, tmp_path: Path
) -> None:
    serve_finished_task(hostile, video(BIG))
    with open_facade(
        mode, base_url=hostile.url, real_time=True, download_timeout=30, download_min_speed=10_000,
        download_stall_time=0.2,
    ) as facade:  # fmt: skip
        assert facade.download("task_dl_1", tmp_path).read_bytes() == BIG


def test_the_limits_are_settable_and_checked() -> None:
    assert DownloadLimits() == DownloadLimits(timeout=3600.0, min_speed=1024, stall_time=30.0)
    client = Client("sk-x", "http://127.0.0.1:9", download_timeout=None, download_min_speed=0)
    assert client._config.download == DownloadLimits(timeout=None, min_speed=0, stall_time=30.0)
    with pytest.raises(ValidationError) as caught:
        Client("sk-x", "http://127.0.0.1:9", download_timeout=0, download_min_speed=-1,
               download_stall_time=float("nan"))  # fmt: skip
    assert [p.field for p in caught.value.problems] == [
        "download_timeout", "download_min_speed", "download_stall_time"
    ]  # fmt: skip


def test_one_total_limit_covers_the_gateways_content_fallback_too(
    hostile: Peer, mode: str, tmp_path: Path
) -> None:
    # the result URL has expired (403); the gateway's /content trickles steadily past the limit
    serve_finished_task(hostile, lambda req, out: out.send(403, b"expired"))
    hostile.route(
        "GET", "/v1/videos/task_dl_1/content", trickled_video(every=0.05, size=400, data=BIG)
    )
    message, took = _timed_refusal(
        hostile, mode, tmp_path, download_timeout=1.5, download_min_speed=1000,
        download_stall_time=0.5,
    )  # fmt: skip
    assert "download_timeout=1.5 s" in message
    assert 1.4 < took < 4.5, took
    assert hostile.count("GET", "/v1/videos/task_dl_1/content") == 1

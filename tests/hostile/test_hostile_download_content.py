"""Only a video is saved (issue 10, item 4), over real TCP against the hostile peer.

Empty bodies, bodies that are not a video (by Content-Type, or by their first
bytes: an MP4/MOV begins with an ``ftyp`` box), bodies whose length does not
match, and encoded bodies, each in both shells. "Nothing left" means the
target's folder is empty afterwards: no file, no part file.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from _downloads import VIDEO, downloads, entries, serve_finished_task, video
from _harness import open_facade
from _peer import Peer, Reply, Request

from wan_r2v import DownloadError


def _refused(hostile: Peer, mode: str, tmp_path: Path, match: str, **client: object) -> str:
    with (
        open_facade(mode, base_url=hostile.url, **client) as facade,
        pytest.raises(DownloadError, match=match) as caught,
    ):
        facade.download("task_dl_1", tmp_path)
    assert entries(tmp_path) == []
    return str(caught.value)


def test_an_empty_body_is_refused_and_not_retried(hostile: Peer, mode: str, tmp_path: Path) -> None:
    serve_finished_task(hostile, video(b""))
    _refused(hostile, mode, tmp_path, "empty body, not a video")
    assert downloads(hostile) == 1


def test_an_empty_body_without_a_length_is_refused(
    hostile: Peer, mode: str, tmp_path: Path
) -> None:
    serve_finished_task(hostile, video(b"", length=None))  # the body ends at the close
    _refused(hostile, mode, tmp_path, "empty body, not a video")


@pytest.mark.parametrize(
    "content_type",
    ["text/html; charset=utf-8", "text/plain", "application/json", "image/png", "audio/mp4"],
)
def test_a_body_whose_content_type_is_not_a_video_is_refused_before_writing(
    hostile: Peer, mode: str, tmp_path: Path, content_type: str
) -> None:
    serve_finished_task(hostile, video(VIDEO, {"Content-Type": content_type}))
    message = _refused(hostile, mode, tmp_path, "not a video")
    assert content_type.split(";")[0] in message
    assert downloads(hostile) == 1


@pytest.mark.parametrize(
    "body",
    [b"<html><body>Please log in</body></html>", b"Access denied", b'{"error": "gone"}'],
    ids=["html", "text", "json"],
)
@pytest.mark.parametrize("content_type", [None, "video/mp4", "application/octet-stream"])
def test_a_body_whose_first_bytes_are_not_an_mp4_is_refused(
    hostile: Peer, mode: str, tmp_path: Path, body: bytes, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    def handle(req: Request, out: Reply) -> None:
        out.send(200, body, headers)

    serve_finished_task(hostile, handle)
    _refused(hostile, mode, tmp_path, "not a video")
    assert downloads(hostile) == 1


@pytest.mark.parametrize(
    "content_type", [None, "application/octet-stream", "binary/octet-stream", "video/quicktime"]
)
def test_an_mp4_under_another_or_no_content_type_is_saved(
    hostile: Peer, mode: str, tmp_path: Path, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    serve_finished_task(hostile, lambda req, out: out.send(200, VIDEO, headers))
    with open_facade(mode, base_url=hostile.url) as facade:
        path = facade.download("task_dl_1", tmp_path)
    assert path.read_bytes() == VIDEO


@pytest.mark.parametrize("close", [True, False], ids=["then-close", "keep-alive"])
def test_a_body_longer_than_its_content_length_is_never_saved_cut_short(
    hostile: Peer, mode: str, tmp_path: Path, close: bool
) -> None:
    # the whole file goes out, but the head says 1,000 bytes fewer: a real socket (h11) ends
    # the body at the Content-Length, so the client sees a "complete" body that is cut short
    serve_finished_task(hostile, video(VIDEO, length=len(VIDEO) - 1000, close=close))
    message = _refused(hostile, mode, tmp_path, "cut short|not a whole video", max_retries=1)
    assert "nothing was written" in message
    assert 1 <= downloads(hostile) <= 2  # fetched again whole once (it might have been a glitch)


def test_a_body_shorter_than_its_content_length_is_never_saved(
    hostile: Peer, mode: str, tmp_path: Path
) -> None:
    serve_finished_task(hostile, video(VIDEO[:5000], length=len(VIDEO), close=True))
    _refused(hostile, mode, tmp_path, "broke off after 5000", max_retries=1)
    assert downloads(hostile) == 2


def _gzipped(req: Request, out: Reply) -> None:
    body = gzip.compress(VIDEO)
    out.send(200, body, {"Content-Type": "video/mp4", "Content-Encoding": "gzip"})


def test_a_gzip_encoded_video_is_saved_decoded_and_identity_is_asked_for(
    hostile: Peer, mode: str, tmp_path: Path
) -> None:
    serve_finished_task(hostile, _gzipped)
    with open_facade(mode, base_url=hostile.url) as facade:
        path = facade.download("task_dl_1", tmp_path)
    assert path.read_bytes() == VIDEO  # the encoded length was compared with encoded bytes
    (asked,) = hostile.of("GET", "/files/*")
    assert asked.headers.get("accept-encoding") == "identity"


def test_a_broken_gzip_body_leaves_nothing(hostile: Peer, mode: str, tmp_path: Path) -> None:
    broken = gzip.compress(VIDEO)[:200] + b"\xff" * 300

    def handle(req: Request, out: Reply) -> None:
        out.send(200, broken, {"Content-Type": "video/mp4", "Content-Encoding": "gzip"})

    serve_finished_task(hostile, handle)
    _refused(hostile, mode, tmp_path, "nothing was written", max_retries=1)
    assert downloads(hostile) == 2  # a garbled body is retried once, then given up

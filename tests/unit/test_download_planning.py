"""Download planning: the key only for the gateway's own origin, safe names, which answers to accept."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from wan_r2v import DownloadError, ResultExpiredError, ServerError
from wan_r2v._config import make_config
from wan_r2v._core import (
    Exchange,
    download_request,
    plan_body,
    resolve_video_url,
    safe_filename,
    same_origin,
)
from wan_r2v._core._download_plan import Redirect, read_download

KEY = "sk-download-plan-99"
CONFIG = make_config(
    api_key=KEY, base_url="https://gw.example", timeout=None, own_client=True, max_retries=2
)
TIMEOUT = httpx.Timeout(5.0)


@pytest.mark.parametrize(
    ("url", "same"),
    [
        ("https://gw.example/v1/videos/t/content", True),
        ("https://gw.example:443/x", True),
        ("https://GW.example/x", True),
        ("http://gw.example/x", False),
        ("https://gw.example:8443/x", False),
        ("https://cdn.gw.example/x", False),
        ("https://gw.example.evil.com/x", False),
        ("https://evil.com/?u=https://gw.example", False),
    ],
)
def test_authorization_only_on_the_gateways_origin(url: str, same: bool) -> None:
    assert same_origin(url, "https://gw.example") is same
    request = download_request(url, CONFIG, user_agent="ua", timeout=TIMEOUT)
    assert ("Authorization" in request.headers) is same


def test_relative_result_urls_are_the_gateways() -> None:
    assert (
        resolve_video_url("/v1/videos/t/content", "https://gw.example")
        == "https://gw.example/v1/videos/t/content"
    )


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://x/y.mp4", "javascript:alert(1)", "/relative/without/base"]
)
def test_only_http_urls_are_downloaded(url: str) -> None:
    with pytest.raises(DownloadError):
        resolve_video_url(url, None)


@pytest.mark.parametrize(
    ("task_id", "name"),
    [
        ("task_1", "task_1.mp4"),
        ("../../etc/passwd", "etc_passwd.mp4"),
        ("a/b\\c", "a_b_c.mp4"),
        ("...", "video.mp4"),
    ],
)
def test_file_names_stay_in_their_folder(task_id: str, name: str) -> None:
    assert safe_filename(task_id) == name


def test_head_acceptance() -> None:
    video = httpx.Headers({"content-type": "video/mp4", "content-length": "10"})
    plan = plan_body(200, video, max_bytes=10, resume=None)
    assert plan is not None and (plan.offset, plan.length) == (0, 10)
    html = httpx.Headers({"content-type": "text/html; charset=utf-8"})
    too_long = httpx.Headers({"content-length": "11"})
    for status, headers, max_bytes, why in (
        (404, httpx.Headers({}), 10, "probably expired"),
        (200, html, None, "text/html"),
        (200, too_long, 10, "max_download_bytes"),
    ):
        # not streamed to the file: the flow reads the answer for the reason
        assert plan_body(status, headers, max_bytes=max_bytes, resume=None) is None
        with pytest.raises(DownloadError, match=why):
            read_download(Exchange(status, headers), "https://cdn/x", max_bytes=max_bytes)


def test_reading_download_outcomes(tmp_path: Path) -> None:
    assert read_download(tmp_path, "https://cdn/x") == tmp_path
    assert read_download(Exchange(302, {"location": "/y"}), "https://cdn/x") == Redirect(
        "https://cdn/y"
    )
    for status in (403, 404, 410):
        with pytest.raises(ResultExpiredError):
            read_download(Exchange(status, {}), "https://cdn/x")
    with pytest.raises(ServerError):
        read_download(Exchange(503, {}), "https://cdn/x")
    with pytest.raises(DownloadError):
        read_download(Exchange(400, {}), "https://cdn/x")

"""Download planning: the key only for the gateway's own origin, safe names, which answers to accept."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from wan_r2v import DownloadError, ResultExpiredError, ServerError
from wan_r2v._config import make_config
from wan_r2v._core import (
    Exchange,
    accept_download_head,
    download_request,
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
    assert accept_download_head(200, httpx.Headers({"content-type": "video/mp4"}), 10)
    assert not accept_download_head(404, httpx.Headers({}), 10)
    with pytest.raises(DownloadError, match="text/html"):
        accept_download_head(200, httpx.Headers({"content-type": "text/html; charset=utf-8"}), None)
    with pytest.raises(DownloadError, match="max_download_bytes"):
        accept_download_head(200, httpx.Headers({"content-length": "11"}), 10)


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

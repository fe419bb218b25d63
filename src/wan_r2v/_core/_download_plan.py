"""Plan a download without doing it: the URL, which headers, where to, and which answers to accept.

The API key goes only to the gateway's own origin (scheme, host and port all
equal); redirects are followed hop by hop under the same rule.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import httpx

from .._config import ClientConfig
from ..errors import DownloadError, ResultExpiredError
from ._answers import Exchange, error_for_status, error_for_transport
from ._requests import RequestSpec, gateway_headers

__all__ = [
    "MAX_REDIRECTS",
    "Redirect",
    "accept_download_head",
    "download_request",
    "read_download",
    "resolve_video_url",
    "safe_filename",
    "same_origin",
]

MAX_REDIRECTS = 5
_EXPIRED_STATUSES = (403, 404, 410)
_NOT_A_VIDEO = ("text/html", "application/json", "application/problem+json")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@attrs.frozen
class Redirect:
    """A download hop answered 3xx: go on at `url`."""

    url: str


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or {"http": 80, "https": 443}.get(url.scheme)


def same_origin(url: str, other: str) -> bool:
    """Whether two URLs share scheme, host and port (default ports filled in)."""
    try:
        return _origin(httpx.URL(url)) == _origin(httpx.URL(other))
    except (httpx.InvalidURL, ValueError):
        return False


def resolve_video_url(video_url: str, base_url: str | None) -> str:
    """An absolute http(s) URL for a result (a relative one is the gateway's); `DownloadError` otherwise."""
    try:
        url = httpx.URL(video_url)
        if url.is_relative_url and base_url is not None:
            url = httpx.URL(base_url).join(video_url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise DownloadError(f"the result URL {video_url!r} is not a URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise DownloadError(
            f"the result URL {video_url!r} is not an absolute http(s) URL; nothing was downloaded"
        )
    return str(url)


def download_request(
    url: str, config: ClientConfig, *, user_agent: str, timeout: httpx.Timeout
) -> RequestSpec:
    """A GET for a result URL: Authorization only when the URL is on the gateway's own origin."""
    headers = {"User-Agent": user_agent, "Accept": "*/*"}
    if (
        config.base_url is not None
        and config.api_key is not None
        and same_origin(url, config.base_url)
    ):
        headers = {**gateway_headers(config.api_key.reveal(), user_agent), "Accept": "*/*"}
    return RequestSpec(method="GET", url=url, headers=headers, timeout=timeout)


def safe_filename(task_id: str, suffix: str = ".mp4") -> str:
    """A file name from a task id that cannot climb out of its folder."""
    name = _UNSAFE_NAME.sub("_", task_id).strip("._") or "video"
    return name[:200] + suffix


def accept_download_head(status_code: int, headers: httpx.Headers, max_bytes: int | None) -> bool:
    """True: stream this body to the file. False: not a 200 (the flow decides). Raises when it cannot be the video."""
    if status_code != 200:
        return False
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in _NOT_A_VIDEO:
        raise DownloadError(
            f"the result URL answered with {content_type}, not a video (it may have expired: "
            "query the task again for a fresh URL); nothing was written",
            status_code=status_code,
        )
    length = headers.get("content-length")
    if (
        max_bytes is not None
        and length is not None
        and length.isdigit()
        and int(length) > max_bytes
    ):
        raise DownloadError(
            f"the video is {int(length)} bytes, more than max_download_bytes={max_bytes}; "
            "raise the limit to download it; nothing was written",
            status_code=status_code,
        )
    return True


def read_download(outcome: Path | Exchange | httpx.TransportError, url: str) -> Path | Redirect:
    """The saved file, the next hop, or the typed error a download answer means."""
    if isinstance(outcome, Path):
        return outcome
    if isinstance(outcome, httpx.TransportError):
        raise error_for_transport(outcome, what="the result's server") from None
    status = outcome.status_code
    location = outcome.headers.get("location")
    if 300 <= status < 400 and location:
        return Redirect(str(httpx.URL(url).join(location)))
    if status in _EXPIRED_STATUSES:
        raise ResultExpiredError(
            f"the result URL answered {status}: it has probably expired; query the task again for a fresh URL",
            status_code=status,
        )
    error = error_for_status(outcome)
    if status in (408, 429) or status >= 500:
        raise error
    raise DownloadError(f"the result URL answered {status}: {error.message}", status_code=status)

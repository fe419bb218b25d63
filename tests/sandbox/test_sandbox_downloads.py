"""Result URLs point at the sandbox and serve a real MP4, with Range support and expiry."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from _mp4probe import probe_mp4_bytes
from _sandbox_helpers import CREATE, seed

from wan_r2v.sandbox import Sandbox

pytestmark = pytest.mark.wan_r2v_sandbox(clock="per_poll", poll_steps=1)


def _finished(api: httpx.Client, body: dict[str, Any] | None = None) -> dict[str, Any]:
    task_id = api.post(CREATE, json=body or seed()).json()["id"]
    task: dict[str, Any] = api.get(f"/v1/videos/{task_id}").json()
    assert task["status"] == "completed"
    return task


@pytest.mark.parametrize(
    ("model", "size", "duration"),
    [
        ("wan2.6-r2v-flash-720p-audio", "1280*720", 5),
        ("wan2.6-r2v-flash-720p-silent", "832*1088", 2),
        ("wan2.6-r2v-1080p", "1920*1080", 10),
    ],
)
def test_the_result_is_an_mp4_of_the_requested_size_and_duration(
    api: httpx.Client, model: str, size: str, duration: int
) -> None:
    body = seed("image_references", model=model, size=size, duration=duration)
    url = _finished(api, body)["video_url"]
    response = httpx.get(url)  # no key: the URL itself is the credential
    assert response.status_code == 200
    assert response.headers["content-type"] == "video/mp4"
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.headers["accept-ranges"] == "bytes" and response.headers["x-request-id"]
    info = probe_mp4_bytes(response.content)
    width, height = (int(n) for n in size.split("*"))
    assert (info.width, info.height) == (width, height)
    assert info.duration == pytest.approx(duration, abs=0.01)


def test_ranges_return_exactly_the_asked_bytes(api: httpx.Client) -> None:
    url = _finished(api)["video_url"]
    whole = httpx.get(url).content
    size = len(whole)
    cases = {
        "bytes=0-99": (0, 99),
        "bytes=100-": (100, size - 1),
        "bytes=-50": (size - 50, size - 1),
        f"bytes={size - 10}-{size + 500}": (size - 10, size - 1),
    }
    for header, (start, end) in cases.items():
        part = httpx.get(url, headers={"Range": header})
        assert part.status_code == 206, header
        assert part.headers["content-range"] == f"bytes {start}-{end}/{size}"
        assert int(part.headers["content-length"]) == end - start + 1
        assert part.content == whole[start : end + 1]
    # resuming a download from the middle rebuilds the same file
    head, tail = whole[:1234], httpx.get(url, headers={"Range": "bytes=1234-"}).content
    assert head + tail == whole


def test_unsatisfiable_and_unusable_ranges(api: httpx.Client) -> None:
    url = _finished(api)["video_url"]
    size = len(httpx.get(url).content)
    outside = httpx.get(url, headers={"Range": f"bytes={size}-"})
    assert outside.status_code == 416
    assert outside.headers["content-range"] == f"bytes */{size}"
    assert outside.json()["error"]["code"] == "range_not_satisfiable"
    for ignored in ("bytes=5-1", "items=0-1", "bytes=0-1,5-9"):
        assert httpx.get(url, headers={"Range": ignored}).status_code == 200, ignored


def test_head_gives_the_length_without_a_body(api: httpx.Client) -> None:
    url = _finished(api)["video_url"]
    head = httpx.head(url)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(httpx.get(url).content)


def test_a_result_url_expires_with_the_sandbox_clock(
    api: httpx.Client, wan_r2v_sandbox: Sandbox
) -> None:
    task = _finished(api)
    assert httpx.get(task["video_url"]).status_code == 200
    wan_r2v_sandbox.advance(wan_r2v_sandbox.config.url_ttl + 1)
    expired = httpx.get(task["video_url"])
    assert expired.status_code == 403
    assert expired.json()["error"]["code"] == "url_expired"
    fresh = api.get(f"/v1/videos/{task['id']}").json()["video_url"]
    assert fresh != task["video_url"] and httpx.get(fresh).status_code == 200


def test_a_tampered_url_is_refused(api: httpx.Client) -> None:
    url: str = _finished(api)["video_url"]
    other = url.replace("expires=", "expires=9")
    assert httpx.get(other).status_code == 403
    assert httpx.get(url.split("?")[0]).json()["error"]["code"] == "invalid_signature"

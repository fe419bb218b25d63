"""Requests from the generated endpoints; task ids that could reach another path are refused."""

from __future__ import annotations

import json

import httpx
import pytest

from wan_r2v import PRESETS, ValidationError
from wan_r2v._config import make_config
from wan_r2v._core import (
    build_create_body,
    build_create_request,
    build_get_request,
    check_task_id,
    clip_timeout,
)

KEY = "sk-request-test-1234"
TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def config(**kwargs: object):  # type: ignore[no-untyped-def]
    args = {
        "api_key": KEY,
        "base_url": "https://gw.example/",
        "timeout": None,
        "own_client": True,
        "max_retries": 2,
    }
    args.update(kwargs)
    return make_config(**args)  # type: ignore[arg-type]


def test_create_request_is_post_with_the_json_body_and_the_key() -> None:
    body = build_create_body(
        {"model": "wan2.6-r2v-720p", "prompt": "p", "images": ["https://e.com/a.png"]},
        presets=PRESETS,
        strict=True,
    )
    request = build_create_request(config(), body, user_agent="ua", timeout=TIMEOUT)
    assert (request.method, request.url) == ("POST", "https://gw.example/v1/video/generations")
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content or b"") == body.to_dict()
    assert KEY not in repr(request)


@pytest.mark.parametrize(
    ("task_path", "url"),
    [
        ("videos", "https://gw.example/v1/videos/task_1"),
        ("video/generations", "https://gw.example/v1/video/generations/task_1"),
    ],
)
def test_get_request_paths(task_path: str, url: str) -> None:
    request = build_get_request(
        config(task_path=task_path), "task_1", user_agent="ua", timeout=TIMEOUT
    )
    assert (request.method, request.url, request.content) == ("GET", url, None)


@pytest.mark.parametrize(
    "task_id",
    [
        "",
        "a/b",
        "..",
        "a..b",
        "t?x=1",
        "t#f",
        "t%2F",
        "t\\x",
        "t x",
        "t\n",
        "t\x00",
        "t\x7f",
        "\tt",
        "x" * 257,
        None,
        42,
    ],
)
def test_unsafe_task_ids_are_refused_before_sending(task_id: object) -> None:
    with pytest.raises(ValidationError) as info:
        check_task_id(task_id)
    assert info.value.problems[0].field == "task_id"


@pytest.mark.parametrize("task_id", ["task_abc", "0d4f-11", "x" * 256, "视频_1", "a.b-c_d:e"])
def test_ordinary_task_ids_pass(task_id: str) -> None:
    assert check_task_id(task_id) == task_id


def test_missing_key_or_base_url_is_a_validation_error_naming_the_env_vars() -> None:
    with pytest.raises(ValidationError) as info:
        build_get_request(
            config(api_key=None, base_url=None), "t", user_agent="ua", timeout=TIMEOUT
        )
    text = str(info.value)
    assert "WAN_R2V_API_KEY" in text and "WAN_R2V_BASE_URL" in text


def test_clip_timeout_never_outlasts_the_deadline() -> None:
    clipped = clip_timeout(TIMEOUT, 3.0)
    assert (clipped.connect, clipped.read, clipped.write, clipped.pool) == (3.0, 3.0, 3.0, 3.0)
    assert clip_timeout(TIMEOUT, None) == TIMEOUT
    assert clip_timeout(TIMEOUT, -5.0).read == 1.0  # the last poll still gets a moment
    assert clip_timeout(httpx.Timeout(None), 2.0).read == 2.0

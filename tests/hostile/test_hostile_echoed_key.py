"""A gateway that echoes the caller's key, raw or escaped, into every field it can.

The key must not show in repr(Task), any exception (text, repr, attributes,
traceback) or any log record, whatever form the echo takes.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from _downloads import VIDEO, video
from _harness import PARAMS, open_facade
from _peer import Peer, Reply, Request
from _scenarios import CREATE, QUERY, task

from wan_r2v import Task, WanR2VError

#: A key with characters that escape differently in URLs, JSON and reprs.
KEY = "sk-echo/7f3a+9c=41d"
FORMS = (KEY, quote(KEY, safe=""), KEY.replace("/", "\\/"))


def _everywhere(req: Request) -> dict[str, object]:
    key = req.key or ""
    return {
        "video_url": f"https://cdn.example/v.mp4?key={quote(key, safe='')}&raw={key}",
        "raw_status": key,
        "model": f"model-{key}",
        "error": {"code": key, "message": f"your key {key} / {json.dumps(key)}"},
        "metadata": {key: [key, {"nested": key}]},
    }


def echo_task(status: str) -> Callable[[Request, Reply], None]:
    def handle(req: Request, out: Reply) -> None:
        out.json(200, task(status=status, **_everywhere(req)), {"X-Request-Id": f"req-{req.key}"})

    return handle


def echo_error(status: int) -> Callable[[Request, Reply], None]:
    def handle(req: Request, out: Reply) -> None:
        out.json(
            status,
            {"error": {"message": f"bad {req.key}", "type": req.key, "code": req.key}},
            {"X-Request-Id": f"req-{req.key}", "Retry-After": "0"},
        )

    return handle


def _leaks(text: str) -> list[str]:
    return [form for form in FORMS if form in text]


def _shown(value: object) -> str:
    if isinstance(value, BaseException):
        return " ".join(
            [str(value), repr(value), repr(vars(value)), "".join(traceback.format_exception(value))]
        )
    if isinstance(value, Task):
        return f"{value!r} {value} {value.raw!r}"
    return repr(value)


SCENARIOS = {
    "completed": ("completed", None),
    "failed": ("failed", None),
    "running": ("in_progress", None),
    "401": (None, 401),
    "503": (None, 503),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_an_echoed_key_shows_nowhere(
    hostile: Peer, mode: str, scenario: str, caplog: pytest.LogCaptureFixture
) -> None:
    status, error = SCENARIOS[scenario]
    handler = echo_task(status) if status is not None else echo_error(error or 500)
    hostile.route("GET", QUERY, handler)
    hostile.route("POST", CREATE, handler)
    seen: list[object] = []
    caplog.set_level(logging.DEBUG)
    with open_facade(mode, api_key=KEY, base_url=hostile.url) as facade:
        for call in (
            lambda: facade.get("task_hostile_1"),
            lambda: facade.wait("task_hostile_1", timeout=5, poll_interval=1),
            lambda: facade.create(**PARAMS),
        ):
            try:
                seen.append(call())
            except WanR2VError as exc:
                seen.append(exc)
    assert hostile.count("POST", CREATE) == 1
    assert seen, "nothing was collected"
    for value in seen:
        assert _leaks(_shown(value)) == [], _shown(value)
    records = [r.getMessage() for r in caplog.records]
    assert records, "no log record was made"
    assert [r for r in records if _leaks(r)] == []


def test_a_result_url_holding_the_key_is_masked_and_the_download_goes_through_content(
    hostile: Peer, mode: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The masked URL fails (403 at the peer); the gateway's `/content` serves the video."""

    def query(req: Request, out: Reply) -> None:
        url = f"{hostile.url}/files/v.mp4?key={quote(req.key or '', safe='')}"
        out.json(200, task(status="completed", progress=100, video_url=url))

    def result(req: Request, out: Reply) -> None:
        if req.target.endswith(quote(KEY, safe="")):  # only the real key would open it
            out.send(200, VIDEO, {"Content-Type": "video/mp4"})
        else:
            out.json(403, {"error": {"message": "expired"}})

    hostile.route("GET", QUERY, query)
    hostile.route("GET", "/files/*", result)
    hostile.route("GET", "/v1/videos/*/content", video())
    caplog.set_level(logging.DEBUG)
    with open_facade(mode, api_key=KEY, base_url=hostile.url) as facade:
        finished = facade.wait("task_hostile_1", timeout=5)
        assert _leaks(_shown(finished)) == []
        path = facade.download(finished, tmp_path)
    assert path.read_bytes() == VIDEO
    assert [r.target for r in hostile.of("GET", "/files/*")] == ["/files/v.mp4?key=***"]
    assert hostile.count("GET", "/v1/videos/*/content") == 1
    assert [r.getMessage() for r in caplog.records if _leaks(r.getMessage())] == []

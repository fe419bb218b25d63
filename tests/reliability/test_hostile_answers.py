"""Hostile gateway answers (hypothesis): whatever comes back, the facade raises only its own errors.

Random JSON of random shapes and types at every field of a task (flat or in
an envelope), random statuses and headers, bodies that are not JSON at all:
create, get, wait and download either return a sane value or raise a
`WanR2VError` subclass, never a raw KeyError/TypeError/ValueError/...
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _harness import KEY, PARAMS, FakeClock, open_facade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wan_r2v import Task, TaskStatus, WanR2VError
from wan_r2v._core import STATUS_WORDS

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Every key any dialect of the family puts in a task answer.
TASK_KEYS = [
    "id",
    "task_id",
    "object",
    "model",
    "status",
    "task_status",
    "raw_status",
    "progress",
    "created_at",
    "completed_at",
    "finished_at",
    "submit_time",
    "finish_time",
    "error",
    "error_code",
    "error_message",
    "fail_reason",
    "result",
    "video_url",
    "result_url",
    "metadata",
    "code",
    "message",
    "request_id",
]

leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from([*STATUS_WORDS, "UNKNOWN", "SUCCEEDED", "30%", "-5", "1e400", "2026-13-45"])
    | st.sampled_from(["https://cdn.test/v.mp4", "/relative.mp4", "ftp://x/y", "", " "])
)
keys = st.sampled_from([*TASK_KEYS, "outputs", "url", "data", "output", "type"]) | st.text(
    max_size=8
)
json_values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6),
    max_leaves=25,
)


@st.composite
def task_like(draw: st.DrawFn) -> dict[str, Any]:
    """A task answer whose every field may hold any JSON of any type."""
    chosen = draw(st.lists(st.sampled_from(TASK_KEYS), unique=True, max_size=len(TASK_KEYS)))
    return {key: draw(json_values) for key in chosen}


@st.composite
def payloads(draw: st.DrawFn) -> Any:
    """Anything a gateway could put in a body: a task, a wrapped task, an error, or junk."""
    task = draw(task_like())
    shape = draw(st.sampled_from(["flat", "envelope", "output", "error", "flat-error", "junk"]))
    if shape == "envelope":
        return {"code": draw(json_values), "message": draw(json_values), "data": task}
    if shape == "output":
        return {"request_id": draw(json_values), "output": task}
    if shape == "error":
        return {"error": draw(json_values)}
    if shape == "flat-error":
        return {"code": draw(json_values), "message": draw(json_values), "data": None}
    if shape == "junk":
        return draw(json_values)
    return task


Answer = tuple[int, dict[str, str], bytes]


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    """One HTTP answer: mostly 200 JSON, sometimes any status, headers or bytes."""
    status = draw(
        st.sampled_from([200, 200, 200, 201, 202, 204, 206, 301, 400, 404, 429, 500, 520])
        | st.integers(100, 599)
    )
    if draw(st.integers(0, 9)) == 0:
        body = draw(st.binary(max_size=200))
    else:
        body = json.dumps(draw(payloads()), allow_nan=True).encode()
    headers = {
        "content-type": draw(st.sampled_from(["application/json", "text/html", "video/mp4", ""]))
    }
    if draw(st.booleans()):
        headers["retry-after"] = draw(
            st.sampled_from(
                ["0", "1", "-3", "1e9", "nan", "inf", "soon", "Wed, 21 Oct 2015 07:28:00 GMT"]
            )
        )
    if draw(st.booleans()):
        headers["location"] = draw(
            st.sampled_from(
                [
                    "https://cdn.test/v.mp4",
                    "/x",
                    "ftp://x",
                    "",
                    "javascript:alert(1)",
                    "http://[::1",
                    "data:,x",
                ]
            )
        )
    if draw(st.integers(0, 5)) == 0:
        headers["content-encoding"] = draw(
            st.sampled_from(["gzip", "br", "deflate", "zstd", "bogus"])
        )
    return status, {k: v for k, v in headers.items() if v}, body


def scripted(responses: list[Answer]) -> Any:
    """A MockTransport handler that plays `responses` in order (the last one repeats)."""
    queue = list(responses)

    def handle(request: httpx.Request) -> httpx.Response:
        status, headers, body = queue.pop(0) if len(queue) > 1 else queue[0]
        # a raw stream: the client, not this fake, decodes (and may fail to)
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))

    return handle


@pytest.fixture
def run(mode: str) -> Iterator[Any]:
    """Run one facade call against scripted answers; return its value or the exception raised."""
    opened: list[Any] = []

    def call(name: str, responses: list[Answer], *args: Any, **kwargs: Any) -> Any:
        transport = httpx.MockTransport(scripted(responses))
        http = (
            httpx.Client(transport=transport)
            if mode == "sync"
            else httpx.AsyncClient(transport=transport)
        )
        cm = open_facade(mode, base_url="https://gw.test", http_client=http, clock=FakeClock())
        facade = cm.__enter__()
        opened.append(cm)
        try:
            return facade.call(name, *args, **kwargs)
        except Exception as exc:
            return exc

    yield call
    for cm in opened:
        cm.__exit__(None, None, None)


def check(outcome: object) -> None:
    """A sane task or path, or one of the library's own errors."""
    if isinstance(outcome, BaseException):
        assert isinstance(outcome, WanR2VError), f"raw {type(outcome).__name__}: {outcome!r}"
        assert isinstance(str(outcome), str) and KEY not in str(outcome)
        return
    if isinstance(outcome, Task):
        assert isinstance(outcome.id, str) and outcome.id
        assert isinstance(outcome.status, TaskStatus)
        assert 0 <= outcome.progress <= 100
        assert outcome.video_url is None or isinstance(outcome.video_url, str)
        repr(outcome)
        return
    assert isinstance(outcome, Path), outcome


@SETTINGS
@given(answer=answers())
def test_create_on_any_answer(run: Any, answer: Answer) -> None:
    check(run("create", [answer], **PARAMS))


@SETTINGS
@given(answer=answers())
def test_get_on_any_answer(run: Any, answer: Answer) -> None:
    check(run("get", [answer], "task_1"))


@settings(SETTINGS, max_examples=100)
@given(script=st.lists(answers(), min_size=1, max_size=6))
def test_wait_on_any_answers(run: Any, script: list[Answer]) -> None:
    check(run("wait", script, "task_1", timeout=120))


@settings(SETTINGS, max_examples=100)
@given(script=st.lists(answers(), min_size=1, max_size=4))
def test_download_on_any_answers(run: Any, script: list[Answer], tmp_path_factory: Any) -> None:
    folder = tmp_path_factory.mktemp("dl")
    check(run("download", script, "task_1", folder / "v.mp4"))
    assert [p.name for p in folder.iterdir()] in ([], ["v.mp4"])


@SETTINGS
@given(payload=payloads())
def test_task_from_response_on_any_payload(payload: Any) -> None:
    try:
        task = Task.from_response(payload)
    except Exception as exc:
        check(exc)
    else:
        check(task)

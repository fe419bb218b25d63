"""The facade's value classes (no attrs since the cold-start work) keep attrs' behaviour.

Reprs as attrs wrote them, equality and hash by value, refused assignment, keyword-only
construction where it was, pickling, and no code compiled when a client is made.
"""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from wan_r2v import GenerationResult, Problem, Task, TaskStatus
from wan_r2v._config import DownloadLimits, RetryPolicy
from wan_r2v._core._answers import Exchange
from wan_r2v._core._download_plan import Interrupted, Resume, Target
from wan_r2v._core._fields import RequestField
from wan_r2v._core._flows import Send, Sleep, Stream
from wan_r2v._core._requests import RequestSpec
from wan_r2v._frozen import FrozenInstanceError

TASK = Task(
    id="task_1",
    status=TaskStatus.SUCCEEDED,
    progress=250,
    video_url="https://cdn.example/v.mp4",
    created_at=datetime(2026, 1, 2, tzinfo=UTC),
    raw={"id": "task_1"},
)
SPEC = RequestSpec(
    method="GET",
    url="https://gateway.example/v1/videos/task_1",
    headers={"Authorization": "Bearer sk-secret"},
    timeout=httpx.Timeout(5.0),
)


def test_reprs_are_the_ones_attrs_wrote() -> None:
    assert repr(Problem("size", "bad")) == "Problem(field='size', message='bad')"
    assert repr(TASK) == (
        "Task(id='task_1', status=<TaskStatus.SUCCEEDED: 'succeeded'>, raw_status=None, "
        "upstream_status=None, model=None, progress=100, video_url='https://cdn.example/v.mp4', "
        "error_code=None, error_message=None, created_at=datetime.datetime(2026, 1, 2, 0, 0, "
        "tzinfo=datetime.timezone.utc), completed_at=None)"
    )
    # headers (the key), body and timeouts stay out of a request's repr
    assert repr(SPEC) == "RequestSpec(method='GET', url='https://gateway.example/v1/videos/task_1')"
    assert repr(Sleep(1.5)) == "Sleep(seconds=1.5)"
    assert repr(RetryPolicy()) == (
        "RetryPolicy(max_retries=2, initial_delay=0.5, max_delay=8.0, max_retry_after=60.0)"
    )


@pytest.mark.parametrize(
    ("value", "field"),
    [(TASK, "status"), (Problem("a", "b"), "field"), (SPEC, "url"), (RetryPolicy(), "max_retries")],
)
def test_fields_cannot_be_assigned_or_deleted(value: object, field: str) -> None:
    with pytest.raises(FrozenInstanceError):
        setattr(value, field, None)
    with pytest.raises(AttributeError):
        delattr(value, field)
    with pytest.raises(AttributeError):
        value.unknown = 1  # type: ignore[attr-defined]


def test_construction_stays_keyword_only_where_it_was() -> None:
    with pytest.raises(TypeError):
        Task("task_1")  # type: ignore[misc]
    with pytest.raises(TypeError):
        RetryPolicy(3)  # type: ignore[misc]
    with pytest.raises(TypeError):
        Stream(Send(SPEC), Target(Path("x")))  # type: ignore[misc]
    assert Problem("f", "m") == Problem(field="f", message="m")


def test_equality_and_hash_by_value() -> None:
    same = TASK._replace(raw={"other": "answer"})
    # raw takes part in equality but not in the hash (a dict cannot be hashed)
    assert same != TASK and hash(same) == hash(TASK)
    assert TASK._replace(progress=100) == TASK and TASK._replace(progress=-5).progress == 0
    assert len({Problem("a", "b"), Problem("a", "b"), Problem("a", "c")}) == 2
    assert Resume(3, "etag") == Resume(3, "etag") != Resume(4, "etag")
    # an open partial file and the transport error do not take part
    assert Interrupted(1, 2, None, error=httpx.ReadError("x")) == Interrupted(1, 2, None)
    assert Target(Path("a")) != Path("a") and RequestField("seed") != ("seed",)


def test_converters_and_defaults_still_apply() -> None:
    exchange = Exchange(200, {"X-Request-Id": "r1"})
    assert isinstance(exchange.headers, httpx.Headers) and exchange.content == b""
    assert Task(id="t").raw == {} and Task(id="t").raw is not Task(id="t").raw
    assert RequestSpec(method="GET", url="u", timeout=httpx.Timeout(1)).headers == {}
    assert DownloadLimits(timeout=None).stall_time == DownloadLimits().stall_time


@pytest.mark.parametrize(
    "value", [TASK, Problem("a", "b"), GenerationResult(TASK, Path("v.mp4")), RetryPolicy()]
)
def test_values_survive_copy_and_pickle(value: object) -> None:
    assert copy.copy(value) == value
    assert copy.deepcopy(value) == value
    assert pickle.loads(pickle.dumps(value)) == value


def test_making_a_client_compiles_no_code_of_ours() -> None:
    """attrs compiles methods for each class it makes; the facade's and the generated classes
    are written out."""
    code = (
        "import builtins, json, sys\n"
        "names = []\n"
        "real = builtins.compile\n"
        "def compile(source, filename, *args, **kwargs):\n"
        "    names.append(str(filename))\n"
        "    return real(source, filename, *args, **kwargs)\n"
        "builtins.compile = compile\n"
        "from wan_r2v import Client\n"
        "Client(api_key='sk-test', base_url='https://gateway.example')\n"
        "print(json.dumps(names))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    compiled = json.loads(out.splitlines()[-1])
    # (module files compile too when their bytecode is stale: only made-up sources count)
    made = [name for name in compiled if name.startswith("<")]
    assert not [name for name in made if "wan_r2v" in name or "attrs" in name], made

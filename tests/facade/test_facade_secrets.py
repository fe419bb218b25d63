"""The API key never appears in repr, str, exceptions (with their causes) or log records."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from _facade_fakes import KEY, SEED_VIDEO_KWARGS, Gateway, error, make_client, ok, task_json

from wan_r2v import Task, TaskStatus, WanR2VError


def _chain(exc: BaseException | None) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def test_the_key_never_leaks(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    caplog.set_level("DEBUG")
    echo = error(401, f"invalid api key: {KEY}", code=KEY)
    scenarios: list[tuple[Gateway, Callable[..., object]]] = [
        (Gateway(echo), lambda c: c.create(**SEED_VIDEO_KWARGS)),
        (Gateway(echo), lambda c: c.get("task_1")),
        (
            Gateway(error(500, f"upstream said Bearer {KEY}")),
            lambda c: c.create(**SEED_VIDEO_KWARGS),
        ),
        (Gateway(httpx.ReadTimeout(f"timeout {KEY}")), lambda c: c.create(**SEED_VIDEO_KWARGS)),
        (
            Gateway(error(503, f"busy {KEY}")),
            lambda c: c.wait("task_1", timeout=3, poll_interval=1),
        ),
        (Gateway(ok(task_json(status="failed", fail_reason="x"))), lambda c: c.wait("task_1")),
        (
            Gateway(error(410, f"expired {KEY}")),
            lambda c: c.download(
                Task(id="t", status=TaskStatus.SUCCEEDED, video_url="https://gw.test/v/1.mp4"),
                tmp_path,
            ),
        ),
    ]
    texts: list[str] = []
    for gateway, call in scenarios:
        client = make_client(gateway, max_retries=1)
        texts += [repr(client), str(client)]
        with pytest.raises(WanR2VError) as info:
            call(client)
        for exc in _chain(info.value):
            texts += [str(exc), repr(exc), repr(vars(exc))]
            # an httpx error would hold the request, and so its Authorization header
            assert isinstance(exc, WanR2VError), f"{type(exc).__name__} in the chain"
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(record.args) for record in caplog.records]
    assert any("retry 1 of 1" in t for t in texts)  # something was logged
    leaks = [t for t in texts if KEY in t]
    assert leaks == []

"""The sandbox answering exactly as new-api does, and the facade against it on both query paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from _sandbox_helpers import CREATE, seed

from wan_r2v import Client, NotFoundError, RateLimitError, TaskStatus
from wan_r2v.sandbox import Sandbox

pytestmark = pytest.mark.wan_r2v_sandbox(dialect="new-api", clock="per_poll", poll_steps=4)
PARAMS: dict[str, Any] = {
    "model": "wan2.6-r2v-flash-720p-audio",
    "prompt": "character1 waves",
    "videos": ["https://example.com/ref.mp4"],
    "duration": 2,
}
POLL = 0.01


def _create(api: httpx.Client) -> dict[str, Any]:
    answer = api.post(CREATE, json=seed())
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_create_answer_and_request_id_header(api: httpx.Client) -> None:
    answer = api.post(CREATE, json=seed())
    body = answer.json()
    assert answer.headers["x-oneapi-request-id"] and "x-request-id" not in answer.headers
    assert body["object"] == "video" and (body["status"], body["progress"]) == ("queued", 0)
    assert body["id"] == body["task_id"]


def test_videos_path_running_then_done(api: httpx.Client) -> None:
    task_id = _create(api)["id"]
    running = api.get(f"/v1/videos/{task_id}").json()
    assert running["status"] in ("queued", "in_progress")
    assert isinstance(running["completed_at"], int)  # set while the task runs
    assert "metadata" not in running and "video_url" not in running
    for _ in range(4):
        done = api.get(f"/v1/videos/{task_id}").json()
    assert done["status"] == "completed"
    assert done["metadata"]["url"].startswith("http") and "result" not in done


def test_generations_path_is_an_envelope_with_the_row_number(api: httpx.Client) -> None:
    first = _create(api)["id"]
    task_id = _create(api)["id"]
    body = api.get(f"/v1/video/generations/{task_id}").json()
    assert (body["code"], body["message"]) == ("success", "")
    data = body["data"]
    assert data["task_id"] == task_id and isinstance(data["id"], int)
    assert str(data["id"]) != task_id and first != task_id
    assert data["status"] in ("QUEUED", "IN_PROGRESS") and data["progress"].endswith("%")
    assert data["result_url"] == "" and data["finish_time"] == 0


@pytest.mark.parametrize("path", ["/v1/videos/task_nope", "/v1/video/generations/task_nope"])
def test_unknown_task_is_400_task_not_exist(api: httpx.Client, path: str) -> None:
    answer = api.get(path)
    assert answer.status_code == 400
    assert answer.json() == {"code": "task_not_exist", "message": "task_not_exist", "data": None}


def test_429_is_flat_and_has_no_retry_after(api: httpx.Client) -> None:
    answer = api.post(CREATE, json=seed(), headers={"X-Sandbox-Fault": "429"})
    assert answer.status_code == 429 and "retry-after" not in answer.headers
    assert set(answer.json()) == {"code", "message", "data"}


def test_bad_key_is_openai_shaped(wan_r2v_sandbox: Sandbox) -> None:
    answer = httpx.get(f"{wan_r2v_sandbox.base_url}/v1/videos/x", headers={"Authorization": "x"})
    assert answer.status_code == 401 and "error" in answer.json()


@pytest.mark.parametrize("task_path", ["videos", "video/generations"])
def test_facade_generates_with_the_real_task_id(
    wan_r2v_sandbox: Sandbox, tmp_path: Path, task_path: Any
) -> None:
    with Client(
        api_key=wan_r2v_sandbox.api_key, base_url=wan_r2v_sandbox.base_url, task_path=task_path
    ) as client:
        result = client.generate(path=tmp_path, poll_interval=POLL, **PARAMS)
    task_id = wan_r2v_sandbox.tasks[0].id
    assert result.task.id == task_id and result.task.status is TaskStatus.SUCCEEDED
    assert result.path == tmp_path / f"{task_id}.mp4" and result.path.stat().st_size > 0
    assert {r.path for r in wan_r2v_sandbox.requests if r.route == "query"} == {
        f"/v1/{task_path}/{task_id}"
    }


@pytest.mark.parametrize("task_path", ["videos", "video/generations"])
def test_facade_unknown_task_is_not_found(wan_r2v_sandbox: Sandbox, task_path: Any) -> None:
    with (
        Client(
            api_key=wan_r2v_sandbox.api_key, base_url=wan_r2v_sandbox.base_url, task_path=task_path
        ) as client,
        pytest.raises(NotFoundError) as caught,
    ):
        client.get("task_nope")
    assert caught.value.status_code == 400 and caught.value.code == "task_not_exist"
    assert caught.value.request_id == wan_r2v_sandbox.requests[-1].request_id
    assert wan_r2v_sandbox.count("query") == 1  # not retried


@pytest.mark.wan_r2v_sandbox(faults=["429;route=query;count=2"])
def test_429_without_retry_after_backs_off_and_succeeds(wan_r2v_sandbox: Sandbox) -> None:
    with Client(api_key=wan_r2v_sandbox.api_key, base_url=wan_r2v_sandbox.base_url) as client:
        task = client.create(**PARAMS)
        slept: list[float] = []
        client._sleep = slept.append  # type: ignore[method-assign]
        assert client.get(task.id).id == task.id
    assert wan_r2v_sandbox.count("query") == 3
    assert len(slept) == 2 and all(s > 0 for s in slept) and slept[1] > slept[0]


@pytest.mark.wan_r2v_sandbox(faults=["429;route=query"])
def test_429_without_retry_after_gives_up_with_no_retry_after(wan_r2v_sandbox: Sandbox) -> None:
    with Client(
        api_key=wan_r2v_sandbox.api_key, base_url=wan_r2v_sandbox.base_url, max_retries=1
    ) as client:
        client._sleep = lambda seconds: None  # type: ignore[method-assign]
        with pytest.raises(RateLimitError) as caught:
            client.get("task_any")
    assert caught.value.retry_after is None and caught.value.status_code == 429

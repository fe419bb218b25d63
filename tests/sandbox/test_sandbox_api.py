"""The sandbox answers the create and query calls as the gateway does."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
from _polling import eventually
from _sandbox_helpers import CREATE, seed

from wan_r2v.sandbox import Sandbox

SEED_PAGE = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_0051ed8605f9eb54.txt"
CREATE_KEYS = {"id", "task_id", "object", "model", "status", "progress", "created_at"}
QUERY_KEYS = CREATE_KEYS | {"error", "result", "video_url", "raw_status", "completed_at"}


def _create(api: httpx.Client, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = api.post(CREATE, json=body or seed())
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


# create and query shapes


def test_create_answers_a_queued_task_in_the_gateway_shape(api: httpx.Client) -> None:
    response = api.post(CREATE, json=seed())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"]
    task = response.json()
    assert set(task) == CREATE_KEYS
    assert task["id"] == task["task_id"] and re.fullmatch(r"[A-Za-z0-9_.:-]+", task["id"])
    assert task["object"] == "video.generation.job"
    assert task["model"] == "wan2.6-r2v-flash-720p-audio"
    assert (task["status"], task["progress"]) == ("queued", 0)
    assert isinstance(task["created_at"], int) and task["created_at"] > 1_600_000_000


@pytest.mark.wan_r2v_sandbox(clock="manual")
@pytest.mark.parametrize("path", ["/v1/videos/{}", "/v1/video/generations/{}"])
def test_both_query_paths_answer_the_full_task(
    api: httpx.Client, wan_r2v_sandbox: Sandbox, path: str
) -> None:
    task_id = _create(api)["id"]
    waiting = api.get(path.format(task_id))
    assert waiting.status_code == 200 and waiting.headers["x-request-id"]
    task = waiting.json()
    assert set(task) == QUERY_KEYS
    assert (task["status"], task["raw_status"], task["error"], task["result"]) == (
        "queued",
        "PENDING",
        None,
        None,
    )
    assert task["video_url"] is None and task["completed_at"] is None
    wan_r2v_sandbox.advance(wan_r2v_sandbox.config.duration)
    done = api.get(path.format(task_id)).json()
    assert (done["status"], done["raw_status"], done["progress"]) == ("completed", "SUCCEEDED", 100)
    assert done["result"]["outputs"] == [done["video_url"]]
    assert done["result"]["video_url"] == done["video_url"]
    assert done["video_url"].startswith(wan_r2v_sandbox.base_url + "/")
    assert done["completed_at"] >= done["created_at"]


def test_an_unknown_task_is_404_in_the_error_shape(api: httpx.Client) -> None:
    for path in ("/v1/videos/task_nope", "/v1/video/generations/task_nope"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.headers["x-request-id"]
        error = response.json()["error"]
        assert set(error) == {"message", "type", "code", "param"}
        assert error["code"] == "task_not_found" and "task_nope" in error["message"]


# auth


@pytest.mark.parametrize(
    "header", [None, "Bearer sk-wrong", "sk-sandbox", "Basic c2stc2FuZGJveA=="]
)
def test_a_missing_or_wrong_key_gets_401(wan_r2v_sandbox: Sandbox, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    for method, path in (("POST", CREATE), ("GET", "/v1/videos/task_x")):
        response = httpx.request(
            method, wan_r2v_sandbox.base_url + path, json=seed(), headers=headers
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_api_key"
        assert "sk-sandbox" not in response.text
    assert wan_r2v_sandbox.tasks == []
    assert all(r.authorized is False for r in wan_r2v_sandbox.requests)


@pytest.mark.wan_r2v_sandbox(api_key="sk-test-123")
def test_the_key_is_configurable(wan_r2v_sandbox: Sandbox) -> None:
    assert wan_r2v_sandbox.api_key == "sk-test-123"
    url = wan_r2v_sandbox.base_url + CREATE
    assert (
        httpx.post(url, json=seed(), headers={"Authorization": "Bearer sk-sandbox"}).status_code
        == 401
    )
    ok = httpx.post(url, json=seed(), headers={"Authorization": "Bearer sk-test-123"})
    assert ok.status_code == 200


# validation


def test_a_bad_body_is_400_listing_every_problem(
    api: httpx.Client, wan_r2v_sandbox: Sandbox
) -> None:
    body = seed(model="wan2.6-r2v-flash-720p-silent", size="1920*1080", duration=30)
    response = api.post(CREATE, json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", "invalid_request")
    assert error["param"] == "size"
    assert "3 problems" in error["message"]
    for field in ("size:", "duration:", "audio:"):
        assert field in error["message"]
    assert wan_r2v_sandbox.tasks == []


@pytest.mark.parametrize(
    ("content", "param"),
    [(b"{not json", "body"), (b"", "body"), (b"[1, 2]", "body"), (b'{"prompt": "x"}', "model")],
)
def test_bodies_that_are_not_a_create_object_are_400(
    api: httpx.Client, content: bytes, param: str
) -> None:
    response = api.post(CREATE, content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


def test_wrong_methods_and_paths_answer_in_the_error_shape(api: httpx.Client) -> None:
    wrong_method = api.get(CREATE)
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "POST"
    assert wrong_method.json()["error"]["message"]
    nowhere = api.get("/v1/nowhere")
    assert nowhere.status_code == 404 and nowhere.json()["error"]["code"] == "not_found"


# the seed's curl examples, as raw HTTP

#: The two curl commands of the gateway's page, verbatim (the page: /work/shared/seeds).
CURL_EXAMPLES = Path(__file__).with_name("seed_curl_examples.txt")


def _curl_commands() -> list[str]:
    text = CURL_EXAMPLES.read_text()
    if SEED_PAGE.exists():  # the copy kept here must still be the page's
        page = SEED_PAGE.read_text()
        assert all(command in page for command in text.strip().split("\n\n"))
    return text.strip().split("\n\n")


def _as_raw_http(command: str, base_url: str, key: str) -> tuple[str, bytes]:
    """The HTTP/1.1 request curl sends for ``command``: (path, bytes on the wire)."""
    method = re.search(r"-X (\w+)", command)
    url = re.search(r'"\{BASE_URL\}(/[^"]*)"', command)
    body = re.search(r"-d '(.*?)'", command, flags=re.S)
    assert method and url and body, command
    headers = re.findall(r'-H "([^"]+)"', command)
    headers = [h.replace("Bearer sk-***", f"Bearer {key}") for h in headers]
    payload = body.group(1).encode()
    host = base_url.removeprefix("http://")
    lines = [
        f"{method.group(1)} {url.group(1)} HTTP/1.1",
        f"Host: {host}",
        "User-Agent: curl/8.5.0",
        "Accept: */*",
        *headers,
        f"Content-Length: {len(payload)}",
        "Connection: close",
    ]
    return url.group(1), "\r\n".join(lines).encode() + b"\r\n\r\n" + payload


def _exchange(base_url: str, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, content = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, content


def test_the_seed_curl_examples_sent_as_raw_http_are_accepted(wan_r2v_sandbox: Sandbox) -> None:
    commands = _curl_commands()
    assert len(commands) == 2
    models = []
    for command in commands:
        path, raw = _as_raw_http(command, wan_r2v_sandbox.base_url, wan_r2v_sandbox.api_key)
        assert path == CREATE
        status, headers, content = _exchange(wan_r2v_sandbox.base_url, raw)
        assert status == 200, content
        assert headers["content-type"] == "application/json" and headers["x-request-id"]
        models.append(json.loads(content)["model"])
    assert models == ["wan2.6-r2v-flash-720p-audio", "wan2.6-r2v-flash-1080p-silent"]
    sizes = [(t.width, t.height, t.seconds) for t in wan_r2v_sandbox.tasks]
    assert sizes == [(1280, 720, 5), (1920, 1080, 10)]
    received = [r.json for r in wan_r2v_sandbox.requests]
    assert received == [json.loads(re.search(r"-d '(.*?)'", c, re.S).group(1)) for c in commands]  # type: ignore[union-attr]


# lifecycle modes


@pytest.mark.wan_r2v_sandbox(clock="per_poll", poll_steps=4)
def test_per_poll_each_query_is_one_step(api: httpx.Client) -> None:
    task_id = _create(api)["id"]
    seen = [api.get(f"/v1/videos/{task_id}").json() for _ in range(5)]
    assert [t["status"] for t in seen] == [
        "in_progress",
        "in_progress",
        "in_progress",
        "completed",
        "completed",
    ]
    progress = [t["progress"] for t in seen]
    assert progress[0] < progress[1] < progress[2] < progress[3] == 100


@pytest.mark.wan_r2v_sandbox(clock="manual", duration=10)
def test_manual_time_moves_only_with_advance(api: httpx.Client, wan_r2v_sandbox: Sandbox) -> None:
    task_id = _create(api)["id"]
    for _ in range(3):
        assert api.get(f"/v1/videos/{task_id}").json()["status"] == "queued"
    wan_r2v_sandbox.advance(5)
    middle = api.get(f"/v1/videos/{task_id}").json()
    assert middle["status"] == "in_progress" and 0 < middle["progress"] < 100
    wan_r2v_sandbox.advance(5)
    assert api.get(f"/v1/videos/{task_id}").json()["status"] == "completed"


@pytest.mark.wan_r2v_sandbox(duration=0.3)
def test_wall_time_completes_a_task_on_its_own(api: httpx.Client) -> None:
    task_id = _create(api)["id"]

    def completed() -> dict[str, Any] | None:
        task: dict[str, Any] = api.get(f"/v1/videos/{task_id}").json()
        return task if task["status"] == "completed" else None

    task = eventually(completed, deadline=10, what="the task completes")
    assert task["video_url"]


def test_missing_size_and_duration_take_the_preset_defaults(
    api: httpx.Client, wan_r2v_sandbox: Sandbox
) -> None:
    _create(api, seed(size=None, duration=None))
    (task,) = wan_r2v_sandbox.tasks
    assert (task.width, task.height, task.seconds) == (1280, 720, 5)

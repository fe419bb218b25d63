"""Each fault can be reached (per server, per request header, by rule) and does what it says."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from _mp4probe import probe_mp4_bytes
from _polling import eventually
from _sandbox_helpers import CREATE, seed

from wan_r2v.sandbox import FAULT_HEADER, Sandbox

pytestmark = pytest.mark.wan_r2v_sandbox(clock="per_poll", poll_steps=2)


def _fault(spec: str) -> dict[str, str]:
    return {FAULT_HEADER: spec}


def _create(api: httpx.Client, **headers: str) -> str:
    response = api.post(CREATE, json=seed(), headers=headers)
    assert response.status_code == 200, response.text
    task_id: str = response.json().get("id") or response.json()["data"]["task_id"]
    return task_id


def _poll_to_end(api: httpx.Client, task_id: str, **headers: str) -> list[dict[str, Any]]:
    return [api.get(f"/v1/videos/{task_id}", headers=headers).json() for _ in range(2)]


# the task itself


def test_failed_task_ends_failed_with_the_error(api: httpx.Client) -> None:
    header = _fault("failed;code=content_policy;message=refused%20by%20policy;at=0.9")
    task_id = _create(api, **header)
    running, final = _poll_to_end(api, task_id)
    assert (running["status"], running["error"]) == ("in_progress", None)
    assert (final["status"], final["raw_status"]) == ("failed", "FAILED")
    assert final["error"] == {"code": "content_policy", "message": "refused by policy"}
    assert final["video_url"] is None and final["result"] is None
    assert final["completed_at"] is not None


@pytest.mark.wan_r2v_sandbox(clock="manual", duration=2)
def test_slow_task_takes_longer(api: httpx.Client, wan_r2v_sandbox: Sandbox) -> None:
    wan_r2v_sandbox.faults.add("slow", factor=10, times=1)
    slow, normal = _create(api), _create(api)
    wan_r2v_sandbox.advance(2)
    assert api.get(f"/v1/videos/{normal}").json()["status"] == "completed"
    assert api.get(f"/v1/videos/{slow}").json()["status"] == "in_progress"
    wan_r2v_sandbox.advance(18)
    assert api.get(f"/v1/videos/{slow}").json()["status"] == "completed"


def test_unknown_status_word_while_running_then_completes(api: httpx.Client) -> None:
    task_id = _create(api, **_fault("unknown_status;word=warming_up"))
    created = [r for r in api.get("/_sandbox/tasks").json()["tasks"] if r["id"] == task_id]
    assert created[0]["status"] == "warming_up"
    words = [t["status"] for t in _poll_to_end(api, task_id)]
    assert words == ["warming_up", "completed"]


def test_unknown_status_final_never_completes(api: httpx.Client) -> None:
    task_id = _create(api, **_fault("unknown_status;word=limbo;final=1"))
    final = _poll_to_end(api, task_id)[-1]
    assert (final["status"], final["raw_status"], final["video_url"]) == ("limbo", "UNKNOWN", None)


def test_unknown_status_on_one_query_only(api: httpx.Client) -> None:
    task_id = _create(api)
    odd = api.get(f"/v1/videos/{task_id}", headers=_fault("unknown_status")).json()
    assert odd["status"] == "mystery"
    assert api.get(f"/v1/videos/{task_id}").json()["status"] == "completed"


# status faults


def test_429_with_retry_after_for_the_first_k_calls(
    api: httpx.Client, wan_r2v_sandbox: Sandbox
) -> None:
    header = _fault("429;count=2;retry_after=1")
    answers = [api.post(CREATE, json=seed(), headers=header) for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert [a.headers.get("retry-after") for a in answers[:2]] == ["1", "1"]
    assert answers[0].json()["error"]["code"] == "rate_limit_exceeded"
    assert wan_r2v_sandbox.count("create") == 3 and len(wan_r2v_sandbox.tasks) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504, 520])
def test_server_errors_by_rule(api: httpx.Client, wan_r2v_sandbox: Sandbox, status: int) -> None:
    wan_r2v_sandbox.faults.add(str(status), route="create", times=1)
    failed = api.post(CREATE, json=seed())
    assert failed.status_code == status
    assert failed.json()["error"]["message"] and failed.headers["x-request-id"]
    assert ("retry-after" in failed.headers) == (status == 503)
    assert api.post(CREATE, json=seed()).status_code == 200


@pytest.mark.wan_r2v_sandbox(faults=["503;route=query;count=1;retry_after=0"])
def test_server_wide_faults_from_the_marker(api: httpx.Client, wan_r2v_sandbox: Sandbox) -> None:
    task_id = _create(api)
    first = api.get(f"/v1/videos/{task_id}")
    assert (first.status_code, first.headers["retry-after"]) == (503, "0")
    assert api.get(f"/v1/videos/{task_id}").status_code == 200
    assert [r.text() for r in wan_r2v_sandbox.faults.rules] == [
        "503;retry_after=0;route=query;count=1"
    ]


# connection faults


def test_reset_closes_the_connection_without_an_answer(
    api: httpx.Client, wan_r2v_sandbox: Sandbox
) -> None:
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        api.post(CREATE, json=seed(), headers=_fault("reset"))
    (received,) = wan_r2v_sandbox.requests
    assert received.status is None and received.faults == ("reset",)
    assert wan_r2v_sandbox.tasks == []
    assert api.post(CREATE, json=seed()).status_code == 200  # the server is fine


def test_truncate_cuts_the_download_after_the_headers(api: httpx.Client) -> None:
    task_id = _create(api)
    url = _poll_to_end(api, task_id)[-1]["video_url"]
    whole = httpx.get(url).content
    received = bytearray()
    with (
        pytest.raises(httpx.RemoteProtocolError),
        httpx.stream("GET", url, headers=_fault("truncate;bytes=1000")) as response,
    ):
        assert response.status_code == 200
        assert int(response.headers["content-length"]) == len(whole)
        for chunk in response.iter_raw():
            received.extend(chunk)
    assert bytes(received) == whole[:1000]


def test_truncate_by_rule_hits_downloads_only(api: httpx.Client, wan_r2v_sandbox: Sandbox) -> None:
    wan_r2v_sandbox.faults.add("truncate", times=1)
    task_id = _create(api)
    url = _poll_to_end(api, task_id)[-1]["video_url"]
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(url)
    assert probe_mp4_bytes(httpx.get(url).content).width == 1280


def test_hang_until_the_client_times_out(api: httpx.Client, wan_r2v_sandbox: Sandbox) -> None:
    with pytest.raises(httpx.ReadTimeout):
        api.post(CREATE, json=seed(), headers=_fault("hang"), timeout=httpx.Timeout(10, read=0.3))
    eventually(lambda: wan_r2v_sandbox.count("create") or None, what="the create is recorded")
    assert wan_r2v_sandbox.tasks == [] and wan_r2v_sandbox.requests[0].status is None
    assert api.post(CREATE, json=seed()).status_code == 200


def test_a_hanging_request_does_not_hold_up_stopping_the_server() -> None:
    outcome: list[BaseException] = []
    with Sandbox() as sandbox:
        headers = {"Authorization": f"Bearer {sandbox.api_key}", FAULT_HEADER: "hang;seconds=600"}

        def call() -> None:
            try:
                httpx.post(sandbox.base_url + CREATE, json=seed(), headers=headers, timeout=60)
            except httpx.HTTPError as exc:
                outcome.append(exc)

        caller = threading.Thread(target=call)
        caller.start()
        eventually(lambda: sandbox.count("create") or None, what="the request arrives")
    caller.join(60)
    assert not sandbox.running
    assert len(outcome) == 1 and not isinstance(outcome[0], httpx.TimeoutException)


def test_delay_answers_normally_afterwards(api: httpx.Client, wan_r2v_sandbox: Sandbox) -> None:
    response = api.post(CREATE, json=seed(), headers=_fault("delay;seconds=0.05"))
    assert response.status_code == 200
    assert wan_r2v_sandbox.requests[0].faults == ("delay;seconds=0.05",)


# result URL faults


def test_expired_task_urls_answer_403(api: httpx.Client) -> None:
    task_id = _create(api, **_fault("expired"))
    url = _poll_to_end(api, task_id)[-1]["video_url"]
    refused = httpx.get(url)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "url_expired"


def test_expired_once_by_rule_then_the_same_url_works(
    api: httpx.Client, wan_r2v_sandbox: Sandbox
) -> None:
    wan_r2v_sandbox.faults.add("expired", route="download", times=1)
    url = _poll_to_end(api, _create(api))[-1]["video_url"]
    assert [httpx.get(url).status_code for _ in range(2)] == [403, 200]


# other answers


def test_dialect_envelope_upper_words_percent_progress_and_result_url(api: httpx.Client) -> None:
    created = api.post(CREATE, json=seed(), headers=_fault("dialect")).json()
    assert (created["code"], created["message"]) == ("success", "")
    data = created["data"]
    assert (data["status"], data["progress"]) == ("NOT_START", "0%")
    assert "id" not in data
    running, final = _poll_to_end(api, data["task_id"])
    assert running["data"]["status"] == "IN_PROGRESS"
    assert running["data"]["progress"].endswith("%") and running["data"]["progress"] != "0%"
    assert (final["data"]["status"], final["data"]["progress"]) == ("SUCCESS", "100%")
    assert "video_url" not in final["data"] and "result" not in final["data"]
    assert httpx.get(final["data"]["result_url"]).status_code == 200


def test_dialect_without_envelope_with_metadata_url(api: httpx.Client) -> None:
    header = _fault("dialect;envelope=0;url=metadata")
    task_id = api.post(CREATE, json=seed(), headers=header).json()["task_id"]
    final = _poll_to_end(api, task_id, **header)[-1]
    assert final["status"] == "SUCCESS" and "data" not in final
    assert httpx.get(final["metadata"]["url"]).status_code == 200


def test_dialect_failures_and_errors_are_flat(api: httpx.Client) -> None:
    task_id = _create(api, **_fault("dialect, failed;message=boom"))
    final = _poll_to_end(api, task_id)[-1]["data"]
    assert (final["status"], final["fail_reason"]) == ("FAILURE", "boom")
    missing = api.get("/v1/videos/task_missing", headers=_fault("dialect"))
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "task_not_found",
        "message": "No task with id 'task_missing'.",
        "data": None,
    }
    limited = api.post(CREATE, json=seed(), headers=_fault("dialect, 429;retry_after=0"))
    assert limited.status_code == 429 and limited.json()["data"] is None


@pytest.mark.parametrize(
    ("spec", "status", "content_type", "check"),
    [
        (
            "malformed",
            200,
            "application/json",
            lambda b: b.startswith(b"{") and not b.endswith(b"}"),
        ),
        ("html;status=502", 502, "text/html; charset=utf-8", lambda b: b"<html>" in b),
        ("empty", 200, "application/json", lambda b: b == b""),
        ("empty;status=503", 503, "application/json", lambda b: b == b""),
    ],
)
def test_broken_bodies(
    api: httpx.Client, spec: str, status: int, content_type: str, check: Any
) -> None:
    response = api.post(CREATE, json=seed(), headers=_fault(spec))
    assert response.status_code == status
    assert response.headers["content-type"] == content_type
    assert check(response.content)


def test_a_bad_fault_header_is_a_400_naming_it(api: httpx.Client) -> None:
    response = api.post(CREATE, json=seed(), headers=_fault("explode"))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "X-Sandbox-Fault" and "explode" in error["message"]


def test_a_wrong_key_spends_no_fault(wan_r2v_sandbox: Sandbox, api: httpx.Client) -> None:
    wan_r2v_sandbox.faults.add("503", times=1)
    refused = httpx.post(
        wan_r2v_sandbox.base_url + CREATE, json=seed(), headers={"Authorization": "Bearer no"}
    )
    assert refused.status_code == 401
    assert api.post(CREATE, json=seed()).status_code == 503

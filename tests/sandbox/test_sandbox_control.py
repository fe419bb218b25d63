"""Steering the sandbox: Python handle, HTTP control routes, the three ways to start it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from _polling import eventually
from _sandbox_helpers import CREATE, seed

from wan_r2v.sandbox import Sandbox
from wan_r2v.sandbox.__main__ import main

# the Python handle


def test_requests_are_recorded_without_the_key(api: httpx.Client, wan_r2v_sandbox: Sandbox) -> None:
    task_id = api.post(CREATE, json=seed()).json()["id"]
    api.get(f"/v1/videos/{task_id}")
    api.get(f"/v1/video/generations/{task_id}")
    create, *queries = wan_r2v_sandbox.requests
    assert (create.method, create.path, create.route, create.status) == (
        "POST",
        CREATE,
        "create",
        200,
    )
    assert create.json == seed() and create.task_id == task_id and create.authorized is True
    assert create.headers["authorization"] == "Bearer ***"
    assert all(q.route == "query" and q.task_id == task_id for q in queries)
    assert wan_r2v_sandbox.count("create") == 1 and wan_r2v_sandbox.count("query") == 2
    assert wan_r2v_sandbox.count() == 3
    assert wan_r2v_sandbox.api_key not in repr(wan_r2v_sandbox.requests)


def test_reset_forgets_tasks_requests_and_added_faults(
    api: httpx.Client, wan_r2v_sandbox: Sandbox
) -> None:
    task_id = api.post(CREATE, json=seed()).json()["id"]
    wan_r2v_sandbox.faults.add("500")
    wan_r2v_sandbox.configure(clock="manual", duration=9)
    wan_r2v_sandbox.reset()
    assert wan_r2v_sandbox.requests == [] and wan_r2v_sandbox.tasks == []
    assert len(wan_r2v_sandbox.faults) == 0
    assert (wan_r2v_sandbox.config.clock, wan_r2v_sandbox.config.duration) == ("wall", 2.0)
    assert api.get(f"/v1/videos/{task_id}").status_code == 404


def test_reset_keeps_the_servers_own_faults() -> None:
    with Sandbox(faults=["503;route=query"]) as sandbox:
        sandbox.faults.add("500")
        sandbox.reset()
        assert [r.text() for r in sandbox.faults] == ["503;route=query"]


def test_two_sandboxes_run_side_by_side() -> None:
    with Sandbox(api_key="sk-a") as first, Sandbox(api_key="sk-b") as second:
        assert first.base_url != second.base_url
        for sandbox in (first, second):
            headers = {"Authorization": f"Bearer {sandbox.api_key}"}
            assert (
                httpx.post(sandbox.base_url + CREATE, json=seed(), headers=headers).status_code
                == 200
            )
        assert first.count("create") == second.count("create") == 1
    assert not first.running and not second.running


# HTTP control routes


def test_http_control_routes(api: httpx.Client, wan_r2v_sandbox: Sandbox) -> None:
    assert api.get("/_sandbox/health").json()["status"] == "ok"
    assert api.post("/_sandbox/configure", json={"clock": "manual"}).status_code == 200
    task_id = api.post(CREATE, json=seed()).json()["id"]
    assert api.get("/_sandbox/count", params={"route": "create"}).json()["count"] == 1
    received = api.get("/_sandbox/requests").json()["requests"]
    assert [r["route"] for r in received] == ["create"]
    assert received[0]["headers"]["authorization"] == "Bearer ***"
    assert api.post("/_sandbox/advance", json={"seconds": 2}).json()["now"] >= 2
    (task,) = api.get("/_sandbox/tasks").json()["tasks"]
    assert (task["id"], task["status"]) == (task_id, "completed")
    added = api.post("/_sandbox/faults", json={"fault": "502;route=create;count=1"}).json()
    assert added["added"][0]["fault"] == "502;route=create;count=1"
    assert api.post(CREATE, json=seed()).status_code == 502
    assert api.get("/_sandbox/faults").json()["faults"][0]["hits"] == 1
    assert api.delete("/_sandbox/faults").json() == {"faults": []}
    assert api.post("/_sandbox/reset").json() == {"reset": True}
    assert wan_r2v_sandbox.requests == [] and wan_r2v_sandbox.config.clock == "wall"


def test_http_control_mistakes_are_errors(api: httpx.Client) -> None:
    assert api.post("/_sandbox/faults", json={"fault": "explode"}).status_code == 400
    assert api.post("/_sandbox/configure", json={"colour": "red"}).status_code == 400
    assert api.get("/_sandbox/nothing").status_code == 404


# the marker


@pytest.mark.wan_r2v_sandbox(strict=False)
def test_options_the_shared_server_cannot_take_get_a_server_of_their_own(
    api: httpx.Client, wan_r2v_sandbox: Sandbox, request: pytest.FixtureRequest
) -> None:
    shared = request.getfixturevalue("wan_r2v_sandbox_server")
    assert wan_r2v_sandbox is not shared and wan_r2v_sandbox.config.strict is False
    assert api.post(CREATE, json=seed(model="another-gateway-model")).status_code == 200
    # no preset limits here, but the sandbox still refuses a video it cannot make
    odd = api.post(CREATE, json=seed(model="another-gateway-model", size="1281*720"))
    assert odd.status_code == 400 and odd.json()["error"]["param"] == "size"
    assert len(wan_r2v_sandbox.tasks) == 1


def test_the_plugin_works_in_another_project(tmp_path: Path) -> None:
    (tmp_path / "test_user_suite.py").write_text(
        textwrap.dedent(
            """
            import httpx, pytest

            def test_default(wan_r2v_sandbox):
                headers = {"Authorization": f"Bearer {wan_r2v_sandbox.api_key}"}
                r = httpx.get(wan_r2v_sandbox.base_url + "/v1/videos/x", headers=headers)
                assert r.status_code == 404

            @pytest.mark.wan_r2v_sandbox(clock="per_poll", faults=["429;count=1;retry_after=0"])
            def test_marked(wan_r2v_sandbox):
                assert wan_r2v_sandbox.config.clock == "per_poll"
                headers = {"Authorization": f"Bearer {wan_r2v_sandbox.api_key}"}
                r = httpx.get(wan_r2v_sandbox.base_url + "/v1/videos/x", headers=headers)
                assert r.status_code == 429

            def test_reset_after_marked(wan_r2v_sandbox):
                assert wan_r2v_sandbox.config.clock == "wall" and len(wan_r2v_sandbox.faults) == 0
            """
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         "--strict-markers", "test_user_suite.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


# the command line


def test_the_command_line_serves_until_interrupted(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("wan-r2v-sandbox")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "wan_r2v.sandbox"]
    process = subprocess.Popen(
        [*command, "--port", "0", "--api-key", "sk-cli", "--clock", "manual",
         "--fault", "429;route=create;count=1;retry_after=0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(3)]
        base_url = re.search(r"WAN_R2V_BASE_URL=(\S+)", "".join(banner))
        assert base_url and "WAN_R2V_API_KEY=sk-cli" in "".join(banner), banner
        headers = {"Authorization": "Bearer sk-cli"}
        url = base_url.group(1) + CREATE
        statuses = [httpx.post(url, json=seed(), headers=headers).status_code for _ in range(2)]
        assert statuses == [429, 200]
        count = httpx.get(base_url.group(1) + "/_sandbox/count?route=create").json()
        assert count["count"] == 2
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
    assert code == 0, process.stderr.read() if process.stderr else ""


def test_the_command_line_refuses_a_bad_fault(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--port", "0", "--fault", "explode"])
    assert exit_info.value.code == 2
    assert "explode" in capsys.readouterr().err


def test_the_command_line_help_documents_the_grammar(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "X-Sandbox-Fault" in out and "--fault" in out and "per_poll" in out


def test_eventually_fails_when_nothing_happens() -> None:
    with pytest.raises(AssertionError):
        eventually(lambda: None, deadline=0.05, what="nothing")
    assert json.loads(json.dumps(seed(duration=None))).get("duration") is None

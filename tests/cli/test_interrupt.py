"""Ctrl-C while waiting or downloading: exit 130, a resume hint with the task id, no partial file."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from _cli_helpers import SANDBOX_KEY, Running, clean_env, run_cli
from _polling import wait_until

from wan_r2v.sandbox import Sandbox

pytestmark = pytest.mark.wan_r2v_sandbox(api_key=SANDBOX_KEY, clock="manual")

REQUEST = (
    "-m", "wan2.6-r2v-flash-720p-silent",
    "-p", "character1 waves",
    "--image", "https://example.com/ref-1.png",
    "--duration", "2",
)  # fmt: skip
FAST = ("--poll-interval", "0.05")


@pytest.fixture
def env(wan_r2v_sandbox: Sandbox) -> dict[str, str]:
    """Base URL and key in the environment."""
    return clean_env(WAN_R2V_BASE_URL=wan_r2v_sandbox.base_url, WAN_R2V_API_KEY=SANDBOX_KEY)


def _interrupt(running: Running) -> tuple[int, str]:
    running.process.send_signal(signal.SIGINT)
    result = running.finish()
    return result.code, result.stderr


def test_ctrl_c_during_wait(
    env: dict[str, str], tmp_path: Path, background: Callable[..., Running]
) -> None:
    task_id = run_cli("create", *REQUEST, env=env).stdout.strip()
    target = tmp_path / "video.mp4"
    running = background("wait", task_id, *FAST, "-o", str(target), env=env)
    running.wait_for(lambda err: f"{task_id}: queued" in err)
    code, stderr = _interrupt(running)
    assert code == 130, stderr
    assert f"Resume with: wan-r2v wait {task_id} -o {target}" in stderr
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_during_generate(
    env: dict[str, str],
    tmp_path: Path,
    background: Callable[..., Running],
    wan_r2v_sandbox: Sandbox,
) -> None:
    running = background("generate", *REQUEST, *FAST, "-o", str(tmp_path), env=env)
    stderr = running.wait_for(lambda err: "created" in err and ": queued" in err)
    task_id = stderr.split()[1]
    assert [t.id for t in wan_r2v_sandbox.tasks] == [task_id]
    code, stderr = _interrupt(running)
    assert code == 130, stderr
    assert f"task {task_id} goes on. Resume with: wan-r2v wait {task_id} -o {tmp_path}" in stderr
    assert list(tmp_path.iterdir()) == []
    # The hint works: the task is still there and the wait resumes to a file.
    wan_r2v_sandbox.advance(60)
    resumed = run_cli("wait", task_id, *FAST, "-o", str(tmp_path), env=env)
    assert resumed.code == 0, resumed
    assert [p.name for p in tmp_path.iterdir()] == [f"{task_id}.mp4"]


def test_ctrl_c_during_download(
    env: dict[str, str],
    tmp_path: Path,
    background: Callable[..., Running],
    wan_r2v_sandbox: Sandbox,
) -> None:
    task_id = run_cli("create", *REQUEST, env=env).stdout.strip()
    wan_r2v_sandbox.advance(60)
    wan_r2v_sandbox.faults.add("hang;seconds=30", route="download")
    running = background("download", task_id, str(tmp_path), env=env)
    wait_until(lambda: wan_r2v_sandbox.count("download") >= 1, what="the download started")
    code, stderr = _interrupt(running)
    assert code == 130, stderr
    assert f"Resume with: wan-r2v download {task_id} {tmp_path}" in stderr
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_mid_body_leaves_no_partial_file(
    env: dict[str, str],
    tmp_path: Path,
    background: Callable[..., Running],
    wan_r2v_sandbox: Sandbox,
) -> None:
    task_id = run_cli("create", *REQUEST, env=env).stdout.strip()
    wan_r2v_sandbox.advance(60)
    wan_r2v_sandbox.faults.add("trickle;chunk=256;interval=0.2", route="download")
    running = background("wait", task_id, *FAST, "-o", str(tmp_path), env=env)
    # The body is arriving: a hidden temporary file exists next to the target.
    wait_until(lambda: any(tmp_path.iterdir()), what="the download began writing")
    assert all(p.name.startswith(".") for p in tmp_path.iterdir())
    code, stderr = _interrupt(running)
    assert code == 130, stderr
    assert "no file was left" in stderr
    assert f"Resume with: wan-r2v download {task_id} {tmp_path}" in stderr
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_during_create_warns_that_the_task_may_exist(
    env: dict[str, str], background: Callable[..., Running], wan_r2v_sandbox: Sandbox
) -> None:
    wan_r2v_sandbox.faults.add("hang;seconds=30", route="create")
    running = background("generate", *REQUEST, env=env)
    wait_until(lambda: wan_r2v_sandbox.count("create") >= 1, what="the create was sent")
    code, stderr = _interrupt(running)
    assert code == 130, stderr
    assert "the task may exist" in stderr
    assert wan_r2v_sandbox.count("create") == 1  # not resent

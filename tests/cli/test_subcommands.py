"""Each subcommand as a subprocess against the sandbox: output, --json and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cli_helpers import SANDBOX_KEY, Result, clean_env, run_cli

from wan_r2v._mp4info import read_mp4_info
from wan_r2v.demo import SEED_EXAMPLE_ARGS
from wan_r2v.presets import PRESETS
from wan_r2v.sandbox import Sandbox

pytestmark = pytest.mark.wan_r2v_sandbox(api_key=SANDBOX_KEY, clock="per_poll", poll_steps=3)

SEEDS = json.loads((Path(__file__).parents[1] / "fixtures" / "seed_examples.json").read_text())
FAST = ("--poll-interval", "0.05")
REQUEST = (
    "-m", "wan2.6-r2v-flash-720p-silent",
    "-p", "character1 waves",
    "--image", "https://example.com/ref-1.png",
    "--duration", "2",
)  # fmt: skip


@pytest.fixture
def env(wan_r2v_sandbox: Sandbox) -> dict[str, str]:
    """Base URL and key in the environment, as a user sets them."""
    return clean_env(WAN_R2V_BASE_URL=wan_r2v_sandbox.base_url, WAN_R2V_API_KEY=SANDBOX_KEY)


def _create(env: dict[str, str]) -> str:
    result = run_cli("create", *REQUEST, env=env)
    assert result.code == 0, result
    return result.stdout.strip()


def _finished_task(env: dict[str, str]) -> str:
    task_id = _create(env)
    assert run_cli("wait", task_id, *FAST, env=env).code == 0
    return task_id


def _assert_mp4(facts: dict[str, object], path: Path, seconds: float) -> None:
    assert Path(str(facts["path"])).resolve() == path.resolve()
    info = read_mp4_info(path)
    assert facts["bytes"] == path.stat().st_size == info.size_bytes
    assert facts["duration"] == pytest.approx(info.duration, abs=0.01)
    assert info.duration == pytest.approx(seconds, abs=0.3)


# --- models -------------------------------------------------------------------------------------


def test_models_lists_every_preset_with_its_limits() -> None:
    result = run_cli("models")
    assert result.code == 0, result
    for model in PRESETS:
        assert model in result.stdout
    assert "1280*720" in result.stdout and "1920*1080" in result.stdout
    assert "2-10 s" in result.stdout


def test_models_json_matches_the_preset_table() -> None:
    result = run_cli("models", "--json")
    assert result.code == 0, result
    models = {m["model"]: m for m in result.json()["models"]}
    assert set(models) == set(PRESETS)
    for model, preset in PRESETS.items():
        assert models[model]["sizes"] == dict(preset.sizes)
        assert models[model]["max_duration"] == preset.max_duration
        assert models[model]["audio"] == preset.audio


# --- create -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["video_reference", "image_references"])
def test_dry_run_prints_the_seed_body_and_sends_nothing(
    name: str, env: dict[str, str], wan_r2v_sandbox: Sandbox
) -> None:
    seed = SEEDS[name]
    extra = seed["extra_body"]
    args = ["create", "--dry-run", "-m", seed["model"], "-p", seed["prompt"]]
    args += [a for url in seed.get("videos", []) for a in ("--video", url)]
    args += [a for url in seed.get("images", []) for a in ("--image", url)]
    args += ["--size", seed["size"], "--duration", str(seed["duration"])]
    args += ["--negative", extra["negative_prompt"], "--shot", extra["shot_type"]]
    args += ["--expand-prompt" if extra["enable_prompt_expansion"] else "--no-expand-prompt"]
    args += ["--seed", str(extra["seed"])]
    if "audio" in extra:
        args += ["--audio", extra["audio"]]
    result = run_cli(*args, env=env)
    assert result.code == 0, result
    assert result.json() == seed
    assert wan_r2v_sandbox.count() == 0


def test_the_demo_runs_exactly_the_seed_first_example() -> None:
    result = run_cli("create", "--dry-run", *SEED_EXAMPLE_ARGS)
    assert result.code == 0, result
    assert result.json() == SEEDS["video_reference"]


def test_dry_run_needs_no_configuration_and_still_validates() -> None:
    result = run_cli("create", "--dry-run", *REQUEST, "--size", "1920*1080")
    assert result.code == 2, result
    assert "size" in result.stderr and "1280*720" in result.stderr
    assert result.stdout == ""


def test_create_prints_the_task_id(env: dict[str, str], wan_r2v_sandbox: Sandbox) -> None:
    task_id = _create(env)
    assert [t.id for t in wan_r2v_sandbox.tasks] == [task_id]
    assert wan_r2v_sandbox.count("create") == 1


def test_create_json(env: dict[str, str], wan_r2v_sandbox: Sandbox) -> None:
    result = run_cli("create", *REQUEST, "--aspect", "9:16", "--json", env=env)
    assert result.code == 0, result
    task = result.json()["task"]
    assert task["id"] == wan_r2v_sandbox.tasks[0].id
    assert task["model"] == "wan2.6-r2v-flash-720p-silent"
    assert task["status"] in ("queued", "running")
    assert wan_r2v_sandbox.requests[0].json["size"] == "720*1280"


def test_flags_work_before_the_command(wan_r2v_sandbox: Sandbox) -> None:
    env = clean_env(WAN_R2V_API_KEY=SANDBOX_KEY)
    result = run_cli("--base-url", wan_r2v_sandbox.base_url, "--json", "create", *REQUEST, env=env)
    assert result.code == 0, result
    assert result.json()["task"]["id"]


def test_key_from_the_flag(wan_r2v_sandbox: Sandbox) -> None:
    args = ["--base-url", wan_r2v_sandbox.base_url, "--api-key", SANDBOX_KEY]
    result = run_cli(*args, "create", *REQUEST, env=clean_env())
    assert result.code == 0, result
    assert wan_r2v_sandbox.count("create") == 1


# --- status, wait, download ---------------------------------------------------------------------


def test_status_text_and_json(env: dict[str, str]) -> None:
    task_id = _create(env)
    text = run_cli("status", task_id, env=env)
    assert text.code == 0, text
    assert text.stdout.splitlines()[0].split() == ["task", task_id]
    assert "status" in text.stdout
    document = run_cli("status", task_id, "--json", env=env)
    assert document.code == 0
    assert document.json()["task"]["id"] == task_id


def test_wait_shows_progress_and_ends_succeeded(env: dict[str, str]) -> None:
    task_id = _create(env)
    result = run_cli("wait", task_id, *FAST, env=env)
    assert result.code == 0, result
    progress = [line for line in result.stderr.splitlines() if line.startswith(f"{task_id}: ")]
    assert progress and progress[-1].startswith(f"{task_id}: succeeded 100%")
    assert "succeeded" in result.stdout


def test_wait_json_and_quiet(env: dict[str, str]) -> None:
    task_id = _create(env)
    result = run_cli("wait", task_id, *FAST, "--json", "-q", env=env)
    assert result.code == 0, result
    task = result.json()["task"]
    assert task["status"] == "succeeded"
    assert task["video_url"]
    assert result.stderr == ""


def test_wait_with_output_downloads(env: dict[str, str], tmp_path: Path) -> None:
    task_id = _create(env)
    result = run_cli("wait", task_id, *FAST, "-o", str(tmp_path), "--json", env=env)
    assert result.code == 0, result
    _assert_mp4(result.json()["file"], tmp_path / f"{task_id}.mp4", 2)


def test_download_to_a_file(env: dict[str, str], tmp_path: Path) -> None:
    task_id = _finished_task(env)
    target = tmp_path / "clip.mp4"
    result = run_cli("download", task_id, str(target), env=env)
    assert result.code == 0, result
    lines = dict(line.split(maxsplit=1) for line in result.stdout.splitlines())
    assert Path(lines["path"]) == target
    assert int(lines["bytes"]) == target.stat().st_size
    assert lines["duration"] == f"{read_mp4_info(target).duration:.2f} s"


def test_download_json_and_no_overwrite(env: dict[str, str], tmp_path: Path) -> None:
    task_id = _finished_task(env)
    result = run_cli("download", task_id, str(tmp_path), "--json", env=env)
    assert result.code == 0, result
    _assert_mp4(result.json()["file"], tmp_path / f"{task_id}.mp4", 2)
    again = run_cli("download", task_id, str(tmp_path), "--no-overwrite", "--json", env=env)
    assert again.code == 2, again
    assert again.json()["error"]["exit_code"] == 2
    assert "exists" in again.stderr


def test_download_into_an_unwritable_place_is_a_download_failure(
    env: dict[str, str], tmp_path: Path
) -> None:
    task_id = _finished_task(env)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    result = run_cli("download", task_id, str(blocker / "clip.mp4"), env=env)
    assert result.code == 3, result  # a download failure, not "a bug" (1)
    assert "a part of its folder path is a file" in result.stderr  # said before fetching
    assert blocker.read_text() == "a file where a folder should be"


# --- generate -----------------------------------------------------------------------------------


def test_generate_creates_waits_and_downloads(env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli("generate", *REQUEST, *FAST, "-o", str(tmp_path), env=env)
    assert result.code == 0, result
    first = result.stderr.splitlines()[0]
    assert first.startswith("task ") and "resume with: wan-r2v wait" in first
    task_id = first.split()[1]
    assert f"{task_id}: succeeded 100%" in result.stderr
    lines = dict(line.split(maxsplit=1) for line in result.stdout.splitlines())
    assert lines["task"] == task_id
    assert Path(lines["path"]) == tmp_path / f"{task_id}.mp4"
    assert lines["duration"] == "2.00 s"
    assert lines["resolution"] == "1280x720"
    assert lines["sound"] == "none (silent)"  # a -silent model


def test_generate_reports_the_sound_of_an_audio_model(env: dict[str, str], tmp_path: Path) -> None:
    request = [a.replace("-silent", "-audio") for a in REQUEST]
    result = run_cli("generate", *request, *FAST, "-o", str(tmp_path), env=env)
    assert result.code == 0, result
    lines = dict(line.split(maxsplit=1) for line in result.stdout.splitlines())
    assert lines["sound"] == "yes (audio track)"
    as_json = run_cli("generate", *request, *FAST, "-o", str(tmp_path / "j"), "--json", env=env)
    assert as_json.code == 0, as_json
    assert as_json.json()["file"]["sound"] is True


def test_generate_json(env: dict[str, str], tmp_path: Path, wan_r2v_sandbox: Sandbox) -> None:
    target = tmp_path / "sub" / "out.mp4"
    result = run_cli("generate", *REQUEST, *FAST, "-o", str(target), "--json", env=env)
    assert result.code == 0, result
    document = result.json()
    assert document["task"]["status"] == "succeeded"
    assert document["task"]["id"] == wan_r2v_sandbox.tasks[0].id
    _assert_mp4(document["file"], target, 2)
    assert document["file"]["sound"] is False
    assert wan_r2v_sandbox.count("create") == 1


def test_generate_dry_run_sends_nothing(env: dict[str, str], wan_r2v_sandbox: Sandbox) -> None:
    result = run_cli("generate", *REQUEST, "--dry-run", env=env)
    assert result.code == 0, result
    assert result.json()["model"] == "wan2.6-r2v-flash-720p-silent"
    assert wan_r2v_sandbox.count() == 0


# --- exit codes ---------------------------------------------------------------------------------


def _error(result: Result, code: int) -> dict[str, object]:
    assert result.code == code, result
    assert result.stderr.startswith("error: ") or "\nerror: " in result.stderr
    error: dict[str, object] = result.json()["error"]
    assert error["exit_code"] == code
    return error


def test_validation_error_exits_2_and_sends_nothing(
    env: dict[str, str], wan_r2v_sandbox: Sandbox
) -> None:
    args = ["generate", *REQUEST, "--audio", "https://example.com/a.mp3", "--seed", "5", "--json"]
    error = _error(run_cli(*args, "--size", "7*7", env=env), 2)
    fields = {p["field"] for p in error["problems"]}  # type: ignore[attr-defined]
    assert fields == {"size", "audio"}
    assert wan_r2v_sandbox.count() == 0


@pytest.mark.parametrize("missing", ["WAN_R2V_BASE_URL", "WAN_R2V_API_KEY"])
def test_missing_configuration_exits_2(missing: str, env: dict[str, str]) -> None:
    del env[missing]
    result = run_cli("status", "task_1", env=env)
    assert result.code == 2, result
    assert missing in result.stderr


def test_wrong_key_exits_3(env: dict[str, str]) -> None:
    env["WAN_R2V_API_KEY"] = "sk-wrong-key-123"
    result = run_cli(
        "create", *REQUEST, "--json", env=env, secrets=[SANDBOX_KEY, "sk-wrong-key-123"]
    )
    error = _error(result, 3)
    assert error["type"] == "AuthenticationError"
    assert error["status_code"] == 401


def test_unknown_task_exits_3(env: dict[str, str]) -> None:
    error = _error(run_cli("status", "task_nope", "--json", env=env), 3)
    assert error["type"] == "NotFoundError"


def test_unreachable_gateway_exits_3(env: dict[str, str]) -> None:
    env["WAN_R2V_BASE_URL"] = "http://127.0.0.1:9"  # discard port: nothing listens
    result = run_cli("status", "task_1", "--max-retries", "0", "--json", env=env)
    assert _error(result, 3)["type"] == "APIConnectionError"


@pytest.mark.wan_r2v_sandbox(faults=["failed;code=DataInspectionFailed;message=bad%20input"])
def test_failed_task_exits_4(env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli("generate", *REQUEST, *FAST, "-o", str(tmp_path), "--json", env=env)
    error = _error(result, 4)
    assert error["type"] == "TaskFailedError"
    assert "bad input" in str(error["message"])
    assert result.json()["task"]["status"] == "failed"
    assert result.json()["task"]["error_code"] == "DataInspectionFailed"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.wan_r2v_sandbox(clock="manual")
def test_wait_timeout_exits_5_with_a_resume_hint(env: dict[str, str], tmp_path: Path) -> None:
    task_id = _create(env)
    target = tmp_path / "v.mp4"
    result = run_cli(
        "wait", task_id, "--timeout", "0.3", *FAST, "-o", str(target), "--json", env=env
    )
    error = _error(result, 5)
    assert error["hint"] == f"the task goes on; resume with: wan-r2v wait {task_id} -o {target}"
    assert result.json()["task"]["id"] == task_id
    assert not target.exists()


def test_download_of_an_unfinished_task_exits_3(env: dict[str, str], tmp_path: Path) -> None:
    task_id = _create(env)
    result = run_cli("download", task_id, str(tmp_path), env=env)
    assert result.code == 3, result
    assert "wait" in result.stderr
    assert list(tmp_path.iterdir()) == []

"""The key never appears in any output: not in results, errors, --json, --dry-run or help."""

from __future__ import annotations

from pathlib import Path

import pytest
from _cli_helpers import Result, clean_env, run_cli

from wan_r2v.sandbox import Sandbox

KEY = "sk-live-0123456789abcdefSECRET"
WRONG = "sk-wrong-9876543210fedcbaSECRET"
REQUEST = (
    "-m", "wan2.6-r2v-flash-720p-silent",
    "-p", "character1 waves",
    "--image", "https://example.com/ref-1.png",
    "--duration", "2",
)  # fmt: skip

pytestmark = pytest.mark.wan_r2v_sandbox(api_key=KEY, clock="per_poll", poll_steps=2)


def test_no_output_of_any_subcommand_holds_the_key(
    wan_r2v_sandbox: Sandbox, tmp_path: Path
) -> None:
    base = wan_r2v_sandbox.base_url
    env = clean_env(WAN_R2V_BASE_URL=base, WAN_R2V_API_KEY=KEY)
    flag_env = clean_env(WAN_R2V_BASE_URL=base)
    outputs: list[Result] = []

    def run(*args: str, env: dict[str, str] = env, code: int | None = 0) -> Result:
        result = run_cli(*args, env=env, secrets=[KEY, WRONG])
        outputs.append(result)
        if code is not None:
            assert result.code == code, result
        return result

    task_id = run("create", *REQUEST).stdout.strip()
    run("--api-key", KEY, "--json", "create", *REQUEST, env=flag_env)
    run("create", *REQUEST, "--dry-run")
    run("create", *REQUEST, "--dry-run", "--json", "--api-key", KEY)
    run("status", task_id)
    run("status", task_id, "--json", f"--api-key={KEY}", env=flag_env)
    run("wait", task_id, "--poll-interval", "0.05", "--json")
    run("download", task_id, str(tmp_path))
    run("download", task_id, str(tmp_path), "--json", "--api-key", KEY, env=flag_env)
    run("generate", *REQUEST, "--poll-interval", "0.05", "-o", str(tmp_path))
    run("generate", *REQUEST, "--poll-interval", "0.05", "-o", str(tmp_path), "--json")
    run("models", "--json")
    run("--help")
    run("generate", "--help", "--api-key", KEY)
    # errors: usage, validation, authentication, not found, connection
    run("--api-key", KEY, "frobnicate", KEY, code=2)
    run("status", task_id, "--max-retries", KEY, code=2)
    run("--api-key", KEY, "create", "-p", KEY, "--dry-run", code=2)
    run("create", *REQUEST, "--size", "1*1", "--json", code=2)
    run("--api-key", WRONG, "--json", "create", *REQUEST, env=flag_env, code=3)
    run("status", "task_missing", "--json", code=3)
    run("status", "task_missing", "--api-key", WRONG, env=flag_env, code=3)
    unreachable = clean_env(WAN_R2V_BASE_URL="http://127.0.0.1:9", WAN_R2V_API_KEY=KEY)
    run("status", task_id, "--max-retries", "0", "--json", env=unreachable, code=3)
    insecure = clean_env(WAN_R2V_BASE_URL="http://gateway.example", WAN_R2V_API_KEY=KEY)
    run("status", task_id, "--json", env=insecure, code=2)

    everything = "".join(r.stdout + r.stderr for r in outputs)
    assert KEY not in everything and WRONG not in everything
    # The outputs are real (the run did something), and the key was masked where it was echoed.
    assert task_id in everything
    assert "[redacted]" in everything

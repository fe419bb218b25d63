"""`wan-r2v create` as a user runs it, against the hostile peer: unusable 2xx answers and keys.

Once a create may have reached the gateway, the CLI never says "nothing was
sent" (exit 2); it exits 3 saying the task may exist, and what the gateway
sent cannot rewrite the terminal.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from _peer import Peer
from _scenarios import CREATE, task

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from _cli_helpers import clean_env, run_cli

KEY = "sk-hostile-cli-create-91d0"
ARGS = [
    "create",
    "--model",
    "wan2.6-r2v-flash-720p-audio",
    "--prompt",
    "character1 walks",
    "--video",
    "https://example.com/a.mp4",
    "--size",
    "1280*720",
    "--duration",
    "2",
]
ANSWERS = {
    "unsafe id": task("../../etc/passwd"),
    "terminal escapes": task("task_\x1b[2J\x1b]0;pwned\x07"),
    "error-like code": {"code": "rate_limit_exceeded", "message": "slow", "data": None},
}


@pytest.mark.parametrize("scenario", list(ANSWERS))
def test_an_unusable_2xx_answer_exits_3_saying_the_task_may_exist(
    hostile: Peer, scenario: str
) -> None:
    hostile.route("POST", CREATE, lambda req, out: out.json(200, ANSWERS[scenario]))
    env = clean_env(WAN_R2V_BASE_URL=hostile.url, WAN_R2V_API_KEY=KEY)
    result = run_cli(*ARGS, env=env, secrets=(KEY,))
    assert result.code == 3, result
    assert "may exist" in result.stderr, result
    assert "nothing was sent" not in result.stderr + result.stdout, result
    assert not any(c in result.stderr + result.stdout for c in "\x1b\x07"), result
    assert hostile.count("POST", CREATE) == 1


def test_a_key_from_a_dotenv_line_works(hostile: Peer) -> None:
    hostile.route("POST", CREATE, lambda req, out: out.json(200, task("task_cli_1")))
    env = clean_env(WAN_R2V_BASE_URL=hostile.url, WAN_R2V_API_KEY=f"{KEY}\n")
    result = run_cli(*ARGS, env=env, secrets=(KEY,))
    assert result.code == 0, result
    assert "task_cli_1" in result.stdout
    [request] = hostile.of("POST", CREATE)
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_a_key_no_header_can_carry_exits_2_sending_nothing(hostile: Peer) -> None:
    env = clean_env(WAN_R2V_BASE_URL=hostile.url, WAN_R2V_API_KEY=f"{KEY[:8]}\x1b{KEY[8:]}")
    result = run_cli(*ARGS, env=env, secrets=(KEY, KEY[8:]))
    assert result.code == 2, result
    assert "api-key" in result.stderr and "U+001B" in result.stderr, result
    assert hostile.requests == []

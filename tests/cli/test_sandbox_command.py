"""`wan-r2v sandbox` runs the local gateway; without the extra, a clear message and exit 2."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from _cli_helpers import Running, clean_env, run_cli

SANDBOX_KEY = "sk-own-sandbox-key-42"
USER_KEY = "sk-user-key-never-shown-77"


def test_sandbox_subcommand_serves_generate(
    tmp_path: Path, background: Callable[..., Running]
) -> None:
    server = background(
        "sandbox", "--port", "0", "--api-key", SANDBOX_KEY, "--clock", "per_poll",
        env=clean_env(WAN_R2V_API_KEY=USER_KEY),
        secrets=[USER_KEY],
    )  # fmt: skip
    banner = server.wait_for(lambda out: "Ctrl+C" in out, stream="stdout")
    match = re.search(r"http://127\.0\.0\.1:\d+", banner)
    assert match, banner
    env = clean_env(WAN_R2V_BASE_URL=match.group(0), WAN_R2V_API_KEY=SANDBOX_KEY)
    request = ["-m", "wan2.6-r2v-720p", "-p", "character1 waves"]
    request += ["--image", "https://example.com/a.png", "--duration", "2"]
    result = run_cli(
        "generate", *request, "--poll-interval", "0.05", "-o", str(tmp_path), "--json", env=env,
        secrets=[SANDBOX_KEY],
    )  # fmt: skip
    assert result.code == 0, result
    assert Path(result.json()["file"]["path"]).parent == tmp_path
    server.process.send_signal(signal.SIGINT)
    assert server.finish().code == 0


def test_sandbox_help_is_the_sandbox_own() -> None:
    result = run_cli("sandbox", "--help")
    assert result.code == 0, result
    assert "--clock" in result.stdout and "--fault" in result.stdout


def _without_sandbox(code: str) -> subprocess.CompletedProcess[str]:
    """Run Python code in a process where `wan_r2v.sandbox` cannot be imported."""
    prelude = "import sys; sys.modules['wan_r2v.sandbox'] = None\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + code],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
        check=False,
    )


def test_sandbox_subcommand_without_the_extra() -> None:
    result = _without_sandbox("from wan_r2v.cli import main; sys.exit(main(['sandbox']))")
    assert result.returncode == 2, result.stderr
    assert 'pip install "wan-r2v[sandbox]"' in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_without_the_extra(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _without_sandbox(
        f"from wan_r2v.demo import main; sys.exit(main(['-o', {str(out)!r}]))"
    )
    assert result.returncode == 2, result.stderr
    assert 'pip install "wan-r2v[sandbox]"' in result.stderr
    assert "Traceback" not in result.stderr

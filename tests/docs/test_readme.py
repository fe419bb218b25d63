"""The README stays true: its examples run and its printed outputs are what the code prints."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```$", README, re.S | re.M)


def _cli(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "wan_r2v.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test\n" in _blocks("sh"), "the README shows the test command on its own"
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)


def test_every_make_target_in_the_readme_exists() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in set(re.findall(r"`make ([a-z-]+)", README)):
        assert re.search(rf"^{target}:", makefile, re.M), target


def test_the_sandbox_pytest_example_passes(tmp_path: Path) -> None:
    (example,) = [b for b in _blocks("python") if "@pytest.mark.wan_r2v_sandbox" in b]
    (tmp_path / "test_readme_example.py").write_text(example)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_the_dry_run_example_prints_what_the_readme_shows() -> None:
    (shown,) = [b for b in _blocks("json") if '"model": "wan2.6-r2v-flash-1080p-silent"' in b]
    printed = _cli(
        "create",
        "--dry-run",
        "-m",
        "wan2.6-r2v-flash-1080p-silent",
        "-p",
        "character1 and character2 talk",
        "--image",
        "https://example.com/a.png",
        "--image",
        "https://example.com/b.png",
        "--aspect",
        "16:9",
        "--duration",
        "10",
        "--shot",
        "multi",
        "--seed",
        "42",
    )
    assert json.loads(printed) == json.loads(shown)
    assert "--aspect 16:9 --duration 10 --shot multi --seed 42" in README


def test_the_models_table_is_what_the_cli_prints() -> None:
    (shown,) = [b for b in _blocks("text") if b.startswith("$ wan-r2v models\n")]
    printed = _cli("models")
    assert printed.split() == shown.removeprefix("$ wan-r2v models\n").split()

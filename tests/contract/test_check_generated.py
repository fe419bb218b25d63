"""`make check-generated` passes on a clean clone and fails after a hand edit of generated code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.prefix)
STAMP = VENV / ".installed"


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _check_generated(clone: Path) -> subprocess.CompletedProcess[str]:
    # Reuse this venv: `-o` keeps make from rebuilding it for the clone.
    return subprocess.run(
        ["make", "-s", f"VENV={VENV}", "-o", str(STAMP), "check-generated"],
        cwd=clone,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=300,
    )


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    if shutil.which("make") is None or not (ROOT / ".git").exists():
        pytest.skip("needs make and a git checkout")
    if not STAMP.exists():
        pytest.skip("needs the project venv made by `make setup`")
    target = tmp_path / "clone"
    _git("clone", "--quiet", str(ROOT), str(target), cwd=tmp_path)
    return target


def test_clean_clone_passes(clone: Path) -> None:
    result = _check_generated(clone)
    assert result.returncode == 0, result.stdout + result.stderr


def test_committed_hand_edit_fails(clone: Path) -> None:
    target = clone / "generated" / "wan_r2v_api" / "models" / "video_task.py"
    target.write_text(target.read_text().replace("The task id.", "The task id (edited by hand)."))
    _git("commit", "--quiet", "-am", "hand edit", cwd=clone)
    result = _check_generated(clone)
    assert result.returncode != 0
    assert "out of date" in result.stdout + result.stderr

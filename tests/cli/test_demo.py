"""`make demo` works from a fresh clone, offline: a playable MP4 and the right facts printed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _cli_helpers import clean_env

from wan_r2v._mp4info import read_mp4_info

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.prefix)
STAMP = VENV / ".installed"


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A fresh clone of the committed HEAD, as CI checks it out."""
    if shutil.which("make") is None or not (ROOT / ".git").exists():
        pytest.skip("needs make and a git checkout")
    if not STAMP.exists():
        pytest.skip("needs the project venv made by `make setup`")
    target = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", str(ROOT), str(target)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return target


def test_make_demo_from_a_fresh_clone(clone: Path) -> None:
    # Reuse this venv (`-o` keeps make from rebuilding it), but import the clone's code.
    env = clean_env(
        PYTHONPATH=os.pathsep.join([str(clone / "src"), str(clone / "generated")]),
        PYTHONDONTWRITEBYTECODE="1",
    )
    result = subprocess.run(
        ["make", "-s", f"VENV={VENV}", "-o", str(STAMP), "demo"],
        cwd=clone,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sk-demo-" not in result.stdout + result.stderr

    written = re.search(r"^MP4 written: (\S+)$", result.stdout, re.MULTILINE)
    size = re.search(r"^  size:\s+(\d+) bytes$", result.stdout, re.MULTILINE)
    duration = re.search(r"^  duration:\s+([\d.]+) s$", result.stdout, re.MULTILINE)
    video = re.search(r"^  video:\s+(\d+)x(\d+)$", result.stdout, re.MULTILINE)
    assert written and size and duration and video, result.stdout
    path = clone / written.group(1)
    assert path.parent == clone / "out"
    assert path.is_file()

    info = read_mp4_info(path)
    assert int(size.group(1)) == path.stat().st_size
    assert float(duration.group(1)) == pytest.approx(info.duration, abs=0.01)
    assert info.duration == pytest.approx(5.0, abs=0.3)  # the seed example asks for 5 s
    assert (int(video.group(1)), int(video.group(2))) == (1280, 720)
    # The seed's model has sound: the file holds an audio track, and the demo says so.
    assert info.has_audio
    assert re.search(r"^  sound:\s+yes \(audio track\)$", result.stdout, re.MULTILINE), (
        result.stdout
    )

    # Progress was shown, through `wan-r2v generate`.
    assert "$ wan-r2v --base-url http://127.0.0.1:" in result.stderr
    assert re.search(r"task_\w+: succeeded 100%", result.stderr), result.stderr

    # Playable: a decoder reads frames of the announced size.
    av = pytest.importorskip("av")
    with av.open(str(path)) as container:
        frames = list(container.decode(video=0))
    assert frames and (frames[0].width, frames[0].height) == (1280, 720)


GATEWAY_KEY = "sk-gateway-demo-5150"


@pytest.mark.wan_r2v_sandbox(api_key=GATEWAY_KEY, clock="per_poll", poll_steps=1)
def test_demo_against_a_gateway_from_the_environment(wan_r2v_sandbox: Any, tmp_path: Path) -> None:
    env = clean_env(WAN_R2V_BASE_URL=wan_r2v_sandbox.base_url, WAN_R2V_API_KEY=GATEWAY_KEY)
    video = "https://cdn.example/my-reference.mp4"
    result = subprocess.run(
        [sys.executable, "-m", "wan_r2v.demo", "--gateway", "--video", video, "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert GATEWAY_KEY not in result.stdout + result.stderr
    (request,) = [r for r in wan_r2v_sandbox.requests if r.route == "create"]
    assert request.json["videos"] == [video]
    assert request.json["extra_body"]["audio"] == "https://example.com/guide-audio.mp3"
    (written,) = tmp_path.iterdir()
    assert f"MP4 written: {written}" in result.stdout


def test_demo_gateway_needs_the_environment(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wan_r2v.demo", "--gateway", "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "WAN_R2V_BASE_URL" in result.stderr
    assert not (tmp_path / "out").exists()

"""SIGTERM and SIGHUP during a CLI download behave like Ctrl-C (issue 10, item 6), over real TCP.

`wan-r2v` runs as a user runs it (a subprocess) against the hostile peer,
which trickles the video; the test waits (with a deadline) for the hidden
part file to hold bytes, then sends the signal.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest
from _downloads import entries, serve_finished_task, trickled_video
from _peer import Peer
from _polling import eventually

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from _cli_helpers import Running, clean_env

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
KEY = "sk-hostile-cli-7c1f0e"
STOPS = [
    pytest.param(signal.SIGINT, 130, "interrupted", id="SIGINT"),
    pytest.param(signal.SIGTERM, 143, "interrupted by SIGTERM", id="SIGTERM"),
    pytest.param(signal.SIGHUP, 129, "interrupted by SIGHUP", id="SIGHUP"),
]


def _growing_part(folder: Path) -> Path | None:
    for path in folder.glob(".*.part"):
        try:
            if path.stat().st_size > 0:
                return path
        except FileNotFoundError:
            continue
    return None


@pytest.mark.parametrize(("signum", "code", "word"), STOPS)
@pytest.mark.parametrize("command", ["download", "wait"])
def test_a_stop_signal_mid_body_leaves_nothing_and_prints_the_resume_command(
    hostile: Peer, tmp_path: Path, signum: int, code: int, word: str, command: str
) -> None:
    task_id = serve_finished_task(hostile, trickled_video(every=0.05))
    env = clean_env(WAN_R2V_BASE_URL=hostile.url, WAN_R2V_API_KEY=KEY)
    out = str(tmp_path / "out") + "/"
    args = ["download", task_id, out] if command == "download" else ["wait", task_id, "-o", out]
    running = Running(args, env, secrets=(KEY,))
    try:
        eventually(lambda: _growing_part(tmp_path / "out"), deadline=30, what="the part file")
        running.process.send_signal(signum)
        result = running.finish()
    finally:
        running.kill()
    assert result.code == code, result
    assert f"{word} during the download; no file was left." in result.stderr or (
        f"{word}; no file was left." in result.stderr
    ), result
    assert f"Resume with: wan-r2v download {task_id} {out}" in result.stderr, result
    assert entries(tmp_path / "out") == []  # no file, no part file
    assert "Traceback" not in result.stderr


def test_the_printed_resume_command_completes_the_download(hostile: Peer, tmp_path: Path) -> None:
    task_id = serve_finished_task(hostile, trickled_video(every=0.05), trickled_video(every=0))
    env = clean_env(WAN_R2V_BASE_URL=hostile.url, WAN_R2V_API_KEY=KEY)
    running = Running(["download", task_id, "out/"], env, cwd=tmp_path, secrets=(KEY,))
    try:
        eventually(lambda: _growing_part(tmp_path / "out"), deadline=30, what="the part file")
        running.process.send_signal(signal.SIGTERM)
        stopped = running.finish()
    finally:
        running.kill()
    assert stopped.code == 143, stopped
    resume = stopped.stderr.split("Resume with: ")[1].split()
    assert resume[:2] == ["wan-r2v", "download"]
    again = Running(resume[1:], env, cwd=tmp_path, secrets=(KEY,)).finish()
    assert again.code == 0, again
    assert entries(tmp_path / "out") == [f"{task_id}.mp4"]


def test_the_cli_download_limits_are_flags(hostile: Peer, tmp_path: Path) -> None:
    task_id = serve_finished_task(hostile, trickled_video(every=0.05, size=1))
    env = clean_env(WAN_R2V_BASE_URL=hostile.url, WAN_R2V_API_KEY=KEY)
    args = ["download", task_id, "out/", "--download-min-speed", "1000",
            "--download-stall-time", "0.5", "--max-retries", "0"]  # fmt: skip
    result = Running(args, env, cwd=tmp_path, secrets=(KEY,)).finish()
    assert result.code == 3, result
    assert "stalled: below 1000 bytes/s for 0.5 s" in result.stderr
    assert entries(tmp_path / "out") == []

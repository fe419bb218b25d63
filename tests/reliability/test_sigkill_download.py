"""A process killed (SIGKILL) mid-download leaves no file at the target; a rerun completes it and removes the part.

The download runs in a child process against the sandbox, whose result
trickles (``trickle`` fault) so that the child is surely mid-body when the
test kills it: the test waits (with a deadline) for the child's temporary
file to hold bytes, then sends SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from _harness import KEY, PARAMS, Facade
from _mp4probe import probe_mp4
from _polling import eventually

from wan_r2v.sandbox import Sandbox

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

CHILD = """
import asyncio, sys
from wan_r2v import AsyncClient, Client

mode, base_url, task_id, target = sys.argv[1:5]
if mode == "sync":
    with Client(base_url=base_url) as client:
        client.download(task_id, target)
else:
    async def main():
        async with AsyncClient(base_url=base_url) as client:
            await client.download(task_id, target)
    asyncio.run(main())
print("done")
"""


def run_child(mode: str, base_url: str, task_id: str, target: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WAN_R2V_API_KEY": KEY}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, base_url, task_id, str(target)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def growing_part(folder: Path) -> Path | None:
    """The child's temporary file, once it holds some bytes."""
    for path in folder.glob(".v.mp4.*.part"):
        try:
            if path.stat().st_size > 0:
                return path
        except FileNotFoundError:
            continue
    return None


def test_sigkill_mid_download_leaves_no_file_and_a_rerun_completes(
    facade: Facade, sandbox: Sandbox, tmp_path: Path, mode: str
) -> None:
    task = facade.wait(facade.create(**PARAMS), timeout=600)
    assert task.video_url
    video = httpx.get(task.video_url, timeout=10).content
    # about 40 ms per KiB: the whole body would take seconds, the kill comes at the first bytes
    sandbox.faults.add("trickle;chunk=1024;interval=0.04", route="download", times=1)
    target = tmp_path / "v.mp4"

    child = run_child(mode, sandbox.base_url, task.id, target)
    try:
        part = eventually(
            lambda: growing_part(tmp_path), deadline=30, what="the child's .part file"
        )
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert not target.exists()
    assert part.stat().st_size < len(video)  # it really was cut mid-body

    rerun = run_child(mode, sandbox.base_url, task.id, target)
    out, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, err.decode()
    assert out.strip() == b"done"
    assert target.read_bytes() == video
    info = probe_mp4(target)
    assert (info.width, info.height) == (1280, 720)
    # the killed child's part file was removed by the rerun (its process is gone): none accumulate
    assert not part.exists()
    assert sorted(tmp_path.iterdir()) == [target]

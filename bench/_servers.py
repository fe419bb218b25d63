"""Servers the benchmarks talk to, each in its own process so it does not share the client's GIL."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run_child(module: str, *args: str, what: str) -> dict[str, Any]:
    """Run ``python -m module args`` from the repo root; the JSON object on its last stdout line."""
    out = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{out.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@dataclass(frozen=True)
class Server:
    """A running server: where to reach it."""

    base_url: str
    port: int


def _wait_port(port: int, proc: subprocess.Popen[str], deadline_s: float = 30.0) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"server on port {port} did not accept connections in {deadline_s} s")


@contextmanager
def _child(args: list[str]) -> Iterator[Server]:
    """Start `python args...`, read its port from the first stdout line, stop it on exit."""
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if not line.isdigit():
                proc.wait(timeout=10)
                log.seek(0)
                raise RuntimeError(
                    f"server did not print its port ({line!r}):\n{log.read()[-4000:]}"
                )
            port = int(line)
            _wait_port(port, proc)
            yield Server(base_url=f"http://127.0.0.1:{port}", port=port)
        finally:
            if proc.stdin:
                proc.stdin.close()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def byte_server(size: int) -> Iterator[Server]:
    """The download benchmark's server: `GET /files/x` streams `size` bytes."""
    with _child(["-m", "bench._byte_server", str(size)]) as server:
        yield server


@contextmanager
def sandbox_process(duration: float, clock: str = "wall", poll_steps: int = 4) -> Iterator[Server]:
    """The sandbox gateway in a child process (`bench._sandbox_child`); `poll_steps`: see `Sandbox`."""
    args = ["-m", "bench._sandbox_child", str(duration), clock, str(poll_steps)]
    with _child(args) as server:
        yield server

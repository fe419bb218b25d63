"""Running `wan-r2v` as a subprocess, as a user would, and checking that no key leaks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

#: The installed console script (falls back to `python -m wan_r2v.cli`).
_SCRIPT = Path(sys.executable).parent / "wan-r2v"
CLI: list[str] = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "wan_r2v.cli"]

#: Every test's key: distinctive, so a leak is easy to find.
SANDBOX_KEY = "sk-cli-test-4f1e9c2b7a"


@attrs.frozen
class Result:
    """One finished `wan-r2v` run."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """Stdout parsed as one JSON document."""
        return json.loads(self.stdout)

    def __str__(self) -> str:
        return f"wan-r2v {' '.join(self.args)} -> {self.code}\n--- stdout\n{self.stdout}--- stderr\n{self.stderr}"


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without any WAN_R2V_* setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAN_R2V_")}
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _assert_no_key(result: Result, secrets: Sequence[str]) -> None:
    for secret in secrets:
        assert secret not in result.stdout, f"key leaked on stdout:\n{result}"
        assert secret not in result.stderr, f"key leaked on stderr:\n{result}"


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    secrets: Sequence[str] = (SANDBOX_KEY,),
) -> Result:
    """Run `wan-r2v ARGS...` to the end; every run is checked for a leaked key."""
    completed = subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        env=clean_env() if env is None else env,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    result = Result(tuple(args), completed.returncode, completed.stdout, completed.stderr)
    _assert_no_key(result, secrets)
    return result


class Running:
    """A `wan-r2v` process in the background whose output is collected as it comes."""

    def __init__(
        self,
        args: Sequence[str],
        env: dict[str, str],
        cwd: Path | None = None,
        secrets: Sequence[str] = (SANDBOX_KEY,),
    ) -> None:
        self.args = tuple(args)
        self.secrets = tuple(secrets)
        self.process = subprocess.Popen(
            [*CLI, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=cwd,
        )
        self._stdout: list[str] = []
        self._stderr: list[str] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        self._readers = [
            threading.Thread(
                target=self._pump, args=(self.process.stdout, self._stdout), daemon=True
            ),
            threading.Thread(
                target=self._pump, args=(self.process.stderr, self._stderr), daemon=True
            ),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _pump(stream: Any, sink: list[str]) -> None:
        for line in stream:
            sink.append(line)

    @property
    def stdout(self) -> str:
        """Stdout so far."""
        return "".join(self._stdout)

    @property
    def stderr(self) -> str:
        """Stderr so far."""
        return "".join(self._stderr)

    def wait_for(
        self, predicate: Callable[[str], bool], deadline: float = 60, *, stream: str = "stderr"
    ) -> str:
        """Poll stderr (or stdout) until `predicate` holds (or fail after `deadline` seconds)."""
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            text = self.stderr if stream == "stderr" else self.stdout
            if predicate(text):
                return text
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        self.process.kill()
        raise AssertionError(f"condition not met; stderr so far:\n{self.stderr}")

    def finish(self, timeout: float = 60) -> Result:
        """Wait for the end and return what it printed."""
        code = self.process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=10)
        result = Result(self.args, code, "".join(self._stdout), "".join(self._stderr))
        _assert_no_key(result, self.secrets)
        return result

    def kill(self) -> None:
        """Stop it if it still runs."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

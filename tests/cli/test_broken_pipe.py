"""Output piped into a reader that stops early (`wan-r2v models | head -1`) is no error of ours."""

from __future__ import annotations

import subprocess

from _cli_helpers import CLI, clean_env


def test_a_closed_stdout_ends_the_command_quietly_with_exit_0() -> None:
    process = subprocess.Popen(
        [*CLI, "models"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the table is written: its write meets a closed pipe
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0, stderr
    assert stderr == ""  # not "could not write the file: [Errno 32] Broken pipe"

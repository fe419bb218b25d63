"""The `wan-r2v` command line: generate, create, status, wait, download, models, sandbox.

Exit codes (also in `wan-r2v --help`): 0 success; 1 unexpected error; 2 usage,
validation or configuration error (nothing sent); 3 API error (HTTP status,
connection, timeout, download); 4 task failed or cancelled; 5 wait timed out
(the task goes on); 130 interrupted (the task goes on).
"""

from __future__ import annotations

from ._exit_codes import ExitCode
from ._main import main, run, sandbox_main

__all__ = ["ExitCode", "main", "run", "sandbox_main"]

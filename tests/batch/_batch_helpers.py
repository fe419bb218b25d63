"""Shared bits of the batch tests: job lines, a jobs file, the CLI in a child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

MODEL = "wan2.6-r2v-flash-720p-silent"


def job(i: int, **extra: Any) -> dict[str, Any]:
    """A valid job whose prompt names it (so the sandbox's create requests tell jobs apart)."""
    return {
        "name": f"v{i:03d}",
        "model": MODEL,
        "prompt": f"character1 job {i}",
        "images": ["https://example.com/a.png"],
        "duration": 2,
        **extra,
    }


def write_jobs(folder: Path, count: int, **extra: Any) -> Path:
    path = folder / "jobs.jsonl"
    path.write_text("".join(json.dumps(job(i, **extra)) + "\n" for i in range(count)))
    return path


def creates_by_job(requests: Any) -> Counter[str]:
    """Create requests the sandbox received, by the job name in their prompt."""
    counts: Counter[str] = Counter()
    for r in requests:
        if r.route == "create" and isinstance(r.json, dict):
            counts[f"v{int(str(r.json['prompt']).rsplit(' ', 1)[1]):03d}"] += 1
    return counts


def cli(base_url: str, key: str, *args: str, **popen: Any) -> subprocess.Popen[str]:
    """`wan-r2v ARGS` in a child process against `base_url`."""
    env = {**os.environ, "WAN_R2V_API_KEY": key, "WAN_R2V_BASE_URL": base_url}
    return subprocess.Popen(
        [sys.executable, "-m", "wan_r2v.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )

"""Fixtures for the sandbox's tests (the `wan_r2v_sandbox` fixture comes from the plugin)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from wan_r2v.sandbox import Sandbox

_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:  # `from _mp4probe import probe_mp4` (tests/ has no package)
    sys.path.insert(0, _TESTS)


@pytest.fixture
def api(wan_r2v_sandbox: Sandbox) -> Iterator[httpx.Client]:
    """A plain httpx client on the sandbox, sending the right key."""
    headers = {"Authorization": f"Bearer {wan_r2v_sandbox.api_key}"}
    with httpx.Client(base_url=wan_r2v_sandbox.base_url, headers=headers, timeout=10) as client:
        yield client

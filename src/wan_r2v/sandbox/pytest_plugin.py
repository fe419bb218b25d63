"""The pytest plugin of the sandbox (registered through the ``pytest11`` entry point)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``wan_r2v_sandbox`` marker."""
    config.addinivalue_line(
        "markers",
        "wan_r2v_sandbox(**options): configure the wan_r2v_sandbox fixture for this test",
    )

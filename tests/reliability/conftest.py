"""Fixtures of the reliability suite: the facade in both modes (sync, async) against the sandbox."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

_TESTS = str(Path(__file__).resolve().parents[1])
_HERE = str(Path(__file__).resolve().parent)
for _path in (_TESTS, _HERE):  # `from _mp4probe import ...`, `from _harness import ...`
    if _path not in sys.path:
        sys.path.insert(0, _path)

from _harness import KEY, Facade, open_facade  # noqa: E402

from wan_r2v.sandbox import Sandbox  # noqa: E402


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    """Each facade test runs once with `Client` and once with `AsyncClient`."""
    return str(request.param)


@pytest.fixture
def sandbox(wan_r2v_sandbox: Sandbox) -> Sandbox:
    """The session's sandbox, reset, per_poll clock, accepting `KEY`."""
    wan_r2v_sandbox.configure(clock="per_poll", poll_steps=2, api_key=KEY)
    return wan_r2v_sandbox


@pytest.fixture
def make_facade(mode: str, sandbox: Sandbox) -> Iterator[Callable[..., Facade]]:
    """Open facades (in this test's mode, on the sandbox unless base_url= says otherwise)."""
    opened: list[Any] = []

    def make(**kwargs: Any) -> Facade:
        kwargs.setdefault("base_url", sandbox.base_url)
        cm = open_facade(mode, **kwargs)
        facade = cm.__enter__()
        opened.append(cm)
        return facade

    yield make
    for cm in reversed(opened):
        cm.__exit__(None, None, None)


@pytest.fixture
def facade(make_facade: Callable[..., Facade]) -> Facade:
    """A facade on the sandbox with the default settings (fake sleeps, real HTTP)."""
    return make_facade()

"""The pytest plugin of the sandbox, registered through the ``pytest11`` entry point.

Fixture ``wan_r2v_sandbox``: a running `wan_r2v.sandbox.Sandbox`, reset for
each test (one server per test session and xdist worker), with ``base_url``,
``api_key`` and the control methods. Marker ``wan_r2v_sandbox(**options)``
sets it up for one test::

    @pytest.mark.wan_r2v_sandbox(clock="per_poll", faults=["429;count=2;retry_after=0"])
    def test_retries(wan_r2v_sandbox):
        client = Client(api_key=wan_r2v_sandbox.api_key, base_url=wan_r2v_sandbox.base_url)
        ...
        assert wan_r2v_sandbox.count("create") == 3

Options: ``clock``, ``duration``, ``poll_steps``, ``url_ttl``, ``fps``,
``api_key``, ``dialect``, ``faults`` and ``check_references`` reconfigure the shared server; ``presets``,
``strict`` and ``public_url`` start a server of the test's own.

Every install of wan-r2v registers this plugin (``pytest11`` entry point), also
one without the ``sandbox`` extra; so it lives outside `wan_r2v.sandbox` and
imports nothing of it until a test asks for the fixture. A test that does so
without the extra fails with the command that installs it; the others run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from wan_r2v.sandbox import Sandbox

__all__ = ["MARKER", "wan_r2v_sandbox", "wan_r2v_sandbox_server"]

MARKER = "wan_r2v_sandbox"
#: Marker options the shared server can take on for one test.
_SHARED_OPTIONS = frozenset(
    {
        "clock",
        "duration",
        "poll_steps",
        "url_ttl",
        "fps",
        "api_key",
        "dialect",
        "faults",
        "check_references",
    }
)


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``wan_r2v_sandbox`` marker."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): set up the wan_r2v_sandbox fixture for this test: clock="
        "'wall'|'manual'|'per_poll', duration=seconds, poll_steps=N, url_ttl=seconds, fps=N, "
        "api_key=str, faults=[spec, ...] (fault grammar), check_references=bool, or presets/strict/public_url "
        "(a server of the test's own)",
    )


def _sandbox_class() -> type[Sandbox]:
    """`wan_r2v.sandbox.Sandbox`, or a test failure naming the extra to install."""
    try:
        from wan_r2v.sandbox import Sandbox
    except ModuleNotFoundError as exc:
        pytest.fail(f"the {MARKER} fixture cannot run: {exc}", pytrace=False)
    return Sandbox


@pytest.fixture(scope="session")
def wan_r2v_sandbox_server() -> Iterator[Sandbox]:
    """The session's shared sandbox server (use `wan_r2v_sandbox`, which resets it per test)."""
    with _sandbox_class()() as sandbox:
        yield sandbox


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    options: dict[str, Any] = {}
    # closest marker last, so that it wins
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword options only")
        options.update(marker.kwargs)
    return options


@pytest.fixture
def wan_r2v_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A running sandbox gateway, fresh for this test: ``base_url``, ``api_key``, controls."""
    options = _options(request)
    if set(options) - _SHARED_OPTIONS:
        with _sandbox_class()(**options) as own:
            yield own
        return
    shared: Sandbox = request.getfixturevalue("wan_r2v_sandbox_server")
    shared.reset()
    shared.configure(**options)
    try:
        yield shared
    finally:
        shared.reset()

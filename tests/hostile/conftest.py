"""The `hostile` fixture: a socket-level gateway (`_peer.Peer`) on 127.0.0.1, one per test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
_RELIABILITY = str(Path(__file__).resolve().parents[1] / "reliability")
for _path in (_HERE, _RELIABILITY):  # `from _peer import ...`, `from _harness import ...`
    if _path not in sys.path:
        sys.path.insert(0, _path)

from _peer import Peer  # noqa: E402


@pytest.fixture
def hostile() -> Iterator[Peer]:
    """A started hostile peer with no routes yet; fails the test if a handler raised."""
    peer = Peer().start()
    try:
        yield peer
    finally:
        peer.stop()
    if peer.errors:
        raise AssertionError(f"a hostile handler raised: {peer.errors!r}") from peer.errors[0]


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    """Each test runs once with `Client` and once with `AsyncClient`."""
    return str(request.param)

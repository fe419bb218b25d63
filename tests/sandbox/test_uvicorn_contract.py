"""The sandbox leans on uvicorn's h11 protocol class (not a documented API): fail loudly when it breaks.

The `sandbox` extra pins the uvicorn range this was tested with; these tests check that the
installed uvicorn is inside it, that the class and hooks the sandbox subclasses are there,
and that connections are filed and reset over a real socket (the `reset` fault needs it).
"""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement

from wan_r2v.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
WHAT = (
    "wan_r2v/sandbox/_connections.py subclasses uvicorn.protocols.http.h11_impl.H11Protocol "
    "(connection_made, connection_lost, .client); adapt it, then widen the uvicorn range of "
    "the sandbox extra in pyproject.toml"
)


def _uvicorn_range() -> Requirement:
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = [Requirement(r) for r in extra["optional-dependencies"]["sandbox"]]
    (uvicorn,) = [r for r in specs if r.name == "uvicorn"]
    return uvicorn


def test_the_installed_uvicorn_is_in_the_tested_range() -> None:
    tested = _uvicorn_range()
    assert tested.specifier, "the sandbox extra must pin the uvicorn range it was tested with"
    installed = metadata.version("uvicorn")
    assert tested.specifier.contains(installed), (
        f"uvicorn {installed} is outside the tested range {tested.specifier}: {WHAT}"
    )


def test_the_protocol_hooks_the_sandbox_overrides_exist() -> None:
    try:
        from uvicorn.protocols.http.h11_impl import H11Protocol
    except ImportError as exc:  # pragma: no cover - only on a breaking uvicorn
        pytest.fail(f"{exc}: {WHAT}")
    for hook in ("connection_made", "connection_lost", "data_received"):
        assert callable(getattr(H11Protocol, hook, None)), f"H11Protocol.{hook} is gone: {WHAT}"


def test_connections_are_filed_and_reset_over_a_real_socket() -> None:
    with Sandbox() as sandbox, httpx.Client(base_url=sandbox.base_url) as client:
        headers = {"Authorization": f"Bearer {sandbox.api_key}"}
        answer = client.get("/v1/videos/task_nope", headers=headers)
        assert answer.status_code == 404
        assert sandbox.app.connections.live == 1, f"no connection filed: {WHAT}"
        sandbox.configure(faults=["reset;route=query"])
        with pytest.raises(httpx.TransportError):
            client.get("/v1/videos/task_nope", headers=headers)

"""`import wan_r2v` stays light: the HTTP stack loads on first use of a client, and every public name still resolves."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

import pytest

import wan_r2v

HEAVY = ("httpx", "asyncio", "dateutil.parser", "importlib.metadata", "wan_r2v_api")


def _loaded_after(statement: str) -> dict[str, bool]:
    """Which heavy modules a fresh interpreter holds after running `statement`."""
    code = f"import sys, json\n{statement}\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    result: dict[str, bool] = json.loads(out.splitlines()[-1])
    return result


def test_import_wan_r2v_loads_no_http_stack() -> None:
    assert not any(_loaded_after("import wan_r2v").values())


def test_the_cli_module_loads_no_http_stack_until_a_command_needs_it() -> None:
    assert not any(_loaded_after("import wan_r2v.cli").values())


def test_a_client_loads_httpx_but_not_the_rarely_needed_modules() -> None:
    loaded = _loaded_after("from wan_r2v import Client, AsyncClient")
    assert loaded["httpx"] and loaded["wan_r2v_api"]
    assert not (loaded["asyncio"] or loaded["dateutil.parser"] or loaded["importlib.metadata"])


def test_every_public_name_resolves_and_is_listed() -> None:
    for name in wan_r2v.__all__:
        assert getattr(wan_r2v, name) is not None, name
    assert set(wan_r2v.__all__) <= set(dir(wan_r2v))
    from wan_r2v import AsyncClient, Client, ShotType

    assert Client.__module__ == "wan_r2v.client" and AsyncClient.__module__ == "wan_r2v.aclient"
    assert ShotType("multi").value == "multi"


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchName"):
        wan_r2v.NoSuchName  # type: ignore[attr-defined]  # noqa: B018


def test_the_version_is_the_installed_distributions() -> None:
    assert wan_r2v.__version__ == metadata.version("wan-r2v")


def _modules_after(statement: str) -> set[str]:
    """Every module a fresh interpreter holds after running `statement`."""
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


CONSTRUCT = (
    "from wan_r2v import Client; Client(api_key='sk-test', base_url='https://gateway.example')"
)


def test_a_client_loads_only_the_generated_code_a_create_needs() -> None:
    loaded = {m for m in _modules_after(CONSTRUCT) if m.startswith("wan_r2v_api")}
    # the create body's model and what it nests: built on every create, so loaded up front
    assert {
        "wan_r2v_api.models.create_video_request",
        "wan_r2v_api.models.extra_body",
        "wan_r2v_api.api.videos",
    } <= loaded
    # the generated client, the endpoint modules and the answer models: the facade has its own
    unused = {
        "wan_r2v_api.client",
        "wan_r2v_api.api.videos.create_video_generation",
        "wan_r2v_api.api.videos.get_video_task",
        "wan_r2v_api.models.video_task",
        "wan_r2v_api.models.relay_task",
        "wan_r2v_api.models.error_response",
    }
    assert not loaded & unused, sorted(loaded & unused)


def test_a_client_loads_neither_attrs_nor_platform() -> None:
    """The facade's values and the generated models are plain classes: attrs (and the
    `platform` it imports) cost a tenth of a cold start and load only for the sandbox,
    batch or the generated client."""
    # beyond what httpx itself loads (in a dev venv its command line imports `platform`)
    extra = _modules_after(CONSTRUCT) - _modules_after("import httpx; httpx.Client()")
    assert not {"attr", "attrs", "platform"} & extra
    assert "wan_r2v.client" in extra


def test_the_lazy_generated_packages_still_hand_out_every_name() -> None:
    import wan_r2v_api
    import wan_r2v_api.models

    for name in wan_r2v_api.models.__all__:
        assert getattr(wan_r2v_api.models, name).__name__ == name
    assert set(wan_r2v_api.models.__all__) <= set(dir(wan_r2v_api.models))
    assert wan_r2v_api.Client.__module__ == "wan_r2v_api.client"
    with pytest.raises(AttributeError, match="NoSuchModel"):
        wan_r2v_api.models.NoSuchModel  # noqa: B018

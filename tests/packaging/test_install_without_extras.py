"""`pip install wan-r2v` without extras, plus pytest, in a fresh venv: everything a plain user runs works.

The pytest plugin is registered by every install, so a plain install must not break
anyone's test run: it loads nothing of the sandbox until its fixture is used, and the
fixture then says how to install the extra. The sandbox's entry points say the same.
Needs a package index (PyPI or the machine's mirror) for httpx, attrs, python-dateutil
and pytest; the wheel is built from this checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

HINT = 'pip install "wan-r2v[sandbox]"'
SANDBOX_ONLY = ("uvicorn", "jsonschema", "referencing", "yaml", "av", "starlette")

TESTS = """
def test_plain():
    assert sorted([3, 1, 2]) == [1, 2, 3]


def test_with_the_fixture(wan_r2v_sandbox):
    raise AssertionError("never reached without the sandbox extra")
"""


def _env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "WAN_R2V_", "VIRTUAL_ENV"))
    }
    env["HOME"] = str(home)
    return env


@pytest.fixture(scope="module")
def plain_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding the wheel without extras, and pytest."""
    where = tmp_path_factory.mktemp("plain")
    root = where / "venv"
    venv.EnvBuilder(with_pip=False).create(root)  # this venv's pip installs into it: faster
    python = root / "bin" / "python"
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    subprocess.run(
        [*install, str(wheel), "pytest"],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(where),
    )
    return root


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(cwd),
        check=False,
    )


def test_the_plain_install_holds_no_sandbox_module(plain_venv: Path, tmp_path: Path) -> None:
    code = f"import importlib.util as u; print([m for m in {SANDBOX_ONLY!r} if u.find_spec(m)])"
    result = _run(str(plain_venv / "bin" / "python"), "-c", code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_pytest_runs_a_plain_test_with_the_plugin_registered(
    plain_venv: Path, tmp_path: Path
) -> None:
    (tmp_path / "test_plain.py").write_text(TESTS)
    pytest_ = str(plain_venv / "bin" / "pytest")
    plain = _run(pytest_, "-p", "no:cacheprovider", "test_plain.py::test_plain", cwd=tmp_path)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert "1 passed" in plain.stdout
    markers = _run(pytest_, "-p", "no:cacheprovider", "--markers", cwd=tmp_path)
    assert "wan_r2v_sandbox(**options)" in markers.stdout, markers.stdout  # the plugin is loaded


def test_the_fixture_without_the_extra_names_the_install(plain_venv: Path, tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text(TESTS)
    result = _run(str(plain_venv / "bin" / "pytest"), "-p", "no:cacheprovider", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed" in result.stdout and "1 error" in result.stdout, result.stdout
    assert HINT in result.stdout
    assert "never reached" not in result.stdout


def test_the_sandbox_entry_points_name_the_install(plain_venv: Path, tmp_path: Path) -> None:
    bin_ = plain_venv / "bin"
    imported = _run(str(bin_ / "python"), "-c", "import wan_r2v.sandbox", cwd=tmp_path)
    assert imported.returncode == 1
    assert HINT in imported.stderr.splitlines()[-1]
    for command in (
        [str(bin_ / "wan-r2v-sandbox")],
        [str(bin_ / "wan-r2v"), "sandbox"],
        [str(bin_ / "python"), "-m", "wan_r2v.sandbox"],
    ):
        result = _run(*command, "--port", "0", cwd=tmp_path)
        assert result.returncode == 2, result
        assert HINT in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_the_client_and_the_cli_work_without_extras(plain_venv: Path, tmp_path: Path) -> None:
    bin_ = plain_venv / "bin"
    code = (
        "from wan_r2v import Client\n"
        "with Client(api_key='sk-plain', base_url='https://gateway.example') as c:\n"
        "    print(c.build_request(model='wan2.6-r2v-720p', prompt='character1 waves',"
        " images=['https://example.com/a.png'])['model'])"
    )
    client = _run(str(bin_ / "python"), "-c", code, cwd=tmp_path)
    assert client.returncode == 0, client.stderr
    assert client.stdout.strip() == "wan2.6-r2v-720p"
    dry = _run(
        str(bin_ / "wan-r2v"),
        "create", "--dry-run", "-m", "wan2.6-r2v-720p", "-p", "character1 waves",
        "--image", "https://example.com/a.png",
        cwd=tmp_path,
    )  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    assert '"model": "wan2.6-r2v-720p"' in dry.stdout

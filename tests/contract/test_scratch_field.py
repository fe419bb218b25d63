"""A field added to a scratch copy of the spec, regenerated, fails naming every place to wire it.

The copy of ``openapi/`` gets one more ``extra_body`` option; the generator
writes a fresh client into a temporary folder; the wiring check
(`_wiring.py`) runs against that client and must name the field and each
place that lists request fields by hand. Everything else (the body builder,
batch columns, the sandbox's keys) reads the generated models or the spec.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GENERATOR = BIN / "openapi-python-client"
WIRING = Path(__file__).with_name("_wiring.py")


@pytest.fixture(scope="module")
def scratch_client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A client generated from the spec plus ``extra_body.motion_strength`` (its folder)."""
    if not GENERATOR.exists():
        pytest.skip("needs openapi-python-client from the dev extra")
    work = tmp_path_factory.mktemp("scratch")
    shutil.copytree(ROOT / "openapi", work / "openapi")
    spec_file = work / "openapi" / "wan-r2v.yaml"
    spec = yaml.safe_load(spec_file.read_text())
    spec["components"]["schemas"]["ExtraBody"]["properties"]["motion_strength"] = {
        "type": "number",
        "minimum": 0,
        "maximum": 1,
        "description": "How much the subject moves.",
    }
    spec_file.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
    out = work / "generated"
    out.mkdir()
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(spec_file),
            "--config",
            str(work / "openapi" / "generator.yaml"),
            "--meta",
            "none",
            "--custom-template-path",
            str(work / "openapi" / "templates"),
            "--output-path",
            str(out / "wan_r2v_api"),
            "--fail-on-warning",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def _wiring(pythonpath: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(pythonpath), str(ROOT / "src")]),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return subprocess.run(
        [sys.executable, str(WIRING)], capture_output=True, text=True, env=env, timeout=120
    )


def test_the_new_field_is_read_from_the_generated_models(scratch_client: Path) -> None:
    code = (
        "from wan_r2v._core import request_field_names; "
        "import wan_r2v_api; print(wan_r2v_api.__file__); print(request_field_names()[-1])"
    )
    env = {**os.environ, "PYTHONPATH": f"{scratch_client}{os.pathsep}{ROOT / 'src'}"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    module_file, last_field = result.stdout.split()
    assert module_file.startswith(str(scratch_client)), result.stderr
    assert last_field == "motion_strength"


def test_the_wiring_check_names_every_place_to_wire(scratch_client: Path) -> None:
    result = _wiring(scratch_client)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert all(line.startswith("motion_strength: ") for line in lines), lines
    assert any("CreateParams in src/wan_r2v/_core/_create_body.py" in line for line in lines)
    for command in ("create", "generate"):
        assert any(
            "--motion-strength" in line
            and "src/wan_r2v/cli/_args.py" in line
            and f"(wan-r2v {command})" in line
            for line in lines
        ), lines


def test_the_real_client_is_wired() -> None:
    result = _wiring(ROOT / "generated")
    assert result.returncode == 0, result.stdout + result.stderr

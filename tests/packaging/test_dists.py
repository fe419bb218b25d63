"""What a release carries: the sdist holds every tracked file, the wheel the metadata users read."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHONS = ("3.11", "3.12", "3.13")


def _tracked() -> set[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an unpacked sdist, for one)")
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return {name for name in out.split("\0") if name and (ROOT / name).exists()}


def test_the_sdist_holds_every_tracked_file(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        prefix = archive.getnames()[0].split("/")[0] + "/"
        held = {name.removeprefix(prefix) for name in archive.getnames()}
    missing = sorted(_tracked() - held)
    assert not missing, f"tracked but left out of the sdist (ignored by .gitignore?): {missing}"
    assert {"bench/__init__.py", "tests/_polling.py", "LICENSE", "CHANGELOG.md"} <= held


def test_no_tracked_file_is_also_ignored() -> None:
    tracked = sorted(_tracked())
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=ROOT,
        input="\n".join(tracked),
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert not ignored, f"tracked and ignored at once (choose one): {ignored}"


def test_the_wheel_metadata(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (meta_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(archive.read(meta_name).decode())
        licence = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert licence, names
        assert archive.read(licence[0]).decode().startswith("MIT License")
    assert meta["License-Expression"] == "MIT"
    classifiers = meta.get_all("Classifier") or []
    for version in PYTHONS:
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert meta["Requires-Python"] == f">={PYTHONS[0]}"
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert {"Homepage", "Changelog", "Issues"} <= set(urls), urls


def test_the_make_target_tries_every_classified_python() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "test-pythons:" in makefile
    for version in PYTHONS:
        assert version in makefile

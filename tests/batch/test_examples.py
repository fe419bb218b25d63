"""The README's "Batches" section stays true: its example files are valid and are what it shows."""

from __future__ import annotations

import re
from pathlib import Path

from wan_r2v.batch import load_jobs
from wan_r2v.cli._args import _add_create_fields
from wan_r2v.cli._batch import create_field_aliases

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
SECTION = README[README.index("## Batches") : README.index("## Presets, errors and retries")]


def test_the_example_files_are_valid_jobs() -> None:
    aliases = create_field_aliases(_add_create_fields)
    jsonl = load_jobs(ROOT / "examples/batch/jobs.jsonl", aliases=aliases)
    csv = load_jobs(ROOT / "examples/batch/jobs.csv", aliases=aliases)
    assert [j.name for j in jsonl.jobs] == [
        "rain-walk",
        "rain-walk-vertical",
        "duo-1080p",
        "duo-square",
    ]
    assert [j.name for j in csv.jobs] == ["rain-walk", "duo-1080p"]
    # the CSV's rows ask for what the JSONL's lines of the same name ask for
    by_name = {j.name: j for j in jsonl.jobs}
    assert dict(csv.jobs[1].params)["images"] == dict(by_name["duo-1080p"].params)["images"]


def test_the_readme_shows_lines_of_the_example_file() -> None:
    shown = re.findall(r"^```jsonl\n(.*?)^```$", SECTION, re.S | re.M)[0].splitlines()
    lines = (ROOT / "examples/batch/jobs.jsonl").read_text().splitlines()
    assert shown and all(line in lines for line in shown)
    for path in re.findall(r"\]\((examples/batch/[^)]+)\)", SECTION):
        assert (ROOT / path).is_file(), path

"""The jobs file: JSONL or CSV, create()'s fields (and the CLI's names), validated whole with line numbers."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest
from _batch_helpers import MODEL, job

from wan_r2v._core import CreateParams, request_field_names, request_fields
from wan_r2v.batch import CREATE_FIELDS, InvalidJobsError, load_jobs, parse_jobs
from wan_r2v.batch._jobs import _KINDS
from wan_r2v.cli._args import _add_create_fields
from wan_r2v.cli._batch import create_field_aliases
from wan_r2v.errors import ValidationError

CLI_ALIASES = create_field_aliases(_add_create_fields)


def jsonl(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def test_fields_are_the_request_fields_and_create_params_each_with_a_cell_reader() -> None:
    assert CREATE_FIELDS[: len(request_field_names())] == request_field_names()
    assert set(CREATE_FIELDS) == set(typing.get_type_hints(CreateParams))
    lists = {f.name for f in request_fields() if f.is_list}
    assert lists == {name for name, kind in _KINDS.items() if kind == "list"}
    assert set(_KINDS) == set(CREATE_FIELDS)
    assert "other" not in _KINDS.values(), "a new create field needs a CSV reading rule"
    assert _KINDS["videos"] == "list" and _KINDS["duration"] == "int"
    assert _KINDS["enable_prompt_expansion"] == "bool" and _KINDS["prompt"] == "str"


def test_cli_flag_names_are_aliases_of_the_fields() -> None:
    assert CLI_ALIASES["video"] == "videos"
    assert CLI_ALIASES["negative"] == "negative_prompt"
    assert CLI_ALIASES["shot"] == "shot_type"
    assert CLI_ALIASES["expand_prompt"] == "enable_prompt_expansion"
    assert set(CLI_ALIASES.values()) <= set(CREATE_FIELDS)


def test_jsonl_jobs_keep_their_lines_names_and_overrides() -> None:
    text = jsonl(job(0), "", job(1, timeout=30, poll_interval=2), {**job(2), "name": "clip.mp4"})
    jobs = parse_jobs(text, path="j.jsonl")
    assert not jobs.problems
    assert [(j.line, j.name) for j in jobs.jobs] == [(1, "v000"), (3, "v001"), (4, "clip")]
    assert jobs.jobs[1].timeout == 30.0 and jobs.jobs[1].poll_interval == 2.0
    assert jobs.jobs[2].filename == "clip.mp4"
    assert dict(jobs.jobs[0].params) == {k: v for k, v in job(0).items() if k != "name"}


def test_every_problem_of_every_line_is_listed_with_its_line() -> None:
    text = jsonl(
        job(0),
        {"model": MODEL, "prompt": "", "images": ["https://e.com/a.png"], "duration": 99},
        "{not json",
        [1, 2],
        {**job(4), "vidoes": ["x"]},
        {**job(5), "name": "v000"},
        {**job(6), "name": "../escape"},
        {**job(7), "timeout": -1},
    )
    jobs = parse_jobs(text, path="j.jsonl")
    where = {(p.line, p.field) for p in jobs.problems}
    assert (2, "prompt") in where and (2, "duration") in where
    assert (3, "") in where and (4, "") in where
    assert (5, "vidoes") in where
    assert (6, "name") in where and (7, "name") in where and (8, "timeout") in where
    assert [j.line for j in jobs.jobs] == [1]
    assert jobs.skipped_lines == (2, 3, 4, 5, 6, 7, 8)


def test_load_refuses_the_whole_file_unless_skip_invalid(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text(jsonl(job(0), {**job(1), "duration": 99}))
    with pytest.raises(InvalidJobsError) as caught:
        load_jobs(path)
    assert isinstance(caught.value, ValidationError)  # exit code 2 in the CLI
    assert "line 2: duration" in caught.value.message and "--skip-invalid" in caught.value.message
    assert [j.name for j in load_jobs(path, skip_invalid=True).jobs] == ["v000"]


def test_a_file_with_no_valid_job_is_refused_even_with_skip_invalid(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text("\n\n")
    with pytest.raises(InvalidJobsError, match="no jobs"):
        load_jobs(path, skip_invalid=True)


def test_csv_cells_are_read_by_field_type_and_cli_names_work() -> None:
    text = (
        "Name,model,prompt,video,image,duration,expand-prompt,seed,negative\n"
        f'a,{MODEL},"character1, then character2",https://e.com/v.mp4,'
        '"https://e.com/1.png | https://e.com/2.png",3,yes,42,blur\n'
        f'b,{MODEL},character1 runs,,["https://e.com/3.png"],,,,\n'
    )
    jobs = parse_jobs(text, path="j.csv", aliases=CLI_ALIASES)
    assert not jobs.problems, jobs.problems
    a, b = jobs.jobs
    assert (a.line, b.line) == (2, 3)
    assert dict(a.params) == {
        "model": MODEL,
        "prompt": "character1, then character2",
        "videos": ["https://e.com/v.mp4"],
        "images": ["https://e.com/1.png", "https://e.com/2.png"],
        "duration": 3,
        "enable_prompt_expansion": True,
        "seed": 42,
        "negative_prompt": "blur",
    }
    assert dict(b.params) == {
        "model": MODEL,
        "prompt": "character1 runs",
        "images": ["https://e.com/3.png"],
    }


def test_csv_problems_name_the_row_line() -> None:
    text = f"name,model,prompt,image,expand_prompt\nx,{MODEL},p,https://e.com/1.png,maybe\n"
    jobs = parse_jobs(text, path="j.csv", aliases=CLI_ALIASES)
    assert [(p.line, p.field) for p in jobs.problems] == [(2, "enable_prompt_expansion")]


def test_changed_params_change_the_fingerprint() -> None:
    one = parse_jobs(jsonl(job(0)), path="a.jsonl").jobs[0]
    same = parse_jobs(jsonl({**job(0), "name": "v000"}), path="b.jsonl").jobs[0]
    other = parse_jobs(jsonl({**job(0), "duration": 3}), path="c.jsonl").jobs[0]
    assert one.fingerprint == same.fingerprint != other.fingerprint

"""Argument parsing: create flags map to facade keywords; global options work on both sides."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from wan_r2v.cli import ExitCode, run
from wan_r2v.cli._args import build_parser, find_flag_values, split_command
from wan_r2v.cli._commands import _create_kwargs


def _parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def test_every_create_flag_maps_to_its_keyword() -> None:
    args = _parse(
        "create",
        "-m", "wan2.6-r2v-flash-720p-audio",
        "-p", "character1 waves",
        "--video", "https://e.example/a.mp4",
        "--video", "https://e.example/b.mp4",
        "--image", "https://e.example/c.png",
        "--aspect", "9:16",
        "--duration", "7",
        "--negative", "blur",
        "--audio", "https://e.example/a.mp3",
        "--shot", "multi",
        "--expand-prompt",
        "--seed", "-1",
    )  # fmt: skip
    assert _create_kwargs(args) == {
        "model": "wan2.6-r2v-flash-720p-audio",
        "prompt": "character1 waves",
        "videos": ["https://e.example/a.mp4", "https://e.example/b.mp4"],
        "images": ["https://e.example/c.png"],
        "aspect": "9:16",
        "duration": 7,
        "negative_prompt": "blur",
        "audio": "https://e.example/a.mp3",
        "shot_type": "multi",
        "enable_prompt_expansion": True,
        "seed": -1,
    }


def test_unset_flags_are_left_to_the_library() -> None:
    assert _create_kwargs(_parse("create", "-p", "x")) == {"prompt": "x"}
    assert _create_kwargs(_parse("create", "-p", "x", "--no-expand-prompt")) == {
        "prompt": "x",
        "enable_prompt_expansion": False,
    }


@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "status", "t1"],
        ["status", "t1", "--json"],
    ],
)
def test_global_options_before_or_after_the_command(argv: list[str]) -> None:
    args = _parse(*argv)
    assert args.json is True
    assert args.task_id == "t1"


def test_option_before_the_command_is_not_reset_by_the_subcommand() -> None:
    args = _parse("--base-url", "https://g.example", "--max-retries", "0", "status", "t1")
    assert args.base_url == "https://g.example"
    assert args.max_retries == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["status"],  # no task id
        ["frobnicate"],
        [],
    ],
)
def test_usage_errors_exit_2_with_a_message(argv: list[str]) -> None:
    err = io.StringIO()
    code = run(argv, stdout=io.StringIO(), stderr=err, environ={})
    assert code == ExitCode.USAGE
    assert "usage:" in err.getvalue()
    assert "error:" in err.getvalue()


def test_help_exits_0_and_documents_exit_codes() -> None:
    out = io.StringIO()
    assert run(["--help"], stdout=out, stderr=io.StringIO(), environ={}) == ExitCode.OK
    text = out.getvalue()
    for code in ExitCode:
        assert f"\n  {int(code):<4} " in text


def test_split_command_skips_values_of_global_flags() -> None:
    assert split_command(["--base-url", "sandbox", "sandbox", "--port", "0"]) == (
        ["--base-url", "sandbox"],
        "sandbox",
        ["--port", "0"],
    )
    assert split_command(["--json"]) == (["--json"], None, [])


def test_find_flag_values_reads_both_spellings() -> None:
    argv = ["--api-key", "k1", "status", "--api-key=k2", "--api-keyx", "no"]
    assert find_flag_values(argv, "--api-key") == ["k1", "k2"]


def test_a_bad_value_with_json_is_a_json_document() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = run(
        ["status", "t1", "--json", "--max-retries", "many"], stdout=out, stderr=err, environ={}
    )
    assert code == ExitCode.USAGE
    error = json.loads(out.getvalue())["error"]
    assert error["type"] == "ValidationError" and error["exit_code"] == 2
    assert error["problems"] == [
        {
            "field": "max_retries",
            "flag": "--max-retries",
            "message": "expected a whole number, not 'many'",
        }
    ]
    assert "--max-retries: expected a whole number, not 'many'" in err.getvalue()


def test_version() -> None:
    out = io.StringIO()
    assert run(["--version"], stdout=out, stderr=io.StringIO(), environ={}) == ExitCode.OK
    assert out.getvalue().startswith("wan-r2v ")
    assert out.getvalue().strip().split()[1][0].isdigit()

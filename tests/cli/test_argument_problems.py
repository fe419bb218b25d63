"""Argument problems come back together, in the command line's words; long options are never abbreviated."""

from __future__ import annotations

import io
import json

import pytest

from wan_r2v.cli import ExitCode, run

REQUEST = ["-m", "wan2.6-r2v-720p", "-p", "character1 waves", "--image", "https://e.example/a.png"]


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err, environ={})
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("abbreviation", "meant"),
    [
        ("--vid", "--video"),
        ("--dur", "--duration"),
        ("--neg", "--negative"),
        ("--dry", "--dry-run"),
    ],
)
def test_an_abbreviated_long_option_is_refused_and_named(abbreviation: str, meant: str) -> None:
    code, out, err = _run("create", *REQUEST, "--dry-run", abbreviation, "5")
    assert code == ExitCode.USAGE
    assert out == ""  # --dry-run printed nothing: the command did not run
    assert f"  - {abbreviation}: is not an option of `wan-r2v create`" in err
    assert f"did you mean {meant}" in err or abbreviation == "--neg"


def test_an_abbreviation_of_a_global_option_is_refused() -> None:
    code, _, err = _run("status", "t1", "--base", "https://g.example")
    assert code == ExitCode.USAGE
    assert "--base: is not an option" in err and "did you mean --base-url?" in err
    # before the command, argparse takes the value for the command: refused all the same
    assert _run("--base", "https://g.example", "status", "t1")[0] == ExitCode.USAGE


def test_parsing_and_request_problems_are_listed_together() -> None:
    code, out, err = _run(
        "create", "--dry-run", "-m", "wan2.6-r2v-720p",
        "--duration", "five",           # a value the flag cannot take
        "--shot", "double",             # a choice it does not offer
        "--seed", "2147483648",         # out of range
        "--vid", "https://e.example/v.mp4",  # an abbreviation
        "--image", "ftp://e.example/a.png",  # a request problem (the library's rule)
    )  # fmt: skip
    assert code == ExitCode.USAGE and out == ""
    lines = [line for line in err.splitlines() if line.startswith("  - ")]
    flags = [line[4:].split(":")[0] for line in lines]
    assert sorted(flags) == sorted(
        ["--duration", "--shot", "--seed", "--vid", "--prompt", "--image #1"]
    )
    assert err.startswith("error: nothing was sent: 6 problems to fix:")
    assert "see: wan-r2v create --help" in err


def test_the_json_document_lists_every_problem_with_its_flag() -> None:
    code, out, _ = _run("generate", *REQUEST, "--json", "--duration", "five", "--aspect", "7:5")
    assert code == ExitCode.USAGE
    problems = json.loads(out)["error"]["problems"]
    assert {(p["field"], p.get("flag")) for p in problems} == {
        ("duration", "--duration"),
        ("aspect", "--aspect"),
    }


def test_size_and_aspect_together_are_judged_by_the_request_rules() -> None:
    agree = _run("create", *REQUEST, "--dry-run", "--size", "1280*720", "--aspect", "16:9")
    assert agree[0] == ExitCode.OK, agree
    code, _, err = _run("create", *REQUEST, "--dry-run", "--size", "1280*720", "--aspect", "9:16")
    assert code == ExitCode.USAGE
    assert "--size: size 1280*720 and aspect 9:16 (720*1280) disagree" in err


def test_a_stray_word_and_an_unknown_option_of_another_command() -> None:
    code, _, err = _run("status", "t1", "extra", "--poll-interval", "3")
    assert code == ExitCode.USAGE
    assert "  - extra: is not an argument of `wan-r2v status`" in err
    assert "  - --poll-interval: is not an option of `wan-r2v status`" in err
    assert "'3'" not in err  # the unknown option's value is not a second problem


def test_messages_speak_of_commands_and_flags_not_python_calls() -> None:
    code, _, err = _run("create", *REQUEST, "--dry-run", "--seed", "x", "--duration", "0")
    assert code == ExitCode.USAGE
    for python_word in ("create()", "wait(", "generate(", "=True", "kwargs"):
        assert python_word not in err

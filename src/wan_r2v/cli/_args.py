"""The argument parser: subcommands, create fields, connection and output options."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .._validation import SHOT_TYPES
from .._version import __version__ as VERSION
from ..presets import SEED_MAX, SEED_MIN
from ._batch import add_batch_parser
from ._exit_codes import EXIT_CODE_HELP

__all__ = [
    "API_KEY_FLAG",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "Parser",
    "build_parser",
    "find_flag_values",
    "split_command",
]

ENV_API_KEY = "WAN_R2V_API_KEY"
ENV_BASE_URL = "WAN_R2V_BASE_URL"
API_KEY_FLAG = "--api-key"

_DESCRIPTION = """\
Create Wan 2.6 reference-to-video tasks on an OpenAI-style gateway, wait for
them and download the MP4. The gateway comes from --base-url or WAN_R2V_BASE_URL,
the key from WAN_R2V_API_KEY (or --api-key; the key is never printed).
"""


def _epilog() -> str:
    lines = ["exit codes:"]
    lines += [f"  {int(code):<4} {text}" for code, text in EXIT_CODE_HELP]
    lines += [
        "",
        "examples:",
        "  wan-r2v models",
        "  wan-r2v generate -m wan2.6-r2v-flash-720p-audio -p 'character1 waves' \\",
        "      --video https://example.com/ref.mp4 --duration 5 -o out/",
        "  wan-r2v create ... --dry-run        # print the request JSON, send nothing",
        "  wan-r2v wait TASK_ID -o out/         # resume an interrupted wait",
    ]
    return "\n".join(lines)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors go through a writer (which redacts secrets)."""

    def __init__(
        self, *args: Any, writer: Callable[[str, bool], None] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.writer = writer

    def _print_message(self, message: str, file: Any = None) -> None:
        if not message:
            return
        if self.writer is None:
            super()._print_message(message, file)
        else:
            self.writer(message, file is sys.stderr)


def _int_in(low: int, high: int, what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{what} must be a whole number, not {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} must be in {low}..{high}, not {value}")
        return value

    return parse


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, not {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, not {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, not {value}")
    return value


def _common_options(*, top_level: bool) -> Parser:
    """Options every subcommand takes; also accepted before the subcommand.

    In subparsers the defaults are SUPPRESS, so a value given before the
    subcommand is not overwritten by the subparser's default.
    """
    parser = Parser(add_help=False)

    def default(value: object) -> object:
        return value if top_level else argparse.SUPPRESS

    group = parser.add_argument_group("connection and output")
    group.add_argument(
        "--base-url",
        metavar="URL",
        default=default(None),
        help=f"the gateway's base URL (default: ${ENV_BASE_URL})",
    )
    group.add_argument(
        API_KEY_FLAG,
        metavar="KEY",
        default=default(None),
        help=f"API key (default: ${ENV_API_KEY}; prefer the variable: flags show in `ps`)",
    )
    group.add_argument(
        "--http-timeout",
        metavar="SECONDS",
        type=_positive_float,
        default=default(None),
        help="timeout of each HTTP request (default: the library's)",
    )
    group.add_argument(
        "--max-retries",
        metavar="N",
        type=_non_negative_int,
        default=default(None),
        help="retries of a failed query or download (a create is never resent)",
    )
    group.add_argument(
        "--allow-insecure-http",
        action="store_true",
        default=default(False),
        help="allow a plain http:// base URL that is not on this machine",
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="print one JSON document on stdout (errors too), for scripts",
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default(False),
        help="no progress or hints on stderr (errors are still shown)",
    )
    return parser


def _add_create_fields(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("request (one flag per create field)")
    group.add_argument(
        "-m",
        "--model",
        metavar="MODEL",
        help="model id (required; see `wan-r2v models`)",
    )
    group.add_argument(
        "-p",
        "--prompt",
        required=True,
        help="what happens; name references character1, character2, ...",
    )
    group.add_argument(
        "--video",
        dest="videos",
        metavar="URL",
        action="append",
        help="reference video URL (repeatable; order gives character1, character2, ...)",
    )
    group.add_argument(
        "--image",
        dest="images",
        metavar="URL",
        action="append",
        help="reference image URL (repeatable)",
    )
    size = group.add_mutually_exclusive_group()
    size.add_argument(
        "--size", metavar="W*H", help="output size, e.g. 1280*720 (must suit the model)"
    )
    size.add_argument(
        "--aspect", metavar="W:H", help="output aspect, e.g. 16:9, 9:16, 1:1, 4:3, 3:4"
    )
    group.add_argument(
        "--duration",
        metavar="SECONDS",
        type=_whole_number,
        help="seconds of video (see `wan-r2v models`)",
    )
    group.add_argument(
        "--negative",
        "--negative-prompt",
        dest="negative_prompt",
        metavar="TEXT",
        help="what to avoid",
    )
    group.add_argument(
        "--audio", metavar="URL", help="guide audio URL (wav/mp3; models with sound only)"
    )
    group.add_argument(
        "--shot",
        dest="shot_type",
        choices=SHOT_TYPES,
        help="one continuous shot or a multi-shot cut",
    )
    group.add_argument(
        "--expand-prompt",
        dest="enable_prompt_expansion",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="let the provider rewrite the prompt",
    )
    group.add_argument(
        "--seed",
        type=_int_in(SEED_MIN, SEED_MAX, "--seed"),
        metavar="N",
        help=f"{SEED_MIN} (random) or 0..{SEED_MAX}",
    )
    group.add_argument(
        "--any-model",
        action="store_true",
        help="allow a model id missing from the preset table (only model-free rules are checked)",
    )
    group.add_argument(
        "--dry-run",
        action="store_true",
        help="print the validated request JSON and exit; nothing is sent, no key is needed",
    )


def _add_wait_options(parser: argparse.ArgumentParser, *, output_default: str | None) -> None:
    group = parser.add_argument_group("waiting")
    group.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_positive_float,
        default=None,
        help="give up waiting after this long (the task goes on; default: the library's)",
    )
    group.add_argument(
        "--poll-interval",
        metavar="SECONDS",
        type=_positive_float,
        default=None,
        help="seconds between queries (default: the library's schedule)",
    )
    where = "the current directory" if output_default == "." else "no download"
    group.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        default=output_default,
        help=f"download the video here when done; a directory gets TASK_ID.mp4 (default: {where})",
    )


def build_parser(
    prog: str = "wan-r2v", *, writer: Callable[[str, bool], None] | None = None
) -> Parser:
    """The `wan-r2v` parser with every subcommand; `writer(text, is_error)` receives its output."""
    parser = Parser(
        prog=prog,
        writer=writer,
        description=_DESCRIPTION,
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common_options(top_level=True)],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {VERSION}")
    common = _common_options(top_level=False)
    subs = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def sub(name: str, help_text: str) -> Parser:
        sub_parser: Parser = subs.add_parser(
            name,
            writer=writer,
            help=help_text,
            description=help_text,
            parents=[common],
            epilog=_epilog(),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        return sub_parser

    generate = sub("generate", "create a task, wait with a progress bar, download the MP4")
    _add_create_fields(generate)
    _add_wait_options(generate, output_default=".")

    create = sub("create", "create a task and print its id (does not wait)")
    _add_create_fields(create)

    status = sub("status", "query a task once and print its state")
    status.add_argument("task_id", metavar="TASK_ID")

    wait = sub("wait", "wait for a task (resumable), optionally download it")
    wait.add_argument("task_id", metavar="TASK_ID")
    _add_wait_options(wait, output_default=None)

    download = sub("download", "download a finished task's video")
    download.add_argument("task_id", metavar="TASK_ID")
    download.add_argument("path", metavar="PATH", help="file or directory (gets TASK_ID.mp4)")
    download.add_argument(
        "--no-overwrite",
        dest="overwrite",
        action="store_false",
        help="fail instead of replacing an existing file",
    )

    models = sub("models", "list the model presets: ids, sizes, durations, limits")
    del models

    batch = sub(
        "batch", "run many jobs from a JSONL/CSV file, with a journal: crash-safe, resumable"
    )
    batch_subs = batch.add_subparsers(dest="batch_command", metavar="ACTION", required=True)

    def batch_sub(name: str, help_text: str) -> argparse.ArgumentParser:
        parser: Parser = batch_subs.add_parser(
            name,
            writer=writer,
            help=help_text,
            description=help_text,
            parents=[common],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        return parser

    add_batch_parser(batch_sub, positive_float=_positive_float)

    # Never parsed here: `split_command` hands everything after `sandbox` to the sandbox's own parser.
    subs.add_parser(
        "sandbox",
        help="run the local sandbox gateway (`wan-r2v sandbox --help` for its options)",
        add_help=False,
        writer=writer,
    )
    return parser


def find_flag_values(argv: Sequence[str], flag: str) -> list[str]:
    """Every value given to a long flag, as ``FLAG VALUE`` or ``FLAG=VALUE`` (before parsing)."""
    values: list[str] = []
    for index, arg in enumerate(argv):
        if arg == flag and index + 1 < len(argv):
            values.append(argv[index + 1])
        elif arg.startswith(flag + "="):
            values.append(arg[len(flag) + 1 :])
    return values


#: Top-level flags that take a value (so `split_command` can skip it).
_VALUE_FLAGS = frozenset({"--base-url", API_KEY_FLAG, "--http-timeout", "--max-retries"})


def split_command(argv: Sequence[str]) -> tuple[list[str], str | None, list[str]]:
    """Split argv into ``(global options, command, the command's arguments)`` without parsing."""
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            break
        if not arg.startswith("-") or arg == "-":
            return list(argv[:index]), arg, list(argv[index + 1 :])
        index += 2 if arg in _VALUE_FLAGS else 1
    return list(argv), None, []

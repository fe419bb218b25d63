"""The argument parser: subcommands, create fields, connection and output options."""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from .._validation import SHOT_TYPES
from .._version import __version__ as VERSION
from ..errors import Problem
from ..presets import SEED_MAX, SEED_MIN
from ._batch import add_batch_parser
from ._exit_codes import EXIT_CODE_HELP

__all__ = [
    "API_KEY_FLAG",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "Invalid",
    "Parser",
    "build_parser",
    "find_flag_values",
    "flag_for",
    "parse_problems",
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


@attrs.frozen
class Invalid:
    """A flag's value that failed its check while parsing: kept, to be listed with the other problems."""

    flag: str
    message: str


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors go through a writer (which redacts secrets).

    Long options must be spelled out (``--vid`` is not ``--video``: an abbreviation
    would silently change meaning when a flag is added). A value that fails its type
    or choice check does not stop the parse: it becomes an `Invalid` in the namespace,
    so that `parse_problems` lists it together with everything else that is wrong.
    """

    def __init__(
        self, *args: Any, writer: Callable[[str, bool], None] | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self.writer = writer

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        if action.nargs in (argparse.PARSER, argparse.REMAINDER):
            return super()._get_values(action, arg_strings)
        try:
            return super()._get_values(action, arg_strings)
        except argparse.ArgumentError as exc:
            flag = max(action.option_strings, key=len) if action.option_strings else action.dest
            return Invalid(flag, exc.message)

    def _print_message(self, message: str, file: Any = None) -> None:
        if not message:
            return
        if self.writer is None:
            super()._print_message(message, file)
        else:
            self.writer(message, file is sys.stderr)


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None


def _int_in(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (no upper bound when None)."""

    def parse(text: str) -> int:
        value = _whole_number(text)
        if high is None and value < low:
            raise argparse.ArgumentTypeError(f"expected {low} or more, not {value}")
        if high is not None and not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be in {low}..{high}, not {value}")
        return value

    return parse


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, not {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, not {text!r}")
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
        type=_int_in(0),
        default=default(None),
        help="retries of a failed query or download (a create is never resent)",
    )
    group.add_argument(
        "--download-timeout",
        metavar="SECONDS",
        type=_positive_float,
        default=default(None),
        help="give up a download (retries included) after this long (default: 3600)",
    )
    group.add_argument(
        "--download-min-speed",
        metavar="BYTES",
        type=_int_in(0),
        default=default(None),
        help="a download averaging fewer bytes/s over --download-stall-time has stalled and is "
        "retried (default: 1024; 0: no stall rule; as curl's --speed-limit)",
    )
    group.add_argument(
        "--download-stall-time",
        metavar="SECONDS",
        type=_positive_float,
        default=default(None),
        help="the stall rule's window (default: 30; as curl's --speed-time)",
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
        help="what happens; name references character1, character2, ... (required)",
    )
    group.add_argument(
        "--video",
        dest="videos",
        metavar="URL|FILE",
        action="append",
        help="reference video URL or local MP4/MOV file (repeatable; order gives "
        "character1, character2, ...); files go to --upload-to",
    )
    group.add_argument(
        "--image",
        dest="images",
        metavar="URL|FILE",
        action="append",
        help="reference image URL or local file (repeatable)",
    )
    # --size or --aspect: the library judges a pair (it lists a disagreement with the rest)
    group.add_argument(
        "--size", metavar="W*H", help="output size, e.g. 1280*720 (must suit the model)"
    )
    group.add_argument(
        "--aspect", metavar="W:H", help="output aspect, e.g. 16:9, 9:16, 1:1, 4:3, 3:4 (or --size)"
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
        "--audio",
        metavar="URL|FILE",
        help="guide audio URL or local file (wav/mp3; models with sound only)",
    )
    group.add_argument(
        "--upload-to",
        metavar="S3_URL",
        help="where local reference files are uploaded, e.g. s3://bucket/prefix, with the "
        "store's AWS_* variables (default: $WAN_R2V_UPLOAD_URL; needs wan-r2v[s3])",
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
        type=_int_in(SEED_MIN, SEED_MAX),
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

    add_batch_parser(batch_sub, positive_float=_positive_float, positive_int=_int_in(1))

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
_VALUE_FLAGS = frozenset(
    {
        "--base-url",
        API_KEY_FLAG,
        "--http-timeout",
        "--max-retries",
        "--download-timeout",
        "--download-min-speed",
        "--download-stall-time",
    }
)


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


def _subparser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser:
    """The parser of `command` (the top-level parser when there is none)."""
    for action in parser._actions:  # argparse keeps no public list of its subparsers
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            chosen: argparse.ArgumentParser = action.choices[command]
            return chosen
    return parser


def _long_flags(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Each destination's longest option string, e.g. ``{"videos": "--video"}``."""
    flags: dict[str, str] = {}
    for action in parser._actions:
        if action.option_strings:
            flags.setdefault(action.dest, max(action.option_strings, key=len))
    return flags


def flag_for(parser: argparse.ArgumentParser, command: str | None, field: str) -> str | None:
    """The flag that sets a request field (``videos[1]`` -> ``--video #2``), if one does."""
    name, _, index = field.partition("[")
    flag = _long_flags(_subparser(parser, command)).get(name)
    if flag is None:
        return None
    position = index.rstrip("]")
    return f"{flag} #{int(position) + 1}" if position.isdigit() else flag


def parse_problems(
    parser: argparse.ArgumentParser, args: argparse.Namespace, unknown: Sequence[str]
) -> list[Problem]:
    """What parsing found wrong: bad values (cleared from `args`) and unknown words, in order."""
    problems: list[Problem] = []
    for dest, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if isinstance(v, Invalid)]
        if not bad:
            continue
        problems += [Problem(dest, v.message) for v in bad]
        kept = [v for v in values if not isinstance(v, Invalid)]
        setattr(args, dest, (kept or None) if isinstance(value, list) else None)
    command = getattr(args, "command", None)
    where = f"wan-r2v {command}" if command else "wan-r2v"
    known = [o for o in _option_strings(_subparser(parser, command)) if o.startswith("--")]
    after_option = False
    for word in unknown:
        if word.startswith("-") and word != "-":
            option = word.partition("=")[0]
            close = difflib.get_close_matches(option, known, n=1, cutoff=0.6)
            prefixed = [o for o in known if o.startswith(option)] if option.startswith("--") else []
            guess = prefixed[0] if len(prefixed) == 1 else (close[0] if close else None)
            message = f"is not an option of `{where}`" + (
                f"; did you mean {guess}?" if guess else ""
            )
            if prefixed and option.startswith("--"):
                message += " (long options are never abbreviated)"
            problems.append(Problem(option, message))
            after_option = "=" not in word
        elif after_option:
            after_option = False  # most likely the unknown option's value: said once above
        else:
            problems.append(Problem(word, f"is not an argument of `{where}`"))
    return problems


def _option_strings(parser: argparse.ArgumentParser) -> list[str]:
    return [o for action in parser._actions for o in action.option_strings]

"""The entry point: parse, run one subcommand, turn any outcome into an exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from ..errors import (
    APIError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ValidationError,
    WaitTimeoutError,
    WanR2VError,
)
from ._args import (
    API_KEY_FLAG,
    ENV_API_KEY,
    ENV_BASE_URL,
    Parser,
    build_parser,
    find_flag_values,
    flag_for,
    parse_problems,
    split_command,
)
from ._commands import (
    COMMANDS,
    REQUEST_COMMANDS,
    CommandContext,
    Handled,
    UsageError,
    resume_hint,
    stopped,
    task_summary,
)
from ._console import Console
from ._exit_codes import ExitCode, exit_code_for
from ._signals import stop_signals_as_interrupts

__all__ = ["main", "run", "sandbox_main"]


def main(argv: list[str] | None = None) -> int:
    """Run `wan-r2v` with these arguments (default: the process's) and return the exit code.

    As the process's entry point, SIGTERM and SIGHUP are handled as Ctrl-C (exit 143, 129).
    """
    try:
        with stop_signals_as_interrupts():
            return run(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt as stop:  # before or after a command could handle it
        return exit_code_for(stop)


def sandbox_main(argv: list[str] | None = None) -> int:
    """`wan-r2v-sandbox ARGS`: the same as `wan-r2v sandbox ARGS`."""
    return run(["sandbox", *(sys.argv[1:] if argv is None else argv)])


def run(
    argv: Sequence[str],
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run one command line with explicit streams and environment (for embedding and tests)."""
    env = os.environ if environ is None else environ
    console = Console(
        sys.stdout if stdout is None else stdout, sys.stderr if stderr is None else stderr
    )
    console.add_secret(env.get(ENV_API_KEY))
    for value in find_flag_values(argv, API_KEY_FLAG):
        console.add_secret(value)
    try:
        return _run(list(argv), console, env)
    except BrokenPipeError:
        # stdout was closed early (e.g. piped into `head`): not an error of ours.
        _silence_stdout()
        return ExitCode.OK


class _ParserOutput:
    """Routes argparse's help and errors through the console; keeps the last error message."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.last_error = ""

    def __call__(self, text: str, is_error: bool) -> None:
        if is_error:
            self.last_error = text
            self.console.err_raw(text)
        else:
            self.console.out_raw(text)


def _argparse_error(text: str) -> str:
    """``prog: error: message`` -> ``message``."""
    _, sep, message = text.partition(": error: ")
    return (message if sep else text).strip()


def _run(
    argv: list[str],
    console: Console,
    env: Mapping[str, str],
) -> int:
    parser_output = _ParserOutput(console)
    parser = build_parser(writer=parser_output)
    global_args, command, rest = split_command(argv)
    extra: list[str] = []
    try:
        if command == "sandbox":
            args, unknown = parser.parse_known_args([*global_args, "sandbox"])
            extra = rest
        else:
            args, unknown = parser.parse_known_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse already reported
        if exc.code in (0, None):
            return ExitCode.OK
        if "--json" in argv:
            message = _argparse_error(parser_output.last_error)
            error = {"type": "UsageError", "message": message, "exit_code": int(ExitCode.USAGE)}
            console.json({"error": error})
        return ExitCode.USAGE
    problems = parse_problems(parser, args, unknown)
    ctx = CommandContext(
        args=args, console=console, environ=env, extra=extra, problems=tuple(problems)
    )
    try:
        if problems and args.command not in REQUEST_COMMANDS:
            raise ValidationError(problems)  # (create and generate list them with the request's)
        return int(COMMANDS[args.command](ctx))
    except Handled as handled:
        return handled.code
    except KeyboardInterrupt as stop:
        console.err(stopped(stop))
        return exit_code_for(stop)
    except UsageError as exc:
        return _report(ctx, exc, ExitCode.USAGE, "UsageError", str(exc))
    except ValidationError as exc:
        message = _problems_text(parser, args.command, exc)
        return _report(ctx, exc, ExitCode.USAGE, type(exc).__name__, message, parser=parser)
    except WanR2VError as exc:
        return _report(ctx, exc, exit_code_for(exc), type(exc).__name__, exc.message)
    except BrokenPipeError:
        raise  # our stdout was closed (`| head`): `run` ends quietly, it is no file of ours
    except (
        OSError
    ) as exc:  # the video could not be written here (disk full, a path that is a file...)
        message = f"could not write the file: {exc}; the task is unharmed: fix the path and download again"
        return _report(ctx, exc, exit_code_for(exc), type(exc).__name__, message)
    except Exception as exc:  # a bug: say so without a traceback full of internals
        return _report(ctx, exc, ExitCode.ERROR, type(exc).__name__, f"unexpected error: {exc}")


def _hint(ctx: CommandContext, exc: BaseException) -> str | None:
    if isinstance(exc, ValidationError) and any(p.field == "base_url" for p in exc.problems):
        return "on the command line: --base-url URL (or $WAN_R2V_BASE_URL); --allow-insecure-http accepts plain http"
    if isinstance(exc, AuthenticationError):
        return f"check the API key (${ENV_API_KEY} or --api-key)"
    if isinstance(exc, PermissionDeniedError):
        return "this key may not do that; check the key's permissions on the gateway"
    if isinstance(exc, NotFoundError):
        return f"check the task id and the base URL (--base-url or ${ENV_BASE_URL})"
    if isinstance(exc, RateLimitError) and exc.retry_after is not None:
        return f"the gateway asks to wait {exc.retry_after:g} s before trying again"
    if isinstance(exc, WaitTimeoutError):
        return f"the task goes on; resume with: {resume_hint(ctx, exc.task.id)}"
    return None


def _problems_text(parser: Parser, command: str, exc: ValidationError) -> str:
    """The problems in the command line's words: each field as the flag that sets it."""
    count = len(exc.problems)
    lines = [f"nothing was sent: {count} {'problem' if count == 1 else 'problems'} to fix:"]
    for problem in exc.problems:
        where = flag_for(parser, command, problem.field) or problem.field
        lines.append(f"  - {where}: {problem.message}")
    lines.append(f"see: wan-r2v {command} --help")
    return "\n".join(lines)


def _report(
    ctx: CommandContext,
    exc: BaseException,
    code: ExitCode,
    kind: str,
    message: str,
    *,
    parser: Parser | None = None,
) -> int:
    ctx.console.err(f"error: {message}")
    hint = _hint(ctx, exc)
    if hint:
        ctx.console.err(hint)
    if ctx.args.json:
        error: dict[str, Any] = {"type": kind, "message": message, "exit_code": int(code)}
        if hint:
            error["hint"] = hint
        if isinstance(exc, ValidationError):
            error["problems"] = [
                {"field": p.field, "message": p.message}
                | (
                    {"flag": flag}
                    if parser and (flag := flag_for(parser, ctx.args.command, p.field))
                    else {}
                )
                for p in exc.problems
            ]
        if isinstance(exc, APIError):
            for name in ("status_code", "code", "type", "param", "request_id"):
                error[name if name != "type" else "error_type"] = getattr(exc, name)
        if isinstance(exc, RateLimitError):
            error["retry_after"] = exc.retry_after
        document: dict[str, Any] = {"error": error}
        task = getattr(exc, "task", None)
        if task is not None:
            document["task"] = task_summary(task)
        ctx.console.json(document)
    return code


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass

"""One function per subcommand: a few lines over the facade, output through the console."""

from __future__ import annotations

import argparse
import importlib
import shlex
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .._extras import sandbox_missing
from .._mp4info import Mp4InfoError, read_mp4_info
from ..errors import Problem, TargetExistsError, ValidationError
from ..presets import PRESETS, Preset
from ..task import Task
from ._args import ENV_API_KEY, ENV_BASE_URL
from ._batch import cmd_batch
from ._console import Console
from ._exit_codes import ExitCode, exit_code_for
from ._progress import ProgressBar
from ._signals import signal_name
from ._uploads import has_local_files, uploader_for

if TYPE_CHECKING:
    from ..client import Client

__all__ = [
    "COMMANDS",
    "REQUEST_COMMANDS",
    "CommandContext",
    "Handled",
    "UsageError",
    "client_kwargs",
    "file_facts",
    "resume_hint",
    "task_summary",
]

_CREATE_FIELDS = (
    "model",
    "prompt",
    "videos",
    "images",
    "size",
    "aspect",
    "duration",
    "negative_prompt",
    "audio",
    "shot_type",
    "enable_prompt_expansion",
    "seed",
)
# Placeholders for a --dry-run without configuration: nothing is ever sent to them.
_DRY_RUN_BASE_URL = "https://gateway.invalid"


class UsageError(Exception):
    """The command line or the configuration is wrong (exit code 2)."""


@attrs.frozen
class CommandContext:
    """What a subcommand gets: its arguments, the console and the environment."""

    args: argparse.Namespace
    console: Console
    environ: Mapping[str, str]
    #: Forwarded arguments (only the `sandbox` subcommand takes them).
    extra: Sequence[str] = ()
    #: What parsing found wrong (bad values, unknown options), listed with the request's problems.
    problems: Sequence[Problem] = ()

    @property
    def quiet(self) -> bool:
        """Whether hints and progress are suppressed."""
        return bool(self.args.quiet)

    def hint(self, text: str) -> None:
        """A message for people on stderr, unless --quiet."""
        if not self.quiet:
            self.console.err(text)


# --- helpers ------------------------------------------------------------------------------------


def _resolve(ctx: CommandContext) -> tuple[str | None, str | None]:
    base_url = ctx.args.base_url or ctx.environ.get(ENV_BASE_URL) or None
    api_key = ctx.args.api_key or ctx.environ.get(ENV_API_KEY) or None
    return base_url, api_key


def _client(ctx: CommandContext, *, dry_run: bool = False) -> Client:
    from ..client import Client  # here: --help, --version and models need no HTTP stack

    kwargs = client_kwargs(ctx, dry_run=dry_run)
    if dry_run:  # a dry run sends nothing: no connection pool, no TLS set-up (a third of its time)
        import httpx

        kwargs["http_client"] = httpx.Client(transport=httpx.MockTransport(_refuse))
    return Client(**kwargs)


def _refuse(request: object) -> Any:
    raise AssertionError("a dry run sends nothing")


def client_kwargs(ctx: CommandContext, *, dry_run: bool = False) -> dict[str, Any]:
    """The client's arguments from the command line and the environment (`Client` or `AsyncClient`)."""
    base_url, api_key = _resolve(ctx)
    if not dry_run:
        missing = []
        if base_url is None:
            missing.append(f"the gateway's base URL (--base-url or ${ENV_BASE_URL})")
        if api_key is None:
            missing.append(f"an API key (${ENV_API_KEY} or --api-key)")
        if missing:
            raise UsageError("missing " + " and ".join(missing))
    kwargs: dict[str, Any] = {
        # Both explicit (never None): the CLI already applied its environment, and a
        # dry run must not read any configuration.
        "api_key": api_key if not dry_run else "",
        "base_url": base_url if not dry_run else _DRY_RUN_BASE_URL,
        "strict": not getattr(ctx.args, "any_model", False),
    }
    if ctx.args.http_timeout is not None:
        kwargs["timeout"] = ctx.args.http_timeout
    if ctx.args.max_retries is not None:
        kwargs["max_retries"] = ctx.args.max_retries
    for name in ("download_timeout", "download_min_speed", "download_stall_time"):
        if getattr(ctx.args, name, None) is not None:
            kwargs[name] = getattr(ctx.args, name)
    if ctx.args.allow_insecure_http:
        kwargs["allow_insecure_http"] = True
    poll_interval = getattr(ctx.args, "poll_interval", None)
    if poll_interval is not None:
        kwargs["poll_interval"] = poll_interval
    if not dry_run and has_local_files(ctx.args):
        try:
            kwargs["uploader"] = uploader_for(ctx.args, ctx.environ, ctx.console, quiet=ctx.quiet)
        except (ImportError, ValueError) as exc:
            raise UsageError(f"local reference files cannot be uploaded: {exc}") from None
    return kwargs


def _create_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    return {name: getattr(args, name) for name in _CREATE_FIELDS if getattr(args, name) is not None}


def task_summary(task: Task) -> dict[str, Any]:
    """The task as a JSON-ready dict (without the raw answer)."""
    return {
        "id": task.id,
        "model": task.model,
        "status": str(task.status.value),
        "raw_status": task.raw_status,
        "progress": task.progress,
        "video_url": task.video_url,
        "error_code": task.error_code,
        "error_message": task.error_message,
        "created_at": task.created_at,
        "completed_at": task.completed_at,
    }


def _print_task(console: Console, task: Task) -> None:
    rows: list[tuple[str, object]] = [
        ("task", task.id),
        ("model", task.model),
        ("status", task.status.value + (f" ({task.raw_status})" if task.raw_status else "")),
        ("progress", f"{task.progress}%"),
        ("video_url", task.video_url),
        ("error", ": ".join(x for x in (task.error_code, task.error_message) if x) or None),
        ("created_at", task.created_at.isoformat() if task.created_at else None),
        ("completed_at", task.completed_at.isoformat() if task.completed_at else None),
    ]
    for name, value in rows:
        if value is not None:
            console.out(f"{name:<13}{value}")


def file_facts(path: Path) -> dict[str, Any]:
    """Path, byte size and (when the header is readable) duration, size and sound of a video file.

    ``sound`` is True when the file holds an audio track, False when it holds
    none, None when the header could not be read.
    """
    facts: dict[str, Any] = {
        "path": str(path),
        "bytes": path.stat().st_size,
        "duration": None,
        "sound": None,
    }
    try:
        info = read_mp4_info(path)
    except (Mp4InfoError, OSError):
        return facts
    facts["duration"] = round(info.duration, 3)
    facts["sound"] = info.has_audio
    if info.width and info.height:
        facts["width"], facts["height"] = info.width, info.height
    return facts


def _print_file(console: Console, facts: Mapping[str, Any], task: Task | None = None) -> None:
    duration = facts["duration"]
    if task is not None:
        console.out(f"task         {task.id}")
    console.out(f"path         {facts['path']}")
    console.out(f"bytes        {facts['bytes']}")
    console.out(f"duration     {'unknown' if duration is None else f'{duration:.2f} s'}")
    if "width" in facts:
        console.out(f"resolution   {facts['width']}x{facts['height']}")
    sound = facts.get("sound")
    if sound is not None:
        console.out(f"sound        {'yes (audio track)' if sound else 'none (silent)'}")


def resume_hint(ctx: CommandContext, task_id: str, *, download_to: str | None = None) -> str:
    """The command that resumes: ``wan-r2v wait ID [-o PATH]``, or ``download ID PATH``.

    A base URL given as a flag is repeated (one from the environment is not);
    the key never is.
    """
    words = ["wan-r2v"]
    if ctx.args.base_url:
        words += ["--base-url", ctx.args.base_url]
    if download_to is not None:
        words += ["download", task_id, download_to]
    else:
        output = getattr(ctx.args, "output", None)
        words += ["wait", task_id, *(["-o", output] if output else [])]
    return shlex.join(words)


def _wait_and_maybe_download(
    ctx: CommandContext, client: Client, task: Task | str, output: str | None
) -> int:
    task_id = task if isinstance(task, str) else task.id
    bar = ProgressBar(ctx.console, enabled=not ctx.quiet)
    wait_kwargs: dict[str, Any] = {"on_progress": bar.update}
    if ctx.args.timeout is not None:
        wait_kwargs["timeout"] = ctx.args.timeout
    if ctx.args.poll_interval is not None:
        wait_kwargs["poll_interval"] = ctx.args.poll_interval
    try:
        finished = client.wait(task, **wait_kwargs)
    finally:
        bar.close()
    if output is None:
        if ctx.args.json:
            ctx.console.json({"task": task_summary(finished)})
        else:
            _print_task(ctx.console, finished)
        return ExitCode.OK
    ctx.hint(f"downloading {task_id} ...")
    path = _download(ctx, client, finished, output, during=" during the download")
    facts = file_facts(Path(path))
    if ctx.args.json:
        ctx.console.json({"task": task_summary(finished), "file": facts})
    else:
        _print_file(ctx.console, facts, finished)
    return ExitCode.OK


def stopped(stop: KeyboardInterrupt) -> str:
    """``interrupted`` (Ctrl-C) or ``interrupted by SIGTERM`` (a stop signal handled as Ctrl-C)."""
    name = signal_name(stop)
    return "interrupted" if name == "Ctrl-C" else f"interrupted by {name}"


def _download(
    ctx: CommandContext,
    client: Client,
    task: Task | str,
    output: str,
    *,
    overwrite: bool = True,
    during: str = "",
) -> Path:
    """Download; when stopped, say what was left (after looking) and how to resume."""
    from .._download import TargetWatch  # here: the CLI's startup needs no HTTP stack

    task_id = task if isinstance(task, str) else task.id
    watch = TargetWatch(output, task_id)
    try:
        return client.download(task, output, overwrite=overwrite)
    except KeyboardInterrupt as stop:
        parts = watch.parts()
        if parts:
            left = "a partial file could not be removed: " + ", ".join(map(str, parts))
        elif watch.saved():
            left = f"the video was saved to {watch.path} just before"
        else:
            left = "no file was left"
        ctx.console.err(
            f"{stopped(stop)}{during}; {left}. Resume with: "
            + resume_hint(ctx, task_id, download_to=output)
        )
        raise Handled(exit_code_for(stop)) from None


class Handled(Exception):
    """The command already told the user; exit with this code."""

    def __init__(self, code: ExitCode) -> None:
        super().__init__(code)
        self.code = code


# --- subcommands --------------------------------------------------------------------------------


def _build_request(ctx: CommandContext, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The validated wire body (nothing sent, no configuration needed)."""
    try:
        with _client(ctx, dry_run=True) as offline:
            body = offline.build_request(**kwargs)
    except ValidationError as exc:
        raise ValidationError([*ctx.problems, *exc.problems]) from None
    if ctx.problems:
        raise ValidationError(ctx.problems)
    return body


def _create(ctx: CommandContext, client: Client, kwargs: dict[str, Any]) -> Task:
    """Create the task; on Ctrl-C, say that it may exist (it is never created twice by us)."""
    try:
        return client.create(**kwargs)
    except KeyboardInterrupt as stop:
        ctx.console.err(
            f"{stopped(stop)} while creating: the task may exist on the gateway (and be billed); "
            "look for it before creating again"
        )
        raise Handled(exit_code_for(stop)) from None


def cmd_create(ctx: CommandContext) -> int:
    """Create a task and print its id (or, with --dry-run, the request it would send)."""
    kwargs = _create_kwargs(ctx.args)
    body = _build_request(ctx, kwargs)  # request problems first, before configuration ones
    if ctx.args.dry_run:
        ctx.console.json(body)
        return ExitCode.OK
    with _client(ctx) as client:
        task = _create(ctx, client, kwargs)
    if ctx.args.json:
        ctx.console.json({"task": task_summary(task)})
    else:
        ctx.console.out(task.id)
        ctx.hint(f"created; wait for it with: {resume_hint(ctx, task.id)}")
    return ExitCode.OK


def cmd_generate(ctx: CommandContext) -> int:
    """Create a task, wait with a progress bar, download the video."""
    if ctx.args.dry_run:
        return cmd_create(ctx)
    kwargs = _create_kwargs(ctx.args)
    _build_request(ctx, kwargs)  # request problems first, before configuration ones
    output: str = ctx.args.output
    with _client(ctx) as client:
        task = _create(ctx, client, kwargs)
        # Printed at once, on stderr (even with --json and --quiet): the token to resume with.
        ctx.console.err(f"task {task.id} created (resume with: {resume_hint(ctx, task.id)})")
        try:
            return _wait_and_maybe_download(ctx, client, task, output)
        except KeyboardInterrupt as stop:
            ctx.console.err(
                f"{stopped(stop)}; task {task.id} goes on. Resume with: {resume_hint(ctx, task.id)}"
            )
            raise Handled(exit_code_for(stop)) from None


def cmd_wait(ctx: CommandContext) -> int:
    """Wait for an existing task; download it when -o is given."""
    task_id: str = ctx.args.task_id
    output: str | None = ctx.args.output
    with _client(ctx) as client:
        try:
            return _wait_and_maybe_download(ctx, client, task_id, output)
        except KeyboardInterrupt as stop:
            ctx.console.err(
                f"{stopped(stop)}; task {task_id} goes on. Resume with: {resume_hint(ctx, task_id)}"
            )
            raise Handled(exit_code_for(stop)) from None


def cmd_status(ctx: CommandContext) -> int:
    """Query a task once and print it."""
    with _client(ctx) as client:
        task = client.get(ctx.args.task_id)
    if ctx.args.json:
        ctx.console.json({"task": task_summary(task)})
    else:
        _print_task(ctx.console, task)
    return ExitCode.OK


def cmd_download(ctx: CommandContext) -> int:
    """Download a finished task's video."""
    task_id: str = ctx.args.task_id
    with _client(ctx) as client:
        try:
            path = _download(ctx, client, task_id, ctx.args.path, overwrite=ctx.args.overwrite)
        except TargetExistsError as exc:
            raise UsageError(
                f"{exc.filename} exists; drop --no-overwrite or choose another path"
            ) from None
    facts = file_facts(Path(path))
    if ctx.args.json:
        ctx.console.json({"file": facts})
    else:
        _print_file(ctx.console, facts)
    return ExitCode.OK


def preset_summary(preset: Preset) -> dict[str, Any]:
    """A preset as a JSON-ready dict."""
    return {
        "model": preset.model,
        "tier": preset.tier,
        "resolution": preset.resolution,
        "audio": preset.audio,
        "sizes": dict(preset.sizes),
        "min_duration": preset.min_duration,
        "max_duration": preset.max_duration,
        "min_references": preset.min_references,
        "max_references": preset.max_references,
        "max_videos": preset.max_videos,
        "max_negative_prompt_chars": preset.max_negative_prompt_chars,
    }


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _sound(audio: bool | None) -> str:
    return {True: "audio", False: "silent", None: "default"}[audio]


def cmd_models(ctx: CommandContext) -> int:
    """Print the model presets: ids, sizes, durations and limits."""
    presets = list(PRESETS.values())
    if ctx.args.json:
        ctx.console.json({"models": [preset_summary(p) for p in presets]})
        return ExitCode.OK
    rows = [["MODEL", "TIER", "RESOLUTION", "SOUND", "DURATION", "REFERENCES", "NEGATIVE"]]
    rows += [
        [
            p.model,
            p.tier,
            p.resolution,
            _sound(p.audio),
            f"{p.min_duration}-{p.max_duration} s",
            f"{p.min_references}-{p.max_references} (videos <= {p.max_videos})",
            f"<= {p.max_negative_prompt_chars} chars",
        ]
        for p in presets
    ]
    for line in _table(rows):
        ctx.console.out(line)
    resolutions: dict[str, Mapping[str, str]] = {}
    for p in presets:
        resolutions.setdefault(p.resolution, p.sizes)
    aspects: list[str] = []
    for sizes in resolutions.values():
        aspects += [a for a in sizes if a not in aspects]
    size_rows = [["ASPECT (--aspect)", *(f"{r} (--size)" for r in resolutions)]]
    size_rows += [[a, *(s.get(a, "-") for s in resolutions.values())] for a in aspects]
    ctx.console.out()
    for line in _table(size_rows):
        ctx.console.out(line)
    return ExitCode.OK


def cmd_sandbox(ctx: CommandContext) -> int:
    """Run the local sandbox gateway in the foreground (needs the `sandbox` extra)."""
    try:
        module = importlib.import_module("wan_r2v.sandbox.__main__")
    except ImportError as exc:
        raise UsageError(sandbox_missing(exc)) from None
    sandbox_main: Callable[[list[str] | None], int] = module.main
    try:
        return int(sandbox_main(list(ctx.extra)))
    except KeyboardInterrupt:
        return ExitCode.OK


#: Commands that validate a request: they list parsing problems together with the request's.
REQUEST_COMMANDS = frozenset({"create", "generate"})

COMMANDS: Mapping[str, Callable[[CommandContext], int]] = {
    "generate": cmd_generate,
    "create": cmd_create,
    "status": cmd_status,
    "wait": cmd_wait,
    "download": cmd_download,
    "models": cmd_models,
    "sandbox": cmd_sandbox,
    "batch": cmd_batch,
}

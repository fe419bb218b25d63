"""`wan-r2v batch run|status`: parse, call `wan_r2v.batch`, print (progress, outcome lines, summary)."""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ._console import Console, to_jsonable
from ._exit_codes import ExitCode, exit_code_for

if TYPE_CHECKING:
    from ..batch import BatchProgress, BatchStatus, JobOutcome
    from ._commands import CommandContext

__all__ = ["add_batch_parser", "cmd_batch", "create_field_aliases", "format_progress"]


def _names(text: str) -> list[str] | bool:
    """``--retry-failed`` alone: every job; ``--retry-failed=a,b``: those jobs."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    return names or True


def add_batch_parser(
    sub: Callable[[str, str], argparse.ArgumentParser],
    *,
    positive_float: Callable[[str], float],
    positive_int: Callable[[str], int],
) -> None:
    """The ``batch run`` and ``batch status`` subcommands (`sub(name, help)` makes one)."""
    run = sub("run", "run a JSONL/CSV file of jobs; rerun the same command to resume")
    run.add_argument("jobs", metavar="JOBS", help="a .jsonl or .csv file, one job per line/row")
    run.add_argument(
        "-o", "--output", metavar="DIR", required=True, help="folder for NAME.mp4 files"
    )
    run.add_argument(
        "--journal",
        metavar="PATH",
        help="the SQLite journal (default: JOBS.journal.sqlite next to the jobs file)",
    )
    run.add_argument(
        "--max-in-flight",
        metavar="N",
        type=positive_int,
        default=None,
        help="tasks at the gateway at once (default 10; gateways cap them per key)",
    )
    run.add_argument(
        "--creates-per-minute",
        metavar="N",
        type=positive_float,
        help="pace of creates (default: no cap)",
    )
    run.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=positive_float,
        default=None,
        help="wait at most this long for each task (it goes on; a rerun resumes it)",
    )
    run.add_argument(
        "--poll-interval",
        metavar="SECONDS",
        type=positive_float,
        default=None,
        help="seconds between queries",
    )
    run.add_argument(
        "--skip-invalid",
        action="store_true",
        help="run the valid jobs even when some lines are invalid",
    )
    run.add_argument(
        "--retry-failed",
        metavar="NAMES",
        nargs="?",
        const=True,
        default=False,
        type=_names,
        help="create failed jobs again (all, or =NAME,NAME); a failed download is only downloaded again",
    )
    run.add_argument(
        "--recreate-uncertain",
        metavar="NAMES",
        nargs="?",
        const=True,
        default=False,
        type=_names,
        help="create uncertain jobs again (all, or =NAME,NAME): their first create may exist and be billed",
    )
    run.add_argument(
        "--upload-to",
        metavar="S3_URL",
        help="where local reference files named in the jobs are uploaded, e.g. s3://bucket/prefix "
        "(default: $WAN_R2V_UPLOAD_URL; needs wan-r2v[s3])",
    )
    run.add_argument(
        "--any-model",
        action="store_true",
        help="allow model ids missing from the preset table",
    )
    status = sub("status", "counts by state and failures with reasons, from a journal")
    status.add_argument("journal", metavar="JOURNAL", help="the journal file (JOBS.journal.sqlite)")


def create_field_aliases(
    parser_factory: Callable[[argparse.ArgumentParser], None],
) -> dict[str, str]:
    """The CLI's flag names of the create fields (``video`` -> ``videos``), read from its parser."""
    probe = argparse.ArgumentParser(add_help=False)
    parser_factory(probe)
    aliases: dict[str, str] = {}
    for action in probe._actions:
        for option in action.option_strings:
            if option.startswith("--") and not option.startswith("--no-"):
                name = option[2:].replace("-", "_")
                if name != action.dest:
                    aliases[name] = action.dest
    return aliases


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_progress(p: BatchProgress) -> str:
    """One line for the whole batch: done / running / failed / pending / ETA."""
    waiting = sum(v for k, v in p.counts.items() if k.value == "pending")
    eta = "--:--" if p.eta is None else _clock(p.eta)
    limited = f"  429s {p.rate_limited}" if p.rate_limited else ""
    return (
        f"batch {p.done}/{p.total} done  {p.running} running  {p.failed} failed  "
        f"{waiting} pending  elapsed {_clock(p.now - p.started)}  eta {eta}{limited}"
    )


class _Display:
    """Progress on stderr: a line redrawn in place on a terminal, else one line per ended job."""

    def __init__(self, console: Console, *, enabled: bool) -> None:
        self.console = console
        self.enabled = enabled
        self.live = enabled and console.stderr_is_tty()
        self._drawn = 0
        self._last_draw = 0.0
        self._latest: BatchProgress | None = None

    def progress(self, p: BatchProgress) -> None:
        self._latest = p
        now = time.monotonic()
        if self.live and now - self._last_draw >= 0.1:
            self._last_draw = now
            self._draw(format_progress(p))

    def _draw(self, line: str) -> None:
        padding = " " * max(0, self._drawn - len(line))
        self.console.err_raw("\r" + line + padding)
        self._drawn = len(line)

    def ended(self, outcome: JobOutcome, index: int, total: int) -> None:
        if not self.enabled or outcome.earlier:
            return
        text = _outcome_line(outcome)
        if self.live:
            self._clear()
            self.console.err(f"[{index}/{total}] {text}")
            if self._latest is not None:
                self._draw(format_progress(self._latest))
        else:
            self.console.err(f"[{index}/{total}] {text}")

    def _clear(self) -> None:
        if self._drawn:
            self.console.err_raw("\r" + " " * self._drawn + "\r")
            self._drawn = 0

    def close(self) -> None:
        if self.live:
            self._clear()


def _outcome_line(o: JobOutcome) -> str:
    if o.state.value == "downloaded":
        return f"{o.name}: downloaded -> {o.file}"
    if o.state.value == "created":
        return f"{o.name}: still running at the gateway (task {o.task_id}); rerun to resume"
    reason = f" ({o.error_stage}): {o.error}" if o.error else ""
    task = f" [task {o.task_id}]" if o.task_id else ""
    return f"{o.name} (line {o.line}): {o.state.value}{task}{reason}"


def _summary(outcomes: list[JobOutcome], journal: Path, elapsed: float) -> dict[str, Any]:
    counts = Counter(o.state.value for o in outcomes)
    return {
        "total": len(outcomes),
        "counts": dict(sorted(counts.items())),
        "ended_this_run": sum(1 for o in outcomes if not o.earlier),
        "elapsed_s": round(elapsed, 3),
        "journal": str(journal),
    }


def _exit_code(outcomes: list[JobOutcome]) -> ExitCode:
    states = {o.state.value for o in outcomes}
    if states <= {"downloaded"}:
        return ExitCode.OK
    if states & {"failed", "uncertain"}:
        return ExitCode.TASK_FAILED
    return ExitCode.WAIT_TIMEOUT  # some still at the gateway (or not started): rerun


def cmd_batch(ctx: CommandContext) -> int:
    """``batch run`` or ``batch status``."""
    if ctx.args.batch_command == "status":
        return _status(ctx)
    return _run(ctx)


def _run(ctx: CommandContext) -> int:
    import asyncio

    from ..aclient import AsyncClient
    from ..batch import (
        BatchAborted,
        InvalidJobsError,
        JournalBusyError,
        JournalMismatchError,
        default_journal_path,
        job_has_local_files,
        load_jobs,
        run_batch,
    )
    from ._args import _add_create_fields
    from ._commands import UsageError, client_kwargs
    from ._uploads import uploader_for

    args = ctx.args
    jobs_path = Path(args.jobs)
    if not jobs_path.is_file():
        raise UsageError(f"no jobs file at {jobs_path}")
    aliases = create_field_aliases(_add_create_fields)
    try:
        jobs = load_jobs(
            jobs_path, skip_invalid=args.skip_invalid, aliases=aliases, strict=not args.any_model
        )
    except InvalidJobsError as exc:
        ctx.console.err(f"error: {exc.message}")
        if args.json:
            problems = [attrs.asdict(p) for p in exc.job_problems]
            error = {"type": "InvalidJobsError", "message": exc.message, "problems": problems}
            ctx.console.out(json.dumps({"error": error}, ensure_ascii=False))
        return ExitCode.USAGE
    for problem in jobs.problems:
        ctx.console.err(f"skipped: {jobs_path}: {problem}")
    journal = Path(args.journal) if args.journal else default_journal_path(jobs_path)
    options: dict[str, Any] = {
        "journal": journal,
        "retry_failed": args.retry_failed,
        "recreate_uncertain": args.recreate_uncertain,
        "creates_per_minute": args.creates_per_minute,
        "poll_interval": args.poll_interval,
    }
    if args.max_in_flight is not None:
        options["max_in_flight"] = args.max_in_flight
    if args.timeout is not None:
        options["wait_timeout"] = args.timeout
    kwargs = client_kwargs(ctx)
    if any(job_has_local_files(job) for job in jobs.jobs):
        try:
            kwargs["uploader"] = uploader_for(args, ctx.environ, ctx.console, quiet=ctx.quiet)
        except (ImportError, ValueError) as exc:
            raise UsageError(f"local reference files cannot be uploaded: {exc}") from None
    display = _Display(ctx.console, enabled=not ctx.quiet)
    outcomes: list[JobOutcome] = []
    started = time.monotonic()
    total = len(jobs.jobs)

    async def go() -> None:
        async with AsyncClient(**kwargs) as client:
            async for outcome in run_batch(
                jobs, args.output, client=client, on_progress=display.progress, **options
            ):
                outcomes.append(outcome)
                display.ended(outcome, len(outcomes), total)
                if args.json:
                    ctx.console.out(json.dumps(to_jsonable(outcome.to_dict()), ensure_ascii=False))

    try:
        asyncio.run(go())
    except (JournalBusyError, JournalMismatchError) as exc:
        display.close()
        ctx.console.err(f"error: {exc.message}")
        if args.json:
            error = {"type": type(exc).__name__, "message": exc.message}
            ctx.console.out(json.dumps({"error": error}, ensure_ascii=False))
        return ExitCode.USAGE
    except BatchAborted as exc:
        display.close()
        ctx.console.err(f"error: {exc.message}")
        if args.json:
            ctx.console.out(json.dumps({"error": {"type": "BatchAborted", "message": exc.message}}))
        return ExitCode.API
    except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM/SIGHUP raised as it
        display.close()
        ctx.console.err(
            f"interrupted; every job is recorded in {journal}: run the same command again to resume "
            "(creates already on the way were answered and recorded first)"
        )
        return exit_code_for(stop)
    display.close()
    summary = _summary(outcomes, journal, time.monotonic() - started)
    if args.json:
        ctx.console.out(json.dumps({"summary": summary}, ensure_ascii=False))
    else:
        _print_summary(ctx.console, outcomes, summary)
    return _exit_code(outcomes)


def _print_summary(
    console: Console, outcomes: list[JobOutcome], summary: Mapping[str, Any]
) -> None:
    counts = ", ".join(f"{n} {state}" for state, n in summary["counts"].items())
    console.out(
        f"{summary['total']} jobs: {counts} ({summary['ended_this_run']} ended in this run, "
        f"{summary['elapsed_s']:.1f} s); journal: {summary['journal']}"
    )
    for o in outcomes:
        if o.state.value != "downloaded":
            console.out(f"  {_outcome_line(o)}")
    if any(o.state.value == "failed" for o in outcomes):
        console.out("  retry the failed jobs with: --retry-failed (or --retry-failed=NAME,NAME)")
    if any(o.state.value == "uncertain" for o in outcomes):
        console.out(
            "  uncertain jobs may exist (and be billed) on the gateway; --recreate-uncertain creates them anew"
        )


def _status(ctx: CommandContext) -> int:
    from ..batch import read_status
    from ._commands import UsageError

    path = Path(ctx.args.journal)
    if not path.is_file():
        raise UsageError(f"no journal at {path}")
    status = read_status(path)
    if ctx.args.json:
        ctx.console.json(status.to_dict())
    else:
        _print_status(ctx.console, status)
    return ExitCode.OK


def _print_status(console: Console, status: BatchStatus) -> None:
    counts = "  ".join(f"{state} {n}" for state, n in status.counts.items() if n)
    console.out(f"{status.journal}: {status.total} jobs  {counts}")
    if status.output:
        console.out(f"output: {status.output}")
    for title, rows in (("failed", status.failed), ("uncertain", status.uncertain)):
        if rows:
            console.out(f"{title}:")
            for r in rows:
                task = f" [task {r.task_id}]" if r.task_id else ""
                console.out(
                    f"  {r.name} (line {r.line}, {r.attempts} create(s)){task}: "
                    f"{r.error_stage or ''} {r.error or ''}".rstrip()
                )

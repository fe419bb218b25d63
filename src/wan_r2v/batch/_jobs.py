"""A batch's input: a JSONL or CSV file, one job per line or row, validated whole before anything is sent.

A job holds the keyword arguments of ``create()`` (their names come from
`CreateParams`, the one list of create fields; the CLI may add its flag names as
aliases), plus ``name`` (the output file, ``NAME.mp4``) and per-job overrides
(``timeout``: seconds to wait for the task; ``poll_interval``). Every problem of
every line is collected, with its line number, so one pass tells the user all
there is to fix.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import re
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

from .._core import CreateParams, request_field_names, request_fields
from .._core._local_files import build_body_with_files
from ..errors import Problem, ValidationError
from ..presets import PRESETS, Preset
from ..references import local_path_of

__all__ = [
    "CREATE_FIELDS",
    "OVERRIDES",
    "InvalidJobsError",
    "Job",
    "JobProblem",
    "Jobs",
    "load_jobs",
    "parse_jobs",
]

#: The fields a job may set: the create body's fields (`request_field_names`, read from the
#: generated models), then create()'s conveniences (``aspect``, ``tier``...) from `CreateParams`.
CREATE_FIELDS: tuple[str, ...] = (
    *request_field_names(),
    *(name for name in CreateParams.__annotations__ if name not in request_field_names()),
)
#: Job fields that are not sent: the output name and per-job overrides.
OVERRIDES: tuple[str, ...] = ("name", "timeout", "poll_interval")

#: Fields whose values may name local files (a test checks this against `prepare_references`):
#: a relative path in a jobs file is relative to the file's folder, not the current one.
REFERENCE_FIELDS: tuple[str, ...] = ("videos", "images", "audio")

Kind = Literal["str", "int", "bool", "list", "other"]
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,199}$")


def _kind(hint: object) -> Kind:
    """How a CSV cell of a field with this type hint is read (the hint comes from `CreateParams`)."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    origin = typing.get_origin(hint)
    if origin in (typing.Required, typing.NotRequired):
        return _kind(args[0])
    if origin in (typing.Union, types.UnionType):
        kinds = {_kind(a) for a in args}
        order: tuple[Kind, ...] = ("list", "bool", "int", "str")
        return next((kind for kind in order if kind in kinds), "other")
    if origin is not None and isinstance(origin, type) and issubclass(origin, Sequence):
        return "list"
    if hint is bool:
        return "bool"
    if hint is int:
        return "int"
    if hint is str or (isinstance(hint, type) and issubclass(hint, str)):
        return "str"
    if origin is Literal:
        return "str"
    return "other"


def _field_kinds() -> dict[str, Kind]:
    hints = typing.get_type_hints(CreateParams, include_extras=True)
    lists = {f.name for f in request_fields() if f.is_list}
    return {
        name: "list" if name in lists else _kind(hints[name]) if name in hints else "other"
        for name in CREATE_FIELDS
    }


_KINDS = _field_kinds()


@attrs.frozen
class JobProblem:
    """One problem of one job: its line (1-based; a CSV row's first line), field and what to change."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class InvalidJobsError(ValidationError):
    """The jobs file has problems; nothing was sent. `job_problems` lists every one with its line.

    A `ValidationError` (exit code 2 in the CLI) whose `problems` name the line in their field.
    """

    def __init__(self, path: str, problems: Sequence[JobProblem]) -> None:
        self.job_problems: tuple[JobProblem, ...] = tuple(problems)
        super().__init__(
            [
                Problem(f"line {p.line}" + (f": {p.field}" if p.field else ""), p.message)
                for p in self.job_problems
            ]
        )
        lines = {p.line for p in self.job_problems}
        shown = "\n".join(f"  - {p}" for p in self.job_problems[:200])
        extra = len(self.job_problems) - 200
        more = f"\n  ... and {extra} more" if extra > 0 else ""
        self.message = (
            f"{path}: {len(self.job_problems)} problem(s) on {len(lines)} line(s); nothing was sent. "
            f"Fix them, or pass --skip-invalid (skip_invalid=True) to run the valid jobs only:\n"
            f"{shown}{more}"
        )
        self.args = (self.message,)


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return types.MappingProxyType(dict(mapping))


@attrs.frozen
class Job:
    """One valid job: its line, output name, create() arguments and overrides."""

    line: int
    #: The output file's stem (``NAME.mp4`` in the output folder); unique in the batch.
    name: str
    #: create()'s keyword arguments, JSON values only.
    params: Mapping[str, Any] = attrs.field(converter=_frozen)
    #: Seconds to wait for the task (None: the batch's default).
    timeout: float | None = None
    poll_interval: float | None = None

    @property
    def filename(self) -> str:
        """The output file's name."""
        return f"{self.name}.mp4"

    @property
    def fingerprint(self) -> str:
        """A digest of what is sent, to tell a changed job from the one in a journal."""
        text = json.dumps(dict(self.params), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def create_params(self) -> CreateParams:
        """The arguments for ``create()`` (lists copied)."""
        return typing.cast(
            CreateParams,
            {k: list(v) if isinstance(v, list) else v for k, v in self.params.items()},
        )


@attrs.frozen
class Jobs:
    """A whole jobs file: the valid jobs in order, and the problems of the others."""

    path: str
    jobs: tuple[Job, ...]
    problems: tuple[JobProblem, ...] = ()
    #: Lines of jobs left out because they are invalid.
    skipped_lines: tuple[int, ...] = ()


# --- reading ---------------------------------------------------------------------------------


def _normal(key: str) -> str:
    return key.strip().lower().replace("-", "_").lstrip("_")


def _records(text: str, fmt: str) -> Iterator[tuple[int, object]]:
    """(line, record) pairs: a dict, or a `JobProblem` for a line that is not one."""
    if fmt == "jsonl":
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                yield (
                    number,
                    JobProblem(number, "", f"not valid JSON ({exc.msg} at column {exc.colno})"),
                )
                continue
            if not isinstance(record, dict):
                yield (
                    number,
                    JobProblem(number, "", f"a job is a JSON object, not {type(record).__name__}"),
                )
                continue
            yield number, record
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, JobProblem(line, "", f"not valid CSV ({exc})")
            return
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [_normal(h) for h in row]
            seen: set[str] = set()
            for h in header:
                if h in seen:
                    yield line, JobProblem(line, h, "column appears twice; keep one")
                seen.add(h)
            continue
        if len(row) > len(header):
            yield (
                line,
                JobProblem(
                    line, "", f"{len(row)} cells but the header names {len(header)} columns"
                ),
            )
            continue
        yield line, {h: cell for h, cell in zip(header, row, strict=False) if cell.strip() != ""}


def _csv_value(kind: Kind, text: str, field: str, line: int, problems: list[JobProblem]) -> object:
    text = text.strip()
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            return text  # the create rules say what is wrong with it
    if kind == "bool":
        word = text.lower()
        if word in ("true", "yes", "1", "y"):
            return True
        if word in ("false", "no", "0", "n"):
            return False
        problems.append(JobProblem(line, field, f"{text!r} is not true/false"))
        return None
    if kind == "list":
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                problems.append(
                    JobProblem(
                        line,
                        field,
                        'a list cell is a JSON array ["a", "b"] or items separated by "|"',
                    )
                )
                return None
            return value
        return [part.strip() for part in text.split("|") if part.strip()]
    return text


def _number(value: object, field: str, line: int, problems: list[JobProblem]) -> float | None:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        problems.append(
            JobProblem(line, field, f"must be a positive number of seconds, not {value!r}")
        )
        return None
    return float(value)


def _job(
    line: int,
    record: Mapping[str, object],
    *,
    from_csv: bool,
    aliases: Mapping[str, str],
    presets: Mapping[str, Preset],
    strict: bool,
    base_dir: Path | None,
    problems: list[JobProblem],
) -> Job | None:
    before = len(problems)
    params: dict[str, Any] = {}
    overrides: dict[str, object] = {}
    for key, value in record.items():
        field = _normal(str(key))
        field = aliases.get(field, field)
        if field in OVERRIDES:
            overrides[field] = value
            continue
        if field not in _KINDS:
            known = ", ".join((*CREATE_FIELDS, *OVERRIDES))
            problems.append(JobProblem(line, str(key), f"unknown field; known: {known}"))
            continue
        if field in params:
            problems.append(JobProblem(line, str(key), f"given twice (as {field})"))
            continue
        if from_csv and isinstance(value, str):
            value = _csv_value(_KINDS[field], value, field, line, problems)
        if value is not None:
            params[field] = value
    name: object = overrides.get("name")
    if name is not None:
        if isinstance(name, str) and name.lower().endswith(".mp4"):
            name = name[:-4]
        if not isinstance(name, str) or not _NAME.match(name) or name.strip() != name:
            problems.append(
                JobProblem(
                    line,
                    "name",
                    f"{name!r} is not a plain file name (letters, digits, '.', '_', '-', spaces; "
                    "no folders, not hidden)",
                )
            )
            name = None
    timeout = overrides.get("timeout")
    poll = overrides.get("poll_interval")
    timeout_s = _number(timeout, "timeout", line, problems) if timeout is not None else None
    poll_s = _number(poll, "poll_interval", line, problems) if poll is not None else None
    if base_dir is not None:
        _anchor_paths(params, base_dir)
    try:
        build_body_with_files(
            typing.cast(CreateParams, params),
            presets=presets,
            strict=strict,
            uploads=None,
            need_uploader=False,  # whether the client can upload is the runner's question
        )
    except ValidationError as exc:
        problems.extend(JobProblem(line, p.field, p.message) for p in exc.problems)
    if len(problems) > before:
        return None
    return Job(
        line=line,
        name=name if isinstance(name, str) else f"job-{line:05d}",
        params=params,
        timeout=timeout_s,
        poll_interval=poll_s,
    )


def _anchored(value: object, base_dir: Path) -> object:
    path = local_path_of(value)
    if path is None or path.is_absolute():
        return value
    return str(base_dir / path)


def _anchor_paths(params: dict[str, Any], base_dir: Path) -> None:
    """Relative local paths in reference fields, made relative to the jobs file's folder."""
    for field in REFERENCE_FIELDS:
        value = params.get(field)
        if isinstance(value, list):
            params[field] = [_anchored(item, base_dir) for item in value]
        elif value is not None:
            params[field] = _anchored(value, base_dir)


def job_has_local_files(job: Job) -> bool:
    """Whether a job names a local reference file (so the client needs an uploader)."""
    for field in REFERENCE_FIELDS:
        value = job.params.get(field)
        values = value if isinstance(value, list) else [value]
        if any(local_path_of(v) is not None for v in values if v is not None):
            return True
    return False


def _format(path: str, text: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    return "jsonl" if text.lstrip().startswith("{") else "csv"


def parse_jobs(
    text: str,
    *,
    path: str = "<jobs>",
    fmt: Literal["jsonl", "csv"] | None = None,
    aliases: Mapping[str, str] | None = None,
    presets: Mapping[str, Preset] = PRESETS,
    strict: bool = True,
    base_dir: Path | None = None,
) -> Jobs:
    """Every job of a JSONL or CSV text, and every problem with its line number.

    Local reference files are checked as ``create()`` checks them; relative paths are
    taken relative to `base_dir` (the jobs file's folder; None: the current one).
    """
    kind = fmt or _format(path, text)
    problems: list[JobProblem] = []
    jobs: list[Job] = []
    bad_lines: list[int] = []
    names: dict[str, int] = {}
    for line, record in _records(text, kind):
        if isinstance(record, JobProblem):
            problems.append(record)
            bad_lines.append(line)
            continue
        assert isinstance(record, dict)
        job = _job(
            line,
            record,
            from_csv=kind == "csv",
            aliases=aliases or {},
            presets=presets,
            strict=strict,
            base_dir=base_dir,
            problems=problems,
        )
        if job is None:
            bad_lines.append(line)
            continue
        key = job.name.lower()  # one file on case-insensitive file systems too
        if key in names:
            problems.append(
                JobProblem(
                    line, "name", f"{job.name!r} is taken by line {names[key]}; names must differ"
                )
            )
            bad_lines.append(line)
            continue
        names[key] = line
        jobs.append(job)
    if not jobs and not problems:
        problems.append(JobProblem(0, "", "no jobs in the file"))
    return Jobs(
        path=path, jobs=tuple(jobs), problems=tuple(problems), skipped_lines=tuple(bad_lines)
    )


def load_jobs(
    path: str | Path,
    *,
    skip_invalid: bool = False,
    aliases: Mapping[str, str] | None = None,
    presets: Mapping[str, Preset] = PRESETS,
    strict: bool = True,
) -> Jobs:
    """Read and validate a jobs file; `InvalidJobsError` lists every problem unless `skip_invalid`."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidJobsError(
            str(path), [JobProblem(0, "", f"not UTF-8 text ({exc.reason})")]
        ) from None
    jobs = parse_jobs(
        text,
        path=str(path),
        aliases=aliases,
        presets=presets,
        strict=strict,
        base_dir=Path(path).absolute().parent,
    )
    if jobs.problems and (not skip_invalid or not jobs.jobs):
        raise InvalidJobsError(str(path), jobs.problems)
    return jobs

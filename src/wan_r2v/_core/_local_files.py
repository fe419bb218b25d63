"""Local reference files in the create call: checked with the body's rules, uploaded before the create.

`build_body_with_files` returns the validated body (placeholders where local
files go) and the files to upload; every problem of the arguments and of the
files comes in one `ValidationError`, before anything is uploaded or sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wan_r2v_api.models import CreateVideoRequest

from ..errors import Problem, ValidationError
from ..presets import Preset, ReferenceLimits
from ..references import (
    LocalFile,
    PreparedReferences,
    UploaderSource,
    names_local_files,
    prepare_references,
    substitute,
)
from ..references._uploads import AsyncUploader, Uploader
from ._create_body import CreateParams, build_create_body, preset_of

__all__ = ["DEFAULT_WAIT_TIMEOUT", "build_body_with_files", "limits_for", "with_file_uris"]

#: The default of ``wait(timeout=...)``: what a reference URL must outlive after a bare create().
DEFAULT_WAIT_TIMEOUT = 900.0


def limits_for(params: Mapping[str, Any], presets: Mapping[str, Preset]) -> ReferenceLimits:
    """The reference limits of the model the arguments pick (the defaults for a model outside the table)."""
    picked = preset_of(params, presets, problems=[])  # the body's own check reports them
    return picked.references if isinstance(picked, Preset) else ReferenceLimits()


def build_body_with_files(
    params: CreateParams,
    *,
    presets: Mapping[str, Preset],
    strict: bool,
    uploads: UploaderSource | None,
    need_uploader: bool = True,
) -> tuple[CreateVideoRequest, tuple[LocalFile, ...], Uploader | AsyncUploader | None]:
    """(body with placeholders, the local files, the uploader); `ValidationError` lists every problem.

    Decided here once: when no reference names a local file (only URLs), nothing is
    checked on disk and no uploader is looked for; the arguments go to the body as they are.
    """
    if names_local_files(params):
        prepared = prepare_references(params, limits_for(params, presets))
    else:
        prepared = PreparedReferences(params=params, files=(), problems=())
    problems = list(prepared.problems)
    uploader: Uploader | AsyncUploader | None = None
    if prepared.files and need_uploader:
        uploader, why = uploads.resolve() if uploads is not None else (None, None)
        if uploader is None:
            first = prepared.files[0]
            problems.append(Problem(first.field, f"{first.path} {why or 'cannot be uploaded'}"))
    try:
        body = build_create_body(prepared.params, presets=presets, strict=strict)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ValidationError([*exc.problems, *problems]) from None
    if problems:
        raise ValidationError(problems)
    return body, prepared.files, uploader


def with_file_uris(body: CreateVideoRequest, files: tuple[LocalFile, ...]) -> CreateVideoRequest:
    """The body with each local file shown as its ``file://`` URI (for a dry run: nothing is uploaded)."""
    return substitute(body, [Path(f.path).resolve().as_uri() for f in files])

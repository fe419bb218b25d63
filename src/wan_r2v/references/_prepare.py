"""Find the local files among a create call's references, check them all, and stand placeholders in for them.

The placeholders (``https://local-file.invalid/N``) let the create body's own
rules count and check the references as usual; `substitute` swaps in the
uploaded files' URLs once every upload has succeeded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from wan_r2v_api.models import CreateVideoRequest

from .._frozen import Frozen, field_setter
from ..errors import Problem
from ..presets import ReferenceLimits
from ._files import LocalFile, check_local_file, local_path_of
from ._formats import Kind

__all__ = [
    "PLACEHOLDER_PREFIX",
    "PreparedReferences",
    "names_local_files",
    "prepare_references",
    "substitute",
]

#: ``.invalid`` can never resolve (RFC 2606): a placeholder that leaked would fail safely.
PLACEHOLDER_PREFIX = "https://local-file.invalid/"

#: The create arguments that take references, with the kind of media each holds.
_LIST_FIELDS: tuple[tuple[str, Kind], ...] = (("videos", "video"), ("images", "image"))


class PreparedReferences(Frozen):
    """The arguments with placeholders for local files, the files that passed, and every problem."""

    __slots__ = ("files", "local_count", "params", "problems")
    params: Mapping[str, Any]
    #: One per distinct local file, in argument order; placeholder N names ``files[N]``.
    files: tuple[LocalFile, ...]
    problems: tuple[Problem, ...]
    #: How many arguments named a local file (a file named twice counts twice).
    local_count: int

    def __init__(
        self,
        params: Mapping[str, Any],
        files: tuple[LocalFile, ...],
        problems: tuple[Problem, ...],
        local_count: int = 0,
    ) -> None:
        set_field = field_setter(self)
        set_field("params", params)
        set_field("files", files)
        set_field("problems", problems)
        set_field("local_count", local_count)


class _Collector:
    def __init__(self, limits: ReferenceLimits) -> None:
        self.limits = limits
        self.files: list[LocalFile] = []
        self.index: dict[Path, int] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.bad = 0

    def take(self, value: object, kind: Kind, field: str) -> object:
        """The value itself when it is no local path; otherwise its placeholder URL."""
        path = local_path_of(value)
        if path is None:
            return value
        self.count += 1
        try:
            key = path.resolve()
        except (OSError, RuntimeError):
            key = path
        known = self.index.get(key)
        if known is not None and self.files[known].kind == kind:
            return f"{PLACEHOLDER_PREFIX}{known}"
        shown = value if isinstance(value, str) else str(path)
        checked = check_local_file(path, kind, field, self.limits, self.problems, shown=shown)
        if checked is None:
            self.bad += 1
            return f"{PLACEHOLDER_PREFIX}bad/{self.bad}"
        self.index[key] = len(self.files)
        self.files.append(checked)
        return f"{PLACEHOLDER_PREFIX}{len(self.files) - 1}"


def _list_of(value: object) -> Sequence[object] | None:
    """A reference list argument's items; None when it is no list (the body's rules judge it)."""
    if type(value) is list:  # the common case first
        return value
    if value is None or isinstance(value, str | bytes) or not isinstance(value, Sequence):
        return None
    return value


def names_local_files(params: Mapping[str, Any]) -> bool:
    """Whether any reference argument (``videos``, ``images``, ``audio``) names a local file.

    The same test `prepare_references` makes of each value: when it is False there
    is nothing to check on disk or upload, and the arguments go to the body as they are.
    """
    for name, _ in _LIST_FIELDS:
        items = _list_of(params.get(name))
        if items is not None and any(local_path_of(item) is not None for item in items):
            return True
    audio = params.get("audio")
    return audio is not None and local_path_of(audio) is not None


def prepare_references(params: Mapping[str, Any], limits: ReferenceLimits) -> PreparedReferences:
    """Check every local file named in ``videos``, ``images`` and ``audio``; collect all problems.

    URLs and values of other types pass through untouched (the body's rules judge them).
    """
    collector = _Collector(limits)
    changed: dict[str, Any] = {}
    for name, kind in _LIST_FIELDS:
        value = _list_of(params.get(name))
        if value is None:
            continue  # not a list: the body's rules say what it must be
        items = [collector.take(item, kind, f"{name}[{i}]") for i, item in enumerate(value)]
        if collector.count:
            changed[name] = items
    audio = params.get("audio")
    if audio is not None:
        taken = collector.take(audio, "audio", "audio")
        if taken is not audio:
            changed["audio"] = taken
    if not collector.count:
        return PreparedReferences(params=params, files=(), problems=())
    return PreparedReferences(
        params={**params, **changed},
        files=tuple(collector.files),
        problems=tuple(collector.problems),
        local_count=collector.count,
    )


def _swap(value: object, urls: Sequence[str]) -> object:
    if isinstance(value, str) and value.startswith(PLACEHOLDER_PREFIX):
        return urls[int(value.removeprefix(PLACEHOLDER_PREFIX))]
    return value


def substitute(body: CreateVideoRequest, urls: Sequence[str]) -> CreateVideoRequest:
    """The body with each placeholder replaced by its file's URL (``urls[N]`` for ``files[N]``)."""
    wire = body.to_dict()
    for name, _ in _LIST_FIELDS:
        if isinstance(wire.get(name), list):
            wire[name] = [_swap(item, urls) for item in wire[name]]
    extra = wire.get("extra_body")
    if isinstance(extra, dict) and "audio" in extra:
        extra["audio"] = _swap(extra["audio"], urls)
    return CreateVideoRequest.from_dict(wire)

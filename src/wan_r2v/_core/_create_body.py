"""Build the create call's wire body from keyword arguments: pick the model, resolve the aspect, validate.

Every problem (argument-level and wire-level) is collected and raised at once in
one `ValidationError`, before anything is sent. The body itself is built
through the generated models, so its shape is the spec's.
"""

from __future__ import annotations

import enum
import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, Required, TypedDict

from wan_r2v_api.models import CreateVideoRequest, ShotType

# Every create builds the body through `CreateVideoRequest.from_dict`, which imports the
# nested `ExtraBody` model: load it with this module, not on the first create.
from wan_r2v_api.models import ExtraBody as ExtraBody

from .._validation import check_create_body
from ..errors import Problem, ValidationError
from ..presets import Preset, Resolution, Tier
from ._fields import request_fields

__all__ = ["CreateParams", "build_create_body", "pick_preset", "preset_of"]

logger = logging.getLogger("wan_r2v")


class CreateParams(TypedDict, total=False):
    """The keyword arguments of ``create()``, ``build_request()`` and ``generate()``.

    Wire names as the gateway documents them (a reference may be a local path:
    see `wan_r2v.references`); ``aspect`` (instead of ``size``)
    and ``tier``/``resolution``/``sound`` (instead of ``model``) are conveniences.
    """

    model: str | Preset | None
    prompt: Required[str]
    videos: Sequence[str | os.PathLike[str]] | None
    images: Sequence[str | os.PathLike[str]] | None
    size: str | None
    aspect: str | None
    duration: int | None
    negative_prompt: str | None
    audio: str | os.PathLike[str] | None
    shot_type: ShotType | str | None
    enable_prompt_expansion: bool | None
    seed: int | None
    tier: NotRequired[Tier | None]
    resolution: NotRequired[Resolution | None]
    sound: NotRequired[bool | None]


def _describe(preset: Preset) -> str:
    sound = {True: "with sound", False: "silent", None: "provider default sound"}[preset.audio]
    return f"{preset.model} ({preset.tier}, {preset.resolution}, {sound})"


def pick_preset(
    *,
    model: str | Preset | None,
    tier: Tier | None,
    resolution: Resolution | None,
    sound: bool | None,
    size: str | None,
    presets: Mapping[str, Preset],
    problems: list[Problem],
) -> Preset | str | None:
    """The preset (or bare model id, for a model outside the table) the arguments pick.

    By parts: every given part must match; when several models still match,
    a given ``size`` narrows the resolution; otherwise it is a problem that
    names the part to add.
    """
    parts = {"tier": tier, "resolution": resolution, "audio": sound}
    given = {name: value for name, value in parts.items() if value is not None}
    if isinstance(model, Preset) or (model is not None and model in presets):
        preset = model if isinstance(model, Preset) else presets[model]
        for name, value in given.items():
            if getattr(preset, name) != value:
                arg = "sound" if name == "audio" else name
                problems.append(
                    Problem(
                        arg,
                        f"{arg}={value!r} contradicts model {preset.model} ({name} {getattr(preset, name)!r}); drop one",
                    )
                )
        return preset
    if model is not None:
        if given:
            problems.append(
                Problem(
                    "model",
                    f"{model!r} is not in the preset table, so tier/resolution/sound cannot be checked; drop them",
                )
            )
        return model  # unknown: the wire check reports it unless strict=False
    if not given:
        return None  # the wire check asks for a model
    matches = [p for p in presets.values() if all(getattr(p, n) == v for n, v in given.items())]
    if len(matches) > 1 and size is not None:
        matches = [p for p in matches if p.aspect_of(size) is not None] or matches
    if len(matches) == 1:
        return matches[0]
    wanted = ", ".join(f"{'sound' if n == 'audio' else n}={v!r}" for n, v in given.items())
    if not matches:
        listing = "; ".join(_describe(p) for p in presets.values())
        problems.append(Problem("model", f"no model has {wanted}; available: {listing}"))
    else:
        listing = "; ".join(_describe(p) for p in matches)
        problems.append(
            Problem(
                "model",
                f"{wanted} matches {len(matches)} models: {listing}; add a part or pass model=",
            )
        )
    return None


def _resolve_size(
    size: str | None, aspect: str | None, preset: Preset | str | None, problems: list[Problem]
) -> str | None:
    if aspect is None:
        return size
    if not isinstance(preset, Preset):
        problems.append(
            Problem(
                "aspect",
                "needs a model from the preset table to pick a size; pass size='W*H' instead",
            )
        )
        return size
    try:
        resolved = preset.size_for(aspect)
    except KeyError:
        allowed = ", ".join(preset.sizes)
        problems.append(
            Problem(
                "aspect", f"{aspect!r} is not an aspect of {preset.model}; use one of: {allowed}"
            )
        )
        return size
    if size is not None and size != resolved:
        problems.append(
            Problem(
                "size",
                f"size {size} and aspect {aspect} ({resolved}) disagree; give one of them",
            )
        )
    return resolved


def _references(value: Sequence[str | os.PathLike[str]] | None) -> object:
    """A list for the body; a bare string stays a string so the rules can say so."""
    if value is None or isinstance(value, str):
        return value
    try:
        return list(value)
    except TypeError:
        return value


def _wire(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


def _draft_body(model: str | None, params: CreateParams, size: str | None) -> dict[str, Any]:
    """The body as plain JSON, absent arguments left out, for the rules to read.

    Its keys come from the generated models (`request_fields`), so a field the
    spec adds is carried through once ``CreateParams`` names it.
    """
    values: Mapping[str, object] = {**params, "model": model, "size": size}
    body: dict[str, Any] = {"model": model, "prompt": params.get("prompt")}
    for field in request_fields():
        if field.name in body:
            continue
        value = values.get(field.name)
        value = _references(value) if field.is_list else _wire(value)  # type: ignore[arg-type]
        if value is None:
            continue
        target = body
        for key in field.parent:
            target = target.setdefault(key, {})
        target[field.name] = value
    return body


def _through_generated(body: Mapping[str, Any]) -> CreateVideoRequest:
    """The validated body as the generated model, so its keys and order are the spec's."""
    return CreateVideoRequest.from_dict(body)


_KNOWN_ARGUMENTS = tuple(CreateParams.__annotations__)
_KNOWN_ARGUMENT_SET = frozenset(_KNOWN_ARGUMENTS)


def _unknown_arguments(params: Mapping[str, object]) -> list[Problem]:
    if _KNOWN_ARGUMENT_SET.issuperset(params):
        return []
    import difflib  # only to suggest a name for a mistyped argument

    known = list(_KNOWN_ARGUMENTS)
    problems = []
    for name in params:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]}?" if close else f"; known: {', '.join(known)}"
            problems.append(Problem(name, f"unknown argument{hint}"))
    return problems


def preset_of(
    params: Mapping[str, Any], presets: Mapping[str, Preset], problems: list[Problem]
) -> Preset | str | None:
    """`pick_preset` on a create's keyword arguments (model, tier, resolution, sound, size)."""
    return pick_preset(
        model=params.get("model"),
        tier=params.get("tier"),
        resolution=params.get("resolution"),
        sound=params.get("sound"),
        size=params.get("size"),
        presets=presets,
        problems=problems,
    )


def build_create_body(
    params: CreateParams, *, presets: Mapping[str, Preset], strict: bool
) -> CreateVideoRequest:
    """The create body (``.to_dict()`` is the wire JSON) from keyword arguments.

    `ValidationError` lists every problem at once; nothing is sent before this passes.
    """
    problems = _unknown_arguments(params)
    picked = preset_of(params, presets, problems)
    size = _resolve_size(params.get("size"), params.get("aspect"), picked, problems)
    table = presets
    model_id: str | None = None
    if isinstance(picked, Preset):
        model_id = picked.model
        if presets.get(picked.model) is not picked:
            # a custom preset is the rule book for its model
            table = {**presets, picked.model: picked}
    elif isinstance(picked, str):
        model_id = picked
        if not strict and picked not in presets:
            logger.warning(
                "model %r is not in the preset table; strict=False sends it with only the model-free rules checked",
                picked,
            )
    body = _draft_body(model_id, params, size)
    picked_badly = picked is None and any(p.field == "model" for p in problems)
    problems += [
        p
        for p in check_create_body(body, presets=table, strict=strict)
        if not (picked_badly and p.field == "model")
    ]
    if problems:
        raise ValidationError(problems)
    return _through_generated(body)

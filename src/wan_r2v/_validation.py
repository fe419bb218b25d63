"""The create body's rules, checked on the wire JSON before anything is sent.

One function serves the facade (before a request) and the sandbox (on what it
receives), so the two can never disagree. Model-dependent limits come from the
preset table; this module only reads them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .errors import Problem, ValidationError
from .presets import PRESETS, SEED_MAX, SEED_MIN, Preset, parse_size

__all__ = ["SHOT_TYPES", "check_create_body", "is_http_url", "validate_create_body"]

SHOT_TYPES = ("single", "multi")
_UNKNOWN_MODEL_HINT = "pass a custom Preset, or strict=False for a gateway with other models"
#: Whitespace (``\s`` matches exactly what `str.isspace` accepts) or an ASCII control character below 32.
_BLANK_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")
#: JSON values that hold no text, skipped by the Unicode walk.
_NO_TEXT = frozenset({int, float, bool, type(None)})


def is_http_url(value: object) -> bool:
    """Whether a value is an absolute http(s) URL with a host and no whitespace."""
    if type(value) is str:
        return _is_http_url_text(value)
    return isinstance(value, str) and _is_http_url_text(str(value))  # a str subclass as plain text


@functools.lru_cache(maxsize=1024)
def _is_http_url_text(value: str) -> bool:
    """`is_http_url` of a string; cached, as batches reuse their reference URLs (pure and cheap to keep)."""
    if not value or _BLANK_OR_CONTROL.search(value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port outside 0..65535
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_urls(field: str, value: object, problems: list[Problem]) -> int:
    """Check a reference list; return how many items it has."""
    if value is None:
        return 0
    if not isinstance(value, list):
        problems.append(
            Problem(field, f"must be a list of http(s) URLs, not {type(value).__name__}")
        )
        return 0
    for index, item in enumerate(value):
        if not is_http_url(item):
            problems.append(
                Problem(
                    f"{field}[{index}]", f"{item!r} is not an http(s) URL the provider can reach"
                )
            )
    return len(value)


def _check_model(
    body: Mapping[str, Any], presets: Mapping[str, Preset], strict: bool, problems: list[Problem]
) -> Preset | None:
    model = body.get("model")
    if not isinstance(model, str) or not model:
        known = ", ".join(sorted(presets))
        problems.append(Problem("model", f"is required; choose one of: {known}"))
        return None
    preset = presets.get(model)
    if preset is None and strict:
        known = ", ".join(sorted(presets))
        problems.append(
            Problem(
                "model", f"unknown model {model!r}; choose one of: {known} ({_UNKNOWN_MODEL_HINT})"
            )
        )
    return preset


def _check_prompt(body: Mapping[str, Any], problems: list[Problem]) -> None:
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        problems.append(Problem("prompt", "is required and must not be empty"))


def _check_references(
    body: Mapping[str, Any], preset: Preset | None, problems: list[Problem]
) -> None:
    videos = _check_urls("videos", body.get("videos"), problems)
    images = _check_urls("images", body.get("images"), problems)
    if preset is None:
        return
    total = videos + images
    if total < preset.min_references:
        problems.append(
            Problem(
                "videos/images",
                "give at least one reference video or image (videos=[...] or images=[...])",
            )
        )
    if total > preset.max_references:
        problems.append(
            Problem(
                "videos/images",
                f"{total} references given; {preset.model} takes at most {preset.max_references} in all",
            )
        )
    if videos > preset.max_videos:
        problems.append(
            Problem(
                "videos", f"{videos} videos given; {preset.model} takes at most {preset.max_videos}"
            )
        )


def _check_size(body: Mapping[str, Any], preset: Preset | None, problems: list[Problem]) -> None:
    size = body.get("size")
    if size is None:
        return
    if not isinstance(size, str):
        problems.append(Problem("size", f"must be a string 'W*H', not {type(size).__name__}"))
        return
    try:
        parse_size(size)
    except ValueError as exc:
        problems.append(Problem("size", str(exc)))
        return
    if preset is not None and preset.aspect_of(size) is None:
        allowed = ", ".join(f"{s} ({a})" for a, s in preset.sizes.items())
        problems.append(
            Problem(
                "size",
                f"{size} is not a {preset.resolution} size of {preset.model}; use one of: {allowed}",
            )
        )


def _check_duration(
    body: Mapping[str, Any], preset: Preset | None, problems: list[Problem]
) -> None:
    duration = body.get("duration")
    if duration is None:
        return
    if not _is_int(duration):
        problems.append(Problem("duration", f"must be a whole number of seconds, not {duration!r}"))
        return
    if preset is None:
        if duration < 1:
            problems.append(Problem("duration", f"must be at least 1 second, not {duration}"))
        return
    if not preset.min_duration <= duration <= preset.max_duration:
        problems.append(
            Problem(
                "duration",
                f"{duration} s is outside {preset.min_duration}..{preset.max_duration} s for "
                f"{preset.model} (widen it with a custom Preset if your account allows more)",
            )
        )


def _check_extra(body: Mapping[str, Any], preset: Preset | None, problems: list[Problem]) -> None:
    extra = body.get("extra_body")
    if extra is None:
        return
    if not isinstance(extra, Mapping):
        problems.append(Problem("extra_body", f"must be an object, not {type(extra).__name__}"))
        return
    negative = extra.get("negative_prompt")
    if negative is not None:
        if not isinstance(negative, str):
            problems.append(Problem("negative_prompt", "must be a string"))
        elif preset is not None and len(negative) > preset.max_negative_prompt_chars:
            problems.append(
                Problem(
                    "negative_prompt",
                    f"{len(negative)} characters; shorten it to at most "
                    f"{preset.max_negative_prompt_chars}",
                )
            )
    audio = extra.get("audio")
    if audio is not None:
        if not is_http_url(audio):
            problems.append(
                Problem("audio", f"{audio!r} is not an http(s) URL the provider can reach")
            )
        if preset is not None and not preset.accepts_audio:
            problems.append(
                Problem(
                    "audio",
                    f"{preset.model} is silent and takes no guide audio; drop audio or pick a model "
                    "with sound (e.g. one ending in -audio)",
                )
            )
    shot_type = extra.get("shot_type")
    if shot_type is not None and shot_type not in SHOT_TYPES:
        problems.append(Problem("shot_type", f"{shot_type!r} is not one of: single, multi"))
    expansion = extra.get("enable_prompt_expansion")
    if expansion is not None and not isinstance(expansion, bool):
        problems.append(
            Problem("enable_prompt_expansion", f"must be true or false, not {expansion!r}")
        )
    seed = extra.get("seed")
    if seed is not None and (not _is_int(seed) or not SEED_MIN <= seed <= SEED_MAX):
        problems.append(
            Problem(
                "seed", f"{seed!r} is not a whole number in {SEED_MIN}..{SEED_MAX} (-1 = random)"
            )
        )


def _check_unicode(value: object, field: str, problems: list[Problem]) -> None:
    """Every string must be valid Unicode: a lone surrogate cannot be sent as UTF-8 JSON."""
    if isinstance(value, str):
        if value.isascii():
            return  # no surrogate can hide in ASCII (an O(1) flag check)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = value[exc.start : exc.end].encode("unicode_escape").decode()
            problems.append(
                Problem(
                    field, f"holds {bad}, half of a surrogate pair, which is not text; remove it"
                )
            )
    elif type(value) is dict or (type(value) is not list and isinstance(value, Mapping)):
        for key, item in value.items():
            if type(key) is not str or not key.isascii():
                _check_unicode(key, field, problems)
            if type(item) in _NO_TEXT or (type(item) is str and item.isascii()):
                continue
            # wire keys read as the facade's argument names: extra_body.seed is "seed"
            name = str(key) if field in ("body", "extra_body") else f"{field}.{key}"
            _check_unicode(item, name, problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if type(item) in _NO_TEXT or (type(item) is str and item.isascii()):
                continue
            _check_unicode(item, f"{field}[{index}]", problems)


def check_create_body(
    body: Mapping[str, Any],
    *,
    presets: Mapping[str, Preset] = PRESETS,
    strict: bool = True,
) -> list[Problem]:
    """Every problem of a create body (wire JSON), in field order; empty when it may be sent.

    With ``strict=False`` a model missing from ``presets`` is allowed and only
    the rules that need no preset are checked (URLs, types, seed, shot type).
    """
    if not isinstance(body, Mapping):
        return [Problem("body", f"must be a JSON object, not {type(body).__name__}")]
    problems: list[Problem] = []
    preset = _check_model(body, presets, strict, problems)
    _check_prompt(body, problems)
    _check_references(body, preset, problems)
    _check_size(body, preset, problems)
    _check_duration(body, preset, problems)
    _check_extra(body, preset, problems)
    _check_unicode(body, "body", problems)
    return problems


def validate_create_body(
    body: Mapping[str, Any],
    *,
    presets: Mapping[str, Preset] = PRESETS,
    strict: bool = True,
) -> None:
    """Raise `ValidationError` listing every problem of a create body, or return."""
    problems = check_create_body(body, presets=presets, strict=strict)
    if problems:
        raise ValidationError(problems)

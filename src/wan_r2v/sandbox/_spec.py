"""The OpenAPI spec as the sandbox reads it: where it lives and how it checks a create body.

The create body is checked twice, in this order, and every problem of both is
reported: against the spec's ``CreateVideoRequest`` schema (jsonschema, with
``$ref`` resolved inside the spec) and against the facade's own rules
(`wan_r2v._validation.check_create_body`, which reads the preset table). Both
sources are the project's single sources of truth; nothing is copied here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from wan_r2v._validation import check_create_body
from wan_r2v.errors import Problem
from wan_r2v.presets import PRESETS, Preset

__all__ = ["SPEC_RELATIVE", "create_body_problems", "extra_body_keys", "load_spec", "spec_path"]

#: Where the spec sits in the repository (editable installs).
SPEC_RELATIVE = Path("openapi") / "wan-r2v.yaml"
#: Where pyproject's force-include puts it in a wheel.
_PACKAGED = Path(__file__).resolve().parent.parent / "_spec" / "wan-r2v.yaml"
_SPEC_URI = "urn:wan-r2v:openapi"
#: Schema keywords of the limits a preset may widen or narrow (duration, reference counts,
#: negative prompt length): for a model in the preset table the preset is the rule book.
_PRESET_LIMITS = frozenset({"minimum", "maximum", "maxItems", "maxLength"})


def spec_path() -> Path:
    """The path of ``wan-r2v.yaml``: the wheel's copy, else the repository's ``openapi/``."""
    if _PACKAGED.is_file():
        return _PACKAGED
    for parent in Path(__file__).resolve().parents:
        candidate = parent / SPEC_RELATIVE
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"cannot find the OpenAPI spec: neither {_PACKAGED} (wheel) nor an "
        f"{SPEC_RELATIVE} above {Path(__file__).parent} (checkout) exists"
    )


@functools.cache
def load_spec() -> Mapping[str, Any]:
    """The parsed spec (read once per process)."""
    loaded = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError(f"{spec_path()} does not hold an OpenAPI document")
    return loaded


@functools.cache
def extra_body_keys() -> frozenset[str]:
    """The ``extra_body`` keys the spec knows (its ``ExtraBody`` schema's properties)."""
    return frozenset(load_spec()["components"]["schemas"]["ExtraBody"]["properties"])


@functools.cache
def _create_validator() -> Draft202012Validator:
    spec = load_spec()
    resource = Resource.from_contents(dict(spec), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
    schema = {"$ref": f"{_SPEC_URI}#/components/schemas/CreateVideoRequest"}
    return Draft202012Validator(schema, registry=registry)


def _field_name(path: list[str | int], message: str) -> str:
    """Name a schema error's field the way `check_create_body` names it."""
    if not path:
        missing = re.match(r"'([^']+)' is a required property", message)
        return missing.group(1) if missing else "body"
    parts = list(path)
    if parts[0] == "extra_body" and len(parts) > 1 and parts[1] in extra_body_keys():
        parts = parts[1:]
    name = str(parts[0])
    for part in parts[1:]:
        name += f"[{part}]" if isinstance(part, int) else f".{part}"
    return name


def _schema_problems(body: object, *, preset_limits: bool = False) -> list[Problem]:
    problems = []
    for error in sorted(_create_validator().iter_errors(body), key=lambda e: list(e.path)):
        if preset_limits and error.validator in _PRESET_LIMITS and error.absolute_path:
            continue
        path = [p for p in error.absolute_path if isinstance(p, str | int)]
        problems.append(Problem(_field_name(path, error.message), error.message))
    return problems


def create_body_problems(
    body: object, *, presets: Mapping[str, Preset] = PRESETS, strict: bool = True
) -> list[Problem]:
    """Every problem of a create body: the facade's rules first, then the spec's schema.

    A schema problem about a field the rules already reported is left out, so
    each field is named once, with the rules' more helpful message.
    """
    if not isinstance(body, Mapping):
        return [Problem("body", f"must be a JSON object, not {type(body).__name__}")]
    problems = check_create_body(body, presets=presets, strict=strict)
    covered = {p.field for p in problems}
    has_preset = isinstance(body.get("model"), str) and body["model"] in presets
    for problem in _schema_problems(body, preset_limits=has_preset):
        if problem.field not in covered:
            problems.append(problem)
            covered.add(problem.field)
    return problems

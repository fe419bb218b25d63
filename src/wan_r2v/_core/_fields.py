"""The create request's fields, read from the generated models (and so from the spec).

The spec (``openapi/wan-r2v.yaml``) is the one home of every request field.
Everything else that lists them (the body builder, the CLI's flags, batch
input columns, the sandbox's checks) reads `request_fields()` or is checked
against it by a test that names the place to wire a new field.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Any

import wan_r2v_api.models
from wan_r2v_api.models import CreateVideoRequest
from wan_r2v_api.types import Unset

from .._frozen import Frozen, field_setter

__all__ = ["RequestField", "request_field_names", "request_fields"]

#: The field every generated model has for keys outside the spec.
_ADDITIONAL = "additional_properties"


class RequestField(Frozen):
    """One field of the create body: its name (the ``create()`` argument) and where it goes."""

    __slots__ = ("is_list", "name", "parent", "required")
    #: The wire key, which is also the ``create()`` keyword argument and the batch column.
    name: str
    #: The object it sits in: ``()`` for the body itself, ``("extra_body",)`` for a provider option.
    parent: tuple[str, ...]
    #: Whether the spec requires it.
    required: bool
    #: Whether it is a list (``videos``, ``images``).
    is_list: bool

    def __init__(
        self,
        name: str,
        parent: tuple[str, ...] = (),
        required: bool = False,
        is_list: bool = False,
    ) -> None:
        set_field = field_setter(self)
        set_field("name", name)
        set_field("parent", parent)
        set_field("required", required)
        set_field("is_list", is_list)

    @property
    def wire_path(self) -> tuple[str, ...]:
        """Where the value sits in the wire JSON, e.g. ``("extra_body", "seed")``."""
        return (*self.parent, self.name)

    @property
    def flag(self) -> str:
        """The CLI's long flag for it by default, e.g. ``--negative-prompt``."""
        return "--" + self.name.replace("_", "-")


class _GeneratedModels(dict[str, Any]):
    """The generated models by name, each loaded when a hint names it (the package loads lazily)."""

    def __missing__(self, name: str) -> Any:
        try:
            return getattr(wan_r2v_api.models, name)
        except AttributeError:
            raise KeyError(name) from None


def _members(hint: Any) -> tuple[Any, ...]:
    """The types of a ``X | Unset`` hint (the hint itself when it is no union)."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return typing.get_args(hint)
    return (hint,)


def _model_of(hint: Any) -> type | None:
    """The generated model class inside a hint (a nested object), or None."""
    for member in _members(hint):
        if isinstance(member, type) and hasattr(member, "from_dict"):
            return member
    return None


def _is_list(hint: Any) -> bool:
    return any(typing.get_origin(m) is list or m is list for m in _members(hint))


def _fields_of(model: type, parent: tuple[str, ...]) -> list[RequestField]:
    # the generated modules import nested models only for type checkers
    hints = typing.get_type_hints(model, localns=_GeneratedModels())
    found: list[RequestField] = []
    for name in hints:  # the model's fields, in the order the spec gives them
        if name == _ADDITIONAL:
            continue
        nested = _model_of(hints[name])
        if nested is not None:
            found += _fields_of(nested, (*parent, name))
            continue
        found.append(
            RequestField(
                name=name,
                parent=parent,
                # an optional field may be left out: its type admits UNSET
                required=Unset not in _members(hints[name]),
                is_list=_is_list(hints[name]),
            )
        )
    return found


@functools.cache
def request_fields() -> tuple[RequestField, ...]:
    """Every field of the create body, in the spec's order (nested objects flattened).

    ``[f.name for f in request_fields()]`` is ``model, prompt, videos, images,
    size, duration, negative_prompt, audio, shot_type, enable_prompt_expansion,
    seed`` today; a field added to the spec and regenerated appears here.
    """
    return tuple(_fields_of(CreateVideoRequest, ()))


def request_field_names() -> tuple[str, ...]:
    """The names of `request_fields()`: the create body's keys as ``create()`` takes them."""
    return tuple(f.name for f in request_fields())

"""`Frozen`: the shared half of the facade's small immutable value classes (no attrs).

attrs writes each class's ``__init__``, ``__repr__``, ``__eq__`` and ``__hash__`` as source
and compiles them when the class is made (about 0.3 ms a class): thirty classes were a
fifth of a client's cold start. A `Frozen` subclass names its fields in ``__slots__`` and
writes its own typed ``__init__`` (setting its fields through `field_setter`); repr, equality,
hash, pickling and `_replace` take the fields in the order the class annotates them, and
assignment is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Self

__all__ = ["Frozen", "FrozenInstanceError", "field_setter"]

#: ``set_field = field_setter(self)`` in ``__init__``, then ``set_field("name", value)``: sets
#: the fields `Frozen` refuses to assign (``object.__setattr__`` bound once, as attrs does).
field_setter: Callable[[object], Callable[[str, object], None]] = object.__setattr__.__get__


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen value: make a new one instead."""


class Frozen:
    """Base of an immutable value class: fields annotated and in ``__slots__``, compared and shown by value."""

    __slots__ = ()
    #: Fields left out of the repr (secrets, bulky bodies).
    _unshown: ClassVar[frozenset[str]] = frozenset()
    #: Fields left out of equality and hash (an open file, a clock).
    _uncompared: ClassVar[frozenset[str]] = frozenset()
    #: Fields compared but left out of the hash (a mapping that cannot be hashed).
    _unhashed: ClassVar[frozenset[str]] = frozenset()
    _fields: ClassVar[tuple[str, ...]]
    _shown: ClassVar[tuple[str, ...]]
    _compared: ClassVar[tuple[str, ...]]
    _hashed: ClassVar[tuple[str, ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # the fields in the order the class body annotates them (``__slots__`` may be sorted)
        cls._fields = tuple(name for name in cls.__annotations__ if not name.startswith("_"))
        if set(cls._fields) != set(cls.__dict__.get("__slots__", ())):
            raise TypeError(f"{cls.__qualname__}: __slots__ must name the annotated fields")
        cls._shown = tuple(f for f in cls._fields if f not in cls._unshown)
        cls._compared = tuple(f for f in cls._fields if f not in cls._uncompared)
        cls._hashed = tuple(f for f in cls._compared if f not in cls._unhashed)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{type(self).__qualname__}({shown})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return tuple(getattr(self, f) for f in self._compared) == tuple(
            getattr(other, f) for f in self._compared
        )

    def __hash__(self) -> int:
        return hash((self.__class__, *(getattr(self, f) for f in self._hashed)))

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"{type(self).__qualname__} is frozen: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"{type(self).__qualname__} is frozen: cannot delete {name!r}")

    def __getstate__(self) -> tuple[object, ...]:
        return tuple(getattr(self, f) for f in self._fields)

    def __setstate__(self, state: tuple[object, ...]) -> None:
        set_field = field_setter(self)
        for name, value in zip(self._fields, state, strict=True):
            set_field(name, value)

    def _replace(self, **changes: Any) -> Self:
        """A copy with some fields changed (through ``__init__``, so its checks run again)."""
        make: Any = type(self)
        result: Self = make(**{**{f: getattr(self, f) for f in self._fields}, **changes})
        return result

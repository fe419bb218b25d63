from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from ..types import UNSET, Unset

T = TypeVar("T", bound="TaskError")


class TaskError:
    """
    Attributes:
        message (None | str | Unset):
        code (None | str | Unset):
    """

    __slots__ = (
        "message",
        "code",
        "additional_properties",
    )

    message: None | str | Unset
    code: None | str | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        message: None | str | Unset = UNSET,
        code: None | str | Unset = UNSET,
    ) -> None:
        self.message = message
        self.code = code
        self.additional_properties = {}

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"message={self.message!r}, "
            f"code={self.code!r}, "
            f"additional_properties={self.additional_properties!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, TaskError):
            return NotImplemented
        return (
            self.message,
            self.code,
            self.additional_properties,
        ) == (
            other.message,
            other.code,
            other.additional_properties,
        )

    def to_dict(self) -> dict[str, Any]:
        message: None | str | Unset
        if isinstance(self.message, Unset):
            message = UNSET
        else:
            message = self.message

        code: None | str | Unset
        if isinstance(self.code, Unset):
            code = UNSET
        else:
            code = self.code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if message is not UNSET:
            field_dict["message"] = message
        if code is not UNSET:
            field_dict["code"] = code

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        message = _parse_message(d.pop("message", UNSET))

        def _parse_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        code = _parse_code(d.pop("code", UNSET))

        task_error = cls(
            message=message,
            code=code,
        )

        task_error.additional_properties = d
        return task_error

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

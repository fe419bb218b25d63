from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="FlatError")


class FlatError:
    """new-api's task errors, e.g. `{"code": "task_not_exist", "message": "...", "data": null}`.

    Attributes:
        code (str):
        message (str):
        data (None | Unset):
    """

    __slots__ = (
        "code",
        "message",
        "data",
        "additional_properties",
    )

    code: str
    message: str
    data: None | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        code: str,
        message: str,
        data: None | Unset = UNSET,
    ) -> None:
        self.code = code
        self.message = message
        self.data = data
        self.additional_properties = {}

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"code={self.code!r}, "
            f"message={self.message!r}, "
            f"data={self.data!r}, "
            f"additional_properties={self.additional_properties!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, FlatError):
            return NotImplemented
        return (
            self.code,
            self.message,
            self.data,
            self.additional_properties,
        ) == (
            other.code,
            other.message,
            other.data,
            other.additional_properties,
        )

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        data = self.data

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
            }
        )
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        data = d.pop("data", UNSET)

        flat_error = cls(
            code=code,
            message=message,
            data=data,
        )

        flat_error.additional_properties = d
        return flat_error

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

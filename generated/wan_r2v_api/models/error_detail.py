from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from ..types import UNSET, Unset

T = TypeVar("T", bound="ErrorDetail")


class ErrorDetail:
    """
    Attributes:
        message (str):
        type_ (None | str | Unset):
        code (None | str | Unset):
        param (None | str | Unset):
    """

    __slots__ = (
        "message",
        "type_",
        "code",
        "param",
        "additional_properties",
    )

    message: str
    type_: None | str | Unset
    code: None | str | Unset
    param: None | str | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        message: str,
        type_: None | str | Unset = UNSET,
        code: None | str | Unset = UNSET,
        param: None | str | Unset = UNSET,
    ) -> None:
        self.message = message
        self.type_ = type_
        self.code = code
        self.param = param
        self.additional_properties = {}

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"message={self.message!r}, "
            f"type_={self.type_!r}, "
            f"code={self.code!r}, "
            f"param={self.param!r}, "
            f"additional_properties={self.additional_properties!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, ErrorDetail):
            return NotImplemented
        return (
            self.message,
            self.type_,
            self.code,
            self.param,
            self.additional_properties,
        ) == (
            other.message,
            other.type_,
            other.code,
            other.param,
            other.additional_properties,
        )

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        type_: None | str | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        else:
            type_ = self.type_

        code: None | str | Unset
        if isinstance(self.code, Unset):
            code = UNSET
        else:
            code = self.code

        param: None | str | Unset
        if isinstance(self.param, Unset):
            param = UNSET
        else:
            param = self.param

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
            }
        )
        if type_ is not UNSET:
            field_dict["type"] = type_
        if code is not UNSET:
            field_dict["code"] = code
        if param is not UNSET:
            field_dict["param"] = param

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        message = d.pop("message")

        def _parse_type_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        type_ = _parse_type_(d.pop("type", UNSET))

        def _parse_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        code = _parse_code(d.pop("code", UNSET))

        def _parse_param(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        param = _parse_param(d.pop("param", UNSET))

        error_detail = cls(
            message=message,
            type_=type_,
            code=code,
            param=param,
        )

        error_detail.additional_properties = d
        return error_detail

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

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..models.error_detail import ErrorDetail


T = TypeVar("T", bound="ErrorResponse")


class ErrorResponse:
    """The OpenAI-shaped error answer (the gateway; new-api before its relay, e.g. 401).

    Attributes:
        error (ErrorDetail):
    """

    __slots__ = (
        "error",
        "additional_properties",
    )

    error: ErrorDetail
    additional_properties: dict[str, Any]

    def __init__(
        self,
        error: ErrorDetail,
    ) -> None:
        self.error = error
        self.additional_properties = {}

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}(error={self.error!r}, additional_properties={self.additional_properties!r})"
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, ErrorResponse):
            return NotImplemented
        return (
            self.error,
            self.additional_properties,
        ) == (
            other.error,
            other.additional_properties,
        )

    def to_dict(self) -> dict[str, Any]:
        error = self.error.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error_detail import ErrorDetail  # noqa: PLC0415

        d = dict(src_dict)
        error = ErrorDetail.from_dict(d.pop("error"))

        error_response = cls(
            error=error,
        )

        error_response.additional_properties = d
        return error_response

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

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.relay_task import RelayTask


T = TypeVar("T", bound="TaskEnvelope")


class TaskEnvelope:
    """new-api's envelope on `/v1/video/generations/{task_id}`.

    Attributes:
        code (str): `success`
        data (RelayTask): new-api's task row, as its envelope carries it.
        message (str | Unset):
    """

    __slots__ = (
        "code",
        "data",
        "message",
        "additional_properties",
    )

    code: str
    data: RelayTask
    message: str | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        code: str,
        data: RelayTask,
        message: str | Unset = UNSET,
    ) -> None:
        self.code = code
        self.data = data
        self.message = message
        self.additional_properties = {}

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"code={self.code!r}, "
            f"data={self.data!r}, "
            f"message={self.message!r}, "
            f"additional_properties={self.additional_properties!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, TaskEnvelope):
            return NotImplemented
        return (
            self.code,
            self.data,
            self.message,
            self.additional_properties,
        ) == (
            other.code,
            other.data,
            other.message,
            other.additional_properties,
        )

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        data = self.data.to_dict()

        message = self.message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "data": data,
            }
        )
        if message is not UNSET:
            field_dict["message"] = message

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.relay_task import RelayTask  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        data = RelayTask.from_dict(d.pop("data"))

        message = d.pop("message", UNSET)

        task_envelope = cls(
            code=code,
            data=data,
            message=message,
        )

        task_envelope.additional_properties = d
        return task_envelope

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

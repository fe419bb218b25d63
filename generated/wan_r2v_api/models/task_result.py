from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from ..types import UNSET, Unset

T = TypeVar("T", bound="TaskResult")


class TaskResult:
    """
    Attributes:
        outputs (list[str] | Unset):
        video_url (None | str | Unset):
    """

    __slots__ = (
        "outputs",
        "video_url",
        "additional_properties",
    )

    outputs: list[str] | Unset
    video_url: None | str | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        outputs: list[str] | Unset = UNSET,
        video_url: None | str | Unset = UNSET,
    ) -> None:
        self.outputs = outputs
        self.video_url = video_url
        self.additional_properties = {}

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"outputs={self.outputs!r}, "
            f"video_url={self.video_url!r}, "
            f"additional_properties={self.additional_properties!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, TaskResult):
            return NotImplemented
        return (
            self.outputs,
            self.video_url,
            self.additional_properties,
        ) == (
            other.outputs,
            other.video_url,
            other.additional_properties,
        )

    def to_dict(self) -> dict[str, Any]:
        outputs: list[str] | Unset = UNSET
        if not isinstance(self.outputs, Unset):
            outputs = self.outputs

        video_url: None | str | Unset
        if isinstance(self.video_url, Unset):
            video_url = UNSET
        else:
            video_url = self.video_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if outputs is not UNSET:
            field_dict["outputs"] = outputs
        if video_url is not UNSET:
            field_dict["video_url"] = video_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        outputs = cast(list[str], d.pop("outputs", UNSET))

        def _parse_video_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        video_url = _parse_video_url(d.pop("video_url", UNSET))

        task_result = cls(
            outputs=outputs,
            video_url=video_url,
        )

        task_result.additional_properties = d
        return task_result

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

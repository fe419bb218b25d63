from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from ..types import UNSET, Unset

T = TypeVar("T", bound="VideoMetadata")


class VideoMetadata:
    """
    Attributes:
        url (None | str | Unset): The result's URL once completed.
    """

    __slots__ = (
        "url",
        "additional_properties",
    )

    url: None | str | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        url: None | str | Unset = UNSET,
    ) -> None:
        self.url = url
        self.additional_properties = {}

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(url={self.url!r}, additional_properties={self.additional_properties!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, VideoMetadata):
            return NotImplemented
        return (
            self.url,
            self.additional_properties,
        ) == (
            other.url,
            other.additional_properties,
        )

    def to_dict(self) -> dict[str, Any]:
        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))

        video_metadata = cls(
            url=url,
        )

        video_metadata.additional_properties = d
        return video_metadata

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

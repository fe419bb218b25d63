from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.extra_body import ExtraBody


T = TypeVar("T", bound="CreateVideoRequest")


class CreateVideoRequest:
    """The R2V create body. `extra_body` is a literal JSON key the gateway
    reads. The limits are the upstream's (and the default preset table's):
    at most 5 references in all, of which at most 3 videos.

        Attributes:
            model (str): An R2V model id, e.g. `wan2.6-r2v-flash-720p-audio` (see the preset table).
            prompt (str): What happens (not blank); references are named character1, character2, ... in order.
            videos (list[str] | Unset): Reference videos (subject look and voice), http(s) URLs; at most 3.
            images (list[str] | Unset): Reference images, http(s) URLs; at most 5 references in all.
            size (str | Unset): Output size as `W*H`; must belong to the model's resolution tier.
            duration (int | Unset): Whole seconds of output, 2..10 upstream (an account may be configured otherwise).
            extra_body (ExtraBody | Unset): Provider options.
    """

    __slots__ = (
        "model",
        "prompt",
        "videos",
        "images",
        "size",
        "duration",
        "extra_body",
        "additional_properties",
    )

    model: str
    prompt: str
    videos: list[str] | Unset
    images: list[str] | Unset
    size: str | Unset
    duration: int | Unset
    extra_body: ExtraBody | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        model: str,
        prompt: str,
        videos: list[str] | Unset = UNSET,
        images: list[str] | Unset = UNSET,
        size: str | Unset = UNSET,
        duration: int | Unset = UNSET,
        extra_body: ExtraBody | Unset = UNSET,
    ) -> None:
        self.model = model
        self.prompt = prompt
        self.videos = videos
        self.images = images
        self.size = size
        self.duration = duration
        self.extra_body = extra_body
        self.additional_properties = {}

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"model={self.model!r}, "
            f"prompt={self.prompt!r}, "
            f"videos={self.videos!r}, "
            f"images={self.images!r}, "
            f"size={self.size!r}, "
            f"duration={self.duration!r}, "
            f"extra_body={self.extra_body!r}, "
            f"additional_properties={self.additional_properties!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, CreateVideoRequest):
            return NotImplemented
        return (
            self.model,
            self.prompt,
            self.videos,
            self.images,
            self.size,
            self.duration,
            self.extra_body,
            self.additional_properties,
        ) == (
            other.model,
            other.prompt,
            other.videos,
            other.images,
            other.size,
            other.duration,
            other.extra_body,
            other.additional_properties,
        )

    def to_dict(self) -> dict[str, Any]:
        model = self.model

        prompt = self.prompt

        videos: list[str] | Unset = UNSET
        if not isinstance(self.videos, Unset):
            videos = self.videos

        images: list[str] | Unset = UNSET
        if not isinstance(self.images, Unset):
            images = self.images

        size = self.size

        duration = self.duration

        extra_body: dict[str, Any] | Unset = UNSET
        if not isinstance(self.extra_body, Unset):
            extra_body = self.extra_body.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "model": model,
                "prompt": prompt,
            }
        )
        if videos is not UNSET:
            field_dict["videos"] = videos
        if images is not UNSET:
            field_dict["images"] = images
        if size is not UNSET:
            field_dict["size"] = size
        if duration is not UNSET:
            field_dict["duration"] = duration
        if extra_body is not UNSET:
            field_dict["extra_body"] = extra_body

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.extra_body import ExtraBody  # noqa: PLC0415

        d = dict(src_dict)
        model = d.pop("model")

        prompt = d.pop("prompt")

        videos = cast(list[str], d.pop("videos", UNSET))

        images = cast(list[str], d.pop("images", UNSET))

        size = d.pop("size", UNSET)

        duration = d.pop("duration", UNSET)

        _extra_body = d.pop("extra_body", UNSET)
        extra_body: ExtraBody | Unset
        if isinstance(_extra_body, Unset):
            extra_body = UNSET
        else:
            extra_body = ExtraBody.from_dict(_extra_body)

        create_video_request = cls(
            model=model,
            prompt=prompt,
            videos=videos,
            images=images,
            size=size,
            duration=duration,
            extra_body=extra_body,
        )

        create_video_request.additional_properties = d
        return create_video_request

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..models.shot_type import ShotType
from ..types import UNSET, Unset

T = TypeVar("T", bound="ExtraBody")


class ExtraBody:
    """Provider options.

    Attributes:
        negative_prompt (str | Unset): What to avoid (at most 500 characters).
        audio (str | Unset): Guide audio (wav/mp3) for models with sound.
        shot_type (ShotType | Unset): One continuous shot or a multi-shot cut.
        enable_prompt_expansion (bool | Unset): Let the provider rewrite the prompt.
        seed (int | Unset): -1 for random; otherwise 0..2147483647.
    """

    __slots__ = (
        "negative_prompt",
        "audio",
        "shot_type",
        "enable_prompt_expansion",
        "seed",
        "additional_properties",
    )

    negative_prompt: str | Unset
    audio: str | Unset
    shot_type: ShotType | Unset
    enable_prompt_expansion: bool | Unset
    seed: int | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        negative_prompt: str | Unset = UNSET,
        audio: str | Unset = UNSET,
        shot_type: ShotType | Unset = UNSET,
        enable_prompt_expansion: bool | Unset = UNSET,
        seed: int | Unset = UNSET,
    ) -> None:
        self.negative_prompt = negative_prompt
        self.audio = audio
        self.shot_type = shot_type
        self.enable_prompt_expansion = enable_prompt_expansion
        self.seed = seed
        self.additional_properties = {}

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"negative_prompt={self.negative_prompt!r}, "
            f"audio={self.audio!r}, "
            f"shot_type={self.shot_type!r}, "
            f"enable_prompt_expansion={self.enable_prompt_expansion!r}, "
            f"seed={self.seed!r}, "
            f"additional_properties={self.additional_properties!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, ExtraBody):
            return NotImplemented
        return (
            self.negative_prompt,
            self.audio,
            self.shot_type,
            self.enable_prompt_expansion,
            self.seed,
            self.additional_properties,
        ) == (
            other.negative_prompt,
            other.audio,
            other.shot_type,
            other.enable_prompt_expansion,
            other.seed,
            other.additional_properties,
        )

    def to_dict(self) -> dict[str, Any]:
        negative_prompt = self.negative_prompt

        audio = self.audio

        shot_type: str | Unset = UNSET
        if not isinstance(self.shot_type, Unset):
            shot_type = self.shot_type.value

        enable_prompt_expansion = self.enable_prompt_expansion

        seed = self.seed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if audio is not UNSET:
            field_dict["audio"] = audio
        if shot_type is not UNSET:
            field_dict["shot_type"] = shot_type
        if enable_prompt_expansion is not UNSET:
            field_dict["enable_prompt_expansion"] = enable_prompt_expansion
        if seed is not UNSET:
            field_dict["seed"] = seed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        negative_prompt = d.pop("negative_prompt", UNSET)

        audio = d.pop("audio", UNSET)

        _shot_type = d.pop("shot_type", UNSET)
        shot_type: ShotType | Unset
        if isinstance(_shot_type, Unset):
            shot_type = UNSET
        else:
            shot_type = ShotType(_shot_type)

        enable_prompt_expansion = d.pop("enable_prompt_expansion", UNSET)

        seed = d.pop("seed", UNSET)

        extra_body = cls(
            negative_prompt=negative_prompt,
            audio=audio,
            shot_type=shot_type,
            enable_prompt_expansion=enable_prompt_expansion,
            seed=seed,
        )

        extra_body.additional_properties = d
        return extra_body

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

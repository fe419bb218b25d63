from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.shot_type import ShotType
from ..types import UNSET, Unset

T = TypeVar("T", bound="ExtraBody")


@_attrs_define
class ExtraBody:
    """Provider options.

    Attributes:
        negative_prompt (str | Unset): What to avoid (at most 500 characters).
        audio (str | Unset): Guide audio (wav/mp3) for models with sound.
        shot_type (ShotType | Unset): One continuous shot or a multi-shot cut.
        enable_prompt_expansion (bool | Unset): Let the provider rewrite the prompt.
        seed (int | Unset): -1 for random; otherwise 0..2147483647.
    """

    negative_prompt: str | Unset = UNSET
    audio: str | Unset = UNSET
    shot_type: ShotType | Unset = UNSET
    enable_prompt_expansion: bool | Unset = UNSET
    seed: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

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

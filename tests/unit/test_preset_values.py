"""`Preset` is a value: read-only all the way down, compared and hashed by every field."""

from __future__ import annotations

import copy
import pickle

import pytest

from wan_r2v._frozen import FrozenInstanceError
from wan_r2v.presets import PRESETS, Preset, ReferenceLimits, Sizes

BASE = PRESETS["wan2.6-r2v-flash-720p-audio"]


def test_sizes_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        BASE.sizes["16:9"] = "1*1"  # type: ignore[index]
    with pytest.raises(AttributeError):
        BASE.sizes._items = {}  # type: ignore[attr-defined]
    with pytest.raises(FrozenInstanceError):
        BASE.sizes = {}  # type: ignore[misc]
    assert BASE.size_for("16:9") == "1280*720"


def test_a_dict_passed_in_is_copied_not_shared() -> None:
    mine = {"16:9": "1280*720"}
    preset = BASE.replace(sizes=mine)
    mine["16:9"] = "2*2"
    assert preset.sizes == {"16:9": "1280*720"} and isinstance(preset.sizes, Sizes)


def test_presets_compare_by_sizes_too() -> None:
    narrowed = BASE.replace(sizes={"16:9": "1280*720"})
    assert narrowed != BASE
    assert BASE.replace(sizes=dict(BASE.sizes)) == BASE
    reordered = BASE.replace(sizes=dict(reversed(list(BASE.sizes.items()))))
    assert reordered == BASE and hash(reordered) == hash(BASE)
    assert len({BASE, narrowed, BASE.replace(max_duration=10)}) == 2


#: Another value for each field of `Preset` (a new field must be added here).
OTHER = {
    "model": "wan2.6-r2v-other",
    "tier": "standard",
    "resolution": "1080p",
    "audio": False,
    "sizes": {"16:9": "1280*720"},
    "min_duration": 3,
    "max_duration": 9,
    "min_references": 2,
    "max_references": 4,
    "max_videos": 2,
    "max_negative_prompt_chars": 400,
    "references": ReferenceLimits(max_video_seconds=60),
}


def test_every_field_is_listed_here() -> None:
    assert set(OTHER) == set(Preset.__slots__)


@pytest.mark.parametrize("field", sorted(OTHER))
def test_every_field_takes_part_in_equality(field: str) -> None:
    changed = BASE.replace(**{field: OTHER[field]})
    assert getattr(changed, field) != getattr(BASE, field), field
    assert changed != BASE and hash(changed) != hash(BASE), field


def test_presets_survive_copy_and_pickle() -> None:
    assert copy.deepcopy(BASE) == BASE
    assert pickle.loads(pickle.dumps(BASE)) == BASE

"""`Preset` is a value: read-only all the way down, compared and hashed by every field."""

from __future__ import annotations

import copy
import pickle

import attrs
import pytest

from wan_r2v.presets import PRESETS, Preset, Sizes

BASE = PRESETS["wan2.6-r2v-flash-720p-audio"]


def test_sizes_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        BASE.sizes["16:9"] = "1*1"  # type: ignore[index]
    with pytest.raises(AttributeError):
        BASE.sizes._items = {}  # type: ignore[attr-defined]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
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


@pytest.mark.parametrize("field", [f.name for f in attrs.fields(Preset)])
def test_every_field_takes_part_in_equality(field: str) -> None:
    assert attrs.fields_dict(Preset)[field].eq, field


def test_presets_survive_copy_and_pickle() -> None:
    assert copy.deepcopy(BASE) == BASE
    assert pickle.loads(pickle.dumps(BASE)) == BASE

"""Building the create body: the seed's examples exactly, picking by parts, every rule at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wan_r2v import PRESETS, Client, ShotType, ValidationError
from wan_r2v._core import build_create_body

SEEDS = json.loads((Path(__file__).parents[1] / "fixtures" / "seed_examples.json").read_text())


def body(**kwargs: Any) -> dict[str, Any]:
    return build_create_body(kwargs, presets=PRESETS, strict=True).to_dict()  # type: ignore[arg-type]


def problems(**kwargs: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as info:
        body(**kwargs)
    return [(p.field, p.message) for p in info.value.problems]


def fields(**kwargs: Any) -> list[str]:
    return [f for f, _ in problems(**kwargs)]


VALID: dict[str, Any] = {
    "model": "wan2.6-r2v-flash-720p-audio",
    "prompt": "character1 waves",
    "videos": ["https://example.com/v.mp4"],
}


def test_seed_video_example_is_one_call_and_exact() -> None:
    built = Client().build_request(
        model="wan2.6-r2v-flash-720p-audio",
        prompt=" subject and style, generate a newcamera. ",
        videos=["https://example.com/reference-shot-1.mp4"],
        size="1280*720",
        duration=5,
        negative_prompt="watermark, blur, flicker",
        audio="https://example.com/guide-audio.mp3",
        shot_type="single",
        enable_prompt_expansion=False,
        seed=-1,
    )
    assert json.dumps(built) == json.dumps(SEEDS["video_reference"])


def test_seed_image_example_by_parts_and_aspect_is_exact() -> None:
    built = Client().build_request(
        tier="flash",
        resolution="1080p",
        sound=False,
        prompt=" andstyle, generate a video. ",
        images=["https://example.com/ref-1.png", "https://example.com/ref-2.png"],
        aspect="16:9",
        duration=10,
        negative_prompt="watermark, blur",
        shot_type=ShotType.MULTI,
        enable_prompt_expansion=True,
        seed=42,
    )
    assert json.dumps(built) == json.dumps(SEEDS["image_references"])


def test_absent_arguments_stay_out_of_the_body() -> None:
    assert body(**VALID) == {
        "model": VALID["model"],
        "prompt": VALID["prompt"],
        "videos": VALID["videos"],
    }


def test_false_and_zero_are_kept() -> None:
    built = body(**VALID, enable_prompt_expansion=False, seed=0)
    assert built["extra_body"] == {"enable_prompt_expansion": False, "seed": 0}


def test_preset_object_and_custom_limits() -> None:
    wide = PRESETS["wan2.6-r2v-flash-720p-audio"].replace(max_duration=15)
    assert body(**{**VALID, "model": wide}, duration=15)["duration"] == 15
    assert fields(**VALID, duration=15) == ["duration"]


def test_non_strict_allows_an_unknown_model_but_says_so_and_still_checks_types(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("WARNING", logger="wan_r2v")
    args = {**VALID, "model": "wan2.7-r2v-new"}
    assert fields(**args) == ["model"]
    loose = build_create_body(args, presets=PRESETS, strict=False)  # type: ignore[arg-type]
    assert loose.to_dict()["model"] == "wan2.7-r2v-new"
    with pytest.raises(ValidationError) as info:
        build_create_body({**args, "seed": "7"}, presets=PRESETS, strict=False)  # type: ignore[arg-type]
    assert [p.field for p in info.value.problems] == ["seed"]


@pytest.mark.parametrize(
    ("parts", "model"),
    [
        ({"tier": "flash", "resolution": "1080p", "sound": True}, "wan2.6-r2v-flash-1080p-audio"),
        ({"tier": "flash", "resolution": "720p", "sound": False}, "wan2.6-r2v-flash-720p-silent"),
        ({"tier": "standard", "resolution": "1080p"}, "wan2.6-r2v-1080p"),
        ({"tier": "standard", "size": "720*1280"}, "wan2.6-r2v-720p"),
    ],
)
def test_pick_by_parts(parts: dict[str, Any], model: str) -> None:
    args = {k: v for k, v in VALID.items() if k != "model"}
    assert body(**args, **parts)["model"] == model


def test_ambiguous_parts_name_the_candidates_once() -> None:
    args = {k: v for k, v in VALID.items() if k != "model"}
    found = problems(**args, tier="flash", resolution="1080p")
    assert [f for f, _ in found] == ["model"]
    assert (
        "wan2.6-r2v-flash-1080p-audio" in found[0][1]
        and "wan2.6-r2v-flash-1080p-silent" in found[0][1]
    )


def test_parts_that_contradict_the_model() -> None:
    assert fields(**VALID, resolution="1080p", sound=False) == ["resolution", "sound"]


def test_aspect_picks_the_tier_size() -> None:
    assert body(**VALID, aspect="9:16")["size"] == "720*1280"
    assert body(**{**VALID, "model": "wan2.6-r2v-1080p"}, aspect="3:4")["size"] == "1248*1632"
    assert fields(**VALID, aspect="21:9") == ["aspect"]
    assert fields(**VALID, aspect="9:16", size="1280*720") == ["size"]
    assert body(**VALID, aspect="16:9", size="1280*720")["size"] == "1280*720"


def test_every_problem_is_reported_at_once_and_says_what_to_change() -> None:
    found = problems(
        model="wan2.6-r2v-flash-720p-silent",
        prompt="",
        images=["https://e.com/a.png"],
        size="1920*1080",
        duration=30,
        audio="https://e.com/a.mp3",
        seed=-5,
    )
    assert [f for f, _ in found] == ["prompt", "size", "duration", "audio", "seed"]
    size_message = dict(found)["size"]
    assert "1280*720" in size_message  # names the sizes to use instead


def test_unknown_argument_suggests_the_right_name() -> None:
    assert (
        "did you mean negative_prompt"
        in dict(problems(**VALID, negativ_prompt="x"))["negativ_prompt"]
    )


@given(
    seed=st.one_of(
        st.integers(), st.none(), st.booleans(), st.floats(allow_nan=True), st.text(max_size=3)
    ),
    duration=st.one_of(st.integers(-5, 20), st.none(), st.floats(allow_nan=True)),
)
def test_any_value_gives_a_body_or_a_validation_error(seed: object, duration: object) -> None:
    try:
        built = body(**VALID, seed=seed, duration=duration)
    except ValidationError as exc:
        assert exc.problems
    else:
        assert built.get("duration", 5) in range(2, 11)
        assert built.get("extra_body", {}).get("seed", 0) in range(-1, 2**31)

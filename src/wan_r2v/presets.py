"""The R2V model table as data: tier, resolution, sound, sizes and limits.

Every model-dependent rule the facade and the sandbox check comes from here.
A gateway whose account configuration differs gets a custom `Preset` (see
`Preset.replace`) or a custom table, never an edit of a check.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Literal

from ._frozen import Frozen, field_setter

__all__ = [
    "PRESETS",
    "SEED_MAX",
    "SEED_MIN",
    "SIZES_BY_RESOLUTION",
    "Preset",
    "ReferenceLimits",
    "Resolution",
    "Sizes",
    "Tier",
    "find_preset",
    "get_preset",
    "parse_size",
]

Tier = Literal["standard", "flash"]
Resolution = Literal["720p", "1080p"]

#: The seed range the gateway takes: -1 means random.
SEED_MIN = -1
SEED_MAX = 2_147_483_647

#: Output sizes per resolution tier, as aspect -> "W*H" (upstream table).
SIZES_BY_RESOLUTION: Mapping[Resolution, Mapping[str, str]] = {
    "720p": {
        "16:9": "1280*720",
        "9:16": "720*1280",
        "1:1": "960*960",
        "4:3": "1088*832",
        "3:4": "832*1088",
    },
    "1080p": {
        "16:9": "1920*1080",
        "9:16": "1080*1920",
        "1:1": "1440*1440",
        "4:3": "1632*1248",
        "3:4": "1248*1632",
    },
}


def parse_size(size: str) -> tuple[int, int]:
    """Split a ``"W*H"`` size into ``(width, height)``; raise ValueError when malformed."""
    width, sep, height = size.partition("*")
    if not sep or not width.isdigit() or not height.isdigit():
        raise ValueError(f"size {size!r} is not of the form 'W*H', e.g. '1280*720'")
    return int(width), int(height)


class Sizes(Mapping[str, str]):
    """A read-only aspect -> ``"W*H"`` mapping: hashable, equal to any mapping of the same items."""

    __slots__ = ("_items",)
    _items: dict[str, str]

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        object.__setattr__(self, "_items", dict(items))

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Sizes is read-only; use Preset.replace(sizes={...})")

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self._items) == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Sizes({self._items!r})"

    def __reduce__(self) -> tuple[type[Sizes], tuple[dict[str, str]]]:
        return Sizes, (dict(self._items),)


def _frozen_mapping(value: Mapping[str, str]) -> Sizes:
    return value if isinstance(value, Sizes) else Sizes(value)


_MIB = 1024 * 1024


class ReferenceLimits(Frozen):
    """What a reference file may be (upstream limits): checked on local files before upload.

    Formats are recognised by a file's first bytes, never by its name.
    """

    __slots__ = (
        "audio_formats",
        "image_formats",
        "max_image_bytes",
        "max_video_bytes",
        "max_video_seconds",
        "min_video_seconds",
        "video_formats",
    )
    #: Container formats of reference videos.
    video_formats: tuple[str, ...]
    min_video_seconds: float
    max_video_seconds: float
    max_video_bytes: int
    #: Formats of reference images.
    image_formats: tuple[str, ...]
    max_image_bytes: int
    #: Formats of guide audio.
    audio_formats: tuple[str, ...]

    def __init__(
        self,
        *,
        video_formats: tuple[str, ...] = ("mp4", "mov"),
        min_video_seconds: float = 2.0,
        max_video_seconds: float = 30.0,
        max_video_bytes: int = 100 * _MIB,
        image_formats: tuple[str, ...] = ("jpeg", "png", "bmp", "webp"),
        max_image_bytes: int = 20 * _MIB,
        audio_formats: tuple[str, ...] = ("wav", "mp3"),
    ) -> None:
        set_field = field_setter(self)
        set_field("video_formats", video_formats)
        set_field("min_video_seconds", min_video_seconds)
        set_field("max_video_seconds", max_video_seconds)
        set_field("max_video_bytes", max_video_bytes)
        set_field("image_formats", image_formats)
        set_field("max_image_bytes", max_image_bytes)
        set_field("audio_formats", audio_formats)

    def replace(self, **changes: object) -> ReferenceLimits:
        """A copy with some limits changed, e.g. ``limits.replace(max_video_seconds=60)``."""
        return self._replace(**changes)


_DEFAULT_LIMITS = ReferenceLimits()


class Preset(Frozen):
    """One R2V model and the limits a request to it must respect."""

    __slots__ = (
        "audio",
        "max_duration",
        "max_negative_prompt_chars",
        "max_references",
        "max_videos",
        "min_duration",
        "min_references",
        "model",
        "references",
        "resolution",
        "sizes",
        "tier",
    )
    model: str
    tier: Tier
    resolution: Resolution
    #: True: makes sound and takes guide audio; False: silent; None: provider default.
    audio: bool | None
    #: Allowed sizes, aspect -> "W*H" (read-only; compared and hashed like the other fields).
    sizes: Mapping[str, str]
    min_duration: int
    max_duration: int
    min_references: int
    max_references: int
    max_videos: int
    max_negative_prompt_chars: int
    #: What local reference files may be (format, size, video length).
    references: ReferenceLimits

    def __init__(
        self,
        *,
        model: str,
        tier: Tier,
        resolution: Resolution,
        audio: bool | None,
        sizes: Mapping[str, str],
        min_duration: int = 2,
        max_duration: int = 10,
        min_references: int = 1,
        max_references: int = 5,
        max_videos: int = 3,
        max_negative_prompt_chars: int = 500,
        references: ReferenceLimits = _DEFAULT_LIMITS,
    ) -> None:
        set_field = field_setter(self)
        set_field("model", model)
        set_field("tier", tier)
        set_field("resolution", resolution)
        set_field("audio", audio)
        set_field("sizes", _frozen_mapping(sizes))
        set_field("min_duration", min_duration)
        set_field("max_duration", max_duration)
        set_field("min_references", min_references)
        set_field("max_references", max_references)
        set_field("max_videos", max_videos)
        set_field("max_negative_prompt_chars", max_negative_prompt_chars)
        set_field("references", references)

    @property
    def accepts_audio(self) -> bool:
        """Whether guide audio may be sent (not on silent models)."""
        return self.audio is not False

    @property
    def default_size(self) -> str:
        """The 16:9 size of the tier."""
        return self.sizes["16:9"]

    def size_for(self, aspect: str) -> str:
        """The ``"W*H"`` size for an aspect ratio such as ``"9:16"``; KeyError when unknown."""
        return self.sizes[aspect]

    def aspect_of(self, size: str) -> str | None:
        """The aspect ratio of an allowed size, or None when the size is not allowed."""
        for aspect, allowed in self.sizes.items():
            if allowed == size:
                return aspect
        return None

    def replace(self, **changes: object) -> Preset:
        """A copy with some limits changed, e.g. ``preset.replace(max_duration=15)``."""
        return self._replace(**changes)


def _preset(model: str, tier: Tier, resolution: Resolution, audio: bool | None) -> Preset:
    return Preset(
        model=model,
        tier=tier,
        resolution=resolution,
        audio=audio,
        sizes=SIZES_BY_RESOLUTION[resolution],
    )


def _table(presets: Iterable[Preset]) -> Mapping[str, Preset]:
    return {p.model: p for p in presets}


#: The six R2V models of the gateway, by model id.
PRESETS: Mapping[str, Preset] = _table(
    [
        _preset("wan2.6-r2v-720p", "standard", "720p", None),
        _preset("wan2.6-r2v-1080p", "standard", "1080p", None),
        _preset("wan2.6-r2v-flash-720p-audio", "flash", "720p", True),
        _preset("wan2.6-r2v-flash-720p-silent", "flash", "720p", False),
        _preset("wan2.6-r2v-flash-1080p-audio", "flash", "1080p", True),
        _preset("wan2.6-r2v-flash-1080p-silent", "flash", "1080p", False),
    ]
)


def get_preset(model: str, presets: Mapping[str, Preset] = PRESETS) -> Preset:
    """The preset of a model id; KeyError with the known ids when there is none."""
    try:
        return presets[model]
    except KeyError:
        known = ", ".join(sorted(presets))
        raise KeyError(f"unknown model {model!r}; known models: {known}") from None


def find_preset(
    *,
    tier: Tier = "flash",
    resolution: Resolution = "720p",
    audio: bool | None = True,
    presets: Mapping[str, Preset] = PRESETS,
) -> Preset:
    """Pick a model by its parts, e.g. ``find_preset(tier="flash", resolution="1080p", audio=False)``."""
    for preset in presets.values():
        if (preset.tier, preset.resolution, preset.audio) == (tier, resolution, audio):
            return preset
    choices = "; ".join(
        f"tier={p.tier!r} resolution={p.resolution!r} audio={p.audio!r}" for p in presets.values()
    )
    raise KeyError(
        f"no model with tier={tier!r}, resolution={resolution!r}, audio={audio!r}; "
        f"available: {choices}"
    )

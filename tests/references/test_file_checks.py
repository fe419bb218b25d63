"""Each check on a local reference file, shown with a file that breaks only that check."""

from __future__ import annotations

import os
from pathlib import Path

import _media
import pytest

from wan_r2v import Problem, ReferenceLimits
from wan_r2v.references import LocalFile, check_local_file, local_path_of

LIMITS = ReferenceLimits()


def _check(path: Path, kind: str = "video") -> tuple[LocalFile | None, list[Problem]]:
    problems: list[Problem] = []
    checked = check_local_file(path, kind, "videos[0]", LIMITS, problems)  # type: ignore[arg-type]
    return checked, problems


def _one(problems: list[Problem]) -> str:
    assert len(problems) == 1, problems
    assert problems[0].field == "videos[0]"
    return problems[0].message


def test_a_good_video_passes_with_its_format_size_and_length(tmp_path: Path) -> None:
    path = _media.write(tmp_path, "clip.mp4", _media.mp4(5.0))
    checked, problems = _check(path)
    assert problems == []
    assert checked is not None
    assert (checked.kind, checked.format, checked.size) == ("video", "mp4", path.stat().st_size)
    assert checked.duration == pytest.approx(5.0)
    assert checked.content_type == "video/mp4"


def test_a_mov_passes_as_mov(tmp_path: Path) -> None:
    checked, problems = _check(_media.write(tmp_path, "clip.mov", _media.mov(3.0)))
    assert problems == [] and checked is not None and checked.format == "mov"
    assert checked.content_type == "video/quicktime"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    _, problems = _check(tmp_path / "nope.mp4")
    message = _one(problems)
    assert "nope.mp4" in message and "neither an http(s) URL nor an existing file" in message


def test_a_folder_is_refused(tmp_path: Path) -> None:
    message = _one(_check(tmp_path)[1])
    assert "not a regular file" in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = _media.write(tmp_path, "clip.mp4", _media.mp4())
    path.chmod(0)
    assert "cannot be read" in _one(_check(path)[1])


def test_the_name_does_not_make_a_video(tmp_path: Path) -> None:
    """A PNG called clip.mp4 is a PNG: the format comes from the bytes."""
    message = _one(_check(_media.write(tmp_path, "clip.mp4", _media.png()))[1])
    assert "a PNG image" in message and "MP4 or MOV" in message


def test_a_video_with_any_name_is_a_video(tmp_path: Path) -> None:
    checked, problems = _check(_media.write(tmp_path, "clip.bin", _media.mp4()))
    assert problems == [] and checked is not None and checked.extension == ".mp4"


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    assert "an empty file" in _one(_check(_media.write(tmp_path, "e.mp4", b""))[1])


def test_unknown_bytes_are_refused(tmp_path: Path) -> None:
    message = _one(_check(_media.write(tmp_path, "t.mp4", b"just text " * 10))[1])
    assert "not a format this library recognises" in message


def test_a_video_too_short(tmp_path: Path) -> None:
    message = _one(_check(_media.write(tmp_path, "short.mp4", _media.mp4(1.5)))[1])
    assert "lasts 1.50 s" in message and "2 to 30 s" in message


def test_a_video_too_long(tmp_path: Path) -> None:
    message = _one(_check(_media.write(tmp_path, "long.mp4", _media.mp4(31.0)))[1])
    assert "lasts 31.00 s" in message


def test_a_video_over_100_mib(tmp_path: Path) -> None:
    """A sparse file: MP4 header, then 101 MiB of nothing (costs no disk)."""
    path = _media.write(tmp_path, "big.mp4", _media.mp4(5.0))
    with path.open("r+b") as stream:
        stream.truncate(101 * 1024 * 1024)
    message = _one(_check(path)[1])
    assert "101.0 MiB" in message and "at most 100.0 MiB" in message


def test_a_video_whose_container_is_broken(tmp_path: Path) -> None:
    """An ftyp but no movie header: the length cannot be read, so it is refused."""
    data = b"\x00\x00\x00\x10ftypisom\x00\x00\x00\x00" + b"\x00\x00\x00\x10mdat" + bytes(8)
    message = _one(_check(_media.write(tmp_path, "broken.mp4", data))[1])
    assert "container cannot be read" in message


def test_an_image_over_20_mib(tmp_path: Path) -> None:
    path = _media.write(tmp_path, "big.png", _media.png())
    with path.open("r+b") as stream:
        stream.truncate(21 * 1024 * 1024)
    problems: list[Problem] = []
    assert check_local_file(path, "image", "images[0]", LIMITS, problems) is None
    assert [p.field for p in problems] == ["images[0]"]
    assert "at most 20.0 MiB" in problems[0].message


@pytest.mark.parametrize("maker", [_media.png, _media.jpeg, _media.bmp, _media.webp])
def test_each_image_format_passes(tmp_path: Path, maker: object) -> None:
    path = _media.write(tmp_path, "image", maker())  # type: ignore[operator]
    problems: list[Problem] = []
    assert check_local_file(path, "image", "images[0]", LIMITS, problems) is not None
    assert problems == []


@pytest.mark.parametrize("maker", [_media.wav, _media.mp3])
def test_each_audio_format_passes(tmp_path: Path, maker: object) -> None:
    path = _media.write(tmp_path, "sound", maker())  # type: ignore[operator]
    problems: list[Problem] = []
    assert check_local_file(path, "audio", "audio", LIMITS, problems) is not None
    assert problems == []


def test_a_video_given_as_audio_is_refused(tmp_path: Path) -> None:
    path = _media.write(tmp_path, "voice.wav", _media.mp4())
    problems: list[Problem] = []
    assert check_local_file(path, "audio", "audio", LIMITS, problems) is None
    assert "an MP4 video" in problems[0].message and "WAV or MP3" in problems[0].message


def test_limits_come_from_the_preset_data(tmp_path: Path) -> None:
    """A wider limit in a custom ReferenceLimits lets a 40 s clip through."""
    path = _media.write(tmp_path, "long.mp4", _media.mp4(40.0))
    problems: list[Problem] = []
    wide = LIMITS.replace(max_video_seconds=60)
    assert check_local_file(path, "video", "videos[0]", wide, problems) is not None
    assert problems == []


def test_paths_and_urls_are_told_apart(tmp_path: Path) -> None:
    assert local_path_of("https://example.com/a.mp4") is None
    assert (
        local_path_of("ftp://example.com/a.mp4") is None
    )  # another scheme: the URL rules judge it
    assert local_path_of(42) is None
    assert local_path_of(tmp_path / "a.mp4") == tmp_path / "a.mp4"
    assert local_path_of("./clip.mp4") == Path("clip.mp4")
    assert local_path_of(f"file://{tmp_path}/a%20b.mp4") == tmp_path / "a b.mp4"
    assert local_path_of("~/clip.mp4") == Path.home() / "clip.mp4"

"""Finding local files among the references: every problem at once, placeholders, substitution."""

from __future__ import annotations

from pathlib import Path

import _media
import pytest
from wan_r2v_api.models import CreateVideoRequest

from wan_r2v import ReferenceLimits
from wan_r2v.references import (
    PreparedReferences,
    names_local_files,
    prepare_references,
    substitute,
)

LIMITS = ReferenceLimits()


def _prepare(**params: object) -> PreparedReferences:
    return prepare_references(params, LIMITS)


def test_urls_alone_leave_the_arguments_as_they_are() -> None:
    params = {
        "prompt": "p",
        "videos": ["https://example.com/a.mp4"],
        "audio": "https://e.com/a.wav",
    }
    prepared = _prepare(**params)
    assert prepared.params is not None and dict(prepared.params) == params
    assert prepared.files == () and prepared.problems == ()


def test_every_problem_of_every_file_comes_at_once(tmp_path: Path) -> None:
    short = _media.write(tmp_path, "short.mp4", _media.mp4(1.0))
    text = _media.write(tmp_path, "pic.png", b"not a picture at all")
    voice = _media.write(tmp_path, "voice.mp3", _media.png())
    prepared = _prepare(
        videos=[short, str(tmp_path / "missing.mov")],
        images=["https://example.com/ok.png", text],
        audio=voice,
    )
    assert [p.field for p in prepared.problems] == ["videos[0]", "videos[1]", "images[1]", "audio"]
    assert prepared.files == ()


def test_good_files_get_placeholders_and_one_entry_per_distinct_file(tmp_path: Path) -> None:
    clip = _media.write(tmp_path, "clip.mp4", _media.mp4())
    pic = _media.write(tmp_path, "pic.png", _media.png())
    prepared = _prepare(
        videos=[clip, "https://example.com/b.mp4", str(clip)], images=[pic], audio=None
    )
    assert prepared.problems == ()
    assert [f.path.name for f in prepared.files] == ["clip.mp4", "pic.png"]
    assert [f.field for f in prepared.files] == ["videos[0]", "images[0]"]
    assert prepared.local_count == 3
    videos = prepared.params["videos"]
    assert videos[0] == videos[2] != videos[1] == "https://example.com/b.mp4"


def test_substitute_puts_each_files_url_in_its_place(tmp_path: Path) -> None:
    clip = _media.write(tmp_path, "clip.mp4", _media.mp4())
    voice = _media.write(tmp_path, "voice.wav", _media.wav())
    prepared = _prepare(videos=[clip], audio=voice)
    body = CreateVideoRequest.from_dict(
        {
            "model": "m",
            "prompt": "p",
            "videos": prepared.params["videos"],
            "extra_body": {"audio": prepared.params["audio"], "seed": 3},
        }
    )
    wire = substitute(body, ["https://s/clip?sig=1", "https://s/voice?sig=2"]).to_dict()
    assert wire["videos"] == ["https://s/clip?sig=1"]
    assert wire["extra_body"] == {"audio": "https://s/voice?sig=2", "seed": 3}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"videos": ["https://example.com/a.mp4"], "audio": "https://e.com/a.wav"},
        {"videos": "clip.mp4"},  # not a list: the body's rules judge it, nothing is a file
        {"videos": [b"clip.mp4", 3, None]},
        {"videos": ["ftp://example.com/a.mp4"], "images": ["data:image/png;base64,AAAA"]},
        {"videos": ["https://example.com/a.mp4", "clip.mp4"]},
        {"images": [Path("face.png")]},
        {"images": ["file:///tmp/face.png"]},
        {"images": ["file://elsewhere/face.png"]},
        {"audio": "voice.wav"},
        {"audio": Path("voice.wav")},
        {"audio": "HTTPS://E.COM/A.WAV"},
        {"audio": "https:// bad url"},
    ],
)
def test_names_local_files_agrees_with_preparation(params: dict[str, object]) -> None:
    """The create's fast path (no local file: no disk checks, no uploader) is taken exactly when
    preparing the references would find no local file."""
    assert names_local_files(params) == (prepare_references(params, LIMITS).local_count > 0)

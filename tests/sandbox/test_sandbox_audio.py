"""The sandbox's -audio models answer with an MP4 holding an AAC track; the others hold none."""

from __future__ import annotations

from pathlib import Path

import av
import httpx
import pytest
from _sandbox_helpers import CREATE

from wan_r2v._mp4info import read_mp4_info
from wan_r2v.presets import PRESETS
from wan_r2v.sandbox import Sandbox
from wan_r2v.sandbox._mp4 import AUDIO_RATE, video_file

pytestmark = pytest.mark.wan_r2v_sandbox(clock="per_poll", poll_steps=1)


def _streams(path: Path) -> dict[str, tuple[str, float]]:
    """Each stream's type -> (codec, seconds), as a real demuxer reads them."""
    with av.open(str(path)) as container:
        return {
            s.type: (s.codec_context.name, float(s.duration * s.time_base) if s.duration else 0.0)
            for s in container.streams
        }


def test_audio_file_has_an_aac_track_as_long_as_the_video() -> None:
    streams = _streams(video_file(320, 240, 3, audio=True))
    assert streams["video"][0] in ("h264", "mpeg4") and streams["audio"][0] == "aac"
    assert streams["audio"][1] == pytest.approx(3, abs=0.1)
    with av.open(str(video_file(320, 240, 3, audio=True))) as container:
        (audio,) = container.streams.audio
        assert audio.codec_context.sample_rate == AUDIO_RATE
        decoded = sum(frame.samples for frame in container.decode(audio))
    assert decoded == pytest.approx(3 * AUDIO_RATE, rel=0.05)
    assert "audio" not in _streams(video_file(320, 240, 3))


@pytest.mark.parametrize("model", sorted(PRESETS))
def test_each_model_sounds_as_its_preset_says(
    api: httpx.Client, wan_r2v_sandbox: Sandbox, tmp_path: Path, model: str
) -> None:
    preset = PRESETS[model]
    body = {
        "model": model,
        "prompt": "character1 waves",
        "images": ["https://example.com/ref.png"],
        "size": preset.default_size,
        "duration": 2,
    }
    task_id = api.post(CREATE, json=body).json()["id"]
    url = api.get(f"/v1/videos/{task_id}").json()["video_url"]
    target = tmp_path / "v.mp4"
    target.write_bytes(httpx.get(url, timeout=30).content)
    info = read_mp4_info(target)
    assert info.has_audio is (preset.audio is True), model
    assert ("audio" in _streams(target)) is info.has_audio

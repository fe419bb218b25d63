"""Real, playable MP4 results: H.264 (or MPEG-4 part 2) at a low frame rate, cached on disk.

A file holds exactly the requested width, height and duration: ``fps``
frames per second (default 2), each frame a gradient with a bar that moves
across the picture, so a player shows motion. With ``audio=True`` (the
``-audio`` models) it also holds an AAC track of the same length (a quiet
tone); without, no audio track at all. Files are cached by (width, height,
seconds, fps, audio) under `cache_dir` and written atomically, so parallel
test workers share them safely.
"""

from __future__ import annotations

import functools
import math
import os
import tempfile
import threading
from array import array
from fractions import Fraction
from pathlib import Path

import av
import av.container
from av.audio.stream import AudioStream
from av.video.stream import VideoStream

__all__ = [
    "CACHE_ENV",
    "MAX_SECONDS",
    "MAX_SIDE",
    "cache_dir",
    "check_video",
    "encoder_name",
    "video_bytes",
    "video_file",
]

#: Environment variable that moves the cache (default: ``<tmp>/wan-r2v-sandbox``).
CACHE_ENV = "WAN_R2V_SANDBOX_CACHE"
_FORMAT_VERSION = 1
_locks: dict[tuple[int, int, int, int, bool], threading.Lock] = {}
#: The audio track: mono AAC at this rate, a 500 Hz tone (32 samples a period).
AUDIO_RATE = 16000
_TONE_HZ = 500
_AUDIO_FRAME = 1024
_locks_guard = threading.Lock()


def cache_dir() -> Path:
    """Where generated files are kept."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "wan-r2v-sandbox"


@functools.cache
def encoder_name() -> str:
    """``libx264`` when this PyAV build has it, else ``mpeg4``."""
    try:
        av.codec.Codec("libx264", "w")
    except Exception:
        return "mpeg4"
    return "libx264"


#: The largest video the sandbox makes (any preset's is far smaller).
MAX_SIDE = 4096
MAX_SECONDS = 120


def check_video(width: int, height: int, seconds: int, fps: int = 2) -> None:
    """Raise ValueError (saying why) when the sandbox cannot make this video."""
    if not (16 <= width <= MAX_SIDE and 16 <= height <= MAX_SIDE):
        raise ValueError(
            f"the sandbox makes videos of 16..{MAX_SIDE} pixels a side, not {width}x{height}"
        )
    if width % 2 or height % 2:
        raise ValueError(f"{width}x{height}: H.264 in yuv420p needs an even width and height")
    if not (1 <= seconds <= MAX_SECONDS and 1 <= fps <= 60):
        raise ValueError(
            f"the sandbox makes videos of 1..{MAX_SECONDS} s at 1..60 fps, not {seconds} s "
            f"at {fps} fps"
        )


def _luma_plane(width: int, height: int, line: int, frame: int, frames: int) -> bytes:
    """A left-to-right gradient with a bright bar at a position that moves with ``frame``."""
    row = bytearray(16 + (x * 200) // width for x in range(width))
    bar = max(2, width // 16)
    start = ((width - bar) * frame) // max(1, frames - 1)
    row[start : start + bar] = b"\xeb" * bar
    row.extend(b"\x10" * (line - width))
    return bytes(row) * height


@functools.cache
def _tone(samples: int) -> bytes:
    """`samples` float32 samples of a quiet 500 Hz tone, as planar bytes."""
    period = AUDIO_RATE // _TONE_HZ
    wave = array("f", (0.1 * math.sin(2 * math.pi * i / period) for i in range(period)))
    repeated = wave * (samples // period + 1)
    return repeated[:samples].tobytes()


def _encode_audio(
    container: av.container.OutputContainer, stream: AudioStream, seconds: int
) -> None:
    total = AUDIO_RATE * seconds
    time_base = Fraction(1, AUDIO_RATE)
    for start in range(0, total, _AUDIO_FRAME):
        count = min(_AUDIO_FRAME, total - start)
        frame = av.AudioFrame(format="fltp", layout="mono", samples=count)
        frame.planes[0].update(_tone(count))
        frame.sample_rate = AUDIO_RATE
        frame.pts = start
        frame.time_base = time_base
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)


def _encode(path: Path, width: int, height: int, seconds: int, fps: int, audio: bool) -> None:
    frames = seconds * fps
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream(encoder_name(), rate=fps)
        assert isinstance(stream, VideoStream)
        stream.width = width
        stream.height = height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = fps
        if encoder_name() == "libx264":
            stream.options = {"preset": "ultrafast", "tune": "zerolatency"}
        sound = container.add_stream("aac", rate=AUDIO_RATE, layout="mono") if audio else None
        time_base = Fraction(1, fps)
        for index in range(frames):
            frame = av.VideoFrame(width, height, "yuv420p")
            luma, cb, cr = frame.planes
            luma.update(_luma_plane(width, height, luma.line_size, index, frames))
            tint = (90 + (index * 80) // max(1, frames - 1)) & 0xFF
            cb.update(bytes([tint]) * (cb.line_size * cb.height))
            cr.update(bytes([128]) * (cr.line_size * cr.height))
            frame.pts = index
            frame.time_base = time_base
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
        if sound is not None:  # every stream is added before the first packet is muxed
            assert isinstance(sound, AudioStream)
            _encode_audio(container, sound, seconds)


def video_file(width: int, height: int, seconds: int, *, fps: int = 2, audio: bool = False) -> Path:
    """The path of a cached MP4 of this size and duration (with an AAC track when `audio`)."""
    check_video(width, height, seconds, fps)
    key = (width, height, seconds, fps, audio)
    sound = "_aac" if audio else ""
    target = cache_dir() / f"r2v_{width}x{height}_{seconds}s_{fps}fps{sound}_v{_FORMAT_VERSION}.mp4"
    if target.is_file():
        return target
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(prefix=target.stem, suffix=".part", dir=target.parent)
        os.close(fd)
        try:
            _encode(Path(partial), width, height, seconds, fps, audio)
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return target


@functools.lru_cache(maxsize=16)
def video_bytes(
    width: int, height: int, seconds: int, *, fps: int = 2, audio: bool = False
) -> bytes:
    """The bytes of `video_file` (kept in memory for the most recent sizes)."""
    return video_file(width, height, seconds, fps=fps, audio=audio).read_bytes()

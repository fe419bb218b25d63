"""Any object with ``upload(file, *, expires_in)`` is an uploader, for `Client` and `AsyncClient`; dry runs upload nothing."""

from __future__ import annotations

import io
import json
import threading
from datetime import timedelta
from pathlib import Path

import _media
import pytest

from wan_r2v import AsyncClient, Client
from wan_r2v.cli import run as run_cli
from wan_r2v.references import LocalFile, Uploader
from wan_r2v.sandbox import Sandbox

MODEL = "wan2.6-r2v-flash-720p-audio"
pytestmark = pytest.mark.wan_r2v_sandbox(clock="per_poll", poll_steps=2)


class RecordingUploader:
    """Stores nothing: returns a made-up URL per file and records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, timedelta, str]] = []
        self._lock = threading.Lock()

    def upload(self, file: LocalFile, *, expires_in: timedelta) -> str:
        with self._lock:
            self.calls.append(
                (file.field, file.format, expires_in, threading.current_thread().name)
            )
        return f"https://cdn.example/{file.path.name}?token=t"


def test_a_plain_class_is_an_uploader_for_the_sync_client(
    wan_r2v_sandbox: Sandbox, tmp_path: Path
) -> None:
    uploader = RecordingUploader()
    assert isinstance(uploader, Uploader)
    clip = _media.write(tmp_path, "clip.mp4", _media.mp4())
    pic = _media.write(tmp_path, "pic.webp", _media.webp())
    with Client(
        api_key=wan_r2v_sandbox.api_key, base_url=wan_r2v_sandbox.base_url, uploader=uploader
    ) as client:
        client.create(model=MODEL, prompt="p", videos=[clip], images=[pic])
    sent = wan_r2v_sandbox.requests[0].json
    assert sent["videos"] == ["https://cdn.example/clip.mp4?token=t"]
    assert sent["images"] == ["https://cdn.example/pic.webp?token=t"]
    assert sorted(c[:3] for c in uploader.calls) == [
        ("images[0]", "webp", timedelta(seconds=900 + 1800)),
        ("videos[0]", "mp4", timedelta(seconds=900 + 1800)),
    ]
    assert all(c[3].startswith("wan-r2v-upload") for c in uploader.calls)  # at once, in threads


@pytest.mark.anyio
async def test_a_blocking_uploader_runs_in_threads_for_the_async_client(
    wan_r2v_sandbox: Sandbox, tmp_path: Path
) -> None:
    uploader = RecordingUploader()
    voice = _media.write(tmp_path, "voice.mp3", _media.mp3())
    clip = _media.write(tmp_path, "clip.mov", _media.mov())
    async with AsyncClient(
        api_key=wan_r2v_sandbox.api_key, base_url=wan_r2v_sandbox.base_url, uploader=uploader
    ) as client:
        await client.create(model=MODEL, prompt="p", videos=[clip], audio=voice)
    sent = wan_r2v_sandbox.requests[0].json
    assert sent["extra_body"]["audio"] == "https://cdn.example/voice.mp3?token=t"
    assert {c[0] for c in uploader.calls} == {"videos[0]", "audio"}
    assert all(c[3] != threading.main_thread().name for c in uploader.calls)


class MeetingUploader(RecordingUploader):
    """Each upload waits until all `parties` uploads are in progress at once (else times out)."""

    def __init__(self, parties: int) -> None:
        super().__init__()
        self.barrier = threading.Barrier(parties, timeout=20)

    def upload(self, file: LocalFile, *, expires_in: timedelta) -> str:
        self.barrier.wait()  # BrokenBarrierError (an UploadError) if uploads ran one by one
        return super().upload(file, expires_in=expires_in)


def _three_files(folder: Path) -> dict[str, list[Path]]:
    return {
        "videos": [_media.write(folder, f"c{i}.mp4", _media.mp4(2.0 + i)) for i in range(2)],
        "images": [_media.write(folder, "p.png", _media.png())],
    }


def test_uploads_of_one_request_overlap_sync(wan_r2v_sandbox: Sandbox, tmp_path: Path) -> None:
    uploader = MeetingUploader(3)
    with Client(
        api_key=wan_r2v_sandbox.api_key, base_url=wan_r2v_sandbox.base_url, uploader=uploader
    ) as client:
        client.create(model=MODEL, prompt="p", **_three_files(tmp_path))  # type: ignore[arg-type]
    assert len(uploader.calls) == 3 and wan_r2v_sandbox.count("create") == 1


@pytest.mark.anyio
async def test_uploads_of_one_request_overlap_async(
    wan_r2v_sandbox: Sandbox, tmp_path: Path
) -> None:
    uploader = MeetingUploader(3)
    async with AsyncClient(
        api_key=wan_r2v_sandbox.api_key, base_url=wan_r2v_sandbox.base_url, uploader=uploader
    ) as client:
        await client.create(model=MODEL, prompt="p", **_three_files(tmp_path))  # type: ignore[arg-type]
    assert len(uploader.calls) == 3 and wan_r2v_sandbox.count("create") == 1


def test_the_cli_prints_each_quarter_of_a_large_upload() -> None:
    from wan_r2v.cli._console import Console
    from wan_r2v.cli._uploads import UploadPrinter
    from wan_r2v.references import UploadProgress

    err = io.StringIO()
    printer = UploadPrinter(Console(io.StringIO(), err))
    file = LocalFile(
        path=Path("big.mp4"), kind="video", format="mp4", size=3 * 1024 * 1024, field="videos[1]"
    )
    for state, sent in [
        ("checking", 0),
        *(("uploading", n * file.size // 10) for n in range(1, 11)),
        ("uploaded", file.size),
    ]:
        printer(UploadProgress(file=file, sent=sent, total=file.size, state=state))  # type: ignore[arg-type]
    assert err.getvalue().splitlines() == [
        "--video #2 big.mp4: uploading 25% of 3.0 MiB",
        "--video #2 big.mp4: uploading 50% of 3.0 MiB",
        "--video #2 big.mp4: uploading 75% of 3.0 MiB",
        "--video #2 big.mp4: uploaded (3.0 MiB)",
    ]


def test_a_dry_run_checks_files_and_shows_them_without_uploading(tmp_path: Path) -> None:
    clip = _media.write(tmp_path, "clip.mp4", _media.mp4())
    out, err = io.StringIO(), io.StringIO()
    code = run_cli(
        ["create", "--dry-run", "-m", MODEL, "-p", "p", "--video", str(clip)],
        stdout=out,
        stderr=err,
        environ={},
    )
    assert code == 0, err.getvalue()
    assert json.loads(out.getvalue())["videos"] == [clip.resolve().as_uri()]
    bad = _media.write(tmp_path, "short.mp4", _media.mp4(1.0))
    code = run_cli(
        ["create", "--dry-run", "-m", MODEL, "-p", "p", "--video", str(bad)],
        stdout=io.StringIO(),
        stderr=(err := io.StringIO()),
        environ={},
    )
    assert code == 2 and "--video #1" in err.getvalue() and "lasts 1.00 s" in err.getvalue()

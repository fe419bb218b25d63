"""Local files end to end over real HTTP: files -> moto's S3 on 127.0.0.1 -> signed URLs ->
the sandbox fetching each reference (check_references) -> the MP4 downloaded. Sync, async, CLI."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import _media
import pytest
from _mp4probe import probe_mp4
from _s3server import SECRET_KEY, S3TestServer

from wan_r2v import (
    AsyncClient,
    Client,
    TaskFailedError,
    TaskStatus,
    UploadError,
    ValidationError,
)
from wan_r2v.references import S3Uploader
from wan_r2v.sandbox import Sandbox

POLL = 0.01
MODEL = "wan2.6-r2v-flash-720p-audio"
pytestmark = pytest.mark.wan_r2v_sandbox(clock="per_poll", poll_steps=3, check_references=True)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "refs"
    folder.mkdir()
    return {
        "clip": _media.write(folder, "clip.mp4", _media.mp4(4.0, pad=4096)),
        "pic": _media.write(folder, "face.png", _media.png()),
        "voice": _media.write(folder, "voice.wav", _media.wav()),
    }


def _client(sandbox: Sandbox, uploader: S3Uploader | None) -> Client:
    return Client(api_key=sandbox.api_key, base_url=sandbox.base_url, uploader=uploader)


def _sent(sandbox: Sandbox) -> dict[str, Any]:
    creates = [r for r in sandbox.requests if r.route == "create"]
    assert len(creates) == 1
    body: dict[str, Any] = creates[0].json
    return body


def _assert_signed(url: str, bucket: str, file: Path) -> None:
    parts = urlsplit(url)
    assert parts.path.startswith(f"/{bucket}/wan-r2v/")
    assert parts.path.rsplit("/", 1)[1].startswith(sha256_of_path(file) + ".")
    assert "X-Amz-Signature" in parse_qs(parts.query)


def sha256_of_path(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sync_generate_uploads_local_files_and_the_sandbox_fetches_them(
    wan_r2v_sandbox: Sandbox,
    s3_server: S3TestServer,
    bucket: str,
    s3_kwargs: dict[str, str],
    files: dict[str, Path],
    tmp_path: Path,
) -> None:
    uploader = S3Uploader(bucket, prefix="wan-r2v", **s3_kwargs)
    with _client(wan_r2v_sandbox, uploader) as client:
        result = client.generate(
            model=MODEL,
            prompt="character1 waves at character2",
            videos=[files["clip"]],  # a Path
            images=[str(files["pic"])],  # a str path
            audio=files["voice"],
            duration=5,
            path=tmp_path,
            poll_interval=POLL,
            wait_timeout=600,
        )
    assert result.task.status is TaskStatus.SUCCEEDED
    assert probe_mp4(result.path).duration == pytest.approx(5.0, abs=0.05)
    body = _sent(wan_r2v_sandbox)
    _assert_signed(body["videos"][0], bucket, files["clip"])
    _assert_signed(body["images"][0], bucket, files["pic"])
    _assert_signed(body["extra_body"]["audio"], bucket, files["voice"])
    # valid for the wait's deadline (600 s) plus the 30 min margin
    assert parse_qs(urlsplit(body["videos"][0]).query)["X-Amz-Expires"] == ["2400"]
    # the sandbox fetched each signed URL, without the gateway key (or any Authorization)
    for name in ("clip", "pic", "voice"):
        fetches = s3_server.signed_gets(sha256_of_path(files[name]))
        assert fetches, f"{name} was never fetched"
        assert all("X-Amz-Signature" in q and auth is None for q, auth in fetches)


def test_a_second_task_with_the_same_files_uploads_nothing(
    wan_r2v_sandbox: Sandbox,
    s3_server: S3TestServer,
    bucket: str,
    s3_kwargs: dict[str, str],
    files: dict[str, Path],
) -> None:
    uploader = S3Uploader(bucket, prefix="wan-r2v", **s3_kwargs)
    with _client(wan_r2v_sandbox, uploader) as client:
        first = client.create(model=MODEL, prompt="one", videos=[files["clip"]])
        writes = len(s3_server.uploads())
        assert writes >= 1
        second = client.create(model=MODEL, prompt="two", videos=[files["clip"]])
        assert len(s3_server.uploads()) == writes
        client.wait(second, poll_interval=POLL)
    assert first.id != second.id and wan_r2v_sandbox.count("create") == 2


def test_a_store_that_refuses_the_upload_means_no_create(
    wan_r2v_sandbox: Sandbox,
    s3_server: S3TestServer,
    bucket: str,
    s3_kwargs: dict[str, str],
    files: dict[str, Path],
) -> None:
    s3_server.refuse_uploads = True
    try:
        with (
            _client(wan_r2v_sandbox, S3Uploader(bucket, **s3_kwargs)) as client,
            pytest.raises(UploadError) as caught,
        ):
            client.create(model=MODEL, prompt="p", videos=[files["clip"]], images=[files["pic"]])
    finally:
        s3_server.refuse_uploads = False
    assert wan_r2v_sandbox.count("create") == 0
    assert "2 reference uploads failed" in str(caught.value)
    assert SECRET_KEY not in str(caught.value)


def test_bad_files_are_all_reported_before_any_upload(
    wan_r2v_sandbox: Sandbox,
    s3_server: S3TestServer,
    bucket: str,
    s3_kwargs: dict[str, str],
    tmp_path: Path,
) -> None:
    short = _media.write(tmp_path, "short.mp4", _media.mp4(1.0))
    fake = _media.write(tmp_path, "fake.png", b"not a picture")
    before = len(s3_server.requests)
    with (
        _client(wan_r2v_sandbox, S3Uploader(bucket, **s3_kwargs)) as client,
        pytest.raises(ValidationError) as caught,
    ):
        client.create(model=MODEL, prompt="", videos=[short], images=[fake, "./missing.jpg"])
    fields = [p.field for p in caught.value.problems]
    assert fields == ["prompt", "videos[0]", "images[0]", "images[1]"]
    assert "'./missing.jpg' is neither an http(s) URL nor an existing file" in str(caught.value)
    assert len(s3_server.requests) == before and wan_r2v_sandbox.count() == 0


def test_a_local_file_without_a_store_says_how_to_configure_one(
    wan_r2v_sandbox: Sandbox, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WAN_R2V_UPLOAD_URL", raising=False)
    with _client(wan_r2v_sandbox, None) as client, pytest.raises(ValidationError) as caught:
        client.create(model=MODEL, prompt="p", videos=[files["clip"]])
    assert "WAN_R2V_UPLOAD_URL=s3://bucket/prefix" in str(caught.value)
    assert wan_r2v_sandbox.count() == 0


def test_the_environment_names_the_store(
    wan_r2v_sandbox: Sandbox,
    s3_server: S3TestServer,
    bucket: str,
    files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in s3_server.credentials_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("WAN_R2V_UPLOAD_URL", f"s3://{bucket}/from-env")
    with _client(wan_r2v_sandbox, None) as client:
        task = client.wait(
            client.create(model=MODEL, prompt="p", images=[files["pic"]]), poll_interval=POLL
        )
    assert task.succeeded
    assert f"/{bucket}/from-env/" in _sent(wan_r2v_sandbox)["images"][0]


def test_the_sandbox_fails_a_task_whose_reference_is_not_the_media_it_claims(
    wan_r2v_sandbox: Sandbox, bucket: str, s3_kwargs: dict[str, str], files: dict[str, Path]
) -> None:
    """A signed URL to a PNG, given as a video: fetched, judged by its bytes, refused like upstream."""
    from wan_r2v import ReferenceLimits
    from wan_r2v.references import check_local_file

    problems: list[Any] = []
    png = check_local_file(files["pic"], "image", "images[0]", ReferenceLimits(), problems)
    assert png is not None
    url = S3Uploader(bucket, **s3_kwargs).upload(png, expires_in=timedelta(hours=1))
    with _client(wan_r2v_sandbox, None) as client, pytest.raises(TaskFailedError) as caught:
        client.wait(client.create(model=MODEL, prompt="p", videos=[url]), poll_interval=POLL)
    task = caught.value.task
    assert task.error_code == "InvalidParameter.DataInspection"
    assert "videos[0]" in (task.error_message or "") and "a PNG image" in (task.error_message or "")


def test_the_sandbox_fails_a_task_whose_reference_cannot_be_fetched(
    wan_r2v_sandbox: Sandbox, s3_server: S3TestServer, bucket: str
) -> None:
    missing = f"{s3_server.endpoint}/{bucket}/nothing-here.mp4?X-Amz-Signature=abc123"
    with _client(wan_r2v_sandbox, None) as client, pytest.raises(TaskFailedError) as caught:
        client.wait(client.create(model=MODEL, prompt="p", videos=[missing]), poll_interval=POLL)
    assert caught.value.task.error_code == "InvalidParameter.DataInspection"
    assert "videos[0]: the server answered HTTP 404" in str(caught.value)


@pytest.mark.wan_r2v_sandbox(clock="per_poll", poll_steps=3, check_references=False)
def test_by_default_the_sandbox_takes_the_seed_urls_on_trust(wan_r2v_sandbox: Sandbox) -> None:
    with _client(wan_r2v_sandbox, None) as client:
        task = client.wait(
            client.create(
                model=MODEL, prompt="p", videos=["https://example.com/reference-shot-1.mp4"]
            ),
            poll_interval=POLL,
        )
    assert task.succeeded


@pytest.mark.anyio
async def test_async_generate_with_local_files(
    wan_r2v_sandbox: Sandbox,
    s3_server: S3TestServer,
    bucket: str,
    s3_kwargs: dict[str, str],
    files: dict[str, Path],
    tmp_path: Path,
) -> None:
    uploader = S3Uploader(bucket, prefix="wan-r2v", **s3_kwargs)
    async with AsyncClient(
        api_key=wan_r2v_sandbox.api_key, base_url=wan_r2v_sandbox.base_url, uploader=uploader
    ) as client:
        result = await client.generate(
            model=MODEL,
            prompt="character1 and character2",
            videos=[files["clip"]],
            images=[files["pic"]],
            path=tmp_path,
            poll_interval=POLL,
        )
    assert result.task.succeeded and probe_mp4(result.path).duration > 0
    body = _sent(wan_r2v_sandbox)
    _assert_signed(body["videos"][0], bucket, files["clip"])
    _assert_signed(body["images"][0], bucket, files["pic"])
    assert s3_server.signed_gets(sha256_of_path(files["clip"]))


def test_cli_generate_with_local_files(
    wan_r2v_sandbox: Sandbox,
    s3_server: S3TestServer,
    bucket: str,
    files: dict[str, Path],
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WAN_R2V_", "AWS_"))}
    env.update(s3_server.credentials_env())
    env.update(
        WAN_R2V_BASE_URL=wan_r2v_sandbox.base_url,
        WAN_R2V_API_KEY=wan_r2v_sandbox.api_key,
        WAN_R2V_UPLOAD_URL=f"s3://{bucket}/cli",
    )
    argv = [
        sys.executable, "-m", "wan_r2v.cli", "generate", "-m", MODEL, "-p", "character1 waves",
        "--video", "refs/clip.mp4", "--image", "refs/face.png", "--duration", "3",
        "--poll-interval", "0.01", "--timeout", "7200", "-o", str(out),
    ]  # fmt: skip
    run = subprocess.run(
        argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert "--video #1 clip.mp4: uploaded" in run.stderr
    assert "--image #1 face.png: uploaded" in run.stderr
    videos = list(out.glob("*.mp4"))
    assert len(videos) == 1 and probe_mp4(videos[0]).duration == pytest.approx(3.0, abs=0.05)
    body = _sent(wan_r2v_sandbox)
    assert f"/{bucket}/cli/" in body["videos"][0]
    # the URL outlives the command's own wait (--timeout 7200) plus the 30 min margin
    assert parse_qs(urlsplit(body["videos"][0]).query)["X-Amz-Expires"] == ["9000"]
    for text in (run.stdout, run.stderr):
        assert "X-Amz-Signature=" not in text.replace("X-Amz-Signature=***", "")
        assert SECRET_KEY not in text
    again = subprocess.run(
        argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert again.returncode == 0, again.stderr
    assert "--video #1 clip.mp4: already in the store, not uploaded again" in again.stderr


def test_the_sandbox_command_takes_check_references() -> None:
    from wan_r2v.sandbox.__main__ import build_parser

    assert build_parser().parse_args(["--check-references"]).check_references is True
    assert build_parser().parse_args([]).check_references is False


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_local_file_among_urls_is_still_checked_before_anything_is_sent(
    wan_r2v_sandbox: Sandbox, tmp_path: Path, mode: str
) -> None:
    """URL references take the create's fast path; one local path among them must not."""
    params: dict[str, Any] = {
        "model": MODEL,
        "prompt": "p",
        "videos": ["https://example.com/a.mp4"],
        "audio": str(tmp_path / "missing.wav"),
    }
    with pytest.raises(ValidationError) as caught:
        if mode == "sync":
            with _client(wan_r2v_sandbox, None) as client:
                client.create(**params)
        else:

            async def create() -> None:
                async with AsyncClient(
                    api_key=wan_r2v_sandbox.api_key, base_url=wan_r2v_sandbox.base_url
                ) as client:
                    await client.create(**params)

            asyncio.run(create())
    assert [p.field for p in caught.value.problems] == ["audio"]
    assert "missing.wav' is neither an http(s) URL nor an existing file" in str(caught.value)
    assert wan_r2v_sandbox.count() == 0

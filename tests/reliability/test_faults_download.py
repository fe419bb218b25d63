"""Fault matrix, download: a file appears at the target only when it is complete and whole.

A body cut off midway is resumed with Range/If-Range where the server takes
ranges, else fetched again; when every attempt fails the target is untouched
and no temporary file stays behind. Sleeps are faked (see `_harness`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from _harness import PARAMS, Facade
from _mp4probe import probe_mp4

from wan_r2v import DownloadError, Task, TaskStatus
from wan_r2v.sandbox import Sandbox


def finished(facade: Facade) -> Task:
    """A task the sandbox has completed, with its result URL (one create, no download yet)."""
    task = facade.wait(facade.create(**PARAMS), timeout=600)
    assert task.video_url
    return task


@pytest.fixture(autouse=True)
def one_create_per_test(sandbox: Sandbox) -> Iterator[None]:
    """Each download test creates its task once; no download fault ever causes a create."""
    yield
    assert sandbox.count("create") == 1 and len(sandbox.tasks) == 1


def the_video(task: Task) -> bytes:
    """The result's bytes, fetched directly (after the counts were checked)."""
    assert task.video_url
    return httpx.get(task.video_url, timeout=10).content


def entries(folder: Path) -> list[str]:
    """Everything in a folder, hidden temporary files included."""
    return sorted(p.name for p in folder.iterdir())


def download_requests(sandbox: Sandbox) -> list[dict[str, str]]:
    return [dict(r.headers) for r in sandbox.requests if r.route == "download"]


def assert_whole_mp4(path: Path, expected: bytes) -> None:
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == hashlib.sha256(expected).hexdigest()
    info = probe_mp4(path)
    assert (info.width, info.height) == (1280, 720)


def test_a_body_cut_off_midway_is_resumed_with_range(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    task = finished(facade)
    sandbox.faults.add("truncate;bytes=5000;count=1", route="download")
    path = facade.download(task, tmp_path / "v.mp4")
    first, second = download_requests(sandbox)
    assert "range" not in first
    assert second["range"] == "bytes=5000-"
    assert second["if-range"].startswith('"')
    assert entries(tmp_path) == ["v.mp4"]
    assert_whole_mp4(path, the_video(task))


def test_a_body_cut_off_twice_is_resumed_twice(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    task = finished(facade)
    sandbox.faults.add("truncate;bytes=3000;count=2", route="download")
    path = facade.download(task, tmp_path / "v.mp4")
    ranges = [h.get("range") for h in download_requests(sandbox)]
    # the second answer is the rest from 3000, cut again after 3000 of its bytes
    assert ranges == [None, "bytes=3000-", "bytes=6000-"]
    assert_whole_mp4(path, the_video(task))


def test_a_body_cut_off_before_any_byte_is_fetched_again_whole(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    task = finished(facade)
    sandbox.faults.add("truncate;bytes=0;count=1", route="download")
    path = facade.download(task, tmp_path / "v.mp4")
    assert [h.get("range") for h in download_requests(sandbox)] == [None, None]
    assert_whole_mp4(path, the_video(task))


def test_without_ranges_a_cut_off_body_is_fetched_again_whole(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    task = finished(facade)
    sandbox.faults.add("no_ranges", route="download")
    sandbox.faults.add("truncate;bytes=5000;count=1", route="download")
    path = facade.download(task, tmp_path / "v.mp4")
    assert [h.get("range") for h in download_requests(sandbox)] == [None, None]
    assert_whole_mp4(path, the_video(task))


def test_without_ranges_a_body_cut_off_every_time_fails_cleanly(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    task = finished(facade)
    sandbox.faults.add("no_ranges", route="download")
    sandbox.faults.add("truncate;bytes=5000", route="download")
    with pytest.raises(DownloadError, match="broke off after 5000"):
        facade.download(task, tmp_path / "v.mp4")
    assert [h.get("range") for h in download_requests(sandbox)] == [None, None, None]
    assert entries(tmp_path) == []


def test_a_slow_body_arrives_whole(facade: Facade, sandbox: Sandbox, tmp_path: Path) -> None:
    task = finished(facade)
    sandbox.faults.add("trickle;chunk=8192;interval=0", route="download")
    path = facade.download(task, tmp_path / "v.mp4")
    assert_whole_mp4(path, the_video(task))


def test_a_body_cut_off_every_time_fails_cleanly(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    task = finished(facade)
    target = tmp_path / "v.mp4"
    target.write_bytes(b"an older video")
    sandbox.faults.add("truncate;bytes=4000", route="download")
    with pytest.raises(DownloadError, match="nothing was written"):
        facade.download(task, target)
    assert len(download_requests(sandbox)) == 3  # 1 + max_retries
    assert target.read_bytes() == b"an older video"
    assert entries(tmp_path) == ["v.mp4"]


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param("503;count=1", id="503"),
        pytest.param("429;retry_after=0;count=1", id="429"),
        pytest.param("520;count=2", id="520"),
        pytest.param("reset;count=1", id="reset"),
    ],
)
def test_transient_download_faults_are_retried(
    facade: Facade, sandbox: Sandbox, tmp_path: Path, fault: str
) -> None:
    task = finished(facade)
    sandbox.faults.add(fault, route="download")
    path = facade.download(task, tmp_path / "v.mp4")
    assert_whole_mp4(path, the_video(task))
    assert entries(tmp_path) == ["v.mp4"]


def test_a_download_read_timeout_is_retried(
    make_facade: Callable[..., Facade], sandbox: Sandbox, tmp_path: Path
) -> None:
    facade = make_facade(timeout=0.5)
    task = finished(facade)
    sandbox.faults.add("hang;seconds=30;count=1", route="download")
    path = facade.download(task, tmp_path / "v.mp4")
    assert_whole_mp4(path, the_video(task))


def test_a_server_error_every_time_fails_cleanly(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    task = finished(facade)
    sandbox.faults.add("520", route="download")
    with pytest.raises(DownloadError) as caught:
        facade.download(task, tmp_path / "v.mp4")
    assert caught.value.status_code == 520
    assert len(download_requests(sandbox)) == 3
    assert entries(tmp_path) == []


@pytest.mark.parametrize(
    ("fault", "match"),
    [
        pytest.param("html;status=200", "text/html", id="html-200"),
        pytest.param("malformed;status=200", "application/json", id="json-200"),
        pytest.param("empty;status=200", "application/json", id="empty-200"),
        pytest.param("400", "400", id="400"),
    ],
)
def test_an_answer_that_is_not_the_video_is_never_saved(
    facade: Facade, sandbox: Sandbox, tmp_path: Path, fault: str, match: str
) -> None:
    task = finished(facade)
    sandbox.faults.add(fault, route="download")
    with pytest.raises(DownloadError, match=match):
        facade.download(task, tmp_path / "v.mp4")
    assert len(download_requests(sandbox)) == 1
    assert sandbox.count("content") == 0  # the gateway's proxy would fetch the same file
    assert entries(tmp_path) == []


def test_a_video_over_max_download_bytes_is_refused_before_writing(
    make_facade: Callable[..., Facade], sandbox: Sandbox, tmp_path: Path
) -> None:
    facade = make_facade(max_download_bytes=1000)
    task = finished(facade)
    with pytest.raises(DownloadError, match="max_download_bytes=1000"):
        facade.download(task, tmp_path / "v.mp4")
    assert len(download_requests(sandbox)) == 1
    assert entries(tmp_path) == []


def test_an_endless_body_stops_at_max_download_bytes(
    make_facade: Callable[..., Facade], sandbox: Sandbox, tmp_path: Path
) -> None:
    facade = make_facade(max_download_bytes=2_000_000)
    task = finished(facade)
    sandbox.faults.add("endless", route="download")
    with pytest.raises(DownloadError, match="max_download_bytes=2000000"):
        facade.download(task, tmp_path / "v.mp4")
    assert len(download_requests(sandbox)) == 1  # too big is not retried
    assert entries(tmp_path) == []


# ---- the disk: full, refusing, or in the way ----


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 KiB tmpfs (root only): smaller than any sandbox video."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root (the ENOSPC test below covers the write path)")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_leaves_no_file(facade: Facade, sandbox: Sandbox, tiny_disk: Path) -> None:
    task = finished(facade)
    assert len(the_video(task)) > 16 * 1024
    with pytest.raises(OSError) as caught:
        facade.download(task, tiny_disk / "v.mp4")
    assert caught.value.errno == errno.ENOSPC
    assert entries(tiny_disk) == []


def test_a_write_failing_with_enospc_leaves_no_file(
    facade: Facade, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wan_r2v import _download

    task = finished(facade)
    target = tmp_path / "v.mp4"
    target.write_bytes(b"an older video")
    real_write = _download.PartFile.write

    def write(self: _download.PartFile, chunk: bytes) -> None:
        if self.size + len(chunk) > 4096:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_write(self, chunk)

    monkeypatch.setattr(_download.PartFile, "write", write)
    with pytest.raises(OSError) as caught:
        facade.download(task, target)
    assert caught.value.errno == errno.ENOSPC
    assert target.read_bytes() == b"an older video"
    assert entries(tmp_path) == ["v.mp4"]


def test_a_target_whose_folder_cannot_exist_fails_before_fetching(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    task = finished(facade)
    (tmp_path / "a-file").write_bytes(b"")
    with pytest.raises(OSError):
        facade.download(task, tmp_path / "a-file" / "v.mp4")
    assert entries(tmp_path) == ["a-file"]


def test_an_unwritable_folder_leaves_no_file(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    task = finished(facade)
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() == 0:
        if shutil.which("mount") is None:
            pytest.skip("root ignores permissions and there is no mount(8) for a read-only tmpfs")
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
            capture_output=True,
            check=False,
        )
        if mounted.returncode != 0:
            pytest.skip("root ignores permissions and a read-only tmpfs cannot be mounted")
    else:
        folder.chmod(0o555)
    try:
        with pytest.raises(OSError) as caught:
            facade.download(task, folder / "v.mp4")
        assert caught.value.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
        assert entries(folder) == []
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        else:
            folder.chmod(0o755)


def test_overwrite_false_keeps_what_is_there(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    task = finished(facade)
    target = tmp_path / "v.mp4"
    target.write_bytes(b"mine")
    with pytest.raises(FileExistsError):
        facade.download(task, target, overwrite=False)
    assert target.read_bytes() == b"mine"
    assert entries(tmp_path) == ["v.mp4"]


def test_a_folder_target_gets_the_task_id_as_its_name(
    facade: Facade, sandbox: Sandbox, tmp_path: Path
) -> None:
    task = finished(facade)
    path = facade.download(task, tmp_path)
    assert path == tmp_path / f"{task.id}.mp4"
    assert task.status is TaskStatus.SUCCEEDED
    assert_whole_mp4(path, the_video(task))

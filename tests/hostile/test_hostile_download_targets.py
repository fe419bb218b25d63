"""Where a download goes, over real TCP against the hostile peer (issue 10, item 5).

A path ending in a separator, or an existing folder, is a folder (created if
missing) holding ``<task id>.mp4``; a target that exists and is not a regular
file is refused before anything is fetched; ``overwrite=False`` is atomic.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from _downloads import VIDEO, downloads, entries, serve_finished_task, video
from _harness import open_facade
from _peer import Peer, Reply, Request

from wan_r2v import AsyncClient, Client, InvalidTargetError, TargetExistsError
from wan_r2v._download import _host_tag

KEY = "sk-hostile-dl-0b7d3e"


def test_a_path_ending_in_a_separator_is_a_folder_created_if_missing(
    hostile: Peer, mode: str, tmp_path: Path
) -> None:
    task_id = serve_finished_task(hostile)
    with open_facade(mode, base_url=hostile.url) as facade:
        first = facade.download(task_id, str(tmp_path / "out") + os.sep)
        assert first == tmp_path / "out" / f"{task_id}.mp4"
        assert first.read_bytes() == VIDEO
        # the next run writes into the folder again (it never became a file named `out`)
        again = facade.download(task_id, str(tmp_path / "out") + os.sep)
    assert again == first
    assert entries(tmp_path) == ["out"] and entries(tmp_path / "out") == [f"{task_id}.mp4"]


def test_an_existing_folder_without_a_separator_is_a_folder(
    hostile: Peer, mode: str, tmp_path: Path
) -> None:
    task_id = serve_finished_task(hostile)
    with open_facade(mode, base_url=hostile.url) as facade:
        path = facade.download(task_id, tmp_path)
    assert path == tmp_path / f"{task_id}.mp4" and path.read_bytes() == VIDEO


def test_a_folder_target_that_is_a_file_is_refused_before_fetching(
    hostile: Peer, mode: str, tmp_path: Path
) -> None:
    task_id = serve_finished_task(hostile)
    (tmp_path / "out").write_bytes(b"mine")
    with open_facade(mode, base_url=hostile.url) as facade, pytest.raises(InvalidTargetError):
        facade.download(task_id, str(tmp_path / "out") + "/")
    assert (tmp_path / "out").read_bytes() == b"mine"
    assert hostile.count("GET") == 0  # refused before anything was sent


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _socket_file(path: Path) -> Path:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.close()  # the socket file stays
    return path


def _device_link(path: Path) -> Path:
    path.symlink_to("/dev/null")  # a character device, through a link
    return path


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, UNIX sockets and /dev/null are POSIX")
@pytest.mark.parametrize(
    "make", [_fifo, _socket_file, _device_link], ids=["fifo", "socket", "device"]
)
@pytest.mark.parametrize("overwrite", [True, False], ids=["overwrite", "no-overwrite"])
def test_a_target_that_is_not_a_regular_file_is_refused(
    hostile: Peer, mode: str, tmp_path: Path, make: object, overwrite: bool
) -> None:
    task_id = serve_finished_task(hostile)
    target = make(tmp_path / "v.mp4")  # type: ignore[operator]
    before = os.stat(target).st_mode
    with open_facade(mode, base_url=hostile.url) as facade:
        with pytest.raises(InvalidTargetError) as caught:
            facade.download(task_id, target, overwrite=overwrite)
        assert "not a regular file" in str(caught.value)
        # generate() refuses it before the create: nothing is paid for
        with pytest.raises(InvalidTargetError):
            facade.generate(prompt="x", model="m", path=target, overwrite=overwrite)
    assert os.stat(target).st_mode == before
    assert hostile.count("GET") == 0 and hostile.count("POST") == 0
    assert entries(tmp_path) == ["v.mp4"]


def _release_together(count: int) -> object:
    """A video handler that answers only once `count` downloads are in flight at once."""
    barrier = threading.Barrier(count, timeout=30)

    def handle(req: Request, out: Reply) -> None:
        barrier.wait()
        video()(req, out)

    return handle


@pytest.mark.parametrize("round_", range(3))
def test_six_threads_to_one_path_without_overwrite_let_exactly_one_succeed(
    hostile: Peer, tmp_path: Path, round_: int
) -> None:
    task_id = serve_finished_task(hostile, _release_together(6))  # type: ignore[arg-type]
    target = tmp_path / "v.mp4"
    results: list[object] = []
    lock = threading.Lock()

    def download() -> None:
        with Client(KEY, base_url=hostile.url) as client:
            try:
                outcome: object = client.download(task_id, target, overwrite=False)
            except BaseException as exc:
                outcome = exc
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=download) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert downloads(hostile) == 6  # all six were downloading at once when the first finished
    assert results.count(target) == 1, results
    assert sum(isinstance(r, TargetExistsError) for r in results) == 5, results
    assert target.read_bytes() == VIDEO
    assert entries(tmp_path) == ["v.mp4"]  # no part file left by any of them


def test_six_coroutines_to_one_path_without_overwrite_let_exactly_one_succeed(
    hostile: Peer, tmp_path: Path
) -> None:
    task_id = serve_finished_task(hostile, _release_together(6))  # type: ignore[arg-type]
    target = tmp_path / "v.mp4"

    async def main() -> list[object]:
        async with AsyncClient(KEY, base_url=hostile.url) as client:
            jobs = [client.download(task_id, target, overwrite=False) for _ in range(6)]
            return list(await asyncio.gather(*jobs, return_exceptions=True))

    results = asyncio.run(main())
    assert results.count(target) == 1, results
    assert sum(isinstance(r, TargetExistsError) for r in results) == 5, results
    assert target.read_bytes() == VIDEO
    assert entries(tmp_path) == ["v.mp4"]


def _dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    return int(child.stdout)


@pytest.mark.skipif(os.name != "posix", reason="whether a process lives is asked the POSIX way")
def test_a_part_file_left_by_a_dead_process_is_removed_by_the_next_download(
    hostile: Peer, mode: str, tmp_path: Path
) -> None:
    task_id = serve_finished_task(hostile)
    name = f"{task_id}.mp4"
    orphan = tmp_path / f".{name}.{_host_tag()}-{_dead_pid()}-0123456789ab.part"
    orphan.write_bytes(VIDEO[:1000])
    alive = tmp_path / f".{name}.{_host_tag()}-{os.getppid()}-0123456789ab.part"
    alive.write_bytes(VIDEO[:10])  # a live process's (another download, maybe): left alone
    other_tag = "000000" if _host_tag() != "000000" else "111111"
    other_host = tmp_path / f".{name}.{other_tag}-{_dead_pid()}-0123456789ab.part"
    other_host.write_bytes(b"")  # not this machine's: it cannot tell, so it keeps it
    with open_facade(mode, base_url=hostile.url) as facade:
        path = facade.download(task_id, tmp_path)
    assert path.read_bytes() == VIDEO
    assert entries(tmp_path) == sorted([name, alive.name, other_host.name])

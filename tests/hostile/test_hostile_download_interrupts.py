"""An interruption at any instant of a download leaves no part file (issue 10, item 6).

A signal lands between two bytecodes; the worst ones are right after the
part file was created and before anything could own it. These tests raise
at exactly those instants (and mid-body, and during a retry's sleep) and
check the folder is empty when the call has ended, over real TCP.
"""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import pytest
from _downloads import VIDEO, entries, serve_finished_task, video
from _harness import open_facade
from _peer import Peer, Reply, Request

from wan_r2v import _download

KEY = "sk-hostile-int-3a9e"


class Boom(Exception):
    """Stands for the KeyboardInterrupt a signal raises (async shells see it as this)."""


def _stop(mode: str) -> type[BaseException]:
    return KeyboardInterrupt if mode == "sync" else Boom


def test_just_after_the_part_file_was_opened(
    hostile: Peer, mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    task_id = serve_finished_task(hostile)
    real_open = builtins.open
    stop = _stop(mode)

    def open_then_stop(file: Any, *args: Any, **kwargs: Any) -> Any:
        real_open(file, *args, **kwargs)  # the file exists; its object is dropped
        raise stop

    monkeypatch.setattr(_download, "open", open_then_stop, raising=False)
    with open_facade(mode, base_url=hostile.url) as facade, pytest.raises(stop):
        facade.download(task_id, tmp_path)
    monkeypatch.undo()
    assert entries(tmp_path) == []


def test_between_the_part_file_and_its_sink(
    hostile: Peer, mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    task_id = serve_finished_task(hostile)
    stop = _stop(mode)

    def no_sink(*args: Any, **kwargs: Any) -> None:
        raise stop

    monkeypatch.setattr(_download.Sink, "__init__", no_sink)
    with open_facade(mode, base_url=hostile.url) as facade, pytest.raises(stop):
        facade.download(task_id, tmp_path)
    assert entries(tmp_path) == []


def test_during_the_sleep_before_resuming_a_kept_part(
    hostile: Peer, mode: str, tmp_path: Path
) -> None:
    def cut(req: Request, out: Reply) -> None:
        out.head(200, {"Content-Type": "video/mp4", "Content-Length": str(len(VIDEO)),
                       "Accept-Ranges": "bytes", "ETag": '"v1"'})  # fmt: skip
        out.write(VIDEO[:5000])
        out.reset()

    task_id = serve_finished_task(hostile, cut, video())
    stop = _stop(mode)
    with open_facade(mode, base_url=hostile.url) as facade:
        seen: list[list[str]] = []

        def sleep_interrupted(seconds: float) -> None:
            seen.append(entries(tmp_path))  # the kept part is there while the flow sleeps
            raise stop

        async def asleep_interrupted(seconds: float) -> None:
            sleep_interrupted(seconds)

        facade.client._sleep = sleep_interrupted if mode == "sync" else asleep_interrupted  # type: ignore[method-assign]
        with pytest.raises(stop):
            facade.download(task_id, tmp_path)
    assert len(seen) == 1 and len(seen[0]) == 1 and seen[0][0].endswith(".part")
    assert entries(tmp_path) == []

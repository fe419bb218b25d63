"""PartFile: a download's bytes are handed to the kernel window by window, and made durable before the rename."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wan_r2v import _download
from wan_r2v._download import WRITEBACK_WINDOW, PartFile

pytestmark = pytest.mark.skipif(
    not hasattr(os, "posix_fadvise"), reason="posix_fadvise is not on this OS"
)


def _record_advice(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, int]]:
    calls: list[tuple[int, int, int]] = []
    real = os.posix_fadvise

    def advise(fd: int, offset: int, length: int, advice: int) -> None:
        calls.append((offset, length, advice))
        real(fd, offset, length, advice)

    monkeypatch.setattr(_download.os, "posix_fadvise", advise)
    return calls


def _write(part: PartFile, total: int, chunk: int = 1 << 20) -> bytes:
    data = bytes(range(256)) * (chunk // 256)
    pieces: list[bytes] = []
    left = total
    while left:
        piece = data[:left]
        part.write(piece)
        pieces.append(piece)
        left -= len(piece)
    return b"".join(pieces)


def test_every_window_is_handed_over_once_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _record_advice(monkeypatch)
    part = PartFile(tmp_path / "v.mp4", overwrite=True)
    data = _write(part, 3 * WRITEBACK_WINDOW + 12345)
    assert [advice for *_, advice in calls] == [os.POSIX_FADV_DONTNEED] * 3
    # contiguous windows from byte 0, the unfinished tail left to the final fsync
    assert [offset for offset, *_ in calls] == [0, WRITEBACK_WINDOW, 2 * WRITEBACK_WINDOW]
    assert sum(length for _, length, _ in calls) == 3 * WRITEBACK_WINDOW
    fsynced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(_download.os, "fsync", lambda fd: (fsynced.append(fd), real_fsync(fd)))
    path = part.commit()
    assert fsynced and path.read_bytes() == data


def test_a_restart_hands_over_from_the_start_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _record_advice(monkeypatch)
    part = PartFile(tmp_path / "v.mp4", overwrite=True)
    _write(part, WRITEBACK_WINDOW + 10)
    part.restart()
    data = _write(part, WRITEBACK_WINDOW)
    assert [offset for offset, *_ in calls] == [0, 0]
    assert part.commit().read_bytes() == data


def test_a_file_system_that_refuses_the_advice_still_gets_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def refuse(fd: int, offset: int, length: int, advice: int) -> None:
        calls.append(offset)
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(_download.os, "posix_fadvise", refuse)
    part = PartFile(tmp_path / "v.mp4", overwrite=True)
    data = _write(part, 3 * WRITEBACK_WINDOW)
    assert calls == [0]  # asked once, then no more
    assert part.commit().read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.mp4"]

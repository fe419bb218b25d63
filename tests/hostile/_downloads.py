"""Download scenarios on the hostile peer: a finished task whose video the peer serves itself.

`VIDEO` is a small MP4 made of whole top-level boxes (``ftyp``, ``free``,
``mdat``, ``moov``), written here byte by byte: nothing comes from the
library or the sandbox.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

from _peer import Handler, Peer, Reply, Request
from _scenarios import task

TASK_ID = "task_dl_1"
FILE = f"/files/{TASK_ID}.mp4"


def box(kind: bytes, payload: bytes) -> bytes:
    """One MP4 box: 32-bit size, type, payload."""
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mp4(mdat_bytes: int = 20_000) -> bytes:
    """A structurally whole MP4 of about `mdat_bytes` + 100 bytes."""
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    media = bytes((i * 7) % 251 for i in range(mdat_bytes))
    moov = box(b"moov", box(b"mvhd", bytes(100)))
    return ftyp + box(b"free", b"") + box(b"mdat", media) + moov


VIDEO = mp4()


def video(data: bytes = VIDEO, headers: dict[str, str] | None = None, **send: object) -> Handler:
    """A handler answering the whole video at once (Content-Type video/mp4 unless `headers` say)."""
    all_headers = {"Content-Type": "video/mp4", **(headers or {})}
    return lambda req, out: out.send(200, data, all_headers, **send)  # type: ignore[arg-type]


def trickled_video(*, every: float, size: int = 256, data: bytes = VIDEO) -> Handler:
    """The video with its head at once, then `size` bytes every `every` s."""

    def handle(req: Request, out: Reply) -> None:
        out.head(200, {"Content-Type": "video/mp4", "Content-Length": str(len(data))})
        out.trickle(data, every=every, size=size)

    return handle


def serve_finished_task(peer: Peer, *handlers: Handler, task_id: str = TASK_ID) -> str:
    """Route the task's query (completed, its URL on the peer) and its file; return the task id."""
    url = f"{peer.url}/files/{task_id}.mp4"
    done = task(task_id, status="completed", progress=100, metadata={"url": url})
    peer.route("GET", f"/v1/videos/{task_id}", lambda req, out: out.json(200, done))
    peer.route("GET", f"/files/{task_id}.mp4", *(handlers or (video(),)))
    return task_id


def downloads(peer: Peer, task_id: str = TASK_ID) -> int:
    """How many times the video was asked for."""
    return peer.count("GET", f"/files/{task_id}.mp4")


def entries(folder: Path) -> list[str]:
    """The names in a folder, sorted (hidden part files included)."""
    return sorted(p.name for p in folder.iterdir())


def only(predicate: Callable[[Path], bool], folder: Path) -> list[Path]:
    """The files in `folder` for which `predicate` holds."""
    return [p for p in folder.iterdir() if predicate(p)]

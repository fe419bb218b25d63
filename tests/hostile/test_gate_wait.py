"""A create still waiting for a turn in the client when its time runs out was never sent: not "may exist".

Over real TCP: a download trickling from the hostile gateway holds the client's only
connection (max_connections=1) while a create waits for its turn past its whole-request
limit. That create must end as a connection error that sent nothing (resent when retries
are left), never `TaskMayExistError`; the gateway counts what it received.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from _harness import KEY, PARAMS
from _peer import Peer, Reply, Request
from _scenarios import CREATE

from wan_r2v import APIConnectionError, AsyncClient, Task, TaskMayExistError, TaskStatus

MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 8


def _slow_video(req: Request, out: Reply) -> None:
    out.head(200, {"Content-Type": "video/mp4", "Content-Length": str(len(MP4))})
    out.trickle(MP4, every=0.1)  # 3.2 s in all, each read well within the 1 s read timeout


async def _create_while_downloading(peer: Peer, tmp: Path, retries: int) -> object:
    task = Task(id="task_slow", status=TaskStatus.SUCCEEDED, video_url=f"{peer.url}/files/v.mp4")
    async with AsyncClient(
        KEY, base_url=peer.url, timeout=1.0, max_connections=1, max_retries=retries
    ) as client:
        download = asyncio.ensure_future(client.download(task, tmp / "v.mp4"))
        await asyncio.sleep(0.3)  # the download holds the only turn
        try:
            return await client.create(**PARAMS)
        except Exception as exc:
            return exc
        finally:
            await asyncio.gather(download, return_exceptions=True)


@pytest.mark.parametrize("retries", [0, 3])
def test_a_create_that_never_left_the_client_is_not_may_exist(
    hostile: Peer, tmp_path: Path, retries: int
) -> None:
    hostile.route("GET", "/files/*", _slow_video)
    hostile.route(
        "POST", CREATE, lambda req, out: out.json(200, {"id": "task_2", "status": "queued"})
    )
    outcome = asyncio.run(_create_while_downloading(hostile, tmp_path, retries))
    assert not isinstance(outcome, TaskMayExistError), outcome
    if retries == 0:
        assert isinstance(outcome, APIConnectionError), outcome
        assert hostile.count("POST", CREATE) == 0  # nothing left the client
    else:  # resent once a turn was free: it had never left
        assert getattr(outcome, "id", None) == "task_2", outcome
        assert hostile.count("POST", CREATE) == 1

"""A batch against the socket-level hostile gateway: a reset create is uncertain, never resent.

The peer shares no code with the library or the sandbox; it counts the creates
it received, so "exactly one create per job" is checked at the server.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from _downloads import VIDEO, serve_finished_task
from _peer import Peer
from _scenarios import CREATE, answer, task

from wan_r2v import AsyncClient
from wan_r2v.batch import JobOutcome, State, run_batch

MODEL = "wan2.6-r2v-flash-720p-silent"


def _jobs(folder: Path) -> Path:
    path = folder / "jobs.jsonl"
    lines = [
        {
            "name": f"j{i}",
            "model": MODEL,
            "prompt": f"character1 take {i}",
            "images": ["https://e.com/a.png"],
        }
        for i in range(3)
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def _run(peer: Peer, jobs: Path, out: Path, **options: object) -> dict[str, JobOutcome]:
    async def go() -> dict[str, JobOutcome]:
        async with AsyncClient(
            api_key="sk-hostile", base_url=peer.url, poll_interval=0.01
        ) as client:
            return {
                o.name: o
                async for o in run_batch(jobs, out, client=client, max_in_flight=1, **options)  # type: ignore[arg-type]
            }

    return asyncio.run(go())


def test_a_batch_over_real_tcp_never_resends_a_create_that_may_exist(
    hostile: Peer, tmp_path: Path
) -> None:
    for task_id in ("task_a", "task_c", "task_b2"):
        serve_finished_task(hostile, task_id=task_id)
    hostile.route(
        "POST",
        CREATE,
        answer(200, task("task_a")),
        lambda req, out: out.reset(),  # job j1: the create was read, then the connection reset
        answer(200, task("task_c")),
        answer(200, task("task_b2")),
    )
    jobs, out = _jobs(tmp_path), tmp_path / "out"
    first = _run(hostile, jobs, out)
    assert {n: o.state for n, o in first.items()} == {
        "j0": State.DOWNLOADED,
        "j1": State.UNCERTAIN,
        "j2": State.DOWNLOADED,
    }
    assert hostile.count("POST", CREATE) == 3
    assert (out / "j0.mp4").read_bytes() == VIDEO and (out / "j2.mp4").read_bytes() == VIDEO

    again = _run(hostile, jobs, out)  # a plain rerun sends nothing
    assert again["j1"].state is State.UNCERTAIN and hostile.count("POST", CREATE) == 3

    final = _run(hostile, jobs, out, recreate_uncertain=True)  # the user's explicit choice
    assert final["j1"].state is State.DOWNLOADED and final["j1"].task_id == "task_b2"
    assert hostile.count("POST", CREATE) == 4
    assert sorted(p.name for p in out.iterdir()) == ["j0.mp4", "j1.mp4", "j2.mp4"]

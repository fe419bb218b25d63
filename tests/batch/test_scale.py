"""A 1,000-job batch: connections stay bounded, and each job polls on one task's schedule."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pytest
from _batch_helpers import write_jobs

from wan_r2v import AsyncClient
from wan_r2v.batch import State, run_batch
from wan_r2v.sandbox import Sandbox

JOBS = 1000
DURATION = 0.5
POLL = 0.25
CONNECTIONS = 20


@pytest.mark.slow
def test_a_thousand_jobs_with_bounded_connections_and_one_schedule_of_polls(
    tmp_path: Path,
) -> None:
    jobs = write_jobs(tmp_path, JOBS)
    with Sandbox(duration=DURATION, fps=1) as sb:

        async def go() -> list[State]:
            async with AsyncClient(
                api_key=sb.api_key, base_url=sb.base_url, max_connections=CONNECTIONS
            ) as client:
                return [
                    o.state
                    async for o in run_batch(
                        jobs, tmp_path / "out", client=client, max_in_flight=250, poll_interval=POLL
                    )
                ]

        states = asyncio.run(go())
        polls, creates, peak = sb.count("query"), sb.count("create"), sb.app.connections.peak
    assert states == [State.DOWNLOADED] * JOBS
    assert creates == JOBS
    assert len(list((tmp_path / "out").iterdir())) == JOBS
    assert 1 < peak <= CONNECTIONS
    # One task's schedule: its first query one interval after the create, then one every
    # POLL s, so a task of DURATION s is seen done by query ceil(DURATION / POLL) + 1 at the
    # latest. N independent tight loops would poll far more; the batch stays within it.
    one_task = math.ceil(DURATION / POLL) + 1
    assert JOBS <= polls <= JOBS * one_task, polls

"""Load: 1,000 tasks created and awaited at once through one AsyncClient, with ~5% 429/503 answers.

The sandbox (its own, on 127.0.0.1) runs per_poll, so the test waits on no
clock: each task completes after two queries that reach it. About one answer
in twenty is a 429 (creates and queries) or a 503 (queries only: a 503 on a
create would rightly end in TaskMayExistError). Every task must complete,
each logical create must make exactly one task, the client's connection
pool limit must hold on the server's side, and the whole run has a deadline.
"""

from __future__ import annotations

import asyncio
import collections
from typing import Any

import httpx
import pytest
from _harness import KEY, PARAMS

from wan_r2v import AsyncClient, Task
from wan_r2v.sandbox import Sandbox

TASKS = 1000
POOL = 40
DEADLINE = 150.0

pytestmark = [pytest.mark.slow, pytest.mark.timeout(DEADLINE + 60)]


async def create_and_wait(client: AsyncClient, number: int) -> Task:
    task = await client.create(**{**PARAMS, "prompt": f"character1 run number {number}"})
    return await client.wait(task, timeout=DEADLINE, poll_interval=0.05)


async def run_all(sandbox: Sandbox) -> list[Task]:
    limits = httpx.Limits(max_connections=POOL, max_keepalive_connections=POOL)
    async with (
        httpx.AsyncClient(limits=limits) as http,
        AsyncClient(KEY, sandbox.base_url, http_client=http, timeout=60.0, max_retries=5) as client,
    ):
        jobs = [create_and_wait(client, n) for n in range(TASKS)]
        return await asyncio.wait_for(asyncio.gather(*jobs), timeout=DEADLINE)


def test_a_thousand_tasks_at_once_all_complete_without_a_duplicate_create() -> None:
    faults = [
        "429;retry_after=0;every=20;route=create",
        "429;retry_after=0;every=40;route=query",
        "503;retry_after=0;every=40;route=query",
    ]
    with Sandbox(clock="per_poll", poll_steps=2, api_key=KEY, faults=faults) as sandbox:
        sandbox.app.connections.reset_peak()
        tasks = asyncio.run(run_all(sandbox))
        requests = sandbox.requests
        created = sandbox.tasks
        peak = sandbox.app.connections.peak

    assert len(tasks) == TASKS
    assert all(t.succeeded and t.video_url for t in tasks)
    assert len({t.id for t in tasks}) == TASKS

    creates = [r for r in requests if r.route == "create"]
    by_prompt: dict[str, list[Any]] = collections.defaultdict(list)
    for request in creates:
        by_prompt[request.json["prompt"]].append(request)
    assert len(by_prompt) == TASKS
    # each logical create made exactly one task: one 200, the rest were 429s
    for attempts in by_prompt.values():
        assert [r.status for r in attempts].count(200) == 1
        assert all(r.status in (200, 429) for r in attempts)
    assert len(created) == TASKS
    assert {t.id for t in created} == {t.id for t in tasks}

    statuses = collections.Counter(r.status for r in requests)
    injected = statuses[429] + statuses[503]
    assert 0.03 * len(requests) <= injected <= 0.07 * len(requests)
    assert statuses[503] > 0 and statuses[429] > 0

    # the pool limit held at the server; and the load really was concurrent
    assert 1 < peak <= POOL

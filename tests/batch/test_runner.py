"""The runner against the sandbox (real TCP on 127.0.0.1): resume by id, uncertain jobs, retries, pace."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _batch_helpers import creates_by_job, write_jobs
from _mp4probe import probe_mp4

from wan_r2v import AsyncClient, Client
from wan_r2v.batch import (
    BatchAborted,
    BatchProgress,
    Change,
    JobOutcome,
    SQLiteJournal,
    State,
    load_jobs,
    read_status,
    run_batch,
    run_batch_sync,
)
from wan_r2v.sandbox import Sandbox

POLL = 0.05


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(duration=0.2) as sb:
        yield sb


def run(sb: Sandbox, jobs: Path, out: Path, **options: Any) -> list[JobOutcome]:
    async def go() -> list[JobOutcome]:
        async with AsyncClient(api_key=sb.api_key, base_url=sb.base_url, poll_interval=POLL) as c:
            return [o async for o in run_batch(jobs, out, client=c, **options)]

    return asyncio.run(go())


def test_a_batch_downloads_one_video_per_job_with_one_create_each(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    jobs = write_jobs(tmp_path, 12)
    seen: list[BatchProgress] = []
    outcomes = run(sandbox, jobs, tmp_path / "out", max_in_flight=4, on_progress=seen.append)
    assert sorted(o.name for o in outcomes) == [f"v{i:03d}" for i in range(12)]
    assert all(o.state is State.DOWNLOADED and not o.earlier and o.attempts == 1 for o in outcomes)
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == [f"v{i:03d}.mp4" for i in range(12)]
    assert all(probe_mp4(tmp_path / "out" / f).duration == 2 for f in files)
    assert set(creates_by_job(sandbox.requests).values()) == {1} and sandbox.count("create") == 12
    # never more than 4 tasks at the gateway at once, and the limit was used
    assert max(p.at_gateway for p in seen) == 4
    assert seen[-1].done == 12 and seen[-1].eta == 0.0
    status = read_status(Path(f"{jobs}.journal.sqlite"))
    assert status.complete and status.counts["downloaded"] == 12

    # a rerun finds everything done and sends nothing
    before = len(sandbox.requests)
    again = run(sandbox, jobs, tmp_path / "out")
    assert all(o.earlier and o.state is State.DOWNLOADED for o in again)
    assert len(sandbox.requests) == before


def test_created_tasks_are_resumed_by_id_and_creating_ones_become_uncertain(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    jobs_path = write_jobs(tmp_path, 4)
    jobs = load_jobs(jobs_path)
    journal = tmp_path / "journal.sqlite"
    with Client(api_key=sandbox.api_key, base_url=sandbox.base_url) as client:
        task = client.create(**jobs.jobs[0].create_params())
    with SQLiteJournal(journal) as j:  # as a runner killed at these moments leaves it
        j.open_batch(jobs.jobs, str(tmp_path / "out"))
        j.apply([Change("v000", State.PENDING, State.CREATING)])
        j.apply([Change("v000", State.CREATING, State.CREATED, task_id=task.id)])
        j.apply([Change("v001", State.PENDING, State.CREATING)])
    outcomes = {o.name: o for o in run(sandbox, jobs_path, tmp_path / "out", journal=journal)}
    assert outcomes["v000"].state is State.DOWNLOADED and outcomes["v000"].task_id == task.id
    assert outcomes["v001"].state is State.UNCERTAIN and "recreate-uncertain" in str(
        outcomes["v001"].error
    )
    assert outcomes["v002"].state is outcomes["v003"].state is State.DOWNLOADED
    assert creates_by_job(sandbox.requests) == {"v000": 1, "v002": 1, "v003": 1}  # v001: none

    # still uncertain on a plain rerun; created once when the user says so
    again = {o.name: o for o in run(sandbox, jobs_path, tmp_path / "out", journal=journal)}
    assert again["v001"].state is State.UNCERTAIN and again["v001"].earlier
    assert creates_by_job(sandbox.requests)["v001"] == 0
    final = {
        o.name: o
        for o in run(
            sandbox, jobs_path, tmp_path / "out", journal=journal, recreate_uncertain=["v001"]
        )
    }
    assert final["v001"].state is State.DOWNLOADED and final["v001"].attempts == 2
    assert creates_by_job(sandbox.requests)["v001"] == 1


def test_failed_jobs_are_retried_only_when_asked_with_the_attempt_recorded(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    jobs = write_jobs(tmp_path, 3)
    sandbox.faults.add("failed", route="create", times=1, message="content policy")
    outcomes = {o.name: o for o in run(sandbox, jobs, tmp_path / "out", max_in_flight=1)}
    failed = [o for o in outcomes.values() if o.state is State.FAILED]
    assert (
        len(failed) == 1
        and failed[0].error_stage == "task"
        and "content policy" in str(failed[0].error)
    )
    name = failed[0].name
    assert run(sandbox, jobs, tmp_path / "out")[0].earlier  # not retried unasked
    assert sandbox.count("create") == 3
    retried = {o.name: o for o in run(sandbox, jobs, tmp_path / "out", retry_failed=True)}
    assert retried[name].state is State.DOWNLOADED and retried[name].attempts == 2
    assert creates_by_job(sandbox.requests)[name] == 2 and sandbox.count("create") == 4


def test_a_refused_create_fails_that_job_only(sandbox: Sandbox, tmp_path: Path) -> None:
    jobs = write_jobs(tmp_path, 3)
    sandbox.faults.add("400", route="create", times=1, message="prompt refused")
    outcomes = run(sandbox, jobs, tmp_path / "out", max_in_flight=1)
    states = sorted(o.state.value for o in outcomes)
    assert states == ["downloaded", "downloaded", "failed"]
    bad = next(o for o in outcomes if o.state is State.FAILED)
    assert (
        bad.error_stage == "create" and bad.task_id is None and "prompt refused" in str(bad.error)
    )


def test_a_create_that_may_have_reached_the_gateway_is_uncertain(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    jobs = write_jobs(tmp_path, 2)
    sandbox.faults.add("reset", route="create", times=1)
    outcomes = run(sandbox, jobs, tmp_path / "out", max_in_flight=1)
    assert sorted(o.state.value for o in outcomes) == ["downloaded", "uncertain"]
    assert sandbox.count("create") == 2  # the uncertain one was not resent


def test_a_429_pauses_the_whole_batch(sandbox: Sandbox, tmp_path: Path) -> None:
    jobs = write_jobs(tmp_path, 8)
    sandbox.faults.add("429", route="query", times=1, retry_after=1, after=4)
    outcomes = run(sandbox, jobs, tmp_path / "out", max_in_flight=8)
    assert all(o.state is State.DOWNLOADED for o in outcomes)
    hit = next(r for r in sandbox.requests if r.status == 429)
    later = [r for r in sandbox.requests if r.at > hit.at]
    assert later, "the batch went on"
    # no job of the batch sent anything during the Retry-After second (8 jobs polling every
    # 0.05 s), once the requests already on the way when the 429 came have arrived
    quiet = [r for r in later if hit.at + 0.15 < r.at < hit.at + 0.9]
    assert quiet == []
    assert len([r for r in later if r.at <= hit.at + 0.15]) < 8


def test_a_wrong_key_stops_the_batch_with_every_job_recorded(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    jobs = write_jobs(tmp_path, 3)

    async def go() -> None:
        async with AsyncClient(api_key="sk-wrong", base_url=sandbox.base_url) as c:
            async for _ in run_batch(jobs, tmp_path / "out", client=c, max_in_flight=1):
                pass

    with pytest.raises(BatchAborted, match="run the batch again"):
        asyncio.run(go())
    status = read_status(Path(f"{jobs}.journal.sqlite"))
    assert status.counts["pending"] == 3 and sandbox.count("create") == 1


def test_the_sync_wrapper_yields_outcomes(sandbox: Sandbox, tmp_path: Path) -> None:
    jobs = write_jobs(tmp_path, 3)
    options = {"api_key": sandbox.api_key, "base_url": sandbox.base_url, "poll_interval": POLL}
    outcomes = list(run_batch_sync(jobs, tmp_path / "out", client_options=options))
    assert sorted(o.name for o in outcomes) == ["v000", "v001", "v002"]
    assert all(o.ok for o in outcomes)
    assert json.loads(json.dumps(outcomes[0].to_dict()))["state"] == "downloaded"


def test_a_create_still_rate_limited_after_its_retries_goes_back_in_the_queue(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    jobs = write_jobs(tmp_path, 2)
    # the first create and its one retry both meet 429 (certainly not created)
    sandbox.faults.add("429", route="create", times=2, retry_after=0)

    async def go() -> list[JobOutcome]:
        async with AsyncClient(
            api_key=sandbox.api_key, base_url=sandbox.base_url, poll_interval=POLL, max_retries=1
        ) as c:
            return [o async for o in run_batch(jobs, tmp_path / "out", client=c, max_in_flight=1)]

    outcomes = asyncio.run(go())
    assert all(o.state is State.DOWNLOADED for o in outcomes)
    assert sorted(o.attempts for o in outcomes) == [1, 2]  # the requeue is a new attempt
    assert sandbox.count("create") == 4 and len(sandbox.tasks) == 2


def test_a_stopped_run_lets_the_create_on_the_way_be_recorded(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    jobs = write_jobs(tmp_path, 3)
    sandbox.faults.add("delay", route="create", seconds=0.5, times=1)

    async def go() -> None:
        async with AsyncClient(api_key=sandbox.api_key, base_url=sandbox.base_url) as c:

            async def consume() -> None:
                async for _ in run_batch(jobs, tmp_path / "out", client=c, max_in_flight=1):
                    pass

            consumer = asyncio.ensure_future(consume())
            deadline = asyncio.get_running_loop().time() + 10
            while not any(r.route == "create" and r.status is None for r in sandbox.requests):
                assert asyncio.get_running_loop().time() < deadline, "no create was held"
                await asyncio.sleep(0.01)
            consumer.cancel()  # as Ctrl-C cancels the CLI's run while the create is held
            with pytest.raises(asyncio.CancelledError):
                await consumer

    asyncio.run(go())
    status = read_status(Path(f"{jobs}.journal.sqlite"))
    # the held create was answered and its task id recorded; nothing else was sent
    assert status.counts["created"] == 1 and status.counts["pending"] == 2
    assert status.uncertain == () and sandbox.count("create") == 1


class _Recording:
    """A SQLite journal that records every move applied, in order."""

    def __init__(self, path: Path) -> None:
        self.store = SQLiteJournal(path)
        self.moves: list[tuple[str, State, State]] = []

    def open_batch(self, jobs: Any, output: str) -> list[Any]:
        return self.store.open_batch(jobs, output)

    def records(self) -> list[Any]:
        return self.store.records()

    def apply(self, changes: Any) -> None:
        self.store.apply(changes)
        self.moves.extend((c.name, c.expected, c.state) for c in changes)

    def close(self) -> None:
        self.store.close()


def _durable_states(path: Path) -> dict[str, str]:
    """What the journal file holds now, read by a connection of its own."""
    return {r.name: r.state.value for r in SQLiteJournal(path, readonly=True).records()}


def test_a_task_downloaded_at_once_is_recorded_by_its_download_and_reported_only_once_durable(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    jobs = write_jobs(tmp_path, 6)
    path = tmp_path / "journal.sqlite"
    journal = _Recording(path)
    reported: list[tuple[int, int]] = []  # (progress: done, durable: downloaded)

    def on_progress(p: BatchProgress) -> None:
        reported.append((p.done, list(_durable_states(path).values()).count("downloaded")))

    async def go() -> list[tuple[JobOutcome, str]]:
        seen = []
        async with AsyncClient(
            api_key=sandbox.api_key, base_url=sandbox.base_url, poll_interval=POLL
        ) as c:
            async for o in run_batch(
                jobs, tmp_path / "out", client=c, journal=journal, on_progress=on_progress
            ):
                seen.append((o, _durable_states(path)[o.name]))  # on disk when yielded?
        return seen

    try:
        seen = asyncio.run(go())
    finally:
        journal.close()
    assert [(o.state.value, durable) for o, durable in seen] == [("downloaded", "downloaded")] * 6
    assert reported and all(done <= durable for done, durable in reported)
    # three durable moves per job: the intent, the task id, the download (no "succeeded")
    for name in {o.name for o, _ in seen}:
        assert [(a, b) for n, a, b in journal.moves if n == name] == [
            (State.PENDING, State.CREATING),
            (State.CREATING, State.CREATED),
            (State.CREATED, State.DOWNLOADED),
        ]


def test_a_failed_download_keeps_the_task_id_and_a_retry_only_downloads(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    jobs = write_jobs(tmp_path, 2)
    sandbox.faults.add("500", route="download", times=1)

    async def go(**options: Any) -> dict[str, JobOutcome]:
        async with AsyncClient(
            api_key=sandbox.api_key, base_url=sandbox.base_url, poll_interval=POLL, max_retries=0
        ) as c:
            return {
                o.name: o
                async for o in run_batch(
                    jobs, tmp_path / "out", client=c, max_in_flight=1, **options
                )
            }

    first = asyncio.run(go())
    failed = [o for o in first.values() if o.state is State.FAILED]
    assert len(failed) == 1 and failed[0].error_stage == "download" and failed[0].task_id
    status = read_status(Path(f"{jobs}.journal.sqlite"))
    assert status.counts["failed"] == 1 and status.counts["downloaded"] == 1
    again = asyncio.run(go(retry_failed=True))
    assert again[failed[0].name].state is State.DOWNLOADED
    assert again[failed[0].name].task_id == failed[0].task_id
    assert sandbox.count("create") == 2  # downloaded again, never created again

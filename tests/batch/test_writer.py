"""The journal writer: moves that queue up go in one transaction, and the loop wakes once per group."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
from _batch_helpers import job

from wan_r2v.batch import Change, JobRecord, JournalConflictError, SQLiteJournal, State, parse_jobs
from wan_r2v.batch._runner import _resolve, _Writer


class _HeldJournal:
    """A journal whose first `apply` waits until the test lets it go; records every group."""

    def __init__(self) -> None:
        self.groups: list[list[str]] = []
        self.entered = threading.Event()
        self.release = threading.Event()

    def open_batch(self, jobs: Sequence[object], output: str) -> list[JobRecord]:
        return []

    def records(self) -> list[JobRecord]:
        return []

    def apply(self, changes: Sequence[Change]) -> None:
        self.entered.set()
        assert self.release.wait(10), "the test never released the journal"
        if any(c.name == "bad" for c in changes):
            raise JournalConflictError("job 'bad' was not pending")
        self.groups.append([c.name for c in changes])

    def close(self) -> None:
        pass


def _move(name: str) -> Change:
    return Change(name, State.PENDING, State.CREATING)


def test_moves_queued_during_a_commit_go_in_one_transaction_and_one_wake_up() -> None:
    journal = _HeldJournal()

    async def go() -> None:
        loop = asyncio.get_running_loop()
        wakes: list[int] = []
        threadsafe = loop.call_soon_threadsafe

        def counting(callback, *args, **kwargs):  # type: ignore[no-untyped-def]
            if callback is _resolve:
                wakes.append(len(args[0]))
            return threadsafe(callback, *args, **kwargs)

        loop.call_soon_threadsafe = counting  # type: ignore[method-assign]
        writer = _Writer(journal, loop)
        first = asyncio.ensure_future(writer.write(_move("a")))
        assert await asyncio.to_thread(journal.entered.wait, 10)  # the thread holds "a"
        rest = [asyncio.ensure_future(writer.write(_move(n))) for n in ("b", "c", "d")]
        await asyncio.sleep(0)  # every write queued while "a" commits
        assert not any(f.done() for f in (first, *rest))  # none reported before it is durable
        journal.release.set()
        await asyncio.gather(first, *rest)
        await writer.aclose()
        assert journal.groups == [["a"], ["b", "c", "d"]]
        assert wakes == [1, 3] and writer.groups == 2  # one wake-up of the loop per group

    asyncio.run(go())


def test_moves_written_in_one_turn_of_the_loop_go_in_one_transaction() -> None:
    journal = _HeldJournal()
    journal.release.set()

    async def go() -> None:
        loop = asyncio.get_running_loop()
        writer = _Writer(journal, loop)
        # five jobs move in the same turn of the loop (as jobs answered together do); the
        # thread is given time (the GIL released) between them, and still gets nothing
        # before the turn ends
        writes = [asyncio.ensure_future(writer.write(_move("a")))]
        for name in "bcde":
            loop.call_soon(lambda: journal.entered.wait(0.05))
            writes.append(asyncio.ensure_future(writer.write(_move(name))))
        await asyncio.gather(*writes)
        await writer.write(_move("f"))  # a later turn: a group of its own
        await writer.aclose()
        assert journal.groups == [["a", "b", "c", "d", "e"], ["f"]] and writer.groups == 2

    asyncio.run(go())


def test_a_move_that_does_not_fit_fails_alone() -> None:
    journal = _HeldJournal()

    async def go() -> None:
        writer = _Writer(journal, asyncio.get_running_loop())
        held = asyncio.ensure_future(writer.write(_move("a")))
        assert await asyncio.to_thread(journal.entered.wait, 10)
        group = [asyncio.ensure_future(writer.write(_move(n))) for n in ("b", "bad", "c")]
        await asyncio.sleep(0)
        journal.release.set()
        results = await asyncio.gather(held, *group, return_exceptions=True)
        await writer.aclose()
        assert results[0] is None and results[1] is None and results[3] is None
        assert isinstance(results[2], JournalConflictError)
        assert journal.groups == [["a"], ["b"], ["c"]]  # the group, then one by one

    asyncio.run(go())


def test_a_cancelled_writer_still_has_its_move_applied_and_close_waits_for_it(
    tmp_path: Path,
) -> None:
    jobs = parse_jobs("".join(json.dumps(job(i)) + "\n" for i in range(2)), path="j.jsonl").jobs
    with SQLiteJournal(tmp_path / "j.sqlite") as store:
        store.open_batch(jobs, str(tmp_path))

        async def go() -> None:
            writer = _Writer(store, asyncio.get_running_loop())
            pending = asyncio.ensure_future(writer.write(_move("v000")))
            await asyncio.sleep(0)
            pending.cancel()
            with pytest.raises(asyncio.CancelledError):
                await pending
            await writer.write(_move("v001"))
            await writer.aclose()
            with pytest.raises(RuntimeError, match="closed"):
                await writer.write(Change("v001", State.CREATING, State.PENDING))

        asyncio.run(go())
        assert [r.state for r in store.records()] == [State.CREATING, State.CREATING]


def test_moves_of_separate_turns_within_the_window_share_one_commit() -> None:
    journal = _HeldJournal()
    journal.release.set()

    async def go() -> None:
        # a wide window, so a stalled machine cannot split the group
        writer = _Writer(journal, asyncio.get_running_loop(), window=1.0)
        first = asyncio.ensure_future(writer.write(_move("a")))
        for _ in range(3):
            await asyncio.sleep(0)  # later turns of the loop: "a" is with the thread by now
        await asyncio.gather(first, writer.write(_move("b")))
        await writer.aclose()
        assert journal.groups == [["a", "b"]] and writer.groups == 1

    asyncio.run(go())


def test_closing_the_writer_does_not_wait_out_the_window() -> None:
    journal = _HeldJournal()
    journal.release.set()

    async def go() -> None:
        writer = _Writer(journal, asyncio.get_running_loop(), window=600.0)
        move = asyncio.ensure_future(writer.write(_move("a")))
        await asyncio.sleep(0)
        # the window would hold "a" for ten minutes; closing applies it now
        await asyncio.wait_for(asyncio.gather(writer.aclose(), move), timeout=60)
        assert journal.groups == [["a"]]

    asyncio.run(go())

"""The in-flight gate: turns in arrival order, none lost to a timeout or a cancellation; waits bounded only by an explicit timeout or the caller's deadline."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import httpx
import pytest
from _polling import wait_until

from wan_r2v._gate import AsyncGate, Gate


async def _hold(gate: AsyncGate, name: str, log: list[str], release: asyncio.Event) -> None:
    async with gate.slot(None):
        log.append(name)
        await release.wait()


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


def test_turns_go_in_arrival_order_and_all_come_back() -> None:
    async def main() -> None:
        gate = AsyncGate(2)
        log: list[str] = []
        events = {name: asyncio.Event() for name in "abcde"}
        tasks = [asyncio.create_task(_hold(gate, n, log, events[n])) for n in "abcde"]
        await _until(lambda: log == ["a", "b"])
        for name, expected in (("b", "abc"), ("a", "abcd"), ("c", "abcde")):
            events[name].set()
            await _until(lambda expected=expected: log == list(expected))
        for event in events.values():
            event.set()
        await asyncio.gather(*tasks)
        assert gate.free == 2

    asyncio.run(main())


def test_a_cancelled_waiter_loses_no_turn() -> None:
    async def main() -> None:
        gate = AsyncGate(1)
        log: list[str] = []
        release = asyncio.Event()
        holder = asyncio.create_task(_hold(gate, "holder", log, release))
        await _until(lambda: log == ["holder"])
        waiter = asyncio.create_task(_hold(gate, "waiter", log, asyncio.Event()))
        late = asyncio.create_task(_hold(gate, "late", log, release))
        await _until(lambda: len(gate._waiters) == 2)
        waiter.cancel()
        release.set()
        await asyncio.gather(holder, late)
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert log == ["holder", "late"] and gate.free == 1

    asyncio.run(main())


def test_a_turn_handed_over_to_a_waiter_cancelled_before_it_ran_is_passed_on() -> None:
    async def main() -> None:
        gate = AsyncGate(1)
        log: list[str] = []
        release = asyncio.Event()
        async with gate.slot(None):
            first = asyncio.create_task(_hold(gate, "first", log, asyncio.Event()))
            second = asyncio.create_task(_hold(gate, "second", log, release))
            await _until(lambda: len(gate._waiters) == 2)
        # the block's exit handed the turn to `first`, which has not run yet
        first.cancel()
        release.set()
        await second
        with pytest.raises(asyncio.CancelledError):
            await first
        assert log == ["second"] and gate.free == 1

    asyncio.run(main())


def test_an_async_wait_past_the_timeout_is_a_pool_timeout() -> None:
    async def main() -> None:
        gate = AsyncGate(1)
        async with gate.slot(None):
            with pytest.raises(httpx.PoolTimeout, match="max_connections"):
                async with gate.slot(0.01):
                    raise AssertionError("got a turn that was taken")
            assert not gate._waiters
        assert gate.free == 1

    asyncio.run(main())


def test_a_sync_wait_past_the_timeout_is_a_pool_timeout_and_turns_come_back() -> None:
    gate = Gate(1)
    with gate.slot(None):
        failed: list[BaseException] = []

        def other() -> None:
            try:
                with gate.slot(0.01):
                    pass
            except httpx.PoolTimeout as exc:
                failed.append(exc)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        assert len(failed) == 1
    with gate.slot(0.01), pytest.raises(httpx.PoolTimeout), gate.slot(0.01):  # one turn in all
        pass
    with gate.slot(0.01):  # and it came back
        pass


def test_no_limit_never_waits() -> None:
    gate, agate = Gate(None), AsyncGate(None)
    with gate.slot(0.0), gate.slot(0.0):
        pass

    async def main() -> None:
        async with agate.slot(0.0), agate.slot(0.0):
            pass

    asyncio.run(main())


def test_sync_turns_go_in_arrival_order_and_all_come_back() -> None:
    gate = Gate(1)
    log: list[int] = []
    threads = []

    def take(n: int) -> None:
        with gate.slot():
            log.append(n)

    with gate.slot():  # hold the only turn while five threads line up, one after another
        for n in range(5):
            thread = threading.Thread(target=take, args=(n,))
            thread.start()
            threads.append(thread)
            wait_until(lambda n=n: len(gate._waiters) == n + 1, deadline=10, what=f"{n} queued")
    for thread in threads:
        thread.join(10)
    assert log == [0, 1, 2, 3, 4]
    assert gate.free == 1 and not gate._waiters


@pytest.mark.parametrize("cls", [Gate, AsyncGate])
def test_the_gates_timeout_and_the_callers_budget_bound_the_wait_whichever_is_sooner(
    cls: type[Gate] | type[AsyncGate],
) -> None:
    def shed(timeout: float | None, budget: float | None) -> str:
        gate = cls(1, timeout)
        if isinstance(gate, Gate):
            with gate.slot(), pytest.raises(httpx.PoolTimeout) as caught, gate.slot(budget):
                pass
            assert gate.free == 1 and not gate._waiters
            return str(caught.value)

        async def main() -> str:
            assert isinstance(gate, AsyncGate)
            async with gate.slot():
                with pytest.raises(httpx.PoolTimeout) as caught:
                    async with gate.slot(budget):
                        pass
            assert gate.free == 1 and not gate._waiters
            return str(caught.value)

        return asyncio.run(main())

    assert "within 0.02 s (the pool timeout)" in shed(0.02, None)
    assert "within 0.02 s (the pool timeout)" in shed(0.02, 30.0)
    assert "within 0.02 s (the call's deadline)" in shed(30.0, 0.02)
    assert "within 0.02 s (the call's deadline)" in shed(None, 0.02)

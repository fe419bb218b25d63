"""How many requests a client has in flight at once: a gate in front of httpx's pool.

httpcore's pool rescans every queued request against every connection each time a
request ends (O(queued x connections)): 1,000 concurrent ``wait()`` calls on a
100-connection pool spent most of their CPU there (80 s instead of 8 s), or ran
into ``PoolTimeout``. Waiting at a gate sized to the pool costs O(1) instead, so
the pool never holds a queue.

Turns are handed out in arrival order: a released turn goes straight to the longest
waiter, so a newcomer never jumps the queue. By default a request waits for its turn
as long as it takes: every request holding a turn ends within its own whole-request
limit (or a download's limits), so the queue always drains, and a fan-out that is
merely busy neither fails nor churns in the client's own queue. Two things bound the
wait: the caller's deadline (`wait(timeout=)`, a download's `download_timeout`), passed
to `slot` as the time left, and a pool timeout set explicitly (``timeout=httpx.Timeout(...,
pool=X)``, the gate's `timeout`): the choice to shed load fast. Running out of either is
`httpx.PoolTimeout`, as in httpx: a request that certainly was not sent.
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from contextlib import AbstractAsyncContextManager, AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    import asyncio

__all__ = ["AsyncGate", "Gate"]

#: The turn of a gate without a limit: nothing to wait for (with or async with).
_OPEN: nullcontext[None] = nullcontext()


def _wait_limit(timeout: float | None, budget: float | None) -> float | None:
    """How long a request may wait for a turn: the explicit pool timeout and its deadline, whichever is sooner."""
    if budget is None:
        return timeout
    return budget if timeout is None else min(timeout, budget)


def _no_turn(wait: float, timeout: float | None) -> httpx.PoolTimeout:
    why = "the pool timeout" if timeout is not None and wait >= timeout else "the call's deadline"
    return httpx.PoolTimeout(
        f"no turn among the client's max_connections within {wait:g} s ({why}); nothing was sent"
    )


class _Slot:
    """One request's turn at a `Gate`, held for the ``with`` block."""

    __slots__ = ("_budget", "_gate")

    def __init__(self, gate: Gate, budget: float | None) -> None:
        self._gate = gate
        self._budget = budget

    def __enter__(self) -> None:
        self._gate.take(self._budget)

    def __exit__(self, *exc_info: object) -> None:
        self._gate.release()


class Gate:
    """At most `limit` requests at once across threads (None: no limit), in arrival order.

    `timeout`: the longest any request waits for a turn (None: as long as it takes).
    """

    def __init__(self, limit: int | None, timeout: float | None = None) -> None:
        self._limited = limit is not None
        #: Turns nobody holds (0 while anyone waits).
        self.free = limit or 0
        self.timeout = timeout
        self._lock = threading.Lock()
        #: One locked lock per waiting thread, oldest first; a turn is handed over by releasing it.
        self._waiters: deque[threading.Lock] = deque()

    def slot(self, budget: float | None = None) -> AbstractContextManager[None]:
        """A turn, waited for at most `budget` s (the caller's time left; None: no deadline)."""
        if not self._limited:
            return _OPEN
        return _Slot(self, budget)

    def take(self, budget: float | None) -> None:
        """Take a turn, waiting in line if none is free; `httpx.PoolTimeout` if the wait runs out."""
        with self._lock:
            if self.free > 0:  # nobody waits while a turn is free
                self.free -= 1
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        wait = _wait_limit(self.timeout, budget)
        got = False
        try:
            got = turn.acquire(True, -1 if wait is None else max(wait, 0.0))
        finally:
            if not got:  # timed out or interrupted
                with self._lock:
                    try:
                        self._waiters.remove(turn)
                        handed = False
                    except ValueError:  # release() handed it over just now
                        handed = True
                if handed:
                    self.release()  # pass it on: this request is not going
        if not got:
            assert wait is not None
            raise _no_turn(wait, self.timeout)

    def release(self) -> None:
        """Give a turn back: to the longest waiter, else to the free ones."""
        with self._lock:
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self.free += 1


class _AsyncSlot:
    """One request's turn at an `AsyncGate`, held for the ``async with`` block."""

    __slots__ = ("_budget", "_gate")

    def __init__(self, gate: AsyncGate, budget: float | None) -> None:
        self._gate = gate
        self._budget = budget

    async def __aenter__(self) -> None:
        gate = self._gate
        if gate.free > 0:  # nobody waits while a turn is free
            gate.free -= 1
            return
        await gate.wait(self._budget)

    async def __aexit__(self, *exc_info: object) -> None:
        self._gate.release()


class AsyncGate:
    """At most `limit` requests at once in one event loop (None: no limit), in arrival order.

    `timeout`: the longest any request waits for a turn (None: as long as it takes).
    A released turn goes straight to the longest waiter, so `free` stays 0 while
    anyone waits and a newcomer never jumps the queue.
    """

    def __init__(self, limit: int | None, timeout: float | None = None) -> None:
        self._limited = limit is not None
        #: Turns nobody holds.
        self.free = limit or 0
        self.timeout = timeout
        self._waiters: deque[asyncio.Future[None]] = deque()

    def slot(self, budget: float | None = None) -> AbstractAsyncContextManager[None]:
        """A turn, waited for at most `budget` s (the caller's time left; None: no deadline)."""
        if not self._limited:
            return _OPEN
        return _AsyncSlot(self, budget)

    async def wait(self, budget: float | None) -> None:
        """Wait in line for a released turn; `httpx.PoolTimeout` if the wait runs out."""
        import asyncio  # here: only a client that has to wait needs it

        wait = _wait_limit(self.timeout, budget)
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(turn)
        try:
            if wait is None:
                await turn
            else:
                async with asyncio.timeout(wait):
                    await turn
        except BaseException as exc:  # timed out or cancelled
            if turn.done() and not turn.cancelled():
                self.release()  # the turn came just as we gave up: pass it on
            else:
                turn.cancel()
                with contextlib.suppress(ValueError):  # release() may have dropped it already
                    self._waiters.remove(turn)
            if isinstance(exc, TimeoutError) and wait is not None:
                raise _no_turn(wait, self.timeout) from None
            raise

    def release(self) -> None:
        """Give a turn back: to the longest waiter, else to the free ones."""
        while self._waiters:
            turn = self._waiters.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.free += 1

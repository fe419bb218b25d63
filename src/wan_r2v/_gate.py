"""How many requests a client has in flight at once: a gate in front of httpx's pool.

httpcore's pool rescans every queued request against every connection each time a
request ends (O(queued x connections)): 1,000 concurrent ``wait()`` calls on a
100-connection pool spent most of their CPU there (80 s instead of 8 s), or ran
into ``PoolTimeout``. Waiting at a gate sized to the pool costs O(1) instead, so
the pool never holds a queue. Time spent waiting here counts against the request's
pool timeout, and running out of it is the same `httpx.PoolTimeout` (a request that
was certainly not sent) as running out of it in httpx. Turns are handed out in
arrival order.
"""

from __future__ import annotations

import contextlib
import queue
from collections import deque
from contextlib import AbstractAsyncContextManager, AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    import asyncio

__all__ = ["AsyncGate", "Gate"]

#: The turn of a gate without a limit: nothing to wait for (with or async with).
_OPEN: nullcontext[None] = nullcontext()


def _pool_timeout(timeout: float | None) -> httpx.PoolTimeout:
    return httpx.PoolTimeout(
        f"no connection became free within the pool timeout ({timeout:g} s): "
        "more requests in flight than max_connections"
    )


class _Slot:
    """One request's turn at a `Gate`, held for the ``with`` block."""

    __slots__ = ("_timeout", "_tokens")

    def __init__(self, tokens: queue.SimpleQueue[None], timeout: float | None) -> None:
        self._tokens = tokens
        self._timeout = timeout

    def __enter__(self) -> None:
        try:
            self._tokens.get(True, self._timeout)
        except queue.Empty:
            raise _pool_timeout(self._timeout) from None

    def __exit__(self, *exc_info: object) -> None:
        self._tokens.put(None)


class Gate:
    """At most `limit` requests at once across threads (None: no limit)."""

    def __init__(self, limit: int | None) -> None:
        # a queue of `limit` tokens: a semaphore whose get and put are C calls
        self._tokens: queue.SimpleQueue[None] | None = None
        if limit is not None:
            self._tokens = queue.SimpleQueue()
            for _ in range(limit):
                self._tokens.put(None)

    def slot(self, timeout: float | None) -> AbstractContextManager[None]:
        """A turn, waited for at most `timeout` s (None: as long as it takes)."""
        if self._tokens is None:
            return _OPEN
        return _Slot(self._tokens, timeout)


class _AsyncSlot:
    """One request's turn at an `AsyncGate`, held for the ``async with`` block."""

    __slots__ = ("_gate", "_timeout")

    def __init__(self, gate: AsyncGate, timeout: float | None) -> None:
        self._gate = gate
        self._timeout = timeout

    async def __aenter__(self) -> None:
        gate = self._gate
        if gate.free > 0:  # nobody waits while a turn is free
            gate.free -= 1
            return
        await gate.wait(self._timeout)

    async def __aexit__(self, *exc_info: object) -> None:
        self._gate.release()


class AsyncGate:
    """At most `limit` requests at once in one event loop (None: no limit).

    A released turn goes straight to the longest waiter, so `free` stays 0 while
    anyone waits and a newcomer never jumps the queue.
    """

    def __init__(self, limit: int | None) -> None:
        self._limited = limit is not None
        #: Turns nobody holds.
        self.free = limit or 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    def slot(self, timeout: float | None) -> AbstractAsyncContextManager[None]:
        """A turn, waited for at most `timeout` s (None: as long as it takes)."""
        if not self._limited:
            return _OPEN
        return _AsyncSlot(self, timeout)

    async def wait(self, timeout: float | None) -> None:
        """Wait for a released turn; `httpx.PoolTimeout` after `timeout` s."""
        import asyncio  # here: only a client that has to wait needs it

        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(turn)
        try:
            async with asyncio.timeout(timeout):
                await turn
        except BaseException as exc:  # timed out or cancelled
            if turn.done() and not turn.cancelled():
                self.release()  # the turn came just as we gave up: pass it on
            else:
                turn.cancel()
                with contextlib.suppress(ValueError):  # release() may have dropped it already
                    self._waiters.remove(turn)
            if isinstance(exc, TimeoutError):
                raise _pool_timeout(timeout) from None
            raise

    def release(self) -> None:
        """Give a turn back: to the longest waiter, else to the free ones."""
        while self._waiters:
            turn = self._waiters.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.free += 1

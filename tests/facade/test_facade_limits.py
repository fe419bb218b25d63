"""max_connections: at most that many requests in flight, the rest wait in the client; an explicit pool timeout bounds the wait."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from _facade_fakes import BASE, KEY, ok, task_json

from wan_r2v import APITimeoutError, AsyncClient, Client, ValidationError

pytestmark = pytest.mark.anyio


class Counter:
    """Requests in flight now and at most, across threads or coroutines."""

    def __init__(self) -> None:
        self.now = self.peak = self.total = 0
        self._lock = threading.Lock()

    def enter(self) -> None:
        with self._lock:
            self.now += 1
            self.total += 1
            self.peak = max(self.peak, self.now)

    def leave(self) -> None:
        with self._lock:
            self.now -= 1


async def test_async_calls_beyond_the_limit_wait_in_the_client() -> None:
    counter = Counter()

    async def handler(request: httpx.Request) -> httpx.Response:
        counter.enter()
        for _ in range(5):  # let every other coroutine run meanwhile
            await asyncio.sleep(0)
        counter.leave()
        return ok(task_json(request.url.path.rsplit("/", 1)[1]))

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with AsyncClient(KEY, BASE, http_client=http, max_connections=3) as client:
        tasks = await asyncio.gather(*(client.get(f"task_{n}") for n in range(12)))
    await http.aclose()
    assert [t.id for t in tasks] == [f"task_{n}" for n in range(12)]
    assert counter.total == 12 and counter.peak == 3


async def test_without_a_limit_every_call_goes_at_once() -> None:
    counter = Counter()

    async def handler(request: httpx.Request) -> httpx.Response:
        counter.enter()
        for _ in range(5):
            await asyncio.sleep(0)
        counter.leave()
        return ok(task_json())

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with AsyncClient(KEY, BASE, http_client=http, max_connections=None) as client:
        await asyncio.gather(*(client.get("task_1") for _ in range(12)))
    await http.aclose()
    assert counter.peak == 12


def test_threads_share_one_limit() -> None:
    counter = Counter()

    def handler(request: httpx.Request) -> httpx.Response:
        counter.enter()
        time.sleep(0.005)  # the fake server's latency, so that requests overlap
        counter.leave()
        return ok(task_json())

    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as http,
        Client(KEY, BASE, http_client=http, max_connections=2) as client,
        ThreadPoolExecutor(max_workers=8) as pool,
    ):
        tasks = list(pool.map(lambda _: client.get("task_1"), range(16)))
    assert len(tasks) == 16 and counter.total == 16
    assert counter.peak <= 2


async def test_a_turn_not_given_within_the_pool_timeout_is_a_timeout_never_sent() -> None:
    release = asyncio.Event()
    arrived: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        arrived.append(request.url.path)
        await release.wait()
        return ok(task_json())

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    timeout = httpx.Timeout(10.0, pool=0.05)
    async with AsyncClient(
        KEY, BASE, http_client=http, max_connections=1, timeout=timeout, max_retries=0
    ) as client:
        first = asyncio.create_task(client.get("task_1"))
        while not arrived:  # the first request holds the only turn
            await asyncio.sleep(0)
        with pytest.raises(APITimeoutError, match="max_connections"):
            await client.get("task_2")
        release.set()
        assert (await first).id == "task_1"
    await http.aclose()
    assert arrived == ["/v1/videos/task_1"]  # the second was never sent


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10"])
def test_max_connections_must_be_a_positive_whole_number(bad: object) -> None:
    with pytest.raises(ValidationError, match="max_connections"):
        Client(KEY, BASE, max_connections=bad)  # type: ignore[arg-type]


def test_the_own_pool_keeps_every_connection_alive() -> None:
    with Client(KEY, BASE, max_connections=7) as client:
        pool = client._http._transport._pool  # type: ignore[attr-defined]
        assert (pool._max_connections, pool._max_keepalive_connections) == (7, 7)
        assert pool._keepalive_expiry == 4.0  # below the 5 s of uvicorn, Node.js, Apache


@pytest.mark.parametrize("expiry", [0.5, None])
def test_the_own_pools_keepalive_expiry_is_configurable(expiry: float | None) -> None:
    async def expiry_of_the_pool() -> float | None:
        async with AsyncClient(KEY, BASE, keepalive_expiry=expiry) as client:
            pool = client._http._transport._pool  # type: ignore[attr-defined]
            return pool._keepalive_expiry  # type: ignore[no-any-return]

    assert asyncio.run(expiry_of_the_pool()) == expiry


@pytest.mark.parametrize("bad", [-1, float("nan"), True, "4"])
def test_keepalive_expiry_must_be_seconds_or_none(bad: object) -> None:
    with pytest.raises(ValidationError, match=r"keepalive_expiry.*gateway's keep-alive"):
        Client(KEY, BASE, keepalive_expiry=bad)  # type: ignore[arg-type]

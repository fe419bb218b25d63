"""Drive the facade the same way in both modes, against the sandbox, without real sleeping.

`open_facade("sync" | "async", ...)` yields a `Facade` whose methods have the
`Client` signatures in both modes: in async mode each call runs on an event
loop in a helper thread (an anyio blocking portal), so one test body covers
`Client` and `AsyncClient`. Retry and poll sleeps are recorded, not slept: a
fake monotonic clock moves by each sleep, so deadlines behave as in real time
while the suite stays fast. HTTP is real (the sandbox on 127.0.0.1).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import attrs
from anyio.from_thread import BlockingPortal, start_blocking_portal

from wan_r2v import AsyncClient, Client, Task

T = TypeVar("T")

#: The suite's API key: distinctive, so that a leak is easy to grep for.
KEY = "sk-reliability-5e2c71f0a9d84b36"

#: A valid create call (the seed's video-reference example, in keyword form).
PARAMS: dict[str, Any] = {
    "model": "wan2.6-r2v-flash-720p-audio",
    "prompt": "character1 walks through the rain",
    "videos": ["https://example.com/reference-shot-1.mp4"],
    "size": "1280*720",
    "duration": 2,
    "audio": "https://example.com/guide-audio.mp3",
    "shot_type": "single",
    "seed": -1,
}


@attrs.define
class FakeClock:
    """A monotonic clock that moves only when the flow sleeps; records the sleeps."""

    now: float = 1000.0
    sleeps: list[float] = attrs.field(factory=list)
    #: Called on each sleep (after the clock moved), e.g. to bring a server up.
    on_sleep: Callable[[float], object] | None = None

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, seconds
        self.sleeps.append(seconds)
        self.now += seconds
        if self.on_sleep is not None:
            self.on_sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


@attrs.define
class Facade:
    """`Client` or `AsyncClient`, called the same way (blocking) from a test."""

    mode: str
    client: Client | AsyncClient
    clock: FakeClock
    portal: BlockingPortal | None = None

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call a client method by name; in async mode, await it on the portal's loop."""
        method = getattr(self.client, name)
        if self.portal is None:
            return method(*args, **kwargs)
        return self.portal.call(partial(method, *args, **kwargs))

    def create(self, **params: Any) -> Task:
        """`client.create`."""
        result: Task = self.call("create", **params)
        return result

    def get(self, task_id: str) -> Task:
        """`client.get`."""
        result: Task = self.call("get", task_id)
        return result

    def wait(self, task: Task | str, **kwargs: Any) -> Task:
        """`client.wait`."""
        result: Task = self.call("wait", task, **kwargs)
        return result

    def download(self, task: Task | str, path: Path, **kwargs: Any) -> Path:
        """`client.download`."""
        result: Path = self.call("download", task, path, **kwargs)
        return result

    def generate(self, **kwargs: Any) -> Any:
        """`client.generate`."""
        return self.call("generate", **kwargs)

    @property
    def sleeps(self) -> list[float]:
        """Every sleep the flows asked for, in order."""
        return self.clock.sleeps


def _fake_time(client: Client | AsyncClient, clock: FakeClock) -> None:
    client._ctx = client._ctx._replace(clock=clock, rand=lambda: 0.0)
    if isinstance(client, AsyncClient):
        client._sleep = clock.asleep  # type: ignore[method-assign]
    else:
        client._sleep = clock.sleep  # type: ignore[method-assign]


@contextlib.contextmanager
def open_facade(
    mode: str,
    *,
    api_key: str = KEY,
    clock: FakeClock | None = None,
    real_time: bool = False,
    **kwargs: Any,
) -> Iterator[Facade]:
    """A facade in `mode` ("sync" or "async"); `real_time=True` keeps the real clock and sleeps."""
    clock = clock or FakeClock()
    kwargs.setdefault("timeout", 10.0)
    if mode == "sync":
        client = Client(api_key, **kwargs)
        if not real_time:
            _fake_time(client, clock)
        with client:
            yield Facade(mode, client, clock)
        return
    assert mode == "async", mode
    with start_blocking_portal("asyncio") as portal:

        async def make() -> AsyncClient:
            return AsyncClient(api_key, **kwargs)

        aclient = portal.call(make)
        if not real_time:
            _fake_time(aclient, clock)
        try:
            yield Facade(mode, aclient, clock, portal)
        finally:
            portal.call(aclient.aclose)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (just now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

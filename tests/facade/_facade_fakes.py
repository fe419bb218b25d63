"""A scripted gateway for httpx.MockTransport, and a fake clock: no server, no real sleeping."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

import attrs
import httpx
from _videobytes import mp4_head

from wan_r2v import AsyncClient, Client

KEY = "sk-facade-test-7c1d93ab55"
BASE = "https://gw.test"

Handler = Callable[[httpx.Request], httpx.Response]
ClientT = TypeVar("ClientT", Client, AsyncClient)
Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def task_json(
    task_id: str = "task_1", status: str = "in_progress", progress: Any = 5, **extra: Any
) -> dict[str, Any]:
    """A task answer in the gateway's own dialect."""
    body: dict[str, Any] = {
        "id": task_id,
        "task_id": task_id,
        "object": "video.generation.job",
        "model": "wan2.6-r2v-flash-720p-audio",
        "status": status,
        "progress": progress,
        "created_at": 1773984104,
    }
    body.update(extra)
    return body


def ok(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    """A JSON answer."""
    return httpx.Response(
        status,
        content=json.dumps(payload).encode(),
        headers={"content-type": "application/json", **(headers or {})},
    )


def error(
    status: int,
    message: str = "boom",
    code: str = "some_code",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """An OpenAI-shaped error answer."""
    return ok({"error": {"message": message, "type": "error", "code": code}}, status, headers)


class Gateway:
    """Answers requests from a script, in order (the last answer repeats); records every request."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)

    def count(self, method: str) -> int:
        """How many requests of a method arrived."""
        return sum(1 for r in self.requests if r.method == method)


@attrs.define
class FakeClock:
    """A monotonic clock that only moves when something sleeps (or `advance` is called)."""

    now: float = 1000.0
    sleeps: list[float] = attrs.field(factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def _on_fake_time(client: ClientT, clock: FakeClock | None, sleep_name: str) -> ClientT:
    """Give a client a fake clock (and no jitter) so retries and polls take no real time."""
    clock = clock or FakeClock()
    client._ctx = client._ctx._replace(clock=clock, rand=lambda: 0.0)
    client._sleep = getattr(clock, sleep_name)  # type: ignore[method-assign]
    return client


def make_client(gateway: Handler, clock: FakeClock | None = None, **kwargs: Any) -> Client:
    """A `Client` on a MockTransport, on fake time."""
    http = httpx.Client(transport=httpx.MockTransport(gateway))
    return _on_fake_time(Client(KEY, BASE, http_client=http, **kwargs), clock, "sleep")


def make_async_client(
    gateway: Handler, clock: FakeClock | None = None, **kwargs: Any
) -> AsyncClient:
    """An `AsyncClient` on a MockTransport, on fake time."""
    http = httpx.AsyncClient(transport=httpx.MockTransport(gateway))
    return _on_fake_time(AsyncClient(KEY, BASE, http_client=http, **kwargs), clock, "asleep")


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    """A whole MP4 of `total` bytes in fresh chunks, made on the fly."""
    head = mp4_head(total)
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        yield (head + b"\x00" * (n - len(head))) if sent == 0 else b"\x00" * n
        sent += n


async def achunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    """`chunks` for an async client."""
    for chunk in chunks(total, size):
        yield chunk


SEED_VIDEO_KWARGS: dict[str, Any] = {
    "model": "wan2.6-r2v-flash-720p-audio",
    "prompt": " subject and style, generate a newcamera. ",
    "videos": ["https://example.com/reference-shot-1.mp4"],
    "size": "1280*720",
    "duration": 5,
    "negative_prompt": "watermark, blur, flicker",
    "audio": "https://example.com/guide-audio.mp3",
    "shot_type": "single",
    "enable_prompt_expansion": False,
    "seed": -1,
}

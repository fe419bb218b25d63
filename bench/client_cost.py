"""Benchmarks 1 and 2: client-side cost of one create + get, facade vs raw httpx vs the OpenAI SDK.

Benchmark 1 puts every client on an in-process transport that answers with the gateway's fixed
bytes, so only client-side work is timed. Benchmark 2 runs the same calls over loopback against
the sandbox, which runs in its own process (it would otherwise share this process's GIL).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import httpx

from bench._gateway import (
    API_KEY,
    COMPLETED_ANSWER_BYTES,
    CREATE_ANSWER_BYTES,
    CREATE_BODY,
    CREATE_KWARGS,
    JSON_HEADERS,
)
from bench._report import Check, Section, fmt
from bench._timing import Stopwatch, interleaved, median, spread

MOCK_BASE = "https://gateway.example"
CREATE_PATH = "/v1/video/generations"
GET_PATH = "/v1/videos/{}"

VARIANTS = (
    "facade sync",
    "httpx sync",
    "openai sync",
    "facade async",
    "httpx async",
    "openai async",
)
BASELINE = {"sync": "httpx sync", "async": "httpx async"}


def _answer(method: str) -> bytes:
    return CREATE_ANSWER_BYTES if method == "POST" else COMPLETED_ANSWER_BYTES


def _httpx_mock() -> httpx.MockTransport:
    return httpx.MockTransport(
        lambda r: httpx.Response(200, headers=JSON_HEADERS, content=_answer(r.method))
    )


def _httpx2_mock() -> Any:
    import httpx2  # the OpenAI SDK's own HTTP stack

    return httpx2.MockTransport(
        lambda r: httpx2.Response(200, headers=JSON_HEADERS, content=_answer(r.method))
    )


class _Bench:
    """Builds each variant's client once and times batches of `ops` create + get calls."""

    def __init__(self, stack: ExitStack, base_url: str, mock: bool, ops: int) -> None:
        self.stack, self.base_url, self.mock, self.ops = stack, base_url, mock, ops
        self.loop = asyncio.new_event_loop()
        stack.callback(self.loop.close)

    # --- sync variants -------------------------------------------------------------------
    def facade_sync(self) -> Callable[[], None]:
        import wan_r2v

        http = httpx.Client(transport=_httpx_mock(), base_url=self.base_url) if self.mock else None
        client = wan_r2v.Client(api_key=API_KEY, base_url=self.base_url, http_client=http)
        self.stack.callback(client.close)

        def op() -> None:
            task = client.create(**CREATE_KWARGS)
            client.get(task.id)

        return op

    def httpx_sync(self) -> Callable[[], None]:
        client = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {API_KEY}"},
            transport=_httpx_mock() if self.mock else None,
        )
        self.stack.callback(client.close)

        def op() -> None:
            r = client.post(CREATE_PATH, json=CREATE_BODY)
            r.raise_for_status()
            task_id = r.json()["id"]
            r = client.get(GET_PATH.format(task_id))
            r.raise_for_status()
            r.json()

        return op

    def openai_sync(self) -> Callable[[], None]:
        import httpx2
        import openai

        http = httpx2.Client(transport=_httpx2_mock() if self.mock else None)
        client = openai.OpenAI(api_key=API_KEY, base_url=self.base_url + "/v1", http_client=http)
        self.stack.callback(client.close)

        def op() -> None:
            task: Any = client.post("/video/generations", body=CREATE_BODY, cast_to=object)
            client.get(f"/videos/{task['id']}", cast_to=object)

        return op

    # --- async variants ------------------------------------------------------------------
    def _in_loop(self, make: Callable[[], Any]) -> Any:
        async def build() -> Any:
            return make()

        return self.loop.run_until_complete(build())

    def _close_async(self, client: Any) -> None:
        close = getattr(client, "aclose", None) or client.close
        self.stack.callback(lambda: self.loop.run_until_complete(close()))

    def facade_async(self) -> Callable[[], Any]:
        import wan_r2v

        def make() -> Any:
            http = (
                httpx.AsyncClient(transport=_httpx_mock(), base_url=self.base_url)
                if self.mock
                else None
            )
            return wan_r2v.AsyncClient(api_key=API_KEY, base_url=self.base_url, http_client=http)

        client = self._in_loop(make)
        self._close_async(client)

        async def op() -> None:
            task = await client.create(**CREATE_KWARGS)
            await client.get(task.id)

        return op

    def httpx_async(self) -> Callable[[], Any]:
        client = self._in_loop(
            lambda: httpx.AsyncClient(
                base_url=self.base_url,
                headers={"Authorization": f"Bearer {API_KEY}"},
                transport=_httpx_mock() if self.mock else None,
            )
        )
        self._close_async(client)

        async def op() -> None:
            r = await client.post(CREATE_PATH, json=CREATE_BODY)
            r.raise_for_status()
            task_id = r.json()["id"]
            r = await client.get(GET_PATH.format(task_id))
            r.raise_for_status()
            r.json()

        return op

    def openai_async(self) -> Callable[[], Any]:
        import httpx2
        import openai

        def make() -> Any:
            http = httpx2.AsyncClient(transport=_httpx2_mock() if self.mock else None)
            return openai.AsyncOpenAI(
                api_key=API_KEY, base_url=self.base_url + "/v1", http_client=http
            )

        client = self._in_loop(make)
        self._close_async(client)

        async def op() -> None:
            task: Any = await client.post("/video/generations", body=CREATE_BODY, cast_to=object)
            await client.get(f"/videos/{task['id']}", cast_to=object)

        return op

    # --- batches ------------------------------------------------------------------------
    def batch(self, name: str) -> Callable[[], float]:
        """A callable that runs `ops` calls of variant `name` and returns seconds per call."""
        op = getattr(self, name.replace(" ", "_"))()
        ops = self.ops
        # in process every variant is pure CPU work: CPU time is immune to being descheduled on a
        # busy machine; over loopback the wait for the server is part of the cost: wall time
        clock = time.perf_counter if not self.mock else time.process_time
        if name.endswith("async"):

            async def many() -> None:
                for _ in range(ops):
                    await op()

            def run_async() -> float:
                with Stopwatch(clock) as sw:
                    self.loop.run_until_complete(many())
                return sw.seconds / ops

            return run_async

        def run_sync() -> float:
            with Stopwatch(clock) as sw:
                for _ in range(ops):
                    op()
            return sw.seconds / ops

        return run_sync


def client_cost(
    *,
    ops: int = 300,
    rounds: int = 7,
    loopback: bool = False,
    variants: tuple[str, ...] = VARIANTS,
) -> Section:
    """Benchmark 1 (in-process transport) or 2 (`loopback=True`, the sandbox in a subprocess)."""
    with ExitStack() as stack:
        if loopback:
            from bench._servers import sandbox_process

            base_url = stack.enter_context(sandbox_process(duration=60.0)).base_url
        else:
            base_url = MOCK_BASE
        bench = _Bench(stack, base_url, mock=not loopback, ops=ops)
        samples = interleaved({v: bench.batch(v) for v in variants}, rounds=rounds)
    return _section(samples, ops=ops, rounds=rounds, loopback=loopback)


def _section(samples: dict[str, list[float]], *, ops: int, rounds: int, loopback: bool) -> Section:
    med = {name: median(values) for name, values in samples.items()}
    if loopback:
        key, title = (
            "loopback",
            "2. Client cost per create + get, over loopback against the sandbox",
        )
        where = (
            "each client talks HTTP/1.1 over 127.0.0.1 to the sandbox (`wan_r2v.sandbox`), which runs "
            "in its own process so that the server's work does not share the client's GIL; "
            "the server's cost is now in every figure, so ratios shrink towards 1"
        )
    else:
        key, title = "in_process", "1. Client cost per create + get, in-process transport"
        where = (
            "every client gets an in-process transport (`httpx.MockTransport`, or `httpx2.MockTransport` "
            "for the OpenAI SDK, which is built on httpx2) answering with the gateway's fixed bytes, "
            "so only client-side work is timed (as CPU time of this process, which a busy machine "
            "does not inflate by descheduling it)"
        )
    method = (
        f"One create (seed example 1 body) then one get of the returned id, {ops} times in a row per "
        f"sample, {rounds} interleaved samples per variant; {where}. Raw httpx sends the same JSON "
        "and the same `Authorization` header and parses the JSON answers; the OpenAI SDK uses its "
        "generic `post`/`get` with `cast_to=object` and the same body."
    )
    section = Section(
        key=key,
        title=title,
        method=method,
        columns=["variant", "µs per create + get", "± (IQR/2)", "vs raw httpx", "calls/s"],
    )
    for name, values in samples.items():
        mode = name.split()[-1]
        base = med.get(BASELINE[mode])
        ratio = f"{med[name] / base:.2f}x" if base else "-"
        section.rows.append(
            [name, fmt(med[name] * 1e6), f"{spread(values) * 100:.0f}%", ratio, fmt(1 / med[name])]
        )
        section.numbers[f"{name} us"] = med[name] * 1e6
    for mode in ("sync", "async"):
        facade, raw, sdk = f"facade {mode}", f"httpx {mode}", f"openai {mode}"
        if facade in med and raw in med:
            section.checks.append(Check(f"{facade} / {raw}", med[facade] / med[raw], 1.3))
        if facade in med and sdk in med:
            section.checks.append(
                Check(f"{facade} / {sdk} (below the SDK)", med[facade] / med[sdk], 1.0)
            )
    return section

"""`python -m bench.profile`: where the facade's client-side time goes (benchmark 1's setup).

Prints a pyinstrument profile of facade create + get calls on the in-process transport, then
an ablation: the same benchmark with answer reading or body building (validation, local-file
checks) replaced by a cached result, interleaved with the unpatched facade and raw httpx, so
each piece's share shows as a ratio. Used to find the causes recorded in bench/HISTORY.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import httpx

from bench._gateway import (
    API_KEY,
    COMPLETED_ANSWER_BYTES,
    CREATE_ANSWER_BYTES,
    CREATE_KWARGS,
    JSON_HEADERS,
)
from bench._timing import interleaved, median
from bench.client_cost import MOCK_BASE, _Bench


def profile(calls: int) -> str:
    """The pyinstrument text profile of `calls` facade create + get calls."""
    from pyinstrument import Profiler

    with ExitStack() as stack:
        op = _Bench(stack, MOCK_BASE, mock=True, ops=calls).facade_sync()
        for _ in range(200):
            op()
        profiler = Profiler(interval=0.0001)
        profiler.start()
        for _ in range(calls):
            op()
        profiler.stop()
    return str(profiler.output_text(unicode=False, color=False))


def ablation(ops: int, rounds: int) -> dict[str, float]:
    """CPU µs per create + get: the facade, the facade without pieces of its core, raw httpx."""
    import wan_r2v
    import wan_r2v._core._flows as flows
    from wan_r2v._core import Exchange

    built = flows.build_body_with_files(
        CREATE_KWARGS, presets=wan_r2v.PRESETS, strict=True, uploads=None
    )
    created = flows.read_created(
        Exchange(200, httpx.Headers(JSON_HEADERS), CREATE_ANSWER_BYTES), secret=API_KEY
    )
    task = flows.read_task(
        Exchange(200, httpx.Headers(JSON_HEADERS), COMPLETED_ANSWER_BYTES), secret=API_KEY
    )

    def cached_body(*_a: Any, **_k: Any) -> Any:
        return built

    def cached_created(*_a: Any, **_k: Any) -> Any:
        return created

    def cached_task(*_a: Any, **_k: Any) -> Any:
        return task

    with ExitStack() as stack:
        bench = _Bench(stack, MOCK_BASE, mock=True, ops=ops)
        facade, raw = bench.batch("facade sync"), bench.batch("httpx sync")

        def patched(**patches: Any) -> Callable[[], float]:
            def run() -> float:
                saved = {name: getattr(flows, name) for name in patches}
                for name, value in patches.items():
                    setattr(flows, name, value)
                try:
                    return facade()
                finally:
                    for name, value in saved.items():
                        setattr(flows, name, value)

            return run

        samples = interleaved(
            {
                "facade as is": facade,
                "without body building": patched(build_body_with_files=cached_body),
                "without answer reading": patched(
                    read_created=cached_created, read_task=cached_task
                ),
                "without either": patched(
                    build_body_with_files=cached_body,
                    read_created=cached_created,
                    read_task=cached_task,
                ),
                "raw httpx": raw,
            },
            rounds=rounds,
        )
    return {name: median(values) * 1e6 for name, values in samples.items()}


def main() -> None:
    """Print the profile and the ablation table."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=11)
    args = parser.parse_args()
    print(profile(args.calls))
    results = ablation(ops=200, rounds=args.rounds)
    base = results["raw httpx"]
    for name, us in results.items():
        print(f"{name:28s} {us:7.1f} µs  {us / base:.3f}x")


if __name__ == "__main__":
    main()

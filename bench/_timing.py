"""Interleaved repeated runs and their medians, so drift on a noisy machine hits every variant alike."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping


def interleaved(
    variants: Mapping[str, Callable[[], float]], rounds: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Run each variant once per round, rotating the order (A B C, B C A, ...); return every sample."""
    names = list(variants)
    for _ in range(warmup):
        for name in names:
            variants[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            gc.collect()
            samples[name].append(variants[name]())
    return samples


def median(values: list[float]) -> float:
    """The median of the samples."""
    return statistics.median(values)


def spread(values: list[float]) -> float:
    """Half the inter-quartile range relative to the median (a robust noise figure)."""
    if len(values) < 4:
        return (max(values) - min(values)) / 2 / statistics.median(values)
    q = statistics.quantiles(values, n=4)
    return (q[2] - q[0]) / 2 / statistics.median(values)


class Stopwatch:
    """A clock around a block: `with Stopwatch() as sw: ...; sw.seconds` (wall time by default)."""

    seconds: float = 0.0

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock

    def __enter__(self) -> Stopwatch:
        self._start = self._clock()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = self._clock() - self._start

"""Smoke test of bench/: every benchmark runs end to end with tiny sizes and gives sane numbers.

No timing assertions: only that each benchmark completes, measures every variant and reports
finite, positive figures with its targets attached.
"""

from __future__ import annotations

import importlib.util
import math
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ sits at the repository root, outside the installed packages
    sys.path.insert(0, str(ROOT))

from bench._report import Section, document  # noqa: E402

HAS_OPENAI = importlib.util.find_spec("openai") is not None and importlib.util.find_spec("httpx2")
HAS_CURL = shutil.which("curl") is not None


def _positive(section: Section, *keys: str) -> None:
    for key in keys:
        value = section.numbers[key]
        assert math.isfinite(value) and value > 0, (key, value)


def _client_variants() -> tuple[str, ...]:
    from bench.client_cost import VARIANTS

    return VARIANTS if HAS_OPENAI else tuple(v for v in VARIANTS if not v.startswith("openai"))


def test_client_cost_in_process_measures_every_variant() -> None:
    from bench.client_cost import client_cost

    variants = _client_variants()
    section = client_cost(ops=3, rounds=1, variants=variants)
    _positive(section, *(f"{v} us" for v in variants))
    assert [row[0] for row in section.rows] == list(variants)
    assert any("facade sync / httpx sync" in c.what for c in section.checks)


def test_client_cost_loopback_against_the_sandbox() -> None:
    from bench.client_cost import client_cost

    section = client_cost(ops=2, rounds=1, loopback=True, variants=("facade sync", "httpx sync"))
    _positive(section, "facade sync us", "httpx sync us")
    assert section.key == "loopback"


def test_fanout_does_the_same_requests_in_each_variant_and_counts_them() -> None:
    from bench.fanout import fanout

    section = fanout(tasks=3, rounds=1, poll=0.05)
    _positive(section, "facade wall s", "httpx wall s", "facade peak RSS MiB", "facade cpu s")
    assert [row[0] for row in section.rows] == ["facade", "httpx", "httpx-defaults"]
    # each task: one create and two queries (the sandbox finishes it on the second), counted
    for variant in ("facade", "httpx", "httpx-defaults"):
        assert section.numbers[f"{variant} requests"] == 9, variant
    assert any("the same work: 9 each" in note for note in section.notes)
    assert section.numbers["facade wall s"] >= 0.05  # one poll interval between the queries
    assert len(section.figures) == 3 and all("queries at the sandbox" in f for f in section.figures)
    assert {c.what for c in section.checks} == {"facade / raw httpx client CPU", "facade peak RSS"}


def test_download_writes_every_byte_for_each_variant() -> None:
    from bench.download import VARIANTS, MiB, download

    variants = VARIANTS if HAS_CURL else ("facade", "httpx+fsync", "httpx")
    # download() raises when a variant wrote a different number of bytes
    section = download(size=MiB, rounds=1, variants=variants)
    _positive(section, *(f"{v} MiB/s" for v in variants))
    assert section.numbers["facade RSS growth MiB"] >= 0
    if HAS_CURL and Path("/usr/bin/time").exists():
        # curl's own peak, not the Python driver's: a few MiB, never the driver's tens
        assert section.numbers["curl peak RSS MiB"] < 30
    assert any(c.what == "facade / httpx+fsync throughput" for c in section.checks)


def test_cold_start_in_a_runtime_only_venv_and_the_report() -> None:
    from bench.cold_start import cold_start

    section = cold_start(rounds=1)
    _positive(section, "stmt client cpu ms", "stmt httpx cpu ms", "proc version cpu ms")
    _positive(section, "proc dry-run cpu ms", "proc httpx cpu ms")
    text = document([section], "python -m bench --smoke", 1.0)
    assert "Client cold start / httpx.Client()" in text
    assert "wan-r2v create --dry-run / httpx process" in text

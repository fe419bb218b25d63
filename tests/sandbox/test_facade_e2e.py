"""The facade generates end to end against the sandbox; files are checked by parsing them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _mp4probe import probe_mp4
from _sandbox_helpers import SEED_EXAMPLES

from wan_r2v import AsyncClient, Client, TaskFailedError, TaskStatus
from wan_r2v.sandbox import Sandbox

pytestmark = pytest.mark.wan_r2v_sandbox(clock="per_poll", poll_steps=3)
POLL = 0.01  # per_poll clock: each query is a step, so polls need not wait


def _params(name: str) -> dict[str, Any]:
    """The seed example as facade keyword arguments (wire names, extra_body flattened)."""
    body = dict(SEED_EXAMPLES[name])
    extra = body.pop("extra_body", {})
    return {**body, **extra}


def _expected(name: str) -> tuple[int, int, int]:
    body = SEED_EXAMPLES[name]
    width, height = (int(n) for n in body["size"].split("*"))
    return width, height, body["duration"]


def _check_file(path: Path, expected: tuple[int, int, int]) -> None:
    info = probe_mp4(path)
    assert (info.width, info.height) == expected[:2]
    assert info.duration == pytest.approx(expected[2], abs=0.05)
    assert info.codec in ("avc1", "mp4v")


@pytest.mark.parametrize("name", sorted(SEED_EXAMPLES))
def test_sync_generate_downloads_the_requested_video(
    wan_r2v_sandbox: Sandbox, tmp_path: Path, name: str
) -> None:
    with Client(api_key=wan_r2v_sandbox.api_key, base_url=wan_r2v_sandbox.base_url) as client:
        result = client.generate(path=tmp_path, poll_interval=POLL, **_params(name))
    assert result.task.status is TaskStatus.SUCCEEDED
    assert result.path.parent == tmp_path and result.path.is_file()
    _check_file(result.path, _expected(name))
    assert wan_r2v_sandbox.count("create") == 1
    assert wan_r2v_sandbox.requests[0].json == SEED_EXAMPLES[name]  # sent as the seed shows it
    assert wan_r2v_sandbox.count("download") >= 1


@pytest.mark.anyio
@pytest.mark.parametrize("name", sorted(SEED_EXAMPLES))
async def test_async_generate_downloads_the_requested_video(
    wan_r2v_sandbox: Sandbox, tmp_path: Path, name: str
) -> None:
    async with AsyncClient(
        api_key=wan_r2v_sandbox.api_key, base_url=wan_r2v_sandbox.base_url
    ) as client:
        result = await client.generate(path=tmp_path, poll_interval=POLL, **_params(name))
    assert result.task.status is TaskStatus.SUCCEEDED
    _check_file(result.path, _expected(name))
    assert wan_r2v_sandbox.count("create") == 1


def test_generate_rides_out_a_rate_limit_and_a_flaky_download(
    wan_r2v_sandbox: Sandbox, tmp_path: Path
) -> None:
    wan_r2v_sandbox.faults.add("429", route="create", times=2, retry_after=0)
    wan_r2v_sandbox.faults.add("truncate", times=1)
    with Client(
        api_key=wan_r2v_sandbox.api_key, base_url=wan_r2v_sandbox.base_url, max_retries=3
    ) as client:
        result = client.generate(path=tmp_path, poll_interval=POLL, **_params("video_reference"))
    _check_file(result.path, _expected("video_reference"))
    assert wan_r2v_sandbox.count("create") == 3 and len(wan_r2v_sandbox.tasks) == 1
    assert [p.name for p in tmp_path.iterdir()] == [result.path.name]  # no partial file left


@pytest.mark.wan_r2v_sandbox(clock="per_poll", poll_steps=3, faults=["dialect;url=metadata"])
def test_generate_reads_the_dialect_variant(wan_r2v_sandbox: Sandbox, tmp_path: Path) -> None:
    with Client(api_key=wan_r2v_sandbox.api_key, base_url=wan_r2v_sandbox.base_url) as client:
        result = client.generate(path=tmp_path, poll_interval=POLL, **_params("image_references"))
    assert result.task.status is TaskStatus.SUCCEEDED
    _check_file(result.path, _expected("image_references"))


def test_a_failed_task_raises_with_the_gateways_reason(
    wan_r2v_sandbox: Sandbox, tmp_path: Path
) -> None:
    wan_r2v_sandbox.faults.add("failed", code="content_policy", message="refused by policy")
    with (
        Client(api_key=wan_r2v_sandbox.api_key, base_url=wan_r2v_sandbox.base_url) as client,
        pytest.raises(TaskFailedError) as failure,
    ):
        client.generate(path=tmp_path, poll_interval=POLL, **_params("video_reference"))
    assert failure.value.task.error_message == "refused by policy"
    assert list(tmp_path.iterdir()) == []

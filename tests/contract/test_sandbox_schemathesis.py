"""Contract: schemathesis generates requests from the spec and checks the sandbox's answers.

Every operation of ``openapi/wan-r2v.yaml`` is called with generated data
(valid and invalid) against a live sandbox, and each answer must pass:
no server error, a status code the spec lists, a documented content type,
documented headers, and a body that matches the response schema. Half of the
queries ask for a task that exists (in every state, failed ones included), so
the 200 answers are checked too; the fixture's teardown fails the test if an
operation did not get the answers it should have (e.g. no 200 at all).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from wan_r2v.sandbox import FAULT_HEADER, Sandbox
from wan_r2v.sandbox._spec import spec_path

SCHEMA = schemathesis.openapi.from_path(spec_path())
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
CREATE = "/v1/video/generations"
SEED_BODY = {
    "model": "wan2.6-r2v-flash-720p-audio",
    "prompt": "character1 waves",
    "videos": ["https://example.com/reference-shot-1.mp4"],
    "size": "1280*720",
    "duration": 5,
}
#: The statuses each route must have answered with, at least once, per dialect
#: (new-api answers an unknown task id with 400 ``task_not_exist``, never 404).
EXPECTED = {
    "uniall": {
        "create": {200, 400, 401},
        "query": {200, 401, 404},
        "content": {200, 400, 401, 404},
    },
    "new-api": {
        "create": {200, 400, 401},
        "query": {200, 400, 401},
        "content": {200, 400, 401},
    },
}


class Contract:
    """The live sandbox for one operation's run, with tasks in every state to query."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.headers = {"Authorization": f"Bearer {sandbox.api_key}"}
        self.task_ids: list[str] = []
        for fault in ("", "failed;at=0.3", "unknown_status;word=paused", "slow;factor=100"):
            extra = {FAULT_HEADER: fault} if fault else {}
            answer = httpx.post(
                sandbox.base_url + CREATE, json=SEED_BODY, headers={**self.headers, **extra}
            )
            assert answer.status_code == 200, answer.text
            self.task_ids.append(answer.json()["id"])
        for _ in range(3):  # per_poll, 3 steps: the first task completes, so /content has a video
            httpx.get(f"{sandbox.base_url}/v1/videos/{self.task_ids[0]}", headers=self.headers)
        self._turn = itertools.count()

    def existing_task(self) -> str | None:
        """Every other call: the id of a task that exists (cycling through them)."""
        turn = next(self._turn)
        return self.task_ids[(turn // 2) % len(self.task_ids)] if turn % 2 == 0 else None


@pytest.fixture(params=["uniall", "new-api"])
def contract(wan_r2v_sandbox: Sandbox, request: pytest.FixtureRequest) -> Iterator[Contract]:
    """The sandbox (per-poll clock, so queried tasks move on) and, at the end, what it answered.

    Once in the gateway's own dialect and once answering exactly as new-api does:
    the spec declares both.
    """
    dialect = request.param
    wan_r2v_sandbox.configure(clock="per_poll", poll_steps=3, dialect=dialect)
    setup = Contract(wan_r2v_sandbox)
    start = len(wan_r2v_sandbox.requests)
    yield setup
    generated = wan_r2v_sandbox.requests[start:]
    statuses = Counter((r.route, r.status) for r in generated)
    assert len(generated) >= 20, f"schemathesis sent only {len(generated)} requests"
    assert all(r.status is not None for r in generated), "a request got no answer"
    expected = EXPECTED[dialect]
    for route in {r.route for r in generated} & set(expected):
        missing = expected[route] - {status for r, status in statuses if r == route}
        assert not missing, f"{route}: never answered {sorted(missing)}; got {dict(statuses)}"


@SCHEMA.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_sandbox_keeps_the_contract(case: Any, contract: Contract) -> None:
    if "task_id" in (case.path_parameters or {}):
        existing = contract.existing_task()
        if existing is not None:
            case.path_parameters = {**case.path_parameters, "task_id": existing}
    case.call_and_validate(
        base_url=contract.sandbox.base_url,
        headers=contract.headers,
        checks=CHECKS,
        timeout=10,
    )

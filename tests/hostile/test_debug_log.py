"""The debug log: one line per request and answer, over real TCP, with the key and signed URLs redacted.

The gateway here echoes the key into its request ids and error messages, and hands
out a signed result URL: no line may show either secret, and each line must say
what a user debugging a gateway needs: method, path, status, request id, time, and
what happens next.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _harness import KEY, PARAMS, open_facade
from _peer import Peer, Reply, Request
from _scenarios import CREATE, QUERY, answer, task
from _videobytes import mp4_bytes

from wan_r2v import TaskMayExistError

SIGNATURE = "Sig-9f8e7d6c5b4a"
MP4 = mp4_bytes(4024)  # a whole MP4 (ftyp, moov, mdat): only a video is saved
LINE = re.compile(
    r"^(?P<method>GET|POST) (?P<where>\S+) -> (?P<answer>\d{3}( request_id=\S+)?|\w+ \(no answer\)) "
    r"in (?P<seconds>\d+\.\d{3}) s: (?P<decision>.+)$"
)


def _echo_id(req: Request) -> dict[str, str]:
    return {"X-Request-Id": f"req-{req.key}-{req.path.count('/')}"}


def _gateway(hostile: Peer) -> None:
    done = task(
        status="completed",
        progress=100,
        video_url=f"{hostile.url}/files/v.mp4?X-Amz-Signature={SIGNATURE}",
    )
    hostile.route("POST", CREATE, lambda req, out: out.json(200, task(), _echo_id(req)))
    hostile.route(
        "GET", QUERY,
        lambda req, out: out.json(503, {"error": {"message": f"busy, {req.key}"}}, {**_echo_id(req), "Retry-After": "0"}),
        lambda req, out: out.json(200, done, _echo_id(req)),
    )  # fmt: skip

    def video(req: Request, out: Reply) -> None:
        out.send(200, MP4, headers={"Content-Type": "video/mp4"})

    hostile.route("GET", "/files/*", video)


def _lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "wan_r2v" and LINE.match(r.getMessage())]


def test_one_line_per_request_and_answer_redacted(
    hostile: Peer, mode: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _gateway(hostile)
    caplog.set_level(logging.DEBUG, logger="wan_r2v")
    with open_facade(mode, base_url=hostile.url) as facade:
        created = facade.create(**PARAMS)
        finished = facade.wait(created, poll_interval=0.01)
        facade.download(finished, tmp_path / "v.mp4")
    assert (tmp_path / "v.mp4").read_bytes() == MP4
    text = caplog.text
    assert KEY not in text and SIGNATURE not in text
    records = _lines(caplog)
    assert len(records) == len(hostile.requests) == 4  # create, 503, 200, the download
    lines = [LINE.match(r.getMessage()) for r in records]
    assert [(m["method"], m["answer"].split()[0]) for m in lines if m] == [
        ("POST", "200"), ("GET", "503"), ("GET", "200"), ("GET", "200"),
    ]  # fmt: skip
    create, busy, polled, download = (m for m in lines if m)
    assert create["where"] == CREATE and create["decision"] == "ok"
    assert create["answer"] == "200 request_id=req-***-3"  # the echoed key, scrubbed
    assert busy["where"] == f"/v1/videos/{created.id}"
    assert busy["decision"].startswith("retry 1 of ") and "***" in busy["decision"]
    assert records[1].levelno == logging.INFO and records[0].levelno == logging.DEBUG
    assert polled["decision"] == "ok"
    assert download["where"] == f"{hostile.url}/files/v.mp4?<redacted>"
    assert download["decision"] == "saved"


def test_a_create_that_may_exist_says_it_is_not_resent(
    hostile: Peer, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    hostile.route("POST", CREATE, answer(500, {"error": {"message": "upstream broke"}}))
    caplog.set_level(logging.DEBUG, logger="wan_r2v")
    with open_facade(mode, base_url=hostile.url) as facade, pytest.raises(TaskMayExistError):
        facade.create(**PARAMS)
    (record,) = _lines(caplog)
    match = LINE.match(record.getMessage())
    assert match and match["answer"].startswith("500 ")
    assert match["decision"].startswith("not resent: the create may have reached the gateway")


def test_a_refused_connection_is_logged_with_its_retry(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    from _harness import free_port

    caplog.set_level(logging.DEBUG, logger="wan_r2v")
    url = f"http://127.0.0.1:{free_port()}"
    with open_facade(mode, base_url=url, max_retries=1) as facade, pytest.raises(Exception):  # noqa: B017
        facade.get("task_1")  # (which error: another test's business)
    decisions = [LINE.match(r.getMessage())["decision"] for r in _lines(caplog)]  # type: ignore[index]
    assert len(decisions) == 2
    assert decisions[0].startswith("retry 1 of 1") and decisions[1].startswith("no retry left")


def test_the_environment_variable_prints_the_lines_on_stderr(hostile: Peer) -> None:
    _gateway(hostile)
    code = (
        "from wan_r2v import Client\n"
        f"c = Client(api_key={KEY!r}, base_url={hostile.url!r}, max_retries=0)\n"
        "try:\n    c.get('task_1')\nexcept Exception as e:\n    print(type(e).__name__)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAN_R2V_")}
    for word, expect in (("debug", True), ("", False)):
        result = subprocess.run(
            [sys.executable, "-c", code], env={**env, "WAN_R2V_LOG": word},
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        assert ("wan_r2v INFO GET /v1/videos/task_1 -> 503" in result.stderr) is expect, (
            result.stderr
        )
        assert KEY not in result.stderr
    assert json.dumps(KEY) not in result.stdout

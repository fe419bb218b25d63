"""Signed reference URLs stay secret, over real TCP: a hostile gateway echoes them back.

Local files go to moto's S3 on 127.0.0.1 and their signed URLs into the create
body (where they must be). The gateway then quotes the URL in a 400 error, in a
failed task's reason, and on the command line: no message, task text or output
may show the signature or the access key's credential scope.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from _harness import KEY, open_facade
from _peer import Peer, Request
from _scenarios import CREATE, QUERY, task

from wan_r2v import BadRequestError, TaskFailedError

_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

import _media  # noqa: E402
from _s3server import ACCESS_KEY, SECRET_KEY, S3TestServer  # noqa: E402

from wan_r2v.references import S3Uploader  # noqa: E402

MODEL = "wan2.6-r2v-flash-720p-audio"


@pytest.fixture(scope="module")
def store() -> Iterator[tuple[S3TestServer, str]]:
    server = S3TestServer()
    server.create_bucket(f"hostile-{os.getpid()}")
    yield server, f"hostile-{os.getpid()}"
    server.close()


def _uploader(store: tuple[S3TestServer, str]) -> S3Uploader:
    server, bucket = store
    return S3Uploader(
        bucket,
        prefix="refs",
        endpoint=server.endpoint,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
    )


def _secrets(url: str) -> list[str]:
    query = parse_qs(urlsplit(url).query)
    return [query["X-Amz-Signature"][0], query["X-Amz-Credential"][0], url]


def _reference(req: Request) -> str:
    url: str = json.loads(req.body)["videos"][0]
    assert "X-Amz-Signature=" in url  # the body must carry the real signed URL
    return url


def _assert_secret(text: str, url: str) -> None:
    for secret in _secrets(url):
        assert secret not in text, f"{secret!r} leaked in: {text}"
    assert "X-Amz-Signature=***" in text  # the echo is there, scrubbed


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_400_quoting_the_signed_url_shows_no_credentials(
    hostile: Peer, store: tuple[S3TestServer, str], tmp_path: Path, mode: str
) -> None:
    clip = _media.write(tmp_path, "clip.mp4", _media.mp4())
    hostile.route(
        "POST",
        CREATE,
        lambda req, out: out.json(
            400,
            {"error": {"message": f"cannot download {_reference(req)}", "param": _reference(req)}},
        ),
    )
    with (
        open_facade(mode, base_url=hostile.url, uploader=_uploader(store)) as facade,
        pytest.raises(BadRequestError) as caught,
    ):
        facade.create(model=MODEL, prompt="p", videos=[clip])
    url = _reference(hostile.requests[0])
    _assert_secret(str(caught.value), url)
    assert "X-Amz-Signature=" not in (caught.value.param or "").replace("X-Amz-Signature=***", "")


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_failed_task_quoting_the_signed_url_shows_no_credentials(
    hostile: Peer, store: tuple[S3TestServer, str], tmp_path: Path, mode: str
) -> None:
    clip = _media.write(tmp_path, "clip.mp4", _media.mp4())
    quoted: list[str] = []

    def create(req: Request, out: object) -> None:
        quoted.append(_reference(req))
        out.json(200, task())  # type: ignore[attr-defined]

    hostile.route("POST", CREATE, create)
    hostile.route(
        "GET",
        QUERY,
        lambda req, out: out.json(
            200,
            task(
                status="failed",
                error={"code": "InvalidParameter", "message": f"failed to fetch {quoted[0]}"},
            ),
        ),
    )
    with (
        open_facade(mode, base_url=hostile.url, uploader=_uploader(store)) as facade,
        pytest.raises(TaskFailedError) as caught,
    ):
        facade.generate(model=MODEL, prompt="p", videos=[clip], path=tmp_path, poll_interval=0.01)
    _assert_secret(str(caught.value), quoted[0])
    _assert_secret(caught.value.task.error_message or "", quoted[0])


def test_the_cli_shows_no_credentials_of_a_quoted_signed_url(
    hostile: Peer, store: tuple[S3TestServer, str], tmp_path: Path
) -> None:
    server, bucket = store
    _media.write(tmp_path, "clip.mp4", _media.mp4())
    hostile.route(
        "POST",
        CREATE,
        lambda req, out: out.json(400, {"error": {"message": f"bad url {_reference(req)}"}}),
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WAN_R2V_", "AWS_"))}
    env.update(
        server.credentials_env(),
        WAN_R2V_BASE_URL=hostile.url,
        WAN_R2V_API_KEY=KEY,
        WAN_R2V_UPLOAD_URL=f"s3://{bucket}/cli",
    )
    for args in ([], ["--json"]):
        run = subprocess.run(
            [sys.executable, "-m", "wan_r2v.cli", *args, "create", "-m", MODEL, "-p", "p",
             "--video", "clip.mp4"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert run.returncode != 0
        url = _reference(hostile.requests[-1])
        _assert_secret(run.stdout + run.stderr, url)

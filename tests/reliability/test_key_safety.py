"""The API key never shows: one test collects every text a user or a log could see and greps it.

Collected: repr and str of clients, configs, tasks and requests; the text,
repr and full traceback of every error (causes included) from normal runs,
faults and a gateway that echoes the key back in every field it can; every
log record at every level (httpx's and httpcore's debug records included);
the CLI's stdout and stderr, --dry-run and --json included.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from _harness import KEY, PARAMS, free_port, open_facade

from wan_r2v import Client, Task
from wan_r2v.sandbox import Sandbox

#: The key's distinctive part: catches a key that was cut, quoted or escaped.
CORE = KEY.removeprefix("sk-reliability-")
CLI = [sys.executable, "-m", "wan_r2v.cli"]


class Collector:
    """Everything a user or a log could see, as text."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def add(self, where: str, value: object) -> None:
        self.texts.append((where, value if isinstance(value, str) else repr(value)))
        if not isinstance(value, str):
            self.texts.append((where + " str", str(value)))

    def error(self, where: str, exc: BaseException) -> None:
        self.add(where, exc)
        self.add(where + " traceback", "".join(traceback.format_exception(exc)))
        self.add(where + " attributes", vars(exc))

    def attempt(self, where: str, call: Callable[[], object]) -> object:
        try:
            value = call()
        except Exception as exc:
            self.error(where, exc)
            return exc
        self.add(where, value)
        return value

    def leaks(self) -> list[str]:
        return [
            f"{where}: ...{text[max(0, text.find(CORE) - 80) : text.find(CORE) + 40]}..."
            for where, text in self.texts
            if CORE in text
        ]


def echoing_gateway(request: httpx.Request) -> httpx.Response:
    """A gateway that puts the caller's key into every field of its error answers."""
    key = request.headers.get("authorization", "").removeprefix("Bearer ")
    kind = request.url.path.rsplit("/", 1)[-1]
    headers = {"x-request-id": f"req-{key}", "content-type": "application/json"}
    if kind == "generations":  # create: an error naming the key everywhere
        body = {"error": {"message": f"bad key {key}", "type": key, "param": key, "code": key}}
        return httpx.Response(401, headers=headers, json=body)
    if kind == "text":
        return httpx.Response(
            502, headers={"x-request-id": key}, content=f"<h1>{key}</h1>".encode()
        )
    if kind == "flat":
        return httpx.Response(
            200, headers=headers, json={"code": key, "message": key, "data": None}
        )
    # a failed task whose failure text and code echo the key
    task = {
        "id": "task_1",
        "status": "failed",
        "error": {"code": key, "message": f"key {key} refused"},
        "fail_reason": key,
        "model": key,
    }
    return httpx.Response(200, headers=headers, json=task)


def exercise_facade(mode: str, sandbox: Sandbox, tmp_path: Path, seen: Collector) -> None:
    with open_facade(mode, base_url=sandbox.base_url, timeout=1.0) as facade:
        client = facade.client
        for what in (client, vars(client), client._config, client._ctx, client.timeout):
            seen.add(f"{mode} client", what)
        seen.add(f"{mode} build_request", json.dumps(client.build_request(**PARAMS)))
        task = seen.attempt(f"{mode} create", lambda: facade.create(**PARAMS))
        assert isinstance(task, Task)
        seen.attempt(f"{mode} get", lambda: facade.get(task.id))
        done = seen.attempt(f"{mode} wait", lambda: facade.wait(task, timeout=600))
        seen.attempt(f"{mode} download", lambda: facade.download(done, tmp_path / f"{mode}.mp4"))
        seen.attempt(f"{mode} generate", lambda: facade.generate(path=tmp_path, **PARAMS))
        for fault, route in (
            ("429;retry_after=0;count=1", "create"),
            ("500;count=1", "create"),
            ("401;count=1", "create"),
            ("503;retry_after=0", "query"),
            ("malformed;count=1", "create"),
            ("reset;count=1", "create"),
            ("hang;seconds=10;count=1", "create"),
            ("failed;count=1", "create"),
        ):
            sandbox.faults.add(fault, route=route)
            seen.attempt(
                f"{mode} {fault}", lambda: facade.wait(facade.create(**PARAMS), timeout=30)
            )
            sandbox.faults.clear()
        sandbox.faults.add(f"400;message=your%20key%20{KEY};code={KEY};count=1", route="create")
        seen.attempt(f"{mode} 400 echo", lambda: facade.create(**PARAMS))
        sandbox.faults.add(f"failed;message=refused%20{KEY};code={KEY}", route="create", times=1)
        seen.attempt(
            f"{mode} failed echo", lambda: facade.wait(facade.create(**PARAMS), timeout=600)
        )
        sandbox.faults.clear()
        seen.attempt(f"{mode} refused task id", lambda: facade.get("../" + KEY))
    with open_facade(mode, base_url=f"http://127.0.0.1:{free_port()}") as facade:
        seen.attempt(f"{mode} refused connection", lambda: facade.create(**PARAMS))
    transport = httpx.MockTransport(echoing_gateway)
    http = (
        httpx.Client(transport=transport)
        if mode == "sync"
        else httpx.AsyncClient(transport=transport)
    )
    with open_facade(mode, base_url="https://gw.test", http_client=http) as facade:
        seen.attempt(f"{mode} echo create", lambda: facade.create(**PARAMS))
        for task_id in ("task_1", "text", "flat"):
            seen.attempt(f"{mode} echo get {task_id}", lambda task_id=task_id: facade.get(task_id))
            seen.attempt(
                f"{mode} echo wait {task_id}",
                lambda task_id=task_id: facade.wait(task_id, timeout=30),
            )


def run_cli(seen: Collector, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    seen.add(f"cli {' '.join(args)} stdout", done.stdout)
    seen.add(f"cli {' '.join(args)} stderr", done.stderr)
    return done


def exercise_cli(sandbox: Sandbox, tmp_path: Path, seen: Collector) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAN_R2V_")}
    env.update(WAN_R2V_API_KEY=KEY, WAN_R2V_BASE_URL=sandbox.base_url, PYTHONUNBUFFERED="1")
    request = [
        "-m", "wan2.6-r2v-flash-720p-audio", "-p", "character1 waves",
        "--video", "https://example.com/ref.mp4", "--duration", "2",
    ]  # fmt: skip
    for extra in ([], ["--json"]):
        run_cli(seen, *extra, "create", *request, "--dry-run", env=env)
        run_cli(seen, *extra, "--api-key", KEY, "create", *request, "--dry-run", env=env)
        created = run_cli(seen, *extra, "create", *request, env=env)
        assert created.returncode == 0, created.stderr
        task_id = sandbox.tasks[-1].id
        run_cli(seen, *extra, "status", task_id, env=env)
        run_cli(seen, *extra, "wait", task_id, "--poll-interval", "0.05", env=env)
        run_cli(seen, *extra, "download", task_id, str(tmp_path / "cli.mp4"), env=env)
        gen = [*extra, "generate", *request, "--poll-interval", "0.05", "-o", str(tmp_path)]
        assert run_cli(seen, *gen, env=env).returncode == 0
        sandbox.faults.add(f"401;message=wrong%20key%20{KEY};code={KEY}", route="api")
        run_cli(seen, *extra, "status", task_id, env=env)
        run_cli(seen, *extra, "--api-key", KEY, "create", *request, env=env)
        sandbox.faults.clear()
        bad = {**env, "WAN_R2V_BASE_URL": "http://gateway.example"}
        run_cli(seen, *extra, "create", *request, env=bad)
        run_cli(seen, *extra, "status", "../" + KEY, env=env)


def test_the_key_appears_in_no_repr_error_log_or_cli_output(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.configure(poll_steps=1)
    caplog.set_level(logging.DEBUG)  # the root: wan_r2v, httpx, httpcore, h11... at every level
    for name in ("httpx", "httpcore", "wan_r2v", "hpack", "h11", "asyncio", "anyio"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    seen = Collector()
    try:
        for mode in ("sync", "async"):
            exercise_facade(mode, sandbox, tmp_path, seen)
        exercise_cli(sandbox, tmp_path, seen)
    finally:
        for name in ("httpx", "httpcore", "wan_r2v", "hpack", "h11", "asyncio", "anyio"):
            logging.getLogger(name).setLevel(logging.NOTSET)
    assert any(r.name.startswith("httpcore") and r.levelno == logging.DEBUG for r in caplog.records)
    assert any(r.name == "httpx" for r in caplog.records)
    assert any(r.name == "wan_r2v" for r in caplog.records)
    for record in caplog.records:
        seen.add(f"log {record.name}:{record.levelname}", record.getMessage())
        seen.add(f"log {record.name} args", record.args)
        seen.add(f"log {record.name} record", vars(record))
    seen.add("captured log text", caplog.text)
    assert len(seen.texts) > 500
    assert seen.leaks() == []


def test_the_collector_does_find_a_key(sandbox: Sandbox) -> None:
    """The grep above can fail: a text that holds the key is reported."""
    seen = Collector()
    seen.add("a message", f"boom {KEY}")
    seen.add("a repr", {"authorization": f"Bearer {KEY}"})
    assert len(seen.leaks()) == 3


def test_secret_reprs_hide_the_key() -> None:
    client = Client(KEY, "https://gw.test")
    for text in (repr(client), str(client), repr(client._config), repr(client._config.api_key)):
        assert KEY not in text
    assert client._config.api_key is not None and client._config.api_key.reveal() == KEY

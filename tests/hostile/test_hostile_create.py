"""The create against a socket-level hostile gateway: counted at the server, never sent twice.

A 2xx answer means the task may exist, whatever it holds: an answer the client
cannot use is `TaskMayExistError` carrying what it saw (key masked, control
characters escaped), never `ValidationError`/`BadRequestError`, never resent.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from _harness import KEY, PARAMS, open_facade
from _peer import Peer, Reply, Request
from _scenarios import CREATE, task

from wan_r2v import TaskMayExistError, ValidationError

CORE = KEY.removeprefix("sk-reliability-")


def test_a_reset_after_the_create_was_read_is_may_exist_and_never_resent(
    hostile: Peer, mode: str
) -> None:
    hostile.route("POST", CREATE, lambda req, out: out.reset())
    with open_facade(mode, base_url=hostile.url) as facade, pytest.raises(TaskMayExistError):
        facade.create(**PARAMS)
    assert hostile.count("POST", CREATE) == 1


def _echo_key_into_id(req: Request, out: Reply) -> None:
    out.json(200, task(f"task_{req.key}"))


UNUSABLE: dict[str, Any] = {
    "unsafe id": lambda req, out: out.json(200, task("../../etc/passwd")),
    "unknown shape": lambda req, out: out.json(200, {"message": "created", "task": task()}),
    "error-like code": lambda req, out: out.json(
        200, {"code": "rate_limit_exceeded", "message": "slow down", "data": None}
    ),
    "terminal escapes in id": lambda req, out: out.json(200, task("task_\x1b[2J\x1b]0;pwned\x07")),
    "bidi override in id": lambda req, out: out.json(200, task("task_\u202ekcah")),
    "key echoed into id": _echo_key_into_id,
    "html": lambda req, out: out.send(
        200, b"<html>\x1b[31mbusy</html>", {"Content-Type": "text/html"}
    ),
    "empty": lambda req, out: out.send(200, b""),
    "not an object": lambda req, out: out.json(200, ["task_1"]),
}


@pytest.mark.parametrize("scenario", list(UNUSABLE))
def test_an_unusable_2xx_create_answer_is_may_exist_and_never_resent(
    hostile: Peer, mode: str, scenario: str
) -> None:
    hostile.route("POST", CREATE, UNUSABLE[scenario])
    with open_facade(mode, base_url=hostile.url) as facade:
        with pytest.raises(TaskMayExistError) as caught:
            facade.create(**PARAMS)
        assert facade.sleeps == []
    assert hostile.count("POST", CREATE) == 1
    error = caught.value
    shown = f"{error} {error!r} {vars(error)}"
    assert CORE not in shown
    assert not any(c in str(error) for c in "\x1b\x07\u202e")  # cannot rewrite a terminal
    assert error.status_code == 200
    assert error.answer is not None and CORE not in error.answer
    assert "may exist" in str(error) and "not resent" in str(error)


@pytest.mark.parametrize("where", ["argument", "environment"])
def test_a_key_with_surrounding_whitespace_is_sent_stripped(
    hostile: Peer, mode: str, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile.route("POST", CREATE, lambda req, out: out.json(200, task()))
    if where == "environment":
        monkeypatch.setenv("WAN_R2V_API_KEY", f"  {KEY}\r\n")
    key = None if where == "environment" else f"{KEY}\n"
    with open_facade(mode, api_key=key, base_url=hostile.url) as facade:  # type: ignore[arg-type]
        assert facade.create(**PARAMS).id == "task_hostile_1"
    [request] = hostile.of("POST", CREATE)
    assert request.headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\u00e4", "\u200b", "\n-more"])
def test_a_key_no_header_can_carry_is_refused_before_anything_is_sent(
    hostile: Peer, mode: str, bad: str
) -> None:
    key = KEY[:10] + bad + KEY[10:]
    with (
        pytest.raises(ValidationError) as caught,
        open_facade(mode, api_key=key, base_url=hostile.url),
    ):
        pass
    assert hostile.requests == []
    message = str(caught.value)
    assert "api_key" in message and "header" in message
    assert CORE not in message and KEY[:10] not in message


def test_the_created_task_is_the_one_the_gateway_named(hostile: Peer, mode: str) -> None:
    hostile.route("POST", CREATE, lambda req, out: out.json(200, task("task_ok")))
    with open_facade(mode, base_url=hostile.url) as facade:
        created = facade.create(**PARAMS)
    assert created.id == "task_ok"
    [request] = hostile.of("POST", CREATE)
    assert json.loads(request.body)["model"] == PARAMS["model"]

"""The create against a socket-level hostile gateway: counted at the server, never sent twice."""

from __future__ import annotations

import pytest
from _harness import PARAMS, open_facade
from _peer import Peer
from _scenarios import CREATE

from wan_r2v import TaskMayExistError


def test_a_reset_after_the_create_was_read_is_may_exist_and_never_resent(
    hostile: Peer, mode: str
) -> None:
    hostile.route("POST", CREATE, lambda req, out: out.reset())
    with open_facade(mode, base_url=hostile.url) as facade, pytest.raises(TaskMayExistError):
        facade.create(**PARAMS)
    assert hostile.count("POST", CREATE) == 1

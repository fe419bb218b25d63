"""A gateway that closes idle kept-alive connections: a create is never sent into that close.

uvicorn, Node.js and Apache close a connection idle for 5 s. When the client
reuses one just as the gateway's timer fires, the request lands on a socket
the gateway is closing: the gateway never reads it, the kernel answers with a
reset, and the client reads "connection reset" after sending a whole create.
It cannot tell that apart from a gateway that read the create and then broke,
so a create is `TaskMayExistError`, never resent. The defence is to drop an
idle connection before the gateway does: the own pool's `keepalive_expiry`
(4 s) is below those 5 s.

The gateway here plays the worst case of that race: after its idle timeout it
closes the connection exactly when the client's next request arrives. Real
TCP, real time; the tests wait for the gateway's timeout to fire (an event,
with a deadline), never for a fixed time.
"""

from __future__ import annotations

import threading

import pytest
from _harness import PARAMS, open_facade
from _peer import Peer, Reply, Request
from _scenarios import CREATE, task

from wan_r2v import TaskMayExistError
from wan_r2v._config import DEFAULT_KEEPALIVE_EXPIRY

#: uvicorn's, Node.js's and Apache's default idle keep-alive timeout.
COMMON_SERVER_KEEPALIVE = 5.0


class IdleClosingGateway:
    """Answers creates; a connection idle `idle_timeout` s is closed as the next request arrives.

    `late` models a busy gateway or a request in flight: a request arriving up
    to `late` s before the timeout is lost to the close all the same.
    """

    def __init__(self, idle_timeout: float, *, late: float = 0.0) -> None:
        self.idle_timeout = idle_timeout
        self.late = late
        #: Set once an idle connection has outlived the timeout.
        self.timed_out = threading.Event()
        #: Requests that met the close unread: the gateway never saw them.
        self.dropped = 0
        self.connections: list[Reply] = []
        self._lock = threading.Lock()

    def __call__(self, request: Request, out: Reply) -> None:
        with self._lock:
            if all(known is not out for known in self.connections):
                self.connections.append(out)
            number = len(self.connections)
        out.json(200, task(f"task_keepalive_{number}"))
        if out.wait_for_more(self.idle_timeout - self.late):
            return  # reused in time (or closed by the client): served as usual
        self.timed_out.set()
        # the timer's close meets whatever the client sends next on this connection
        out.wait_for_more()
        with self._lock:
            self.dropped += out.unread()
        out.reset()  # what close() does to unread bytes: the kernel sends RST


def _two_creates_with_an_idle_pause(
    hostile: Peer, mode: str, gateway: IdleClosingGateway, **client: object
) -> list[object]:
    """Create, wait until the gateway's idle timeout fired, create again; each outcome."""
    hostile.route("POST", CREATE, gateway)
    outcomes: list[object] = []
    with open_facade(mode, base_url=hostile.url, real_time=True, **client) as facade:
        outcomes.append(facade.create(**PARAMS).id)
        assert gateway.timed_out.wait(gateway.idle_timeout + 30), (
            "the gateway's timeout never fired"
        )
        try:
            outcomes.append(facade.create(**{**PARAMS, "prompt": "character1 again"}).id)
        except TaskMayExistError as exc:
            outcomes.append(exc)
    return outcomes


def test_an_idle_connection_is_dropped_before_the_gateway_closes_it(
    hostile: Peer, mode: str
) -> None:
    gateway = IdleClosingGateway(idle_timeout=1.5)
    outcomes = _two_creates_with_an_idle_pause(hostile, mode, gateway, keepalive_expiry=0.2)
    assert outcomes == ["task_keepalive_1", "task_keepalive_2"]
    assert len(gateway.connections) == 2  # the second create went on a fresh connection
    assert gateway.dropped == 0
    assert hostile.count("POST", CREATE) == 2


def test_the_default_keepalive_expiry_is_below_the_common_server_timeout(hostile: Peer) -> None:
    """With a margin: at equal times (httpx's own default is 5 s too) the race is lost now and then."""
    assert DEFAULT_KEEPALIVE_EXPIRY < COMMON_SERVER_KEEPALIVE
    gateway = IdleClosingGateway(idle_timeout=COMMON_SERVER_KEEPALIVE, late=0.5)
    outcomes = _two_creates_with_an_idle_pause(hostile, "sync", gateway)
    assert outcomes == ["task_keepalive_1", "task_keepalive_2"]
    assert (len(gateway.connections), gateway.dropped) == (2, 0)


@pytest.mark.parametrize("expiry", [None, 60.0], ids=["forever", "longer-than-gateway"])
def test_a_create_sent_into_the_gateways_close_is_may_exist_and_never_resent(
    hostile: Peer, mode: str, expiry: float | None
) -> None:
    """The limit: a pool kept longer than the gateway's loses the race, and says so honestly."""
    gateway = IdleClosingGateway(idle_timeout=0.5)
    outcomes = _two_creates_with_an_idle_pause(hostile, mode, gateway, keepalive_expiry=expiry)
    assert outcomes[0] == "task_keepalive_1"
    assert isinstance(outcomes[1], TaskMayExistError)
    assert "may exist" in str(outcomes[1]) and "not resent" in str(outcomes[1])
    # the gateway never read it, but a reset after a whole request cannot prove that
    assert gateway.dropped == 1
    assert hostile.count("POST", CREATE) == 1
    assert len(gateway.connections) == 1  # and nothing was resent on a new connection

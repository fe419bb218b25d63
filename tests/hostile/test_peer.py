"""The hostile peer itself: routes in turn, raw bytes, counts, resets, and a stop that ends trickles."""

from __future__ import annotations

import socket
import time

import httpx
import pytest
from _peer import Peer, Reply, Request, chunk


def test_handlers_answer_in_turn_and_requests_are_counted(hostile: Peer) -> None:
    hostile.route(
        "GET",
        "/v1/videos/*",
        lambda req, out: out.json(503, {"n": 1}, headers={"Retry-After": "7"}),
        lambda req, out: out.json(200, {"n": 2, "key": req.key}),
    )
    with httpx.Client(base_url=hostile.url) as http:
        first = http.get("/v1/videos/a", headers={"Authorization": "Bearer sk-x"})
        later = [http.get("/v1/videos/b?x=1").json()["n"] for _ in range(2)]
        second = http.get("/v1/videos/c", headers={"Authorization": "Bearer sk-x"})
        missing = http.post("/v1/other", json={})
    assert (first.status_code, first.headers["retry-after"]) == (503, "7")
    assert later == [2, 2] and second.json() == {"n": 2, "key": "sk-x"}
    assert missing.status_code == 404
    assert hostile.count("GET", "/v1/videos/*") == 4
    assert hostile.count("GET", "/v1/videos/b") == 2
    assert hostile.count("POST") == 1
    assert hostile.of("GET", "/v1/videos/b")[0].target == "/v1/videos/b?x=1"


def test_raw_bytes_go_out_as_written(hostile: Peer) -> None:
    def chunked(req: Request, out: Reply) -> None:
        out.head(200, {"Transfer-Encoding": "chunked"})
        out.write(chunk(b"hel") + chunk(b"lo") + chunk(b""))

    def too_long(req: Request, out: Reply) -> None:
        out.send(200, b"0123456789", length=20)  # claims 20, sends 10, then hangs up
        out.close()

    hostile.route("GET", "/chunked", chunked)
    hostile.route("GET", "/short", too_long)
    with httpx.Client(base_url=hostile.url) as http:
        assert http.get("/chunked").content == b"hello"
        with pytest.raises(httpx.RemoteProtocolError):
            http.get("/short")


def test_reset_reaches_the_client_as_a_reset(hostile: Peer) -> None:
    hostile.route("POST", "/v1/video/generations", lambda req, out: out.reset())
    with httpx.Client(base_url=hostile.url) as http, pytest.raises(httpx.TransportError):
        http.post("/v1/video/generations", json={"a": 1})
    [request] = hostile.of("POST", "/v1/video/generations")
    assert request.json() == {"a": 1}


def test_stop_ends_a_trickle_at_once() -> None:
    peer = Peer().start()
    peer.route("GET", "/slow", lambda req, out: out.trickle(b"x" * 1000, every=10.0))
    sock = socket.create_connection(("127.0.0.1", peer.port))
    sock.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    assert sock.recv(1) == b"x"
    started = time.monotonic()
    peer.stop()
    assert time.monotonic() - started < 2.0
    sock.close()


def test_a_handler_bug_is_recorded() -> None:
    def broken(req: Request, out: Reply) -> None:
        raise KeyError("scenario bug")

    with Peer() as peer:
        peer.route("GET", "/", broken)
        with httpx.Client(base_url=peer.url) as http, pytest.raises(httpx.TransportError):
            http.get("/")
    assert [type(e) for e in peer.errors] == [KeyError]

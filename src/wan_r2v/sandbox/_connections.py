"""Connection-level tricks ASGI cannot express: reset a connection, close it mid-body.

The sandbox's server uses `protocol_class`, an h11 protocol of uvicorn that
files each connection's transport under the client's (host, port), the
``client`` of the ASGI scope. The app looks the transport up there to abort
the connection with a TCP reset or to close it after a partial body. Under
another server the registry is empty and the app says so in a 500 answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["ConnectionRegistry", "protocol_class"]

Peer = tuple[str, int]


class ConnectionRegistry:
    """Live transports by client address."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._transports: dict[Peer, asyncio.Transport] = {}
        self._peak = 0

    def add(self, peer: Peer, transport: asyncio.Transport) -> None:
        """File a new connection."""
        with self._lock:
            self._transports[peer] = transport
            self._peak = max(self._peak, len(self._transports))

    @property
    def known(self) -> bool:
        """Whether connections are filed here at all (only under the sandbox's own server)."""
        with self._lock:
            return self._peak > 0

    @property
    def live(self) -> int:
        """How many connections are open now."""
        with self._lock:
            return len(self._transports)

    @property
    def peak(self) -> int:
        """The most connections open at once since the start (or `reset_peak`)."""
        with self._lock:
            return self._peak

    def reset_peak(self) -> None:
        """Count the peak afresh from the connections open now."""
        with self._lock:
            self._peak = len(self._transports)

    def discard(self, peer: Peer) -> None:
        """Forget a closed connection."""
        with self._lock:
            self._transports.pop(peer, None)

    def get(self, peer: object) -> asyncio.Transport | None:
        """The transport of a client (the ASGI scope's ``client``), if known."""
        if not isinstance(peer, tuple | list) or len(peer) != 2:
            return None
        with self._lock:
            return self._transports.get((str(peer[0]), int(peer[1])))

    def reset(self, peer: object) -> bool:
        """Abort a client's connection with a TCP reset (RST); False when unknown."""
        transport = self.get(peer)
        if transport is None:
            return False
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        return True

    def close(self, peer: object) -> bool:
        """Close a client's connection after what was written (FIN); False when unknown."""
        transport = self.get(peer)
        if transport is None:
            return False
        transport.close()
        return True


def protocol_class(registry: ConnectionRegistry) -> type[H11Protocol]:
    """An h11 protocol class that files its connections in ``registry``."""

    class SandboxH11Protocol(H11Protocol):
        """uvicorn's h11 protocol, filing each connection's transport."""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if self.client is not None:
                registry.add(self.client, transport)

        def connection_lost(self, exc: Exception | None) -> None:
            if self.client is not None:
                registry.discard(self.client)
            super().connection_lost(exc)

    return SandboxH11Protocol

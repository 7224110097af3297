"""Loopback TCP plumbing shared by the test relays: the ``FaultProxy``, the round-robin ``Balancer``
and the byte-counting relay of ``bench/web_offline.py``.

``LoopbackServer`` listens on 127.0.0.1 (a free port) and hands each client connection to ``serve``
on a thread of its own; ``with`` starts the accepting thread and stops it. ``Relay`` is a
``LoopbackServer`` whose ``serve`` carries bytes both ways, as they come, between the client and the
upstream its ``connect`` opens, until either side closes (or resets); ``carried`` hears of each chunk.
"""
from __future__ import annotations

import contextlib
import select
import socket
import threading
from typing import Self

CHUNK = 64 * 1024


class LoopbackServer:
    """``with Subclass(...) as server:`` then point clients at ``server.url``."""

    name = "loopback"

    def __init__(self) -> None:
        self._closed = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)           # so that close() is noticed promptly
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._accept, name=self.name, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closed.set()
        self._thread.join(5)
        self._listener.close()

    def serve(self, client: socket.socket) -> None:
        """One client connection, on its own thread, until it is over (the subclass closes it)."""
        raise NotImplementedError

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            threading.Thread(target=self.serve, args=(client,), daemon=True).start()


class Relay(LoopbackServer):
    """Each client connection carried to an upstream of ``connect``'s choosing, bytes as they come."""

    def connect(self) -> socket.socket | None:
        """A connected upstream socket for a new client, or None (the client is then closed)."""
        raise NotImplementedError

    def carried(self, port: int, size: int, *, up: bool) -> None:
        """After each chunk: ``size`` bytes carried to (``up``) or from the upstream at ``port``."""

    def serve(self, client: socket.socket) -> None:
        upstream = self.connect()
        if upstream is None:
            close(client)
            return
        peers = {client: upstream, upstream: client}
        try:
            port = upstream.getpeername()[1]
            while not self._closed.is_set():
                readable, _, _ = select.select(list(peers), [], [], 0.2)
                for source in readable:
                    data = source.recv(CHUNK)
                    if not data:
                        return
                    peers[source].sendall(data)
                    self.carried(port, len(data), up=source is client)
        except OSError:
            return
        finally:
            close(client)
            close(upstream)


def close(sock: socket.socket) -> None:
    """Shut down and close, whatever state the socket is in."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()

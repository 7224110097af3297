"""A loopback round-robin TCP balancer in front of several server nodes, as a small HAProxy would be.

Each client connection goes to the next node in turn; when that node refuses the connection (it is
down), the next one is tried, so a client that reconnects after a node died lands on a live one. A
connection keeps its node for its life (HTTP keep-alive): when the node dies mid-request the
client's connection is closed, and the client retries on a new one. Bytes are pumped both ways as
they come; ``connections`` and ``refused`` count, per node port, what happened, and ``forwarded``
counts the chunks of request bytes carried to each node (so a test can see a request reach a node).
"""
from __future__ import annotations

import contextlib
import itertools
import select
import socket
import threading
from collections import Counter
from collections.abc import Callable

CHUNK = 64 * 1024


class Balancer:
    """``with Balancer([port_a, port_b]) as balancer:`` then point clients at ``balancer.url``."""

    def __init__(self, ports: list[int]):
        self.ports = list(ports)
        self.connections: Counter = Counter()
        self.refused: Counter = Counter()
        self.forwarded: Counter = Counter()
        self._turn = itertools.cycle(range(len(self.ports)))
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)           # so that close() is noticed promptly
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._accept, name="balancer", daemon=True)

    def __enter__(self) -> Balancer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closed.set()
        self._thread.join(5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream = self._connect()
        if upstream is None:                      # every node refused: so does the balancer
            _close(client)
            return
        port = upstream.getpeername()[1]

        def carried(source: socket.socket) -> None:
            if source is client:
                with self._lock:
                    self.forwarded[port] += 1

        try:
            _pump(client, upstream, self._closed, carried)
        finally:
            _close(client)
            _close(upstream)

    def _connect(self) -> socket.socket | None:
        """The next node in turn that accepts a connection (each node tried once)."""
        with self._lock:
            first = next(self._turn)
        for step in range(len(self.ports)):
            port = self.ports[(first + step) % len(self.ports)]
            try:
                upstream = socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                with self._lock:
                    self.refused[port] += 1
                continue
            upstream.settimeout(None)
            with self._lock:
                self.connections[port] += 1
            return upstream
        return None


def _pump(client: socket.socket, upstream: socket.socket, closed: threading.Event,
          carried: Callable[[socket.socket], None]) -> None:
    """Carry bytes both ways until either side closes (or resets); ``carried(source)`` after each chunk."""
    peers = {client: upstream, upstream: client}
    while not closed.is_set():
        readable, _, _ = select.select(list(peers), [], [], 0.2)
        for source in readable:
            try:
                data = source.recv(CHUNK)
                if not data:
                    return
                peers[source].sendall(data)
                carried(source)
            except OSError:
                return


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()

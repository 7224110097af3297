"""A loopback round-robin TCP balancer in front of several server nodes, as a small HAProxy would be.

Each client connection goes to the next node in turn; when that node refuses the connection (it is
down), the next one is tried, so a client that reconnects after a node died lands on a live one. A
connection keeps its node for its life (HTTP keep-alive): when the node dies mid-request the
client's connection is closed, and the client retries on a new one. Bytes are pumped both ways as
they come; ``connections`` and ``refused`` count, per node port, what happened, and ``forwarded``
counts the chunks of request bytes carried to each node (so a test can see a request reach a node).
"""
from __future__ import annotations

import itertools
import socket
import threading
from collections import Counter

from tests.faults.loopback import Relay


class Balancer(Relay):
    """``with Balancer([port_a, port_b]) as balancer:`` then point clients at ``balancer.url``."""

    name = "balancer"

    def __init__(self, ports: list[int]):
        self.ports = list(ports)
        self.connections: Counter = Counter()
        self.refused: Counter = Counter()
        self.forwarded: Counter = Counter()
        self._turn = itertools.cycle(range(len(self.ports)))
        self._lock = threading.Lock()
        super().__init__()

    def connect(self) -> socket.socket | None:
        """The next node in turn that accepts a connection (each node tried once); None when every
        node refused: so does the balancer."""
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

    def carried(self, port: int, size: int, *, up: bool) -> None:
        if up:
            with self._lock:
                self.forwarded[port] += 1

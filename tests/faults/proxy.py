"""A fault-injecting TCP proxy on 127.0.0.1, between the app's sync client and a real server.

It pumps bytes both ways and understands just enough HTTP/1.1 (the request line and
``Content-Length``) to see where one request ends: an *exchange* is one request and its answer,
and every exchange gets a ``Fault`` from the proxy's ``plan`` (a callable, switchable at run
time). Faults:

``refuse``          the connection is reset before a byte reaches the server
``drop``            only a prefix of the request reaches the server, then both sides are closed
``cut``             the whole request reaches the server, which answers (so it has committed);
                    the client side is closed without a byte of that answer
``stall``           the request reaches the server; the answer is held back until the client
                    gives up (its read timeout), like a link that went dead
``reset``           part of the answer reaches the client, then the connection is reset
``delay``           the request is held ``seconds`` before it is forwarded

A ``Profile`` shapes every connection: bandwidth per direction (bytes/s), one-way latency per
direction, and a random ``loss`` rate per exchange, emulated as a request dropped part-way, an
answer reset part-way, or a stall, one third each (TCP hides packet loss from the application;
what a phone sees on a lossy 2G link is stalls and resets).
``offline = True`` resets every new connection.
"""
from __future__ import annotations

import contextlib
import random
import select
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.faults.loopback import LoopbackServer

CHUNK = 16 * 1024
FAULT_KINDS = ("refuse", "drop", "cut", "stall", "reset", "delay")


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str = "none"
    fraction: float = 0.5        # drop: share of the request forwarded; reset: share of the answer
    seconds: float = 0.0         # delay


NO_FAULT = Fault()


@dataclass(frozen=True, slots=True)
class Profile:
    """A network: ``up``/``down`` in bytes per second (0 = unlimited), one-way latencies, loss rate."""

    up: float = 0.0
    down: float = 0.0
    latency_up: float = 0.0
    latency_down: float = 0.0
    loss: float = 0.0

    @classmethod
    def from_kbit(cls, kbit: float, rtt_ms: float, loss: float) -> Profile:
        rate = kbit * 1000 / 8
        return cls(up=rate, down=rate, latency_up=rtt_ms / 2000, latency_down=rtt_ms / 2000, loss=loss)


PROFILES = {
    "2g": Profile.from_kbit(64, 600, 0.05),
    "2g-lossy": Profile.from_kbit(64, 600, 0.15),
    "edge": Profile.from_kbit(256, 300, 0.05),
    "3g": Profile.from_kbit(1000, 150, 0.02),
}


@dataclass
class Exchange:
    """One request through the proxy and what happened to it (for the figures)."""

    method: str = ""
    path: str = ""
    fault: str = "none"
    bytes_up: int = 0
    bytes_down: int = 0
    complete: bool = False       # the client got the whole answer
    held: float = 0.0            # seconds the proxy held it on purpose: delay, latency, bandwidth
    hung_up: bool = False        # stall: the client gave up (closed) while the answer was held back


@dataclass
class Stats:
    exchanges: list[Exchange] = field(default_factory=list)
    connections: int = 0

    def faults(self) -> Counter:
        return Counter(item.fault for item in self.exchanges if item.fault != "none")

    def bytes_total(self) -> int:
        return sum(item.bytes_up + item.bytes_down for item in self.exchanges)


class FaultProxy(LoopbackServer):
    """``with FaultProxy(port) as proxy:`` then point the client at ``proxy.url``."""

    name = "fault-proxy"

    def __init__(self, target_port: int, *, target_host: str = "127.0.0.1", seed: int = 0):
        self.target = (target_host, target_port)
        self.plan: Callable[[Exchange], Fault] = lambda exchange: NO_FAULT
        self.profile = Profile()
        self.offline = False
        self.stall_seconds = 60.0
        self.stats = Stats()
        self.random = random.Random(seed)
        self._lock = threading.Lock()
        super().__init__()

    def fault_for(self, exchange: Exchange) -> Fault:
        """The plan's fault, else the profile's random loss (a drop, a reset or a stall)."""
        fault = self.plan(exchange)
        if fault.kind == "none" and self.profile.loss:
            with self._lock:
                lost, roll, fraction = self.random.random() < self.profile.loss, self.random.random(), \
                    self.random.random()
            if lost:
                kind = "drop" if roll < 1 / 3 else "reset" if roll < 2 / 3 else "stall"
                fault = Fault(kind, fraction=fraction)
        return fault

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            self.stats.exchanges.append(exchange)

    def serve(self, client: socket.socket) -> None:
        with self._lock:
            self.stats.connections += 1
        if self.offline:
            _reset(client)
        else:
            _Pipe(self, client).run()


class _Pipe:
    """One client connection: strictly turn-based HTTP/1.1 (request, answer, request, ...)."""

    def __init__(self, proxy: FaultProxy, client: socket.socket):
        self.proxy, self.client = proxy, client
        self.upstream: socket.socket | None = None

    def run(self) -> None:
        try:
            self.upstream = socket.create_connection(self.proxy.target, timeout=10)
            while not self.proxy._closed.is_set() and self._exchange():
                pass
        except OSError:
            pass
        finally:
            _close(self.client)
            if self.upstream is not None:
                _close(self.upstream)

    def _exchange(self) -> bool:
        """Carry one request and its answer; False when the connection is over."""
        head = _read_head(self.client, self.proxy._closed)
        if head is None:
            return False
        exchange = _describe(head)
        fault = self.proxy.fault_for(exchange)
        exchange.fault = fault.kind
        self.proxy.record(exchange)
        if fault.kind == "refuse":
            _reset(self.client)
            return False
        if fault.kind == "delay":
            _hold_for(exchange, fault.seconds)
        request_length = len(head) + _content_length(head)
        keep = int(request_length * fault.fraction) if fault.kind == "drop" else request_length
        if not self._forward_request(head, request_length, keep, exchange):
            return False
        if fault.kind == "drop":
            return False
        return self._forward_answer(fault, exchange)

    def _forward_request(self, head: bytes, length: int, keep: int, exchange: Exchange) -> bool:
        profile = self.proxy.profile
        _hold_for(exchange, profile.latency_up)
        pending, sent = head, 0
        while sent < keep:
            if not pending:
                pending = self.client.recv(min(CHUNK, length - sent))
                if not pending:
                    return False
            piece = pending[:keep - sent]
            pending = pending[len(piece):]
            exchange.held += _send_throttled(self.upstream, piece, profile.up)
            sent += len(piece)
            exchange.bytes_up += len(piece)
        return True

    def _forward_answer(self, fault: Fault, exchange: Exchange) -> bool:
        profile = self.proxy.profile
        first = self.upstream.recv(CHUNK)            # the server has answered: it has committed
        if not first:
            return False
        if fault.kind == "cut":
            return False
        if fault.kind == "stall":
            exchange.hung_up = _hold(self.client, self.proxy.stall_seconds, self.proxy._closed)
            return False
        _hold_for(exchange, profile.latency_down)
        answer = _AnswerReader(first, exchange.method)
        budget = None
        while True:
            piece = answer.take()
            if fault.kind == "reset" and budget is None:
                budget = max(1, min(answer.expected_size() - 1, int(answer.expected_size() * fault.fraction)))
            if budget is not None and exchange.bytes_down + len(piece) >= budget:
                exchange.held += _send_throttled(self.client, piece[:budget - exchange.bytes_down], profile.down)
                _reset(self.client)
                return False
            exchange.bytes_down += len(piece)          # counted first: the client may finish meanwhile
            exchange.complete = answer.done()
            exchange.held += _send_throttled(self.client, piece, profile.down)
            if exchange.complete:
                return True
            more = self.upstream.recv(CHUNK)
            if not more:
                return False
            answer.feed(more)


class _AnswerReader:
    """Knows when an answer is complete: ``Content-Length``, chunked, or no body (HEAD, 204, 304)."""

    def __init__(self, first: bytes, method: str):
        self.buffer, self.seen, self.method = first, 0, method
        self.head = b""
        self.tail = b""
        self.chunked = False
        self.total: int | None = None
        self._parse()

    def _parse(self) -> None:
        self.tail = (self.tail + self.buffer)[-5:]
        if self.total is not None or self.chunked:
            return
        self.head += self.buffer
        end = self.head.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.head[:end + 4]
        status = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b""
        if self.method == "HEAD" or status in (b"204", b"304"):
            self.total = len(head)
        elif b"transfer-encoding: chunked" in head.lower():
            self.chunked = True
        else:
            self.total = len(head) + _content_length(head)

    def feed(self, data: bytes) -> None:
        self.buffer += data
        self._parse()

    def take(self) -> bytes:
        piece, self.buffer = self.buffer, b""
        self.seen += len(piece)
        return piece

    def expected_size(self) -> int:
        return self.total or self.seen or 1

    def done(self) -> bool:
        if self.chunked:
            return self.tail == b"0\r\n\r\n"
        return self.total is not None and self.seen >= self.total


def _read_head(sock: socket.socket, closed: threading.Event) -> bytes | None:
    """Everything up to and including the blank line ends the head; extra bytes stay in the socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        if closed.is_set():
            return None
        ready, _, _ = select.select([sock], [], [], 0.5)
        if not ready:
            continue
        byte = sock.recv(1)
        if not byte:
            return None
        data += byte
        if len(data) > 64 * 1024:
            return None
    return data


def _describe(head: bytes) -> Exchange:
    first = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
    return Exchange(method=first[0], path=first[1].split("?")[0] if len(first) > 1 else "")


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip() or 0)
    return 0


def _hold_for(exchange: Exchange, seconds: float) -> None:
    """Hold the exchange ``seconds`` (a delay, a latency): the sleep is the emulated network."""
    if seconds:
        time.sleep(seconds)
        exchange.held += seconds


def _send_throttled(sock: socket.socket, data: bytes, rate: float) -> float:
    """Send ``data`` at ``rate`` bytes/s (0 = at once); the seconds it was held on purpose."""
    if not rate:
        sock.sendall(data)
        return 0.0
    step, held = max(256, int(rate / 20)), 0.0       # ~50 ms slices keep the pace smooth
    for start in range(0, len(data), step):
        piece = data[start:start + step]
        time.sleep(len(piece) / rate)                # a slice arrives only once the link carried it
        held += len(piece) / rate
        sock.sendall(piece)
    return held


def _hold(sock: socket.socket, seconds: float, closed: threading.Event) -> bool:
    """Keep the connection open and silent until the client hangs up (True) or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not closed.is_set():
        ready, _, _ = select.select([sock], [], [], 0.2)
        try:
            if ready and not sock.recv(CHUNK):
                return True
        except ConnectionResetError:
            return True
    return False


def _reset(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0), as a dropped mobile link looks to the phone."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    _close(sock)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.close()

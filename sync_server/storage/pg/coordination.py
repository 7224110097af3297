"""``PgCoordination``: several server nodes on one PostgreSQL (the port is ``sync_server.coordination``).

One thread per server process keeps ONE dedicated connection (outside the pools) that
- LISTENs on ``peta_changes`` (a follower stored something; payload ``push`` or ``read``, the latter
  when a reader waits) and ``peta_evaluated`` (payload: the change number a pass covered);
- holds, on the leader, the session advisory lock ``ENGINE_LOCK``; a follower tries to take it every
  ``interval`` seconds. When the leader dies its connection closes and PostgreSQL releases the lock,
  so a follower leads within about ``interval`` seconds (a SIGKILL closes the socket at once; a host
  that vanishes is noticed by the server's TCP keepalives, see docs/reliability.md);
- on the leader, answers a ``SELECT 1`` every interval, so a lost connection is noticed (the node
  stops leading, reconnects and competes again).
A lost connection is reconnected every ``RECONNECT_SECONDS``. NOTIFYs go out from a second thread
on a pooled connection (``Notifier``), so a push never waits for one on the event loop; what piles up
while one is sent goes out as one (a notification reaches every listening node, the sender's too).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import Any

import psycopg

from kerawanan.errors import Unavailable

log = logging.getLogger("sync_server.coordination")
ENGINE_LOCK = 0x5045_5441_0002          # "PETA" 2: held by the node that runs the singletons
CHANGES, EVALUATED = "peta_changes", "peta_evaluated"
TAKEOVER_SECONDS = 1.0                  # a follower tries the lock (and a leader pings) this often
RECONNECT_SECONDS = 1.0
CLOSE_GRACE = 2.0                       # close() waits for the thread's last round this much longer
START_SECONDS = 10.0                    # start() waits this long at most for the first try of the lock
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3,
             "tcp_user_timeout": 10_000}


def _ignore(*_args: Any) -> None:
    pass


def node_name() -> str:
    """``peta-node <host>:<pid>``: the ``application_name`` of the coordination connection, so
    ``pg_stat_activity`` (joined with ``pg_locks``, see docs/reliability.md) tells which node leads."""
    return f"peta-node {socket.gethostname()}:{os.getpid()}"


class PgCoordination:
    several_nodes = True

    def __init__(self, url: str, db: Any, *, interval: float = TAKEOVER_SECONDS, name: str | None = None):
        self.url, self.db, self.interval = url, db, interval
        self.name = name or node_name()
        self.backend_pid: int | None = None     # the server process of the coordination connection
        self._leader = False
        self._evaluated = 0
        self._condition = threading.Condition()
        self._closed = threading.Event()
        self._tried = threading.Event()         # the first try of the lock is done (or failed)
        self._thread: threading.Thread | None = None
        self._on_lead: Callable[[], None] = _ignore
        self._on_changes: Callable[[bool], None] = _ignore
        self._on_evaluated: Callable[[int], None] = _ignore
        self._notifier = Notifier(db)

    # ---- the port
    def start(self, *, on_lead: Callable[[], None], on_changes: Callable[[bool], None],
              on_evaluated: Callable[[int], None]) -> None:
        self._on_lead, self._on_changes, self._on_evaluated = on_lead, on_changes, on_evaluated
        self._thread = threading.Thread(target=self._run, name="peta-coordination", daemon=True)
        self._thread.start()
        self._tried.wait(START_SECONDS)         # a lone node leads before it answers its first request

    def leads(self) -> bool:
        return self._leader

    def changed(self, *, urgent: bool = False) -> None:
        self._notifier.ask(urgent)

    def evaluated(self, seq: int) -> None:
        self._heard_evaluated(seq)
        self._notifier.announce(seq)

    def evaluated_seq(self) -> int:
        return self._evaluated

    def wait_evaluated(self, seq: int, timeout: float) -> bool:
        with self._condition:
            return self._condition.wait_for(lambda: self._evaluated >= seq or self._closed.is_set(), timeout)

    def close(self) -> None:
        self._closed.set()
        with self._condition:
            self._condition.notify_all()
        self._notifier.close()
        if self._thread is not None:
            self._thread.join(self.interval + CLOSE_GRACE)

    # ---- the listening thread
    def _run(self) -> None:
        while not self._closed.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=5, application_name=self.name,
                                     **KEEPALIVE) as conn:
                    self.backend_pid = conn.info.backend_pid
                    self._serve(conn)
            except psycopg.Error as error:
                if not self._closed.is_set():
                    log.warning("coordination connection lost (%s); reconnecting", type(error).__name__)
            finally:
                self._resign()
                self._tried.set()
            self._closed.wait(RECONNECT_SECONDS)

    def _serve(self, conn: psycopg.Connection) -> None:
        conn.execute(f"LISTEN {CHANGES}")
        conn.execute(f"LISTEN {EVALUATED}")
        while not self._closed.is_set():
            if self._leader:
                conn.execute("SELECT 1")        # a lost connection raises here: stop leading
            elif conn.execute("SELECT pg_try_advisory_lock(%s)", (ENGINE_LOCK,)).fetchone()[0]:
                self._lead()
            self._tried.set()
            for notice in conn.notifies(timeout=self.interval):
                self._heard(notice.channel, notice.payload)

    def _lead(self) -> None:
        self._leader = True
        log.warning("this node now runs the alert engine and the background tasks")
        _safely(self._on_lead)

    def _resign(self) -> None:
        if self._leader:
            self._leader = False
            log.warning("this node no longer runs the alert engine (its coordination connection closed)")

    def _heard(self, channel: str, payload: str) -> None:
        if channel == CHANGES:
            if self._leader:
                _safely(self._on_changes, payload == "read")
        elif channel == EVALUATED and payload.isdigit():
            self._heard_evaluated(int(payload))

    def _heard_evaluated(self, seq: int) -> None:
        with self._condition:
            if seq <= self._evaluated:
                return
            self._evaluated = seq
            self._condition.notify_all()
        _safely(self._on_evaluated, seq)


class Notifier:
    """Sends the NOTIFYs of one node from its own thread: ``ask`` the leader for a pass (``read``
    when a reader waits, else ``push``), ``announce`` the change number a pass covered. What arrives
    while one is sent is merged (the highest number; ``read`` over ``push``) and sent next."""

    def __init__(self, db: Any):
        self.db = db
        self._condition = threading.Condition()
        self._asking: str | None = None
        self._announcing = 0
        self._closed = False
        self._thread: threading.Thread | None = None

    def ask(self, urgent: bool) -> None:
        with self._condition:
            self._asking = "read" if urgent or self._asking == "read" else "push"
            self._wake()

    def announce(self, seq: int) -> None:
        with self._condition:
            self._announcing = max(self._announcing, seq)
            self._wake()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    def _wake(self) -> None:
        if self._thread is None and not self._closed:
            self._thread = threading.Thread(target=self._run, name="peta-notify", daemon=True)
            self._thread.start()
        self._condition.notify_all()

    def _run(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._closed or self._asking or self._announcing)
                if self._closed:
                    return
                asking, announcing = self._asking, self._announcing
                self._asking, self._announcing = None, 0
            notices = [(CHANGES, asking)] if asking else []
            if announcing:
                notices.append((EVALUATED, str(announcing)))
            self._send(notices)

    def _send(self, notices: list[tuple[str, str]]) -> None:
        """NOTIFY on a pooled connection; a failure is logged (the next pass or takeover catches up)."""
        try:
            with self.db.autocommit() as conn:
                for channel, payload in notices:
                    conn.execute("SELECT pg_notify(?, ?)", (channel, payload))
        except Unavailable as error:
            log.warning("could not notify %s: %s", ", ".join(channel for channel, _ in notices), error.message_en)


def _safely(callback: Callable[..., None], *args: Any) -> None:
    try:
        callback(*args)
    except Exception:                   # noqa: BLE001 — a failing callback must not stop the coordination
        log.exception("coordination callback failed")

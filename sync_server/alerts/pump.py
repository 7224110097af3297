"""``Pump``: the incremental alert pass after pushes, run beside them instead of inside them.

A push answers as soon as its reports are committed and only *pokes* the pump; one background
thread runs a pass whenever it has been poked since its last pass began, so under load one pass
covers every batch committed meanwhile, and passes begin at most every ``min_interval`` seconds
(so the per-report cost of alerting, and its share of the write lock, shrink as load grows; a lone
push is evaluated at once). A reader waiting in ``settle()`` cuts that pause short: readers of
alerts are few (supervisors), so they wait for one pass, not for the interval.
Readers of alerts call ``settle()`` first: it returns once a pass that began after every poke
made before the call has finished, so a supervisor never reads an alert state older than a push
that was already answered.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("sync_server.alerts")
SETTLE_SECONDS = 10.0           # a reader waits at most this long for the pass under way
MIN_INTERVAL = 0.5              # under sustained pushes, at most one pass begins per this many seconds


class Pump:
    def __init__(self, run_pass: Callable[[], object], *, name: str = "peta-alerts",
                 min_interval: float = MIN_INTERVAL):
        self._run_pass = run_pass
        self._name = name
        self._min_interval = min_interval
        self._last_start = float("-inf")
        self._condition = threading.Condition()
        self._poked = 0             # pokes so far
        self._covered = 0           # pokes up to here are covered by a finished pass
        self._closed = False
        self._waiting = 0           # readers in settle()
        self._hurried = False       # a reader elsewhere (another node) waits: no pause before the pass
        self._thread: threading.Thread | None = None

    def poke(self, urgent: bool = False) -> None:
        """New reports are committed: evaluate them soon (never blocks, never raises); ``urgent``: a
        reader waits for the pass (on another node, so not in ``settle``): no pause before it."""
        with self._condition:
            if self._closed:
                return
            self._poked += 1
            self._hurried = self._hurried or urgent
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()
            self._condition.notify_all()

    def pending(self) -> bool:
        """Whether some poke is not yet covered by a finished pass (a cheap, lock-free glance)."""
        return self._covered < self._poked

    def settle(self, timeout: float = SETTLE_SECONDS) -> bool:
        """Wait until every poke made before this call is covered; False if ``timeout`` ran out first
        (the reader then goes on with the state as it is: a late alert beats no answer)."""
        with self._condition:
            target = self._poked
            self._waiting += 1
            self._condition.notify_all()                  # a pass held back by the interval starts now
            try:
                done = self._condition.wait_for(lambda: self._covered >= target or self._closed, timeout)
            finally:
                self._waiting -= 1
        if not done:
            log.warning("alert pass still running after %.0f s; answering with the current state", timeout)
        return done

    def close(self, timeout: float = 30.0) -> None:
        """Finish the pass under way and any pending one, then stop the thread."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _loop(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._poked > self._covered or self._closed)
                if self._poked == self._covered:          # closed with nothing left to do
                    return
                pause = self._last_start + self._min_interval - time.monotonic()
                if pause > 0:                     # let more batches gather, unless someone is waiting
                    self._condition.wait_for(lambda: self._closed or self._waiting > 0 or self._hurried, pause)
                target, self._hurried = self._poked, False
            self._last_start = time.monotonic()
            try:
                self._run_pass()
            except Exception:                             # noqa: BLE001 — the next pass catches up
                log.exception("incremental alert evaluation failed; the next pass will catch up")
            with self._condition:
                self._covered = target
                self._condition.notify_all()

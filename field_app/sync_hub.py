"""One officer's background sync in this process, and the screens that watch it.

A phone runs one app session, but in web mode several browsers may show the same officer: they
must share one ``SyncLoop`` (one engine, one backoff), not start one each. A ``SyncHub`` owns the
engine and the loop, is started once with ``page.run_task`` and fans every pass out to the screens
that subscribed. Listeners are called on the event loop; a listener that fails (its browser went
away) is dropped, so it never stops the sync of the others.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from field_app.outbox import Outbox
from field_app.sync_engine import SyncEngine, SyncOutcome, SyncPolicy, WakeReason
from field_app.sync_loop import SyncLoop
from field_app.viewmodels.enrollment import OfficerSession

log = logging.getLogger(__name__)

# listener(event, outcome): event is "start" (a pass begins) or "outcome" (it ended)
Listener = Callable[[str, SyncOutcome | None], None]


class SyncHub:
    def __init__(self, outbox: Outbox, session: OfficerSession, *, policy: SyncPolicy, clock,
                 client_options: dict[str, Any] | None = None):
        self.officer = session.officer
        self.clock = clock
        self.client_options = dict(client_options or {})
        self.engine = SyncEngine(outbox, session.make_client(**self.client_options), session.officer, policy=policy)
        self.loop: SyncLoop | None = None
        self.future: Future | None = None
        self.running = False
        self.last: SyncOutcome | None = None
        self._listeners: list[Listener] = []

    @property
    def started(self) -> bool:
        return self.future is not None and not self.future.done()

    def start(self, page: Any) -> None:
        """Start the loop on the page's event loop (once; again after ``stop``)."""
        if self.started:
            return
        self.loop = SyncLoop(self.engine, clock=self.clock, on_start=self._started, on_outcome=self._finished)
        self.engine.on_progress = self._progressed
        self.future = page.run_task(self.loop.run)

    def stop(self) -> None:
        if self.loop is not None:
            self.loop.stop()

    def wake(self, reason: WakeReason | str = WakeReason.DEMAND) -> None:
        if self.loop is not None and not self.loop.stopped:
            self.loop.wake(reason)

    def use_session(self, session: OfficerSession) -> None:
        """A new server address or token for this officer: the next pass uses a fresh client."""
        self.engine.reset_auth(session.make_client(**self.client_options))

    def set_policy(self, policy: SyncPolicy) -> None:
        self.engine.policy = policy

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _started(self) -> None:
        self.running = True
        self._tell("start", None)

    def _finished(self, outcome: SyncOutcome) -> None:
        self.running = False
        if not outcome.skipped:
            self.last = outcome
        self._tell("outcome", outcome)

    def _progressed(self) -> None:
        """From the sync thread: "Mengirim 3 dari 5" on every screen, told on the event loop."""
        loop = getattr(self.loop, "_loop", None)
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._tell, "progress", None)

    def _tell(self, event: str, outcome: SyncOutcome | None) -> None:
        for listener in list(self._listeners):
            try:
                listener(event, outcome)
            except Exception:           # a closed browser tab must not stop the others' sync
                log.warning("sync listener failed; dropping it", exc_info=True)
                if listener in self._listeners:
                    self._listeners.remove(listener)

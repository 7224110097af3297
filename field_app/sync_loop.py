"""The background sync task: an asyncio loop that runs ``SyncEngine.sync_once`` in a thread.

The UI starts it with ``page.run_task(loop.run)`` and calls ``loop.wake(reason)`` when a report is
saved, when connectivity changes, or when the officer taps "Kirim sekarang". Between wakes it
sleeps until the timer or the end of a backoff. Blocking work (SQLite, HTTP) happens in
``asyncio.to_thread`` so the UI never waits on the network. No Flet import: any asyncio loop will do.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from field_app.sync_engine import SyncEngine, SyncOutcome, WakeReason

log = logging.getLogger(__name__)

# When several wakes arrive together, the strongest one decides whether backoff is skipped.
_STRENGTH = {WakeReason.TIMER: 0, WakeReason.START: 1, WakeReason.SAVED: 2,
             WakeReason.CONNECTIVITY: 3, WakeReason.DEMAND: 4}


def utc_now() -> datetime:
    return datetime.now(UTC)


class SyncLoop:
    def __init__(self, engine: SyncEngine, *, clock: Callable[[], datetime] = utc_now,
                 interval: float | None = None,
                 on_outcome: Callable[[SyncOutcome], None | Awaitable[None]] | None = None,
                 on_start: Callable[[], None | Awaitable[None]] | None = None):
        self.engine = engine
        self.clock = clock
        self.interval = interval if interval is not None else engine.policy.timer_interval
        self.on_outcome = on_outcome
        self.on_start = on_start      # a pass is starting: the UI may show "Mengirim…"
        self._pending: set[WakeReason] = {WakeReason.START}
        self._event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped = False
        self.passes = 0

    def wake(self, reason: WakeReason | str = WakeReason.DEMAND) -> None:
        """Ask for a pass. Safe to call from any thread, before or after ``run`` started."""
        self._pending.add(WakeReason(reason))
        self._signal()

    def stop(self) -> None:
        self._stopped = True
        self._signal()

    @property
    def stopped(self) -> bool:
        return self._stopped

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        while not self._stopped:
            reason = self._take_reason()
            if reason is not None and self.engine.should_run(reason, self.clock()):
                await self._one_pass()
            if self._stopped:
                break
            await self._sleep(self._wait_seconds())

    async def _one_pass(self) -> None:
        await _maybe_await(self.on_start)
        now = self.clock()
        try:
            outcome = await asyncio.to_thread(self.engine.sync_once, now)
        except Exception as exc:                # a bug must not kill background sync for good
            log.exception("sync pass failed")
            outcome = SyncOutcome(started_at=now, ok=False, error_code="sync.internal", error_message=repr(exc))
        self.passes += 1
        if self.on_outcome is not None:
            await _maybe_await(self.on_outcome, outcome)

    def _take_reason(self) -> WakeReason | None:
        if not self._pending:
            return None
        reason = max(self._pending, key=_STRENGTH.__getitem__)
        self._pending.clear()
        return reason

    def _wait_seconds(self) -> float:
        due = self.engine.seconds_until_due(self.clock())
        return self.interval if due is None else min(self.interval, max(due, 0.05))

    async def _sleep(self, seconds: float) -> None:
        assert self._event is not None
        if not self._pending:
            try:
                await asyncio.wait_for(self._event.wait(), timeout=seconds)
            except TimeoutError:
                self._pending.add(WakeReason.TIMER)
        self._event.clear()

    def _signal(self) -> None:
        if self._event is None or self._loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._event.set()
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._event.set)


async def _maybe_await(callback, *args) -> None:
    if callback is None:
        return
    result = callback(*args)
    if inspect.isawaitable(result):
        await result

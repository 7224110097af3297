"""The one sync state every screen shows: the strip and each unsent card say the same words.

``SyncState`` is computed from the hub's facts (a pass running, the officer just tapped "Kirim
sekarang", the engine's progress and backoff, the last outcome) and the outbox counts — never
from one screen's own guess. The phases:

- ``sending``: a pass runs (or was just asked for): "Mengirim… 3 dari 5";
- ``waiting``: the last pass found no signal: "Menunggu sinyal · dicoba lagi dalam 42 detik";
- ``failed``: the server answered but refused or failed: "Gagal: <reason> · dicoba lagi dalam …";
- ``revoked``: this phone's token was revoked;
- ``queued``: something waits and no pass has failed yet (it goes with the next pass);
- ``checking``: a pass runs with nothing to send (feedback is fetched): "Memeriksa umpan balik…";
- ``done``: nothing waits ("sent at HH:MM" in the server's time comes from the last pass).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from field_app.i18n import Translator, has_key

NO_SIGNAL = frozenset({"sync.offline"})


@dataclass(frozen=True, slots=True)
class SyncState:
    phase: str
    pending: int = 0
    done: int = 0
    total: int = 0
    retry_in: int | None = None          # whole seconds until the next try
    code: str | None = None
    message: str | None = None


def current(*, pending: int, running: bool, requested: bool, engine: Any, outcome: Any,
            now: datetime) -> SyncState:
    """The state from the hub's facts (``engine`` may be None in tests without sync)."""
    if engine is not None and getattr(engine, "auth_revoked", False):
        return SyncState("revoked", pending, code="auth.revoked")
    if (running or requested) and pending == 0:
        return SyncState("checking")                 # nothing to send: the pass fetches feedback
    if running or requested:
        progress = getattr(engine, "progress", None) if running else None
        done, total = progress if progress else (0, pending)
        return SyncState("sending", pending, done=done, total=max(total, done))
    if pending == 0:
        return SyncState("done")
    if outcome is not None and not outcome.ok and not outcome.skipped:
        retry_in = _seconds_until(engine, outcome, now)
        phase = "waiting" if outcome.error_code in NO_SIGNAL else "failed"
        return SyncState(phase, pending, retry_in=retry_in, code=outcome.error_code, message=outcome.error_message)
    return SyncState("queued", pending)


def _seconds_until(engine: Any, outcome: Any, now: datetime) -> int | None:
    if engine is not None and hasattr(engine, "seconds_until_due"):
        due = engine.seconds_until_due(now)
    elif outcome.retry_at is not None:
        due = max(0.0, (outcome.retry_at - now).total_seconds())
    else:
        due = None
    return None if due is None else math.ceil(due)


def line(state: SyncState, t: Translator) -> str | None:
    """The words of the state, the same on the strip and on every unsent card (None: done/queued)."""
    if state.phase == "sending":
        if state.total:
            return t("syncstate.sending", done=state.done, total=state.total)
        return t("syncstate.sending.plain")
    if state.phase == "checking":
        return t("syncstate.checking")
    if state.phase == "revoked":
        return t("sync.auth_revoked")
    if state.phase in ("waiting", "failed"):
        head = t("syncstate.waiting") if state.phase == "waiting" else t("syncstate.failed", reason=reason(state, t))
        if state.retry_in is None:
            return head
        if state.retry_in <= 0:
            return t("syncstate.retry_now", head=head)
        return t("syncstate.retry_in", head=head, seconds=state.retry_in)
    return None


def reason(state: SyncState, t: Translator) -> str:
    key = f"syncstate.reason.{state.code}"
    if has_key(key):
        return t(key)
    return t("syncstate.reason.other", message=state.message or state.code or "-")

"""Per-account quotas (``Settings.quotas``): what an officer may add to the server per window.

Everything is counted from what the server holds — reports and photos stored in the last
``window_seconds`` (database reads, no extra commit per request), partial uploads on disk (under
the account's lock) — and checked before anything is written, so the quotas hold for any number
of worker processes and a refused request leaves nothing behind. ``Retry-After`` says when enough
has aged out of the window. Requests of one account running at the very same moment in several
workers may each pass the check, so the quota can be passed by their own sizes.

| quota | counted | over it |
|---|---|---|
| ``reports`` | new report ids per push (resends of stored ids are free) | the whole push 429 ``quota.reports`` |
| ``photo_bytes`` | photos stored in the window + partial uploads held + this request | 429 ``quota.photo_bytes`` |
| ``partials`` | unfinished uploads held at once, and their bytes | 429 ``quota.partials`` |
"""
from __future__ import annotations

import math
from collections.abc import Collection
from datetime import datetime, timedelta

from kerawanan.errors import RateLimited
from sync_server.settings import Quotas
from sync_server.storage.ports import Storage

PARTIALS_RETRY_SECONDS = 60.0        # partials go when they complete: finish (or wait for) one

_MESSAGES = {
    "reports": ("Batas laporan untuk akun ini tercapai; kirim lagi nanti.",
                "This account's report quota for the window is used up; send again later."),
    "photo_bytes": ("Batas ukuran foto untuk akun ini tercapai; kirim lagi nanti.",
                    "This account's photo quota for the window is used up; send again later."),
    "partials": ("Terlalu banyak unggahan foto yang belum selesai; selesaikan dulu yang ada.",
                 "Too many unfinished photo uploads; finish the ones under way first."),
}


def exceeded(kind: str, *, retry_after: float, limit: int, **details: object) -> RateLimited:
    message, message_en = _MESSAGES[kind]
    return RateLimited(message, message_en=message_en, code=f"quota.{kind}",
                       retry_after=math.ceil(retry_after), details={"limit": limit, **details})


def require_photo_room(storage: Storage, quotas: Quotas, username: str, extra: int, now: datetime) -> None:
    """429 when the photos ``username`` stored in the last ``window_seconds`` plus ``extra`` bytes
    (the caller's partial uploads and this request) pass ``quotas.photo_bytes``."""
    window = timedelta(seconds=quotas.window_seconds)
    stored, oldest = storage.photo_bytes_since(username, now - window)
    if stored + extra <= quotas.photo_bytes:
        return
    retry = (oldest + window - now).total_seconds() if oldest is not None else quotas.window_seconds
    raise exceeded("photo_bytes", retry_after=max(1.0, retry), limit=quotas.photo_bytes,
                   window_seconds=quotas.window_seconds, stored_bytes=stored)


def admit_reports(storage: Storage, quotas: Quotas, officer: str, ids: Collection[str], now: datetime) -> None:
    """429 when the new ones among ``ids`` (valid reports of one push) would give ``officer`` more than
    ``quotas.reports`` received in the last ``window_seconds``; ``Retry-After``: when enough of them
    have aged out. Which ids are stored already is looked up only when all of them would not fit."""
    if not ids:
        return
    window = timedelta(seconds=quotas.window_seconds)
    since = now - window
    recent = storage.count_reports_since(officer, since, quotas.reports)
    if recent + len(ids) <= quotas.reports:
        return
    new = len(set(ids) - storage.stored_report_ids(sorted(ids)))
    over = recent + new - quotas.reports
    if over <= 0:                   # (``recent`` is at most the quota: no new report, no excess)
        return
    oldest = storage.nth_report_time_since(officer, since, over) if new <= quotas.reports else None
    free_at = oldest + window if oldest is not None else now + window
    raise exceeded("reports", retry_after=max(1.0, (free_at - now).total_seconds()), limit=quotas.reports,
                   window_seconds=quotas.window_seconds)

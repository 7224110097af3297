"""Per-account quotas (``Settings.quotas``): what an officer may add to the server per window.

Counts live in the database (``Storage.take_quota``), taken before anything is written, so they
hold for any number of worker processes and a refused request leaves nothing behind. Windows are
fixed (``window_seconds`` long, aligned on the epoch); ``Retry-After`` says when the current one ends.

| quota | counted | over it |
|---|---|---|
| ``reports`` | new report ids per push (resends of stored ids are free) | the whole push 429 ``quota.reports`` |
| ``photo_bytes`` | bytes of each whole ``PUT`` and each ``PUT …/parts`` request | 429 ``quota.photo_bytes`` |
| ``partials`` | unfinished uploads held at once, and their bytes | 429 ``quota.partials`` |
"""
from __future__ import annotations

import math
from datetime import UTC, datetime

from kerawanan.errors import RateLimited
from sync_server.settings import Quotas
from sync_server.storage.base import Storage

PARTIALS_RETRY_SECONDS = 60        # partials go when they complete: finish (or wait for) one

_MESSAGES = {
    "reports": ("Batas laporan per jam untuk akun ini tercapai; kirim lagi nanti.",
                "This account's report quota for the window is used up; send again later."),
    "photo_bytes": ("Batas ukuran foto untuk akun ini tercapai; kirim lagi nanti.",
                    "This account's photo quota for the window is used up; send again later."),
    "partials": ("Terlalu banyak unggahan foto yang belum selesai; selesaikan dulu yang ada.",
                 "Too many unfinished photo uploads; finish the ones under way first."),
}


def window_start(quotas: Quotas, now: datetime) -> datetime:
    seconds = quotas.window_seconds
    return datetime.fromtimestamp(math.floor(now.timestamp() / seconds) * seconds, UTC)


def exceeded(kind: str, *, retry_after: float, limit: int, **details: object) -> RateLimited:
    message, message_en = _MESSAGES[kind]
    return RateLimited(message, message_en=message_en, code=f"quota.{kind}",
                       retry_after=math.ceil(retry_after), details={"limit": limit, **details})


def take(storage: Storage, quotas: Quotas, username: str, kind: str, amount: int, now: datetime) -> None:
    """Count ``amount`` of ``kind`` for ``username`` in this window; 429 (nothing counted) when over."""
    limit = quotas.reports if kind == "reports" else quotas.photo_bytes
    start = window_start(quotas, now)
    if amount <= 0 or storage.take_quota(username, kind, amount, limit, start):
        return
    retry = start.timestamp() + quotas.window_seconds - now.timestamp()
    raise exceeded(kind, retry_after=retry, limit=limit, window_seconds=quotas.window_seconds)

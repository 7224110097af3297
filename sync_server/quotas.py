"""Per-account quotas (``Settings.quotas``): what an officer may add to the server per window.

Counts live in the database and are checked before anything is written, so they hold for any
number of worker processes and a refused request leaves nothing behind. Photo bytes are taken in
one write (``Storage.take_quota``) per fixed window (``window_seconds`` long, aligned on the
epoch; ``Retry-After``: when it ends). Reports are counted from the stored reports over the last
``window_seconds`` (a read, no extra commit per push; ``Retry-After``: when enough have aged out);
pushes of one account running at the same moment in several workers may pass the quota by
their own sizes.

| quota | counted | over it |
|---|---|---|
| ``reports`` | new report ids per push (resends of stored ids are free) | the whole push 429 ``quota.reports`` |
| ``photo_bytes`` | bytes of each whole ``PUT`` and each ``PUT …/parts`` request | 429 ``quota.photo_bytes`` |
| ``partials`` | unfinished uploads held at once, and their bytes | 429 ``quota.partials`` |
"""
from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from kerawanan.errors import RateLimited
from sync_server.settings import Quotas
from sync_server.storage.base import Storage

PARTIALS_RETRY_SECONDS = 60.0        # partials go when they complete: finish (or wait for) one

_MESSAGES = {
    "reports": ("Batas laporan untuk akun ini tercapai; kirim lagi nanti.",
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


def take_photo_bytes(storage: Storage, quotas: Quotas, username: str, amount: int, now: datetime) -> None:
    """Count ``amount`` photo bytes for ``username`` in this window; 429 (nothing counted) when over."""
    start = window_start(quotas, now)
    if amount <= 0 or storage.take_quota(username, "photo_bytes", amount, quotas.photo_bytes, start):
        return
    retry = start.timestamp() + quotas.window_seconds - now.timestamp()
    raise exceeded("photo_bytes", retry_after=retry, limit=quotas.photo_bytes, window_seconds=quotas.window_seconds)


def admit_reports(storage: Storage, quotas: Quotas, officer: str, new: int, now: datetime) -> None:
    """429 when ``new`` more reports would give ``officer`` more than ``quotas.reports`` received
    in the last ``window_seconds``; ``Retry-After``: when enough of them have aged out."""
    if new <= 0:
        return
    window = timedelta(seconds=quotas.window_seconds)
    recent = storage.report_times_since(officer, now - window, quotas.reports)
    over = len(recent) + new - quotas.reports
    if over <= 0:
        return
    free_at = recent[over - 1] + window if new <= quotas.reports else now + window
    raise exceeded("reports", retry_after=max(1.0, (free_at - now).total_seconds()), limit=quotas.reports,
                   window_seconds=quotas.window_seconds)

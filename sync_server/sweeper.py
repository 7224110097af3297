"""The media sweep, off the request path: stale partial uploads and uncited photos go.

Every ``Settings.sweep_seconds`` each server process runs one pass in a thread (passes of several
workers may overlap: each step is safe to repeat); with several nodes on PostgreSQL only the node
that leads (``sync_server.coordination``) sweeps. A partial untouched for
``Settings.media_grace_seconds`` is deleted unless a request holds it; a photo stored longer ago
than that which nothing cites (no report, no task answer: ``storage.media.CITING_TABLES``) is
forgotten in the database first, then its bytes are deleted from the photo store (an upload racing
the deletion finds no row and stores the photo again).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sync_server.coordination import always

log = logging.getLogger("sync_server")


@dataclass(frozen=True, slots=True)
class Swept:
    partials: int
    photos: int


def sweep_media(services) -> Swept:
    """One pass: stale partials and uncited photos past the grace period (``services``: Services)."""
    settings, now = services.settings, services.clock()
    partials = services.media.partial_uploads(settings, lambda: services.clock().timestamp()).sweep()
    photos = 0
    while gone := services.storage.forget_uncited_media(now - timedelta(seconds=settings.media_grace_seconds)):
        for sha256 in gone:
            services.media.remove(sha256)
        photos += len(gone)
    return Swept(partials=partials, photos=photos)


async def sweep_periodically(services, interval: float, stop: asyncio.Event, *,
                             leads: Callable[[], bool] = always) -> None:
    """``sweep_media`` every ``interval`` seconds (the first pass at once) until ``stop`` is set,
    while this node ``leads``."""
    while not stop.is_set():
        try:
            swept = await asyncio.to_thread(sweep_media, services) if leads() else Swept(0, 0)
            if swept.partials or swept.photos:
                log.info("media sweep: %d partial uploads, %d uncited photos deleted", swept.partials, swept.photos)
        except Exception:                 # a failed pass is logged; the next one tries again
            log.exception("media sweep failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)

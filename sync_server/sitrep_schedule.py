"""Sitrep on a schedule (issue 13.7): at 06.00 and 18.00 WIB (``PETA_SITREP_TIMES``, e.g.
``06:00,18:00``) the daily sitrep of Polda and of each Polres is produced and kept (``sitrep_files``).

The scheduler runs in the server process (``PETA_SITREP_SECONDS``, default 60: how often it looks;
0: never). Several workers may run it: each round first takes the database lease ``sitrep-schedule``
(``PlanStore.take_lease``), so one process produces at a time, and a unit's slot is kept once
(``INSERT OR IGNORE``); with several nodes on PostgreSQL only the node that leads
(``sync_server.coordination``) takes part. Only the latest slot at or before now is produced — a
server that was down
for a day does not fill the past in. The scheduled sitrep is the on-demand one (``GET
/export/sitrep.pdf``) for the unit, plus the rekap berjenjang (``alerts/rekap.py``) and the
penebalan plan annex (the unit's current saved plan).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from reportlab.lib.pagesizes import A4

from kerawanan.tahapan import WIB
from sync_server.alerts.overview import sitrep_parts
from sync_server.coordination import always
from sync_server.exports import SitrepData, render_sitrep_pdf
from sync_server.exports.plan_annex import plan_annex_story
from sync_server.exports.sitrep import MARGIN
from sync_server.plans.service import unit_key
from sync_server.plans.store import PlanStore
from sync_server.render import iso_z
from sync_server.scope import Principal

log = logging.getLogger("sync_server.sitrep_schedule")
DEFAULT_TIMES = "06:00,18:00"
DEFAULT_SECONDS = 60.0
LEASE = "sitrep-schedule"


def parse_times(text: str) -> tuple[time, ...]:
    """``"06:00,18:00"`` → the WIB times of day, sorted; ``ValueError`` naming what is wrong."""
    found = []
    for part in text.split(","):
        part = part.strip()
        try:
            moment = time.fromisoformat(part) if len(part) == 5 else None
        except ValueError:
            moment = None
        if moment is None:
            raise ValueError(f"PETA_SITREP_TIMES: {part!r} is not a time HH:MM (WIB), e.g. 06:00,18:00")
        found.append(moment)
    return tuple(sorted(set(found)))


def latest_slot(now: datetime, times: tuple[time, ...]) -> datetime:
    """The latest scheduled WIB moment at or before ``now``."""
    today = now.astimezone(WIB).date()
    slots = [datetime.combine(today - timedelta(days=back), moment, WIB) for back in (0, 1) for moment in times]
    return max(slot for slot in slots if slot <= now)


def slot_id(slot: datetime) -> str:
    """``20241128-0600``: the slot in WIB, as kept and as the download names it."""
    return slot.astimezone(WIB).strftime("%Y%m%d-%H%M")


def units(config: Any, gazetteer: Any) -> list[tuple[str, ...]]:
    """Polda (the province) and each Polres (its kabupaten/kota, from the context file)."""
    found = [tuple(region.code for region in gazetteer.regions("provinsi"))]
    by_polres: dict[str, list[str]] = {}
    for code in sorted(config.contexts):
        by_polres.setdefault(config.contexts[code].polres, []).append(code)
    return found + [tuple(codes) for _, codes in sorted(by_polres.items())]


class SitrepScheduler:
    def __init__(self, services: Any, store: PlanStore, times: tuple[time, ...], *,
                 leads: Callable[[], bool] = always):
        self.services = services
        self.store = store
        self.times = times
        self.leads = leads                           # this node runs the background singletons
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    @classmethod
    def from_env(cls, services: Any, *, leads: Callable[[], bool] = always) -> SitrepScheduler | None:
        if not hasattr(services.storage, "db"):
            return None                              # the archive lives in the SQL backends
        times = parse_times(os.environ.get("PETA_SITREP_TIMES") or DEFAULT_TIMES)
        return cls(services, services.storage.plans, times, leads=leads)

    def tick(self, seconds: float = DEFAULT_SECONDS) -> list[str]:
        """One round: the latest slot's sitreps not yet kept, if this node leads and this process
        holds the lease."""
        if not self.leads():
            return []
        now = self.services.clock()
        slot = latest_slot(now, self.times)
        if not self.store.take_lease(LEASE, self.holder, now, now + timedelta(seconds=max(60.0, 4 * seconds))):
            return []
        produced = []
        for codes in units(self.services.alerts.config, self.services.gazetteer):
            key = unit_key(codes)
            if self.store.has_sitrep(key, slot_id(slot)):
                continue
            pdf, name = render_unit_sitrep(self.services, self.store, codes, slot, now)
            if self.store.save_sitrep(key, slot_id(slot), name, pdf, now):
                produced.append(f"{key}@{slot_id(slot)}")
        return produced

    async def run_periodically(self, seconds: float, stop: asyncio.Event) -> None:
        """Every ``seconds`` (the first round after one interval, not at start) until ``stop``."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds)
            if stop.is_set():
                return
            try:
                produced = await asyncio.to_thread(self.tick, seconds)
                if produced:
                    log.info("sitrep kept: %s", ", ".join(produced))
            except Exception:                        # noqa: BLE001 — keep the loop alive
                log.exception("scheduled sitrep failed; the next round tries again")


def render_unit_sitrep(services: Any, store: PlanStore, codes: tuple[str, ...], slot: datetime,
                       now: datetime) -> tuple[bytes, str]:
    """The unit's sitrep for the slot's WIB day with the rekap and the plan annex; and the unit's name."""
    from sync_server.routes.exports import unit_title

    alerts = services.alerts
    principal = Principal(username="system", role="supervisor", scope=codes)
    day = slot.astimezone(WIB).date()
    name = unit_title(codes, alerts.config, services.gazetteer)
    width = A4[0] - 2 * MARGIN
    saved = store.plan_version(unit_key(codes))
    if saved is not None:
        saved = {**saved, "saved_at": iso_z(saved["saved_at"])}
    annexes = [*_rekap_story(services, codes, day, now, width), *plan_annex_story(saved, width)]
    parts = sitrep_parts(alerts, principal, day, now)
    data = SitrepData(date=day, scope_codes=codes, scope_title=name, generated_at=now,
                      replay=services.settings.replay is not None, annexes=annexes, **parts)
    return render_sitrep_pdf(data), name


def _rekap_story(services: Any, codes: tuple[str, ...], day, now: datetime, width: float) -> list:
    """The rekap berjenjang of the unit, when the rekap module is there (issue 13.1)."""
    try:
        from sync_server.alerts import rekap
        from sync_server.exports.rekap_annex import rekap_annex_story
        from sync_server.people import People
    except ImportError:
        return []
    alerts = services.alerts
    people = People.of(services.storage, services.gazetteer, alerts.config)
    body = rekap.rekap(alerts, rekap.unit_named(codes, services.gazetteer, alerts.config),
                       rekap.Window.of(day, 1, now), people.name)
    return rekap_annex_story(body, width)

"""Laporan nihil: "situasi aman terkendali" for the officer's desa today, with one tap on the home screen.

A nihil is a report (category ``nihil``, no threat stage, empty facts) per desa of the officer's area,
validated by the core and committed to the outbox like any report, so it works offline and syncs with
the rest. It weighs nothing in the score; on the server it makes the desa "reporting" (heard from)
and tells the supervisor that this Bhabin reported today. The screen says when today's nihil was
already sent (queued) so a second tap is not needed; tapping again the same WIB day saves nothing.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from field_app.i18n import Translator
from field_app.outbox import Outbox, OutboxEntry
from field_app.viewmodels.base import Clock, ViewModel, utc_now
from kerawanan import assets
from kerawanan.report import parse_report
from kerawanan.tahapan import WIB, wib_day
from kerawanan.vocab import NIHIL


class Nihil(ViewModel):
    def __init__(self, outbox: Outbox, officer: str, scope: tuple[str, ...], *, clock: Clock = utc_now,
                 translator: Translator | None = None, on_saved: Callable[[str], None] | None = None,
                 gazetteer: Any = None, calendar: Any = None):
        super().__init__(clock=clock, translator=translator)
        self.outbox, self.officer = outbox, officer
        self.gazetteer = gazetteer or assets.gazetteer()
        self.calendar = calendar or assets.calendar()
        self.on_saved = on_saved
        self.desa = tuple(code for code in scope if self.gazetteer.is_desa(code))

    # ------------------------------------------------------------ what the screen shows

    def today(self, now: datetime) -> OutboxEntry | None:
        """Today's (WIB) nihil as the outbox holds it (the newest), or None."""
        day = wib_day(now)
        found = [entry for entry in self.outbox.entries(self.officer, limit=200)
                 if entry.category == NIHIL and wib_day(entry.observed_at) == day]
        return max(found, key=lambda entry: entry.observed_at) if found else None

    def sent_today(self, now: datetime) -> datetime | None:
        """When today's nihil was made on this phone (queued or sent), or None."""
        entry = self.today(now)
        return None if entry is None else entry.observed_at

    def status(self, now: datetime) -> str:
        """One line under the button: what a tap does, that today's nihil waits for signal, or that it is sent."""
        if not self.desa:
            return self.t("nihil.no_desa")
        entry = self.today(now)
        if entry is None:
            return self.t("nihil.hint")
        words = "nihil.sent_today" if entry.state == "sent" else "nihil.waiting"
        return self.t(words, time=entry.observed_at.astimezone(WIB).strftime("%H:%M"))

    # ------------------------------------------------------------ intents

    def send_nihil(self, now: datetime) -> list[str]:
        """Save one laporan nihil per desa of the officer's area (once per WIB day); returns the ids."""
        if not self.desa or self.sent_today(now) is not None:
            self.changed()
            return []
        observed = now.astimezone(WIB).replace(microsecond=0)
        reports = [parse_report({"id": str(uuid.uuid4()), "observed_at": observed.isoformat(), "category": NIHIL,
                                 "desa_code": desa, "facts": ""}, now=now, gazetteer=self.gazetteer,
                                calendar=self.calendar) for desa in self.desa]
        ids = self.outbox.save_many(reports, officer=self.officer, now=now)
        self.changed()
        if self.on_saved is not None and ids:
            self.on_saved(ids[0])
        return ids

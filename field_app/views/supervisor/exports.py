"""Exports: the reports CSV, the alerts GeoJSON and the daily sitrep PDF (of any past day), in the supervisor's
scope; and the sitreps the server keeps on its schedule (06.00/18.00 WIB), listed for download.

The Python side downloads the bytes (``SyncClient.download_export``), then ``FilePicker.save_file``
hands them to the user: in web mode it needs ``src_bytes`` and a file name and the browser saves
the file (a download); on desktop it opens a save dialog and the bytes are written to the chosen path.
"""
from __future__ import annotations

import logging
from datetime import date, datetime

import flet as ft

from field_app.errors import Offline, ServerRejected
from field_app.strings import MONTHS
from field_app.views import theme
from field_app.views.base import Part, sends_update
from field_app.views.supervisor.common import (
    bind,
    day_words,
    download_to_user,
    in_thread,
    section_title,
    small,
)
from kerawanan.tahapan import WIB

log = logging.getLogger(__name__)
EXPORTS = (("reports.csv", "csv", ft.Icons.TABLE_VIEW), ("alerts.geojson", "geojson", ft.Icons.MAP),
           ("sitrep.pdf", "pdf", ft.Icons.PICTURE_AS_PDF))


class ExportsPart(Part):
    def __init__(self, app, shell):
        super().__init__(app)
        self.shell = shell

    def build(self) -> ft.Control:
        t = self.t
        self.message = theme.message_text("sv-export-message")
        buttons = [theme.secondary_button(t(f"sv.exports.{kind}"), bind(self._download, name),
                                          key=f"sv-export-{kind}", icon=icon)
                   for name, kind, icon in EXPORTS]
        self.day = self._today()
        self.day_button = theme.secondary_button(self._day_words(), self._pick_day, key="sv-export-day",
                                                 icon=ft.Icons.CALENDAR_MONTH)
        self.kept = ft.Column(spacing=6, key="sv-export-kept")
        return theme.screen([small(t("sv.exports.intro"), color=theme.INK), *buttons[:2], self.day_button,
                             buttons[2], self.message, self.kept])

    # ------------------------------------------------------------ the sitrep's day (WIB), picked

    def _today(self) -> date:
        return self.app.device.clock().astimezone(WIB).date()

    def _day_words(self) -> str:
        key = "sv.exports.sitrep_day.today" if self.day == self._today() else "sv.exports.sitrep_day"
        return self.t(key, day=day_words(self.t, self.day))

    def _pick_day(self) -> None:
        today = self._today()
        self.page.show_dialog(ft.DatePicker(
            value=datetime(self.day.year, self.day.month, self.day.day), first_date=datetime(2024, 1, 1),
            last_date=datetime(today.year, today.month, today.day), on_change=self._day_picked,
            key="sv-export-day-picker", help_text=self.t("sv.exports.sitrep_day.help"),
            cancel_text=self.t("action.cancel"), confirm_text=self.t("action.ok")))

    def _day_picked(self, e) -> None:
        value = e.control.value
        if value is None:
            return
        self.day = date(value.year, value.month, value.day)
        self.day_button.content = theme.text(self._day_words(), size=16, bold=True, color=theme.NAVY)
        self.app.push()

    def activate(self) -> None:
        self.page.run_task(self._load_kept)

    async def _load_kept(self) -> None:
        try:
            body = await in_thread(self.shell.client.list_sitreps)
        except (Offline, ServerRejected):
            return
        times = ", ".join(body.get("times_wib") or [])
        rows: list[ft.Control] = [section_title(self.t("sv.exports.kept", times=times), key="sv-export-kept-title")]
        items = body.get("items") or []
        if not items:
            rows.append(small(self.t("sv.exports.kept.none")))
        for item in items[:30]:
            stamp = item["slot"]                           # YYYYMMDD-HHMM, WIB
            month = MONTHS["en" if self.t.lang == "en" else "id"][int(stamp[4:6]) - 1]
            slot = f"{int(stamp[6:8])} {month} {stamp[9:11]}.{stamp[11:]} WIB"
            rows.append(ft.TextButton(self.t("sv.exports.kept.row", unit=item["unit_name"], slot=slot),
                                      icon=ft.Icons.PICTURE_AS_PDF, key=f"sv-export-kept-{item['slot']}-{item['unit']}",
                                      on_click=bind(self._download_kept, item["slot"], item["unit"])))
        self.kept.controls = rows
        self.app.push()

    @sends_update
    async def _download(self, name: str) -> None:
        theme.show_message(self.message, self.t("sv.exports.working", name=name))
        self.app.push()
        params = {"date": self.day.isoformat()} if name == "sitrep.pdf" else None
        await download_to_user(self, self.message, self.shell.client.download_export, name, params)

    @sends_update
    async def _download_kept(self, slot: str, unit: str) -> None:
        await download_to_user(self, self.message, self.shell.client.download_sitrep, slot, unit)

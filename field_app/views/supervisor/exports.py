"""Exports: the reports CSV, the alerts GeoJSON and the daily sitrep PDF, in the supervisor's scope.

The Python side downloads the bytes (``SyncClient.download_export``), then ``FilePicker.save_file``
hands them to the user: in web mode it needs ``src_bytes`` and a file name and the browser saves
the file (a download); on desktop it opens a save dialog and the bytes are written to the chosen path.
"""
from __future__ import annotations

import logging
from pathlib import Path

import flet as ft

from field_app.errors import Offline, ServerRejected
from field_app.views import theme
from field_app.views.base import Part, sends_update
from field_app.views.supervisor.common import bind, in_thread, small

log = logging.getLogger(__name__)
EXPORTS = (("reports.csv", "csv", ft.Icons.TABLE_VIEW), ("alerts.geojson", "geojson", ft.Icons.MAP),
           ("sitrep.pdf", "pdf", ft.Icons.PICTURE_AS_PDF))


class ExportsPart(Part):
    def __init__(self, app, shell):
        super().__init__(app)
        self.shell = shell
        self.last: dict[str, bytes] = {}

    def build(self) -> ft.Control:
        t = self.t
        self.message = theme.message_text("sv-export-message")
        buttons = [theme.secondary_button(t(f"sv.exports.{kind}"), bind(self._download, name),
                                          key=f"sv-export-{kind}", icon=icon)
                   for name, kind, icon in EXPORTS]
        return theme.screen([small(t("sv.exports.intro"), color=theme.INK), *buttons, self.message])

    @sends_update
    async def _download(self, name: str) -> None:
        theme.show_message(self.message, self.t("sv.exports.working", name=name))
        self.app.push()
        try:
            data, file_name = await in_thread(self.shell.client.download_export, name)
        except Offline:
            theme.show_message(self.message, self.t("sv.offline"), theme.ERROR)
            return
        except ServerRejected as exc:
            theme.show_message(self.message, exc.message, theme.ERROR)
            return
        self.last[name] = data
        saved = await self._save(data, file_name)
        words = self.t("sv.exports.saved", name=file_name, size=max(1, len(data) // 1024)) if saved else \
            self.t("sv.exports.cancelled")
        theme.show_message(self.message, words, theme.INK if saved else theme.MUTED)

    async def _save(self, data: bytes, file_name: str) -> bool:
        picker = self.app.service("file_picker")
        try:
            path = await picker.save_file(file_name=file_name, src_bytes=data)
        except Exception:                      # no client answer (tests) or an unsupported platform
            log.info("save_file failed", exc_info=True)
            return False
        if self.page.web:
            return True                         # the browser saved it as a download
        if not path:
            return False
        Path(path).write_bytes(data)
        return True

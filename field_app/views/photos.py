"""Photos of a report: picked with the file picker (camera or gallery), shrunk on the device, shown small."""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import flet as ft

from field_app.viewmodels import ReportForm
from field_app.views import theme
from field_app.views.base import Part, sends_update
from kerawanan.report import MAX_MEDIA

log = logging.getLogger(__name__)
THUMB = 96


class PhotoStrip(Part):
    def __init__(self, owner: Part, form: ReportForm):
        super().__init__(owner.app)
        self.form = form
        self.working = False
        self.built = False

    def build(self) -> ft.Control:
        self.add = theme.secondary_button(self.t("form.photo.add"), self.pick, key="form-photo-add",
                                          icon=ft.Icons.ADD_A_PHOTO)
        self.thumbs = ft.Row(wrap=True, spacing=8, run_spacing=8, key="form-photos")
        self.status = theme.text("", size=15, color=theme.MUTED, key="form-photo-status")
        self.error = theme.error_text(None, key="form-photo-error")
        self.built = True
        self.render()
        return ft.Column([self.thumbs, self.status, self.error, self.add], spacing=8,
                         horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    def render(self) -> None:
        if not self.built:
            return
        form = self.form
        self.thumbs.controls = [self._thumb(sha) for sha in form.photos]
        words = self.t("form.photo.working") if self.working else \
            self.t("form.photo.count", count=len(form.photos), max=MAX_MEDIA)
        self.status.value = words
        self.error.value = form.errors.get("media") or ""
        self.error.visible = bool(self.error.value)
        self.add.disabled = self.working or len(form.photos) >= MAX_MEDIA

    def _thumb(self, sha256: str) -> ft.Control:
        try:
            data = Path(self.form.photo_path(sha256)).read_bytes()
        except OSError:
            data = None
        picture = ft.Image(src=data, width=THUMB, height=THUMB, fit=ft.BoxFit.COVER, border_radius=8) if data \
            else ft.Icon(ft.Icons.BROKEN_IMAGE, size=48)
        remove = ft.IconButton(ft.Icons.DELETE, icon_color=theme.SURFACE, bgcolor=theme.ERROR,
                               tooltip=self.t("form.photo.remove"), key=f"form-photo-remove-{sha256[:12]}",
                               on_click=lambda: self.form.remove_photo(sha256))
        return ft.Stack([picture, ft.Container(remove, right=0, top=0)], width=THUMB, height=THUMB)

    @sends_update
    async def pick(self) -> None:
        picker = self.app.service("file_picker")
        try:
            files = await picker.pick_files(file_type=ft.FilePickerFileType.IMAGE, allow_multiple=True,
                                            with_data=True)
        except Exception:
            log.info("file picker failed", exc_info=True)
            return
        await self.add_files([file.bytes for file in files or [] if file.bytes])

    @sends_update
    async def add_files(self, blobs: list[bytes]) -> None:
        """Shrink in a worker thread (a 12 MP photo takes a moment), one after the other."""
        self.working = True
        self.render()
        self.app.push()
        try:
            for blob in blobs:
                await asyncio.to_thread(self.form.add_photo, blob)
        finally:
            self.working = False
        self.render()

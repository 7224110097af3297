"""Photos of a report, and the one photo of a task answer: picked with the file picker (camera or
gallery), shrunk on the device, shown small."""
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
        return thumbnail(self.form.photo_path(sha256), self.t("form.photo.remove"), f"form-photo-remove-{sha256[:12]}",
                         lambda: self.form.remove_photo(sha256))

    @sends_update
    async def pick(self) -> None:
        await self.add_files(await pick_photos(self.app, many=True))

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


class AnswerPhoto(Part):
    """The one photo of a task answer: "Tambah foto", then the picture small, "Ganti foto" and remove.
    ``answer`` is the feedback view-model (``answer_photo``, ``attach_photo``, ``remove_photo``)."""

    def __init__(self, owner: Part, answer):
        super().__init__(owner.app)
        self.answer = answer
        self.working = False

    def build(self) -> ft.Control:
        self.thumb = ft.Container(visible=False, key="task-photo")
        self.status = theme.text("", size=15, color=theme.MUTED, key="task-photo-status")
        self.add = theme.secondary_button(self.t("task.add_photo"), self.pick, key="task-photo-add",
                                          icon=ft.Icons.ADD_A_PHOTO)
        self.root = ft.Column([self.thumb, self.status, self.add], spacing=8,
                              horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.watch(self.answer, self.render)
        self.render()
        return self.root

    def render(self) -> None:
        sha256 = self.answer.answer_photo
        self.thumb.visible = bool(sha256)
        if sha256:
            self.thumb.content = ft.Row([theme.test_id("task-photo", thumbnail(   # a row: not stretched
                self.answer.photo_path(sha256), self.t("form.photo.remove"), "task-photo-remove",
                lambda: self.answer.remove_photo()), label=self.t("task.photo.attached"))])
        self.status.value = self.t("form.photo.working") if self.working else \
            (self.t("task.photo.attached") if sha256 else "")
        self.status.visible = bool(self.status.value)
        theme.set_label(self.add, self.t("task.photo.change" if sha256 else "task.add_photo"))
        self.add.disabled = self.working

    @sends_update
    async def pick(self) -> None:
        blobs = await pick_photos(self.app, many=False)
        if not blobs:
            return
        self.working = True
        self.render()
        self.app.push()
        try:
            await asyncio.to_thread(self.answer.attach_photo, blobs[0])
        finally:
            self.working = False
        self.render()


async def pick_photos(app, *, many: bool) -> list[bytes]:
    """The bytes of the photos the officer picked (camera or gallery); none when the picker failed."""
    try:
        files = await app.service("file_picker").pick_files(file_type=ft.FilePickerFileType.IMAGE,
                                                             allow_multiple=many, with_data=True)
    except Exception:
        log.info("file picker failed", exc_info=True)
        return []
    return [file.bytes for file in files or [] if file.bytes]


def thumbnail(path: str, remove_words: str, remove_key: str, on_remove) -> ft.Control:
    """A stored photo, small, with a red "remove" button on its corner."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        data = None
    picture = ft.Image(src=data, width=THUMB, height=THUMB, fit=ft.BoxFit.COVER, border_radius=8) if data \
        else ft.Icon(ft.Icons.BROKEN_IMAGE, size=48)
    remove = ft.IconButton(ft.Icons.DELETE, icon_color=theme.SURFACE, bgcolor=theme.ERROR, tooltip=remove_words,
                           key=remove_key, on_click=on_remove)
    return ft.Stack([picture, ft.Container(remove, right=0, top=0)], width=THUMB, height=THUMB)

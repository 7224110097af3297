"""First run: server address, NRP, one-time code, phone name -> device token; then a PIN, twice.

Controls are built once and only their errors, messages and labels change afterwards: rebuilding
a text field while the officer types would drop the cursor.
"""
from __future__ import annotations

import asyncio

import flet as ft

from field_app.viewmodels.enrollment import Enrollment
from field_app.views import theme
from field_app.views.base import Screen, sends_update

FORM_FIELDS = ("server_url", "nrp", "code", "device_name")


class EnrollScreen(Screen):
    def __init__(self, app, *, back_to_unlock: bool = False):
        super().__init__(app)
        device = app.device
        self.vm = Enrollment(device.outbox, app.tokens, clock=device.clock, translator=app.t, pins=device.pins(),
                             client_factory=device.new_client, server_url=device.default_server_url,
                             device_name=self.t("enroll.device_name.default"))
        self.back_to_unlock = back_to_unlock
        self.busy = False
        self.pin, self.confirm = "", ""
        self.root = ft.Column(expand=True)
        self.pin_view: ft.Control | None = None

    def build(self) -> ft.Control:
        self.form_view = self._form_step()
        self.root.controls = [self.form_view]
        self.watch(self.vm, self.render)
        return self.root

    def appbar(self) -> ft.AppBar:
        leading = ft.IconButton(ft.Icons.ARROW_BACK, on_click=lambda: self.app.show_unlock(), key="enroll-back",
                                tooltip=self.t("action.back"), icon_color=theme.SURFACE) \
            if self.back_to_unlock else None
        return ft.AppBar(title=theme.text(self.t("enroll.title"), size=20, bold=True, color=theme.SURFACE),
                         bgcolor=theme.NAVY, leading=leading, automatically_imply_leading=False)

    def render(self) -> None:
        vm = self.vm
        if vm.step in ("pin", "done"):
            if self.pin_view is None:
                self.pin_view = self._pin_step()
                self.root.controls = [self.pin_view]
            self.pin_box.error = vm.errors.get("pin")
            self.confirm_box.error = vm.errors.get("confirm")
            self.pin_submit.disabled = self.busy
            theme.show_message(self.pin_message, vm.message, theme.INK)
            return
        for name, box in self.boxes.items():
            box.error = vm.errors.get(name)
        theme.show_message(self.message, vm.message, theme.ERROR)
        self.submit.disabled = self.busy
        theme.set_label(self.submit, self.t("enroll.working") if self.busy else self.t("enroll.submit"))

    # ------------------------------------------------------------ step 1: the code

    def _form_step(self) -> ft.Control:
        vm, t = self.vm, self.t
        setters = {"server_url": vm.set_server_url, "nrp": vm.set_nrp, "code": vm.set_code,
                   "device_name": vm.set_device_name}
        options = {"server_url": {"keyboard": ft.KeyboardType.URL}, "nrp": {"keyboard": ft.KeyboardType.NUMBER},
                   "code": {"hint": "ABCD-EFGH", "capitalization": ft.TextCapitalization.CHARACTERS},
                   "device_name": {}}
        self.boxes = {name: theme.field(t(f"enroll.{name}"), key=f"enroll-{name.replace('_', '-')}",
                                        value=getattr(vm, name), on_change=_forward(setters[name]), **options[name])
                      for name in FORM_FIELDS}
        self.message = theme.message_text("enroll-message")
        self.submit = theme.primary_button(t("enroll.submit"), self._enroll, key="enroll-submit", icon=ft.Icons.LOGIN)
        bottom: list[ft.Control] = [self.submit]
        if self.back_to_unlock:
            bottom.append(theme.link_button(t("enroll.back_to_unlock"), lambda: self.app.show_unlock(),
                                            key="enroll-back-link"))
        bottom.append(theme.link_button(t("unlock.supervisor"), lambda: self.app.show_supervisor_login(),
                                        key="enroll-supervisor", icon=ft.Icons.ADMIN_PANEL_SETTINGS))
        body = [theme.text(t("enroll.intro"), color=theme.MUTED), *self.boxes.values(), self.message]
        return theme.screen(body, bottom=bottom)

    @sends_update
    async def _enroll(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.render()
        self.app.push()
        try:
            done = await asyncio.to_thread(self.vm.enroll, self.app.device.clock())
        finally:
            self.busy = False
        if done:
            self.app.device.remember_server_url(self.vm.server_url)
        self.render()

    # ------------------------------------------------------------ step 2: the PIN

    def _pin_step(self) -> ft.Control:
        t = self.t
        self.pin_box = theme.field(t("enroll.pin"), key="enroll-pin", password=True,
                                   keyboard=ft.KeyboardType.NUMBER, on_change=_forward(self._set_pin))
        self.confirm_box = theme.field(t("enroll.pin_confirm"), key="enroll-pin-confirm", password=True,
                                       keyboard=ft.KeyboardType.NUMBER, on_change=_forward(self._set_confirm))
        self.pin_message = theme.message_text("enroll-pin-message")
        self.pin_submit = theme.primary_button(t("enroll.pin_submit"), self._save_pin, key="enroll-pin-submit",
                                               icon=ft.Icons.LOCK)
        body = [theme.heading(t("enroll.pin_title")), self.pin_message,
                theme.text(t("enroll.pin_intro"), color=theme.MUTED), self.pin_box, self.confirm_box]
        return theme.screen(body, bottom=[self.pin_submit])

    def _set_pin(self, value: str) -> None:
        self.pin = value

    def _set_confirm(self, value: str) -> None:
        self.confirm = value

    @sends_update
    async def _save_pin(self) -> None:
        if self.busy:
            return
        self.busy = True
        try:
            saved = await asyncio.to_thread(self.vm.set_pin, self.pin, self.confirm)
            session = await asyncio.to_thread(self.vm.session) if saved else None
        finally:
            self.busy = False
        if session is not None:
            self.app.open_session(session)
        else:
            self.render()


def _forward(setter):
    return lambda e: setter(e.control.value or "")


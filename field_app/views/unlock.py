"""Later runs: choose the officer (several may share the phone), then the PIN on a big keypad. Offline."""
from __future__ import annotations

import asyncio
from functools import partial

import flet as ft

from field_app.pin import PIN_LENGTHS
from field_app.viewmodels.enrollment import Unlock
from field_app.views import theme
from field_app.views.base import Screen, sends_update

KEY_SIZE = 64
PAD_ROWS = (("1", "2", "3"), ("4", "5", "6"), ("7", "8", "9"), ("back", "0", "ok"))


class UnlockScreen(Screen):
    def __init__(self, app):
        super().__init__(app)
        device = app.device
        self.vm = Unlock(device.outbox, app.tokens, clock=device.clock, translator=app.t, pins=device.pins())
        self.pin = ""
        self.busy = False

    def appbar(self) -> ft.AppBar:
        return ft.AppBar(title=theme.text(self.t("unlock.title"), size=20, bold=True, color=theme.SURFACE),
                         bgcolor=theme.NAVY, automatically_imply_leading=False)

    def build(self) -> ft.Control:
        t = self.t
        self.officers = ft.Column(spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.dots = ft.Row(key="pin-dots", alignment=ft.MainAxisAlignment.CENTER, spacing=14)
        self.message = theme.message_text("unlock-message")
        self.prompt = theme.text(t("unlock.enter_pin"), size=18, bold=True, align=ft.TextAlign.CENTER)
        pad = ft.Column([ft.Row([self._key(label) for label in row], alignment=ft.MainAxisAlignment.CENTER,
                                spacing=16) for row in PAD_ROWS], spacing=12)
        links = [theme.link_button(t("unlock.add_officer"), lambda: self.app.show_enroll(back_to_unlock=True),
                                   key="unlock-add-officer", icon=ft.Icons.PERSON_ADD),
                 theme.link_button(t("unlock.supervisor"), lambda: self.app.show_supervisor_login(),
                                   key="unlock-supervisor", icon=ft.Icons.ADMIN_PANEL_SETTINGS)]
        body = [self.officers, self.prompt, self.dots, self.message]
        self.watch(self.vm, self.render)
        self.render()
        return theme.screen(body, bottom=[pad, ft.Column(links, spacing=0)])

    def render(self) -> None:
        vm = self.vm
        self.officers.controls = [theme.text(self.t("unlock.choose_officer"), size=18, bold=True)] \
            if len(vm.officers) > 1 else []
        self.officers.controls += [self._officer(code, name) for code, name in vm.officers]
        self.dots.controls = self._dots()
        theme.show_message(self.message, vm.message, theme.ERROR)
        self.prompt.visible = vm.selected is not None

    def _dots(self) -> list[ft.Control]:
        """One circle per digit, filled as they are typed (the font has no dot glyphs; shapes need none)."""
        shown = max(PIN_LENGTHS.start, len(self.pin))
        return [ft.Container(width=18, height=18, border_radius=9, border=ft.Border.all(2, theme.INK),
                             bgcolor=theme.INK if index < len(self.pin) else None, data=index < len(self.pin))
                for index in range(shown)]

    def _officer(self, code: str, name: str) -> ft.Control:
        selected = code == self.vm.selected
        colour = theme.SURFACE if selected else theme.INK
        tile = ft.Container(
            ft.Row([ft.Icon(ft.Icons.PERSON, color=colour),
                    ft.Column([theme.text(name, size=17, bold=True, color=colour),
                               theme.text(f"NRP {code}", size=15, color=colour)], spacing=0, expand=True)]),
            key=f"unlock-officer-{code}", on_click=lambda: self._choose(code), padding=12, border_radius=10,
            bgcolor=theme.NAVY if selected else theme.PANEL, border=ft.Border.all(2, theme.NAVY))
        return theme.test_id(f"unlock-officer-{code}", tile, button=True, selected=selected)

    def _key(self, label: str) -> ft.Control:
        if label == "back":
            content, key, words = ft.Icon(ft.Icons.BACKSPACE, color=theme.INK, size=28), "pin-backspace", \
                self.t("unlock.delete")
        elif label == "ok":
            content, key, words = ft.Icon(ft.Icons.LOCK_OPEN, color=theme.SURFACE, size=28), "unlock-submit", \
                self.t("unlock.submit")
        else:
            content, key, words = theme.text(label, size=26, bold=True), f"pin-key-{label}", None
        button = ft.Container(content, key=key, width=KEY_SIZE * 1.4, height=KEY_SIZE, border_radius=12,
                              alignment=ft.Alignment.CENTER, on_click=partial(self._press, label),
                              bgcolor=theme.NAVY if label == "ok" else theme.PANEL,
                              border=ft.Border.all(1, theme.LINE))
        return theme.test_id(key, button, button=True, label=words)

    def _choose(self, code: str) -> None:
        self.pin = ""
        self.vm.choose_officer(code)

    @sends_update
    async def _press(self, label: str) -> None:
        if self.busy:
            return
        if label == "back":
            self.pin = self.pin[:-1]
        elif label == "ok":
            await self._unlock()
            return
        elif len(self.pin) < PIN_LENGTHS.stop - 1:
            self.pin += label
        self.render()

    async def _unlock(self) -> None:
        self.busy = True
        pin, self.pin = self.pin, ""
        try:
            session = await asyncio.to_thread(self.vm.enter_pin, pin, self.app.device.clock())
        finally:
            self.busy = False
        if session is not None:
            self.app.open_session(session)
        else:
            self.render()

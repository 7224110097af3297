"""Beranda: who is on duty, where, which tahapan; and the two big report buttons within thumb reach."""
from __future__ import annotations

import flet as ft

from field_app.views import theme
from field_app.views.base import Part
from kerawanan import assets


class HomePage(Part):
    def __init__(self, shell):
        super().__init__(shell.app)
        self.shell = shell

    def build(self) -> ft.Control:
        t, session = self.t, self.shell.session
        info: list[ft.Control] = [
            theme.text(t("home.greeting"), size=16, color=theme.MUTED),
            theme.text(session.name, size=24, bold=True, key="home-officer"),
            theme.text(f"NRP {session.officer}", size=15, color=theme.MUTED),
        ]
        places = self._served_places()
        if places:
            info.append(theme.text(t("home.area", places=places), size=16, key="home-area"))
        stage = self._stage()
        if stage:
            info.append(theme.text(t("home.stage", stage=stage), size=16, key="home-stage"))
        self.notices = ft.Column(spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        info.append(self.notices)
        self.watch(self.shell.outbox_vm, self.render)
        self.watch(self.shell.feedback_vm, self.render)
        self.render()
        buttons = [
            self._big_button("home-quick", ft.Icons.BOLT, t("home.quick"), t("home.quick.hint"),
                             self.shell.show_quick_report, primary=True),
            self._big_button("home-full", ft.Icons.DESCRIPTION, t("home.full"), t("home.full.hint"),
                             self.shell.show_full_report, primary=False),
        ]
        return ft.Container(
            ft.Column([ft.Column(info, spacing=4, scroll=ft.ScrollMode.AUTO, expand=True,
                                 horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
                       ft.Column(buttons, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)],
                      expand=True, spacing=12),
            padding=16, expand=True)

    def render(self) -> None:
        """What needs the officer: reports the server refused, unread feedback. Tap to go there."""
        attention, unread = self.shell.outbox_vm.attention_count, self.shell.feedback_vm.total_unread
        notices = []
        if attention:
            notices.append(self._notice("home-attention", self.t("home.attention", count=attention), "attention",
                                        ft.Icons.ERROR, lambda: self.shell.show_tab("outbox")))
        if unread:
            notices.append(self._notice("home-unread", self.t("home.unread", count=unread), "sending",
                                        ft.Icons.FORUM, lambda: self.shell.show_tab("feedback")))
        self.notices.controls = notices

    def _notice(self, key: str, words: str, state: str, icon, on_click) -> ft.Control:
        chip = theme.state_chip(state, words, key=key, icon=icon)
        chip.on_click, chip.padding = (lambda: on_click()), 12
        return theme.test_id(key, chip, button=True)

    def _big_button(self, key: str, icon, title: str, hint: str, on_click, *, primary: bool) -> ft.Control:
        colour = theme.SURFACE if primary else theme.NAVY
        tile = ft.Container(
            ft.Row([ft.Icon(icon, size=40, color=colour),
                    ft.Column([theme.text(title, size=22, bold=True, color=colour),
                               theme.text(hint, size=15, color=colour)], spacing=2, expand=True)], spacing=16),
            key=key, on_click=lambda: on_click(), height=104, padding=ft.Padding.symmetric(horizontal=20, vertical=12),
            bgcolor=theme.NAVY if primary else theme.SURFACE, border_radius=14, border=ft.Border.all(3, theme.NAVY),
            ink=True)
        return theme.test_id(key, tile, button=True)

    def _served_places(self) -> str:
        gazetteer = assets.gazetteer()
        names = [region.name for code in self.shell.session.scope if (region := gazetteer.find(code))]
        return ", ".join(names)

    def _stage(self) -> str | None:
        calendar = assets.calendar()
        try:
            return calendar.get(calendar.stage_for(self.app.device.clock())).label(self.t.lang)
        except (ValueError, KeyError):
            return None

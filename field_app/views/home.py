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
        self.nihil = ft.Container(key="home-nihil")
        self.watch(self.shell.nihil_vm, self._render_nihil)
        self.render()
        self._render_nihil()
        buttons = [self.nihil,
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
        if getattr(self, "nihil", None) is not None:       # the outbox changed: today's nihil may be sent now
            self._render_nihil()

    def _render_nihil(self) -> None:
        """Laporan nihil: one tap, "Situasi aman terkendali"; says so when today's is already sent."""
        vm = self.shell.nihil_vm
        now = self.app.device.clock()
        sent = vm.sent_today(now) is not None
        colour, background = ("#0D3B12", "#C8E6C9") if sent else (theme.NAVY, theme.SURFACE)
        tile = ft.Container(
            ft.Row([ft.Icon(ft.Icons.TASK_ALT if sent else ft.Icons.VERIFIED_USER_OUTLINED, size=32, color=colour),
                    ft.Column([theme.text(self.t("nihil.button"), size=18, bold=True, color=colour),
                               theme.text(vm.status(now), size=14, color=colour, key="home-nihil-status")],
                              spacing=2, expand=True)], spacing=14),
            on_click=lambda: vm.send_nihil(self.app.device.clock()), ink=True,
            padding=ft.Padding.symmetric(horizontal=16, vertical=10), bgcolor=background, border_radius=14,
            border=ft.Border.all(2, colour))
        self.nihil.content = theme.test_id("home-nihil-button", tile, button=True)

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

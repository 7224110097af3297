"""The supervisor/admin shell: a NavigationRail on wide screens, a NavigationBar on phones.

Sections: alert board, map, review queue, rekap berjenjang, tahapan timeline, rencana penebalan, coverage, trends,
exports and (admins) administration.
On a phone the bar holds the first three plus "Lainnya" (more), which lists the rest. An alert
opens over the current section with a back arrow. The board refreshes itself every 30 s. The app
bar switches between Bahasa Indonesia and English (kept on the device, like the officer's setting).
"""
from __future__ import annotations

import asyncio
import logging

import flet as ft

from field_app.errors import Offline, ServerRejected
from field_app.views import theme
from field_app.views.base import Part, Screen, sends_update
from field_app.views.supervisor.common import WIDE
from field_app.views.supervisor.login import SupervisorSession, scope_words

log = logging.getLogger(__name__)

SECTIONS = ("board", "map", "review", "rekap", "timeline", "plan", "coverage", "trends", "exports", "admin")
PHONE_SECTIONS = ("board", "map", "review", "more")
ICONS = {"board": ft.Icons.NOTIFICATIONS_ACTIVE, "map": ft.Icons.MAP, "review": ft.Icons.FACT_CHECK,
         "coverage": ft.Icons.SIGNAL_WIFI_STATUSBAR_CONNECTED_NO_INTERNET_4, "trends": ft.Icons.INSIGHTS,
         "exports": ft.Icons.DOWNLOAD, "rekap": ft.Icons.TABLE_CHART, "timeline": ft.Icons.TIMELINE,
         "plan": ft.Icons.GROUPS, "admin": ft.Icons.ADMIN_PANEL_SETTINGS, "more": ft.Icons.MORE_HORIZ}


class SupervisorShell(Screen):
    def __init__(self, app, session: SupervisorSession, *, section: str = "board"):
        super().__init__(app)
        self.session = session
        self.client = session.client
        self.sections = SECTIONS if session.role == "admin" else SECTIONS[:-1]
        self.section = section if section in (*self.sections, "more") else "board"
        self.part: Part | None = None
        self.parts: dict[str, Part] = {}
        self.detail_open = False
        self.wide = False

    # ------------------------------------------------------------ frame

    def build(self) -> ft.Control:
        self.wide = (self.page.width or 0) >= WIDE
        self.title = theme.text(self.t("sv.nav.board"), size=20, bold=True, color=theme.SURFACE, key="sv-title")
        self.back = ft.IconButton(ft.Icons.ARROW_BACK, icon_color=theme.SURFACE, key="sv-back", visible=False,
                                  tooltip=self.t("sv.alert.back"), on_click=lambda: self.show_section(self.section))
        self.content = ft.Container(expand=True, key="sv-content")
        self.page.on_resize = self._resized
        self.page.run_task(self._auto_refresh)
        self.show_section(self.section, update=False)
        return self._frame()

    def appbar(self) -> ft.AppBar:
        who = theme.text(self.session.name or self.session.username, size=14, color=theme.SURFACE,
                         key="sup-signed-in")
        self.who = ft.Container(who, padding=ft.Padding.only(right=4), visible=self.wide)
        return ft.AppBar(title=self.title, bgcolor=theme.NAVY, leading=self.back, automatically_imply_leading=False,
                         actions=[self.who,
                                  theme.test_id("sv-language", ft.TextButton(
                                      content=theme.text(self.t("sv.language.other"), size=14, bold=True,
                                                         color=theme.SURFACE),
                                      icon=ft.Icons.TRANSLATE, icon_color=theme.SURFACE, key="sv-language",
                                      tooltip=self.t("sv.language.tooltip"), on_click=self._switch_language),
                                      label=self.t("sv.language.tooltip"), button=True),
                                  ft.IconButton(ft.Icons.REFRESH, icon_color=theme.SURFACE, key="sv-refresh",
                                                tooltip=self.t("sv.refresh"), on_click=self._refresh_clicked),
                                  theme.test_id("sup-sign-out", ft.IconButton(
                                      ft.Icons.LOGOUT, icon_color=theme.SURFACE, key="sup-sign-out",
                                      tooltip=self.t("supervisor.sign_out"), on_click=self._sign_out),
                                      label=self.t("supervisor.sign_out"), button=True)])

    def navigation_bar(self) -> ft.NavigationBar | None:
        if self.wide:
            return None
        return ft.NavigationBar(
            key="sv-nav", selected_index=self._phone_index(), on_change=self._bar_changed, bgcolor=theme.PANEL,
            indicator_color="#C9D6EE",
            destinations=[ft.NavigationBarDestination(icon=ICONS[name], label=self.t(f"sv.nav.{name}")
                                                      if name != "more" else self.t("sv.more"))
                          for name in PHONE_SECTIONS])

    def _frame(self) -> ft.Control:
        if not self.wide:
            return self.content
        self.rail = ft.NavigationRail(
            key="sv-rail", selected_index=self.sections.index(self.section), on_change=self._rail_changed,
            label_type=ft.NavigationRailLabelType.ALL, bgcolor=theme.PANEL, indicator_color="#C9D6EE",
            min_width=88, destinations=[ft.NavigationRailDestination(icon=ICONS[name], label=self.t(f"sv.nav.{name}"))
                                        for name in self.sections])
        return ft.Row([self.rail, ft.VerticalDivider(width=1), self.content], spacing=0, expand=True,
                      vertical_alignment=ft.CrossAxisAlignment.STRETCH)

    def _resized(self, e) -> None:
        wide = (self.page.width or 0) >= WIDE
        if wide == self.wide or self.app.screen is not self:
            return
        self.wide = wide
        self.who.visible = wide
        self.page.navigation_bar = self.navigation_bar()
        self.app.place(self._frame())

    def _phone_index(self) -> int:
        return PHONE_SECTIONS.index(self.section) if self.section in PHONE_SECTIONS else 3

    # ------------------------------------------------------------ sections

    def show_section(self, name: str, *, update: bool = True) -> None:
        from field_app.views.supervisor import sections

        self.section, self.detail_open = name, False
        self.back.visible = False
        self.title.value = self.t(f"sv.nav.{name}") if name != "more" else self.t("sv.more")
        if name not in self.parts:
            self.parts[name] = sections.make(name, self)
        self.part = self.parts[name]
        self.content.content = self.part.build()
        self._select_nav()
        if hasattr(self.part, "activate"):
            self.part.activate()

    def show_map_as_of(self, as_of: str) -> None:
        """The map drawn as of the end of a tahapan (from the timeline)."""
        self.show_section("map")
        self.page.run_task(self.parts["map"].as_of.choose, as_of)

    def open_alert(self, alert_id: str) -> None:
        from field_app.views.supervisor.detail import AlertDetailPart

        detail = AlertDetailPart(self.app, self, alert_id)
        self.detail_open = True
        self.back.visible = True
        self.title.value = self.t("sv.alert.title")
        self.content.content = detail.build()
        self.keep(detail.dispose)
        detail.activate()

    def _select_nav(self) -> None:
        if self.wide and hasattr(self, "rail") and self.section in self.sections:
            self.rail.selected_index = self.sections.index(self.section)
        bar = self.page.navigation_bar
        if not self.wide and isinstance(bar, ft.NavigationBar):
            bar.selected_index = self._phone_index()

    def _rail_changed(self, e) -> None:
        self.show_section(self.sections[int(e.control.selected_index)])

    def _bar_changed(self, e) -> None:
        self.show_section(PHONE_SECTIONS[int(e.control.selected_index)])

    # ------------------------------------------------------------ language

    def _switch_language(self) -> None:
        """Bahasa Indonesia ⇄ English: the same section, every text in the other language."""
        lang = "en" if self.t.lang == "id" else "id"
        self.app.device.set_language(lang)
        self.app.set_language(lang)
        self.app.show(SupervisorShell(self.app, self.session, section=self.section))

    # ------------------------------------------------------------ refresh, sign out

    async def _auto_refresh(self) -> None:
        """Every 30 s: the board (and the map) fetch again, whichever section shows."""
        from field_app.viewmodels.supervisor_board import REFRESH_SECONDS

        while self.app.screen is self or self.app.screen is None:
            await asyncio.sleep(REFRESH_SECONDS)
            if self.app.screen is not self:
                return
            board = self.parts.get("board")
            if board is not None:
                await asyncio.to_thread(board.vm.refresh)

    @sends_update
    async def _refresh_clicked(self) -> None:
        if self.part is not None and hasattr(self.part, "reload") and not self.detail_open:
            await self.part.reload()

    @sends_update
    async def _sign_out(self) -> None:
        try:
            await asyncio.to_thread(self.client.logout)
        except (Offline, ServerRejected):
            log.info("logout did not reach the server; the token expires on its own")
        self.app.show_start()

    def dispose(self) -> None:
        if self.page.on_resize == self._resized:
            self.page.on_resize = None
        for part in self.parts.values():
            part.dispose()
        super().dispose()

    def scope_text(self) -> str:
        return scope_words(self.session.scope)

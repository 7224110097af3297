"""The alert board: active alerts in scope, most serious and most urgent first, with filters.

Overdue and escalated alerts carry a coloured badge with words and an icon (never colour alone),
and their card gets a thick border. Refreshes by itself every 30 s (the shell's timer) and on demand.
"""
from __future__ import annotations

import flet as ft

from field_app.viewmodels.supervisor_board import FILTERS, AlertBoard, BoardRow
from field_app.views import theme
from field_app.views.base import Part
from field_app.views.supervisor.common import (
    category_words,
    dropdown,
    flag_badge,
    in_thread,
    level_words,
    region_badges,
    small,
    stage_words,
    status_chip,
    when,
)

ALL = "__all__"


class BoardPart(Part):
    def __init__(self, app, shell):
        super().__init__(app)
        self.shell = shell
        self.vm = AlertBoard(shell.client, clock=app.device.clock, translator=app.t)
        self.watch(self.vm, self.render)
        self.loaded = False

    def build(self) -> ft.Control:
        self.filters_row = ft.Row(wrap=True, spacing=8, run_spacing=8, key="sv-filters")
        self.summary = theme.text("", size=15, bold=True, key="sv-board-summary")
        self.status = small("", key="sv-board-status")
        self.list = ft.Column(spacing=8, key="sv-board-list", horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.render()
        filters = ft.Container(self.filters_row, padding=ft.Padding.only(top=8))
        return theme.screen([filters, self.summary, self.status, self.list])

    def activate(self) -> None:
        if not self.loaded:
            self.loaded = True
            self.page.run_task(self.reload)

    async def reload(self) -> None:
        await in_thread(self.vm.refresh)

    # ------------------------------------------------------------ render

    def render(self) -> None:
        t, lang = self.t, self.t.lang
        self.filters_row.controls = [self._filter(name) for name in FILTERS] + [
            theme.link_button(t("sv.filter.clear"), lambda: self.vm.clear_filters(), key="sv-filter-clear",
                              icon=ft.Icons.FILTER_ALT_OFF)]
        counts = self.vm.counts()
        self.summary.value = t("sv.board.counts", **counts)
        if self.vm.problem:
            self.status.value, self.status.color = self.vm.problem, theme.ERROR
        elif self.vm.loaded_at:
            self.status.value, self.status.color = t("sv.loaded", time=t.time(self.vm.loaded_at)), theme.MUTED
        rows = self.vm.rows()
        self.list.controls = [self._card(row, lang) for row in rows] or [
            theme.text(t("sv.board.empty"), color=theme.MUTED, key="sv-board-empty")]

    def _filter(self, name: str) -> ft.Control:
        lang = self.t.lang
        words = {"level": lambda v: level_words(v, lang), "status": lambda v: self.t(f"sv.status.{v}"),
                 "stage": lambda v: stage_words(v, lang), "category": lambda v: category_words(v, lang),
                 "region": lambda v: self._region_name(v)}[name]
        options = [(ALL, self.t("sv.all"))] + [(v, words(v)) for v in self.vm.options(name)]
        return dropdown(self.t(f"sv.filter.{name}"), options, key=f"sv-filter-{name}",
                        value=self.vm.filters[name] or ALL, width=182,
                        on_select=lambda e, n=name: self.vm.set_filter(n, None if e.control.value == ALL
                                                                      else e.control.value))

    def _region_name(self, code: str) -> str:
        for alert in self.vm.alerts:
            if alert.get("region_code") == code:
                return str(alert.get("region_name") or code)
        return code

    def _card(self, row: BoardRow, lang: str) -> ft.Control:
        t, a = self.t, row.alert
        badges = [*region_badges(a.get("level"), a.get("coverage"), t, size=14, key=f"sv-level-{row.id}"),
                  status_chip(t(f"sv.status.{a.get('status')}"))]
        if row.overdue:
            badges.append(flag_badge("overdue", t("sv.board.overdue"), key=f"sv-overdue-{row.id}"))
        if row.escalated:
            badges.append(flag_badge("escalated", t("sv.board.escalated", n=a.get("escalations")),
                                     key=f"sv-escalated-{row.id}"))
        deadline = (t("sv.board.deadline", time=when(t, a.get("deadline_at"), self.vm.clock()))
                    if a.get("deadline_at") else t("sv.board.no_deadline"))
        categories = ", ".join(category_words(c.get("category"), lang) for c in a.get("top_categories") or [])
        body = ft.Column([
            ft.Row(badges, wrap=True, spacing=6, run_spacing=6),
            theme.text(str(a.get("region_name")), size=18, bold=True),
            small(f"{a.get('region_code')} · {stage_words(a.get('stage'), lang)} · {categories}"),
            small(t("sv.board.line", score=a.get("score"), reports=a.get("report_count"),
                    officers=a.get("officer_count"), owner=a.get("owner"))),
            theme.text(deadline, size=14, bold=row.overdue, color=theme.ERROR if row.overdue else theme.INK),
        ], spacing=4)
        border = ft.Border.all(3, "#6A1B9A") if row.overdue else (ft.Border.all(2, "#0B3D91") if row.escalated
                                                                   else ft.Border.all(1, "#C8CDD5"))
        card = ft.Container(body, padding=12, border_radius=10, bgcolor=theme.SURFACE, border=border,
                            key=f"sv-alert-{row.id}", on_click=lambda e, i=row.id: self.shell.open_alert(i),
                            ink=True)
        return theme.test_id(f"sv-alert-{a.get('region_code')}", card, button=True,
                             label=f"{a.get('region_name')} {level_words(a.get('level'), lang)}")

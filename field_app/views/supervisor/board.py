"""The alert board: active alerts in scope, what needs action first (overdue, then the nearest
deadline), with the filters behind one "Saring" button (a dialog) and a chip that says what is
filtered — so a phone shows cards, not five dropdowns. A Polsek/Polres opens on "milik saya".

Overdue and escalated alerts carry a coloured badge with words and an icon (never colour alone),
and their card gets a thick border. Refreshes by itself every 30 s (the shell's timer) and on demand.
"""
from __future__ import annotations

import flet as ft

from field_app.viewmodels.supervisor_board import FILTERS, AlertBoard, BoardRow, mine_by_default
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
        session = shell.session
        self.vm = AlertBoard(shell.client, me=session.username, mine_default=mine_by_default(session.role, session.scope),
                             clock=app.device.clock, translator=app.t)
        self.watch(self.vm, self.render)
        self.loaded = False

    def build(self) -> ft.Control:
        self.filters_row = ft.Row(wrap=False, spacing=8, key="sv-filters",
                                  vertical_alignment=ft.CrossAxisAlignment.CENTER)
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
        self.filters_row.controls = self._filter_bar()
        counts = self.vm.counts()
        self.summary.value = t("sv.board.counts", **counts)
        if self.vm.problem:
            self.status.value, self.status.color = self.vm.problem, theme.ERROR
        elif self.vm.loaded_at:
            self.status.value, self.status.color = t("sv.loaded", time=t.time(self.vm.loaded_at)), theme.MUTED
        rows = self.vm.rows()
        hidden = len(self.vm.alerts) - len(rows)
        empty = t("sv.board.empty_hidden", n=hidden) if hidden else t("sv.board.empty")
        self.list.controls = [self._card(row, lang) for row in rows] or [
            theme.text(empty, color=theme.MUTED, key="sv-board-empty")]

    def _filter_bar(self) -> list[ft.Control]:
        """The one control: "Saring" and a chip of what is filtered (tap it to clear)."""
        t = self.t
        chosen = self.vm.active_filters()
        words = ", ".join(self._chip_words(name, value) for name, value in chosen) or t("sv.filter.chip.none")
        button = theme.test_id("sv-filter-open", ft.OutlinedButton(
            content=theme.text(t("sv.filter.open"), size=15, bold=True, color=theme.NAVY), icon=ft.Icons.TUNE,
            key="sv-filter-open", height=theme.TARGET, on_click=self._open_filters), button=True,
            label=t("sv.filter.open"))
        chip = ft.Container(ft.Row([theme.text(words, size=14, bold=bool(chosen), color=theme.NAVY),
                                    *([ft.Icon(ft.Icons.CLOSE, size=16, color=theme.NAVY)] if chosen else [])],
                                   spacing=4, tight=True),
                            bgcolor="#DCE6F7" if chosen else theme.PANEL, border_radius=16, key="sv-filter-chip",
                            padding=ft.Padding.symmetric(horizontal=12, vertical=8),
                            on_click=(lambda e: self.vm.clear_filters()) if chosen else None,
                            tooltip=t("sv.filter.clear") if chosen else None)
        return [button, ft.Container(theme.test_id("sv-filter-chip", chip, label=words), expand=True)]

    def _chip_words(self, name: str, value: str) -> str:
        lang = self.t.lang
        if name == "mine":
            return self.t("sv.filter.chip.mine")
        return {"level": lambda v: level_words(v, lang), "status": lambda v: self.t(f"sv.status.{v}"),
                "stage": lambda v: stage_words(v, lang), "category": lambda v: category_words(v, lang),
                "region": self._region_name}[name](value)

    def _open_filters(self, e=None) -> None:
        t = self.t
        mine = theme.test_id("sv-filter-mine", ft.Switch(
            label=t("sv.filter.mine"), value=self.vm.mine, key="sv-filter-mine", disabled=not self.vm.me,
            on_change=lambda e: self.vm.set_mine(bool(e.control.value))), label=t("sv.filter.mine"))
        content = ft.Column([mine, *(self._filter(name) for name in FILTERS)], spacing=12, tight=True,
                            width=340)
        dialog = ft.AlertDialog(title=theme.text(t("sv.filter.title"), size=18, bold=True), content=content,
                                key="sv-filter-dialog", actions=[
                                    theme.link_button(t("sv.filter.clear"), self._clear_and_close,
                                                      key="sv-filter-clear", icon=ft.Icons.FILTER_ALT_OFF),
                                    theme.link_button(t("sv.filter.done"), self._close_filters,
                                                      key="sv-filter-done")])
        self.page.show_dialog(dialog)

    def _clear_and_close(self, e=None) -> None:
        self.vm.clear_filters()
        self._close_filters()

    def _close_filters(self, e=None) -> None:
        """Closing the dialog sends an update of its own, so Flet skips the one after the handler: push
        the board's new state explicitly."""
        self.page.pop_dialog()
        self.app.push()

    def _filter(self, name: str) -> ft.Control:
        lang = self.t.lang
        words = {"level": lambda v: level_words(v, lang), "status": lambda v: self.t(f"sv.status.{v}"),
                 "stage": lambda v: stage_words(v, lang), "category": lambda v: category_words(v, lang),
                 "region": lambda v: self._region_name(v)}[name]
        options = [(ALL, self.t("sv.all"))] + [(v, words(v)) for v in self.vm.options(name)]
        return dropdown(self.t(f"sv.filter.{name}"), options, key=f"sv-filter-{name}",
                        value=self.vm.filters[name] or ALL, width=320,
                        on_select=lambda e, n=name: self.vm.set_filter(n, None if e.control.value == ALL
                                                                      else e.control.value))

    def _region_name(self, code: str) -> str:
        for alert in self.vm.alerts:
            if alert.get("region_code") == code:
                return str(alert.get("region_name") or code)
        return code

    def _card(self, row: BoardRow, lang: str) -> ft.Control:
        t, a = self.t, row.alert
        badges = [*region_badges(a.get("level"), a.get("coverage"), t, size=14),   # no ids: the card is one button
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
            small(f"{stage_words(a.get('stage'), lang)} · {categories}"),
            small(t("sv.board.line", score=a.get("score"), reports=a.get("report_count"),
                    officers=a.get("officer_count"), owner=a.get("owner_name") or a.get("owner"))),
            theme.text(deadline, size=14, bold=row.overdue, color=theme.ERROR if row.overdue else theme.INK),
        ], spacing=4)
        border = ft.Border.all(3, "#6A1B9A") if row.overdue else (ft.Border.all(2, "#0B3D91") if row.escalated
                                                                   else ft.Border.all(1, "#C8CDD5"))
        card = ft.Container(body, padding=12, border_radius=10, bgcolor=theme.SURFACE, border=border,
                            key=f"sv-alert-{row.id}", on_click=lambda e, i=row.id: self.shell.open_alert(i),
                            ink=True)
        return theme.test_id(f"sv-alert-{a.get('region_code')}", card, button=True,
                             label=f"{a.get('region_name')} {level_words(a.get('level'), lang)}")

"""Umpan Balik: area alerts, reviews of the officer's reports, tasks. Unread counts; readable offline."""
from __future__ import annotations

import flet as ft

from field_app.viewmodels.feedback import FeedbackItem
from field_app.views import theme
from field_app.views.base import Part

TAB_KINDS = ("alert", "review", "task")
LEVEL_COLOURS = {"kurang_rawan": "#1B5E20", "rawan": "#B26A00", "sangat_rawan": "#B00020"}
KIND_ICONS = {"alert": ft.Icons.WARNING_AMBER, "review": ft.Icons.RATE_REVIEW, "task": ft.Icons.ASSIGNMENT,
              "notice": ft.Icons.CAMPAIGN}


class FeedbackPage(Part):
    def __init__(self, shell):
        super().__init__(shell.app)
        self.shell = shell
        self.vm = shell.feedback_vm

    def build(self) -> ft.Control:
        if self.vm.kind not in TAB_KINDS:
            self.vm.choose_kind("alert")
        self.tab_bar = ft.TabBar(tabs=[], key="feedback-tab-bar", label_color=theme.NAVY,
                                 unselected_label_color=theme.MUTED, indicator_color=theme.NAVY,
                                 label_text_style=ft.TextStyle(size=15, font_family=theme.FONT_BOLD),
                                 unselected_label_text_style=ft.TextStyle(size=15, font_family=theme.FONT))
        self.tabs = ft.Tabs(length=len(TAB_KINDS), selected_index=TAB_KINDS.index(self.vm.kind),
                            on_change=self._tab_changed, content=self.tab_bar, key="feedback-tabs")
        self.list = ft.ListView(spacing=10, padding=ft.Padding.only(left=16, right=16, top=12, bottom=16),
                                expand=True, key="feedback-list")
        self.watch(self.vm, self.render)
        self.vm.refresh()
        return ft.Column([self.tabs, self.list], spacing=0, expand=True)

    def render(self) -> None:
        vm = self.vm
        self.tab_bar.tabs = [ft.Tab(label=self.t(f"feedback.tab.{kind}", count=count) if count else
                                    self.t(f"feedback.tab.{kind}.plain"), key=f"feedback-tab-{kind}")
                             for kind, _, count in vm.tabs if kind in TAB_KINDS]
        self.tabs.selected_index = TAB_KINDS.index(vm.kind) if vm.kind in TAB_KINDS else 0
        rows: list[ft.Control] = []
        if vm.empty_text:
            rows.append(theme.text(vm.empty_text, size=17, color=theme.MUTED, key="feedback-empty"))
        rows += [self._card(item) for item in vm.items]
        if any(not item.read for item in vm.items):
            rows.append(theme.secondary_button(self.t("feedback.mark_all"), lambda: vm.mark_all_read(),
                                               key="feedback-mark-all", icon=ft.Icons.DONE_ALL))
        self.list.controls = rows

    def _tab_changed(self, e) -> None:
        self.vm.choose_kind(TAB_KINDS[int(e.control.selected_index)])

    def _card(self, item: FeedbackItem) -> ft.Control:
        unread = not item.read
        head = [ft.Icon(KIND_ICONS.get(item.kind, ft.Icons.INFO), color=theme.NAVY),
                theme.text(item.title, size=16, bold=True, expand=True, key=f"feedback-title-{item.seq}")]
        if unread:
            head.append(ft.Container(theme.text(self.t("feedback.unread_mark"), size=13, bold=True,
                                                color=theme.SURFACE),
                                     bgcolor=theme.ERROR, padding=ft.Padding.symmetric(horizontal=8, vertical=2),
                                     border_radius=6))
        parts: list[ft.Control] = [ft.Row(head, vertical_alignment=ft.CrossAxisAlignment.START)]
        if item.detail:
            detail = self.t("feedback.status", status=item.detail) if item.kind == "alert" else item.detail
            parts.append(theme.text(detail, size=15, key=f"feedback-detail-{item.seq}"))
        parts.append(theme.text(item.when, size=14, color=theme.MUTED))
        edge = LEVEL_COLOURS.get(str(item.data.get("level")), theme.NAVY if unread else "#B8BEC8")
        side = ft.BorderSide(2 if unread else 1, theme.NAVY if unread else "#B8BEC8")
        card = ft.Container(ft.Column(parts, spacing=6), key=f"feedback-item-{item.seq}", padding=12,
                            border_radius=10, bgcolor=theme.PANEL if unread else theme.SURFACE,
                            border=ft.Border(left=ft.BorderSide(8, edge), top=side, right=side, bottom=side),
                            on_click=(lambda: self.vm.mark_read(item.seq)) if unread else None)
        return theme.test_id(f"feedback-item-{item.seq}", card, container=True)

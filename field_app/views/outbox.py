"""Kotak Keluar: every report with its honest state, and a retry for those that need attention."""
from __future__ import annotations

import flet as ft

from field_app.viewmodels.outbox_list import OutboxItem
from field_app.views import theme
from field_app.views.base import Part


class OutboxPage(Part):
    def __init__(self, shell):
        super().__init__(shell.app)
        self.shell = shell
        self.vm = shell.outbox_vm

    def build(self) -> ft.Control:
        self.list = ft.ListView(spacing=10, padding=ft.Padding.only(left=16, right=16, top=12, bottom=16),
                                expand=True, key="outbox-list")
        self.watch(self.vm, self.render)
        self.vm.refresh()
        self.render()
        return self.list

    def render(self) -> None:
        vm = self.vm
        rows: list[ft.Control] = []
        if vm.empty_text:
            rows.append(theme.text(vm.empty_text, size=17, color=theme.MUTED, key="outbox-empty"))
        rows += [self._card(item) for item in vm.items]
        if vm.has_more:
            rows.append(theme.secondary_button(self.t("outbox.more"), lambda: vm.load_more(), key="outbox-more",
                                               icon=ft.Icons.EXPAND_MORE))
        self.list.controls = rows

    def _card(self, item: OutboxItem) -> ft.Control:
        parts: list[ft.Control] = [
            ft.Row([theme.threat_badge(item.threat_stage),
                    theme.text(item.title, size=17, bold=True, key=f"outbox-title-{item.id}", expand=True)],
                   vertical_alignment=ft.CrossAxisAlignment.START, wrap=False),
            theme.text(f"{item.desa} · {self.t('outbox.observed', time=item.observed)}", size=15,
                       color=theme.MUTED),
        ]
        if item.facts:
            parts.append(ft.Text(item.facts, size=15, color=theme.INK, max_lines=3, overflow=ft.TextOverflow.ELLIPSIS,
                                 font_family=theme.FONT))
        if item.photos:
            parts.append(theme.text(self.t("outbox.photos", count=item.photos), size=14, color=theme.MUTED))
        parts.append(theme.state_chip(item.state, item.state_text, key=f"outbox-state-{item.id}"))
        if item.can_retry:
            parts.append(theme.secondary_button(self.t("outbox.retry"), lambda: self.vm.retry(item.id),
                                                key=f"outbox-retry-{item.id}", icon=ft.Icons.REFRESH))
        card = ft.Container(ft.Column(parts, spacing=6, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
                            key=f"outbox-item-{item.id}", padding=12, border_radius=10,
                            border=ft.Border.all(1, "#B8BEC8"), bgcolor=theme.SURFACE)
        return theme.test_id(f"outbox-item-{item.id}", card, container=True)

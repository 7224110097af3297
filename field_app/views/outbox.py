"""Kotak Keluar: every report with its honest state, and a retry for those that need attention."""
from __future__ import annotations

import contextlib

import flet as ft

from field_app.viewmodels.outbox_list import OutboxItem
from field_app.views import theme
from field_app.views.base import Part, sends_update


class OutboxPage(Part):
    def __init__(self, shell):
        super().__init__(shell.app)
        self.shell = shell
        self.vm = shell.outbox_vm

    def build(self) -> ft.Control:
        self.list = ft.ListView(spacing=10, padding=ft.Padding.only(left=16, right=16, top=12, bottom=16),
                                expand=True, key="outbox-list")
        self.detail = ft.Container(expand=True, visible=False, key="outbox-detail")
        self.watch(self.vm, self.render)
        self.vm.refresh()
        self.render()
        return ft.Column([self.list, self.detail], spacing=0, expand=True)

    def dispose(self) -> None:
        self.vm.opened = None
        super().dispose()

    def render(self) -> None:
        vm = self.vm
        self.list.visible = vm.opened is None
        self.detail.visible = vm.opened is not None
        if vm.opened is not None:
            self.detail.content = self._opened()
            return
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
        if item.can_sms:         # the link is down: open the phone's SMS composer (field_app/sms_outbox.py)
            parts.append(theme.secondary_button(item.sms_text, lambda: self._send_by_sms(item.id),
                                                key=f"outbox-sms-{item.id}", icon=ft.Icons.SMS))
        card = ft.Container(ft.Column(parts, spacing=6, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
                            key=f"outbox-item-{item.id}", padding=12, border_radius=10,
                            border=ft.Border.all(1, "#B8BEC8"), bgcolor=theme.SURFACE,
                            on_click=lambda: self.vm.open(item.id))
        return theme.test_id(f"outbox-item-{item.id}", card, container=True)

    @sends_update
    async def _send_by_sms(self, report_id: str) -> None:
        """Open the next part in the phone's SMS composer, addressed to the Polres gateway."""
        url = self.vm.next_sms(report_id)
        if url is not None:
            with contextlib.suppress(Exception):     # no composer here (a desktop): nothing to open
                await ft.UrlLauncher().launch_url(url)
        self.render()

    # ------------------------------------------------------------ one report opened

    def _opened(self) -> ft.Control:
        t, opened = self.t, self.vm.opened
        current = next((item for item in self.vm.items if item.id == opened.id), None)
        state_text = current.state_text if current is not None else opened.state_text
        body: list[ft.Control] = [
            ft.Row([theme.threat_badge(opened.threat_stage or "NIHIL"),
                    theme.text(opened.category, size=18, bold=True, expand=True, key="report-open-title")]),
            theme.text(opened.facts, size=16, key="report-open-facts"),
            theme.text(t("report.open.state"), size=15, bold=True, color=theme.MUTED),
            theme.state_chip(current.state if current else opened.state, state_text, key="report-open-state"),
            theme.text(t("report.open.review"), size=15, bold=True, color=theme.MUTED),
            theme.text(opened.review, size=16, key="report-open-review"),
        ]
        if opened.opinion:
            body.insert(2, theme.text(opened.opinion, size=15, color=theme.MUTED))
        if opened.corrects:
            body.append(theme.text(t("report.open.corrects"), size=15, color=theme.MUTED))
        if opened.corrected:
            body.append(theme.text(t("report.open.corrected_by"), size=15, bold=True, key="report-open-corrected"))
        bottom: list[ft.Control] = []
        sms_text = self.vm.sms_choice(opened.id)      # the officer may choose SMS for any waiting report
        if sms_text:
            bottom.append(theme.secondary_button(sms_text, lambda: self._send_by_sms(opened.id), key="report-sms",
                                                 icon=ft.Icons.SMS))
        if opened.can_correct:
            bottom.append(theme.primary_button(t("report.correct"), self._correct, key="report-correct",
                                               icon=ft.Icons.EDIT))
        bottom.append(theme.secondary_button(t("fb.close"), lambda: self.vm.close(), key="report-close",
                                             icon=ft.Icons.ARROW_BACK))
        return theme.screen(body, bottom=bottom)

    def _correct(self) -> None:
        if self.vm.correct(self.vm.opened.id):
            self.vm.opened = None
            self.shell.show_full_report()

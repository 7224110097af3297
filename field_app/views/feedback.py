"""Umpan Balik: area alerts, reviews of the officer's reports, tasks. Unread counts; readable offline."""
from __future__ import annotations

import flet as ft

from field_app.viewmodels.feedback import FeedbackItem
from field_app.viewmodels.feedback_opened import FeedbackOpened
from field_app.views import theme
from field_app.views.base import Part
from field_app.views.photos import AnswerPhoto

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
        self.detail = ft.Container(expand=True, visible=False, key="feedback-detail")
        self.answer_text = ""
        self.shown: tuple | None = None
        self.answer = theme.field(self.t("task.report.hint"), key="task-answer", on_change=self._typed,
                                  max_length=1000)
        self.answer_box = theme.test_id("task-answer", self.answer)
        self.photo = AnswerPhoto(self, self.vm)
        self.photo_box = self.photo.build()      # kept, like the field: a re-render keeps the picture
        self.watch(self.vm, self.render)
        self.vm.refresh()
        return ft.Column([self.tabs, self.list, self.detail], spacing=0, expand=True)

    def dispose(self) -> None:
        self.vm.opened = None
        self.photo.dispose()
        super().dispose()

    def render(self) -> None:
        vm = self.vm
        opened = vm.opened
        self.tabs.visible = self.list.visible = opened is None
        self.detail.visible = opened is not None
        if opened is not None:
            shown = (opened, vm.message)
            if shown != self.shown:              # a sync pass that changed nothing leaves the typing alone
                self.shown = shown
                self.detail.content = self._opened(opened)
            return
        self.shown = None
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
                            on_click=lambda: self.vm.open(item.seq))
        return theme.test_id(f"feedback-item-{item.seq}", card, container=True)

    # ------------------------------------------------------------ one item opened

    def _opened(self, opened: FeedbackOpened) -> ft.Control:
        t = self.t
        body: list[ft.Control] = [theme.text(opened.title, size=19, bold=True, key="fb-open-title")]
        if opened.level:
            colour = LEVEL_COLOURS.get(str(opened.level_code), theme.NAVY)
            body.append(ft.Container(theme.text(opened.level, size=16, bold=True, color=theme.SURFACE,
                                                key="fb-open-level"), bgcolor=colour, border_radius=6,
                                     padding=ft.Padding.symmetric(horizontal=10, vertical=4)))
        if opened.status:
            body.append(theme.text(opened.status, size=15, color=theme.MUTED, key="fb-open-status"))
        body.append(_section(t("fb.asked"), opened.asked or (t("fb.asked.none"),), "fb-open-asked"))
        bottom: list[ft.Control] = []
        if opened.alert_id is not None:          # a task: what was asked, then the officer's answers
            if opened.answers:
                body.append(_section(t("task.report"), opened.answers, "fb-open-answers"))
            body += [self.answer_box, self.photo_box]   # one field for the screen's life: a re-render keeps the typing
            if self.vm.message:
                body.append(theme.text(self.vm.message, size=15, color=theme.ERROR, key="task-message"))
        if opened.why:
            body.append(_section(t("fb.why"), opened.why, "fb-open-why"))
            if not opened.acknowledged:
                bottom.append(theme.primary_button(t("task.acknowledge"), lambda: self.vm.acknowledge(),
                                                   key="task-acknowledge", icon=ft.Icons.DONE))
            bottom.append(theme.secondary_button(t("task.report.send"), self._send_answer, key="task-send",
                                                 icon=ft.Icons.SEND))
        bottom.append(theme.secondary_button(t("fb.close"), lambda: self.vm.close(), key="fb-close",
                                             icon=ft.Icons.ARROW_BACK))
        return theme.screen(body, bottom=bottom)

    def _typed(self, e) -> None:
        self.answer_text = e.control.value or ""

    def _send_answer(self) -> None:
        text = self.answer.value or self.answer_text
        if self.vm.report_task(text):
            self.answer_text = self.answer.value = ""


def _section(title: str, lines, key: str) -> ft.Control:
    rows = [theme.text(title, size=15, bold=True, color=theme.MUTED)]
    rows += [theme.text(line, size=16, key=f"{key}-{index}") for index, line in enumerate(lines)]
    return theme.panel(ft.Column(rows, spacing=4), key=key)

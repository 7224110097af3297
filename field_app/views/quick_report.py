"""Lapor Cepat in three taps: the category grid, PG/AG/GN with plain hints, then confirm.

The GPS fix is requested as soon as the screen opens, so by the third tap the desa is usually
known (and the screen says how it was found); without a fix the officer picks it from the list.
"""
from __future__ import annotations

import flet as ft

from field_app.viewmodels import QuickReport
from field_app.views import theme
from field_app.views.base import Part
from field_app.views.desa_picker import DesaPicker


class QuickReportPage(Part):
    def __init__(self, shell):
        super().__init__(shell.app)
        self.shell = shell
        device, session = shell.app.device, shell.session
        self.vm = QuickReport(device.outbox, session.officer, clock=device.clock, translator=shell.app.t,
                              on_saved=shell.report_saved)
        self.picker = DesaPicker(self, self.vm.form, prefix="quick", scope=session.scope)
        self.shown_step: str | None = None

    def build(self) -> ft.Control:
        self.root = ft.Column(expand=True, key="quick")
        self.watch(self.vm, self.render)
        self.render()
        self.page.run_task(self.picker.locate)
        return self.root

    def dispose(self) -> None:
        self.picker.dispose()
        super().dispose()

    def render(self) -> None:
        step = self.vm.step
        if step != self.shown_step:
            self.shown_step = step
            builders = {"category": self._categories, "threat_stage": self._threat_stages,
                        "confirm": self._confirm, "done": self._done}
            self.root.controls = [builders[step]()]
        if step == "confirm":
            self._render_confirm()

    def _title(self) -> ft.Control:
        return theme.text(self.vm.step_title, size=20, bold=True, key="quick-step")

    # ------------------------------------------------------------ tap 1

    def _categories(self) -> ft.Control:
        # all 16 in two columns of compact tiles (icon beside the words): no scrolling at 412x915,
        # what matters in this tahapan first (assets/vocabulary.toml [quick_order])
        choices = self.vm.category_choices
        rows = [ft.Row([self._category_tile(choice.code, choice.label) for choice in choices[index:index + 2]],
                       spacing=8, expand=True, vertical_alignment=ft.CrossAxisAlignment.STRETCH)
                for index in range(0, len(choices), 2)]
        grid = ft.Column(rows, spacing=8, expand=True, key="quick-grid")
        return ft.Container(ft.Column([self._title(), grid], spacing=8, expand=True),
                            padding=ft.Padding.only(left=12, right=12, top=10, bottom=10), expand=True)

    def _category_tile(self, code: str, label: str) -> ft.Control:
        tile = ft.Container(
            ft.Row([ft.Icon(theme.CATEGORY_ICONS.get(code, ft.Icons.INFO), size=24, color=theme.NAVY),
                    ft.Text(label, size=14, font_family=theme.FONT_BOLD, color=theme.INK, expand=True,
                            max_lines=4, overflow=ft.TextOverflow.ELLIPSIS)],
                   spacing=6, vertical_alignment=ft.CrossAxisAlignment.CENTER),
            key=f"quick-cat-{code}", on_click=lambda: self.vm.choose_category(code),
            padding=ft.Padding.symmetric(horizontal=8, vertical=4), expand=True,
            bgcolor=theme.PANEL, border_radius=10, border=ft.Border.all(1.5, theme.NAVY), ink=True)
        return theme.test_id(f"quick-cat-{code}", tile, button=True, expand=True)

    # ------------------------------------------------------------ tap 2

    def _threat_stages(self) -> ft.Control:
        summary = self.vm.summary
        body = [theme.text(summary["category"] or "", size=16, color=theme.MUTED, key="quick-chosen-category"),
                *[self._stage_tile(choice.code, choice.label, choice.hint) for choice in self.vm.threat_stage_choices]]
        back = theme.secondary_button(self.t("action.back"), lambda: self.vm.back(), key="quick-back",
                                      icon=ft.Icons.ARROW_BACK)
        return theme.screen([self._title(), *body], bottom=[back])

    def _stage_tile(self, code: str, label: str, hint: str) -> ft.Control:
        tile = ft.Container(
            ft.Row([theme.threat_badge(code),
                    ft.Column([theme.text(label.split(" — ", 1)[-1], size=18, bold=True),
                               theme.text(hint, size=15, color=theme.MUTED)], spacing=2, expand=True)],
                   vertical_alignment=ft.CrossAxisAlignment.START),
            key=f"quick-stage-{code}", on_click=lambda: self.vm.choose_threat_stage(code), padding=14,
            bgcolor=theme.PANEL, border_radius=12, border=ft.Border.all(1.5, theme.NAVY), ink=True)
        return theme.test_id(f"quick-stage-{code}", tile, button=True)

    # ------------------------------------------------------------ tap 3

    def _confirm(self) -> ft.Control:
        t = self.t
        self.summary = ft.Column(spacing=6, key="quick-summary")
        self.message = theme.message_text("quick-message")
        self.save = theme.primary_button(t("quick.save"), self._save, key="quick-confirm", icon=ft.Icons.SEND)
        back = theme.secondary_button(t("action.back"), lambda: self.vm.back(), key="quick-back",
                                      icon=ft.Icons.ARROW_BACK)
        note = theme.field(t("quick.note"), key="quick-note", value=self.vm.note, max_length=200,
                           on_change=lambda e: self.vm.set_note(e.control.value or ""))
        body = [self._title(), theme.panel(self.summary), theme.test_id("quick-note", note),
                theme.text(t("field.desa_code"), size=17, bold=True), self.picker.build(), self.message]
        return theme.screen(body, bottom=[self.save, back])

    def _render_confirm(self) -> None:
        summary, t = self.vm.summary, self.t
        threat = self.vm.form.threat_stage or ""
        self.summary.controls = [
            _pair(t("field.category"), summary["category"] or "-", "quick-summary-category"),
            ft.Row([theme.threat_badge(threat), theme.text(summary["threat_stage"] or "", size=16, bold=True)]),
            _pair(t("field.facts"), summary["facts"] or "-", "quick-summary-facts"),
        ]
        self.picker.render()
        error = next(iter(self.vm.errors.values()), None) if self.vm.errors else None
        theme.show_message(self.message, self.vm.message if error else None, theme.ERROR)

    def _save(self) -> None:
        self.vm.confirm(self.app.device.clock())

    # ------------------------------------------------------------ saved

    def _done(self) -> ft.Control:
        t = self.t
        body = [ft.Icon(ft.Icons.CHECK_CIRCLE, size=72, color=theme.STATE_STYLE["sent"][0]),
                theme.text(t("quick.step.done"), size=24, bold=True, key="quick-done", align=ft.TextAlign.CENTER),
                theme.text(self.vm.message or "", size=17, align=ft.TextAlign.CENTER, key="quick-saved-message")]
        bottom = [theme.primary_button(t("quick.again"), self._again, key="quick-again", icon=ft.Icons.BOLT),
                  theme.secondary_button(t("quick.to_outbox"), lambda: self.shell.show_tab("outbox"),
                                         key="quick-to-outbox", icon=ft.Icons.OUTBOX),
                  theme.secondary_button(t("quick.home"), lambda: self.shell.show_tab("home"), key="quick-home",
                                         icon=ft.Icons.HOME)]
        return theme.screen(body, bottom=bottom)

    def _again(self) -> None:
        self.vm.reset()
        self.page.run_task(self.picker.locate)


def _pair(label: str, value: str, key: str) -> ft.Control:
    return ft.Column([theme.text(label, size=14, color=theme.MUTED), theme.text(value, size=16, bold=True, key=key)],
                     spacing=0)

"""Laporan Lengkap: every field of the wire format in plain words, a message next to each field.

Text fields use ``error=`` (Flet 1.0; ``error_text`` is silently ignored on a TextField), dropdowns
``error_text``; choices without an error slot get a red line under them. Controls are built once,
so typing never loses the cursor; a change only updates errors, hints and the parts that depend
on a choice. Leaving the form keeps what was typed as a draft for the next visit.
"""
from __future__ import annotations

from datetime import date, datetime, time

import flet as ft

from field_app.viewmodels import ReportForm
from field_app.views import theme
from field_app.views.base import Part
from field_app.views.desa_picker import DesaPicker
from field_app.views.photos import PhotoStrip
from kerawanan.tahapan import WIB

TEXT_FIELDS = {"facts": "set_facts", "opinion": "set_opinion", "people_count": "set_people_count", "tps": "set_tps"}
FIRST_DAY = datetime(2024, 1, 1)


class ReportFormPage(Part):
    def __init__(self, shell):
        super().__init__(shell.app)
        self.shell = shell
        device, session = shell.app.device, shell.session
        self.vm = ReportForm(device.outbox, session.officer, clock=device.clock, translator=shell.app.t,
                             on_saved=shell.report_saved)
        self.vm.restore_draft()
        self.picker = DesaPicker(self, self.vm, prefix="form", scope=session.scope)
        self.photos = PhotoStrip(self, self.vm)
        self.picked_date: date | None = None

    def build(self) -> ft.Control:
        self.root = ft.Column(expand=True, key="form")
        self.root.controls = [self._form()]
        self.watch(self.vm, self.render)
        self.render()
        return self.root

    def keep_draft(self) -> None:
        if self.vm.saved_id is None and self._has_content():
            self.vm.save_draft()

    def dispose(self) -> None:
        self.keep_draft()
        self.picker.dispose()
        self.photos.dispose()
        super().dispose()

    def _has_content(self) -> bool:
        vm = self.vm
        return any((vm.category, vm.threat_stage, vm.desa_code, vm.facts.strip(), vm.opinion.strip(),
                    vm.people_count_text, vm.tps, vm.photos))

    # ------------------------------------------------------------ the form

    def _form(self) -> ft.Control:
        t, vm = self.t, self.vm
        self.category = theme.dropdown(t("field.category"), [(c.code, c.label) for c in vm.category_choices],
                                       key="form-category", value=vm.category,
                                       on_select=lambda e: vm.choose_category(e.control.value))
        self.category_hint = theme.text("", size=15, color=theme.MUTED, key="form-category-hint")
        self.stage_row = ft.Row(spacing=8)
        self.stage_hint = theme.text("", size=15, color=theme.MUTED, key="form-stage-hint")
        self.stage_error = theme.error_text(None, key="form-stage-error")
        self.time_text = theme.text("", size=17, bold=True, key="form-time")
        self.time_stage = theme.text("", size=15, color=theme.MUTED, key="form-time-stage")
        self.time_error = theme.error_text(None, key="form-time-error")
        self.boxes = self._text_boxes()
        self.reliability = theme.dropdown(
            t("field.source_reliability"), [(c.code, f"{c.code} — {c.label}") for c in vm.reliability_choices],
            key="form-reliability", value=vm.source_reliability,
            on_select=lambda e: vm.choose_source_reliability(e.control.value))
        self.credibility = theme.dropdown(
            t("field.info_credibility"), [(str(c.code), f"{c.code} — {c.label}") for c in vm.credibility_choices],
            key="form-credibility", value=None if vm.info_credibility is None else str(vm.info_credibility),
            on_select=lambda e: vm.choose_info_credibility(int(e.control.value) if e.control.value else None))
        self.grade_hint = theme.text("", size=15, color=theme.MUTED, key="form-grade-hint")
        self.message = theme.message_text("form-message")
        self.save = theme.primary_button(t("form.save"), self._save, key="form-save", icon=ft.Icons.SAVE)
        body = [
            theme.test_id("form-category", self.category), self.category_hint,
            _label(t("field.threat_stage")), self.stage_row, self.stage_hint, self.stage_error,
            _label(t("field.desa_code")), self.picker.build(),
            _label(t("field.observed_at")), self.time_text, self.time_stage, self._time_buttons(), self.time_error,
            self.boxes["facts"], self.boxes["opinion"], self.boxes["people_count"], self.boxes["tps"],
            theme.test_id("form-reliability", self.reliability), theme.test_id("form-credibility", self.credibility),
            self.grade_hint, _label(t("field.media")), self.photos.build(),
        ]
        return theme.screen(body, bottom=[self.message, self.save])

    def _text_boxes(self) -> dict[str, ft.TextField]:
        t, vm = self.t, self.vm
        labels = {"facts": t("field.facts"), "opinion": t("field.opinion"), "people_count": t("field.people_count"),
                  "tps": t("field.tps")}
        values = {"facts": vm.facts, "opinion": vm.opinion, "people_count": vm.people_count_text, "tps": vm.tps}
        options = {"facts": {"multiline": True}, "opinion": {"multiline": True},
                   "people_count": {"keyboard": ft.KeyboardType.NUMBER}, "tps": {"keyboard": ft.KeyboardType.NUMBER}}
        return {name: theme.field(labels[name], key=f"form-{name.replace('_', '-')}", value=values[name],
                                  on_change=_forward(getattr(vm, setter)), **options[name])
                for name, setter in TEXT_FIELDS.items()}

    def _time_buttons(self) -> ft.Control:
        return ft.Row([theme.secondary_button(self.t("form.time.change"), self._pick_date, key="form-time-change",
                                              icon=ft.Icons.EDIT_CALENDAR, expand=True),
                       theme.secondary_button(self.t("form.time.now"), lambda: self.vm.set_observed_at(None),
                                              key="form-time-now", icon=ft.Icons.SCHEDULE, expand=True)])

    # ------------------------------------------------------------ render

    def render(self) -> None:
        vm, errors = self.vm, self.vm.errors
        if vm.saved_id is not None:
            self.root.controls = [self._saved()]
            return
        self.category.error_text = errors.get("category")
        _hint(self.category_hint, vm.category_hint)
        self.stage_row.controls = [self._stage_button(choice.code) for choice in vm.threat_stage_choices]
        chosen = next((c for c in vm.threat_stage_choices if c.code == vm.threat_stage), None)
        _hint(self.stage_hint, f"{chosen.label}: {chosen.hint}" if chosen else None)
        _hint(self.stage_error, errors.get("threat_stage"))
        self.time_text.value = self.t.time(vm.observed_at, now=self.app.device.clock())
        _hint(self.time_stage, self.t("home.stage", stage=vm.stage_label) if vm.stage_label else None)
        _hint(self.time_error, errors.get("observed_at"))
        for name, box in self.boxes.items():
            box.error = errors.get(name)
        self.reliability.error_text = errors.get("source_reliability")
        self.credibility.error_text = errors.get("info_credibility")
        _hint(self.grade_hint, self._grade_words())
        self.picker.render()
        self.photos.render()
        theme.show_message(self.message, vm.message if errors else None, theme.ERROR)

    def _grade_words(self) -> str | None:
        vm = self.vm
        hints = [c.hint for c in vm.reliability_choices if c.code == vm.source_reliability]
        hints += [c.hint for c in vm.credibility_choices if c.code == vm.info_credibility]
        return " ".join(hints) or self.t("form.grade.hint")

    def _stage_button(self, code: str) -> ft.Control:
        selected = code == self.vm.threat_stage
        colour, background = theme.THREAT_COLOURS[code] if selected else (theme.NAVY, theme.SURFACE)
        button = ft.Container(
            ft.Text(code, size=20, color=colour, font_family=theme.FONT_BOLD), key=f"form-stage-{code}",
            on_click=lambda: self.vm.choose_threat_stage(code), height=theme.PRIMARY_HEIGHT, expand=True,
            alignment=ft.Alignment.CENTER, bgcolor=background, border_radius=10,
            border=ft.Border.all(3 if selected else 1.5, theme.INK if selected else theme.NAVY))
        return theme.test_id(f"form-stage-{code}", button, button=True, selected=selected, expand=True)

    # ------------------------------------------------------------ time observed

    def _pick_date(self) -> None:
        local = self.vm.observed_at.astimezone(WIB)
        now = self.app.device.clock().astimezone(WIB)
        self.page.show_dialog(ft.DatePicker(
            value=datetime(local.year, local.month, local.day), first_date=FIRST_DAY,
            last_date=datetime(now.year, now.month, now.day), on_change=self._date_picked, key="form-date-picker",
            help_text=self.t("field.observed_at"), cancel_text=self.t("action.cancel"),
            confirm_text=self.t("action.next")))

    def _date_picked(self, e) -> None:
        value = e.control.value
        if value is None:
            return
        self.picked_date = date(value.year, value.month, value.day)
        local = self.vm.observed_at.astimezone(WIB)
        self.page.show_dialog(ft.TimePicker(
            value=time(local.hour, local.minute), on_change=self._time_picked, key="form-time-picker",
            help_text=self.t("field.observed_at"),
            cancel_text=self.t("action.cancel"), confirm_text=self.t("action.ok"),
            hour_label_text=self.t("form.time.hour"), minute_label_text=self.t("form.time.minute")))

    def _time_picked(self, e) -> None:
        value = e.control.value
        if value is None or self.picked_date is None:
            return
        self.vm.set_observed_at(datetime.combine(self.picked_date, time(value.hour, value.minute)))

    # ------------------------------------------------------------ save

    def _save(self) -> None:
        self.vm.submit(self.app.device.clock())

    def _saved(self) -> ft.Control:
        t = self.t
        body = [ft.Icon(ft.Icons.CHECK_CIRCLE, size=72, color=theme.STATE_STYLE["sent"][0]),
                theme.text(t("quick.step.done"), size=24, bold=True, key="form-done", align=ft.TextAlign.CENTER),
                theme.text(self.vm.message or "", size=17, align=ft.TextAlign.CENTER, key="form-saved-message")]
        bottom = [theme.primary_button(t("form.new"), lambda: self.shell.show_full_report(), key="form-new",
                                       icon=ft.Icons.DESCRIPTION),
                  theme.secondary_button(t("quick.to_outbox"), lambda: self.shell.show_tab("outbox"),
                                         key="form-to-outbox", icon=ft.Icons.OUTBOX),
                  theme.secondary_button(t("quick.home"), lambda: self.shell.show_tab("home"), key="form-home",
                                         icon=ft.Icons.HOME)]
        return theme.screen(body, bottom=bottom)


def _label(words: str) -> ft.Control:
    return theme.text(words, size=17, bold=True)


def _hint(label: ft.Text, words: str | None) -> None:
    label.value, label.visible = words or "", bool(words)


def _forward(setter):
    return lambda e: setter(e.control.value or "")

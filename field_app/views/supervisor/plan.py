"""Rencana penebalan: the pool, one card per region (priority, need, proposal, shortfall, the number the
commander types), the totals with "over the strength" said before sending, the note, save as a new
version, the saved versions and the annex PDF of the saved plan; then the strength figures the plan
draws on (an admin corrects them here). Number fields are kept across renders so typing keeps focus."""
from __future__ import annotations

import flet as ft

from field_app.viewmodels.supervisor_plan import PenebalanPlan, PlanLine
from field_app.viewmodels.supervisor_strength import FIGURES, StrengthFigures, StrengthLine
from field_app.views import theme
from field_app.views.base import sends_update
from field_app.views.supervisor.common import (
    SectionPart,
    bind,
    download_to_user,
    in_thread,
    level_badge,
    section_title,
    small,
    when,
)


class PlanPart(SectionPart):
    KEY, SPACING, STRETCH = "sv-plan", 10, True

    def __init__(self, app, shell):
        super().__init__(app, shell, PenebalanPlan(shell.client, clock=app.device.clock, translator=app.t))
        self.fields: dict[str, ft.TextField] = {}
        self.note = theme.field(self.t("sv.plan.note"), key="sv-plan-note", multiline=True, max_length=500)
        self.strength = StrengthFigures(shell.client, can_edit=shell.session.role == "admin", clock=app.device.clock,
                                        translator=app.t)
        self.watch(self.strength, self.render)
        self.strength_fields: dict[tuple[str, str], ft.TextField] = {}
        self.annex_message = theme.message_text("sv-plan-annex-message")

    async def reload(self) -> None:
        await in_thread(self.vm.refresh)
        await in_thread(self.strength.refresh)

    def render(self) -> None:
        t, vm = self.t, self.vm
        parts: list[ft.Control] = []
        if vm.proposal:
            parts.append(theme.text(t("sv.plan.title", unit=vm.proposal["unit_name"]), size=20, bold=True,
                                    key="sv-plan-title"))
            pool = vm.pool_lines()
            parts += [theme.text(pool[0], size=17, bold=True, key="sv-plan-pool"),
                      *[small(line, color=theme.INK) for line in pool[1:]],
                      theme.text(vm.message or vm.saved_words(), size=15, key="sv-plan-saved")]
        if vm.problem:
            parts.append(theme.text(vm.problem, color=theme.ERROR, bold=True, key="sv-plan-problem"))
        parts += [self._card(line) for line in vm.lines()]
        if vm.proposal:
            totals = vm.totals()
            over = vm.over()
            parts += [theme.text(t("sv.plan.totals", **totals), size=16, bold=True, key="sv-plan-totals",
                                 color=theme.ERROR if over else theme.INK),
                      *([theme.text(over, color=theme.ERROR, bold=True, key="sv-plan-over")] if over else []),
                      self.note,
                      ft.Row([theme.primary_button(t("sv.plan.save"), bind(self._save), key="sv-plan-save",
                                                   icon=ft.Icons.SAVE, disabled=bool(over)),
                              theme.secondary_button(t("sv.plan.reset"), bind(self._reset), key="sv-plan-reset",
                                                     icon=ft.Icons.UNDO)], wrap=True, spacing=8),
                      small(t("sv.plan.rule", rule=vm.proposal.get("rule", "")))]
            parts += self._versions()
        parts += self._strength()
        self.body.controls = parts

    def _card(self, line: PlanLine) -> ft.Control:
        field = self.fields.get(line.code)
        if field is None:
            field = self.fields[line.code] = ft.TextField(
                label=self.t("sv.plan.allocated"), key=f"sv-plan-alloc-{line.code}", width=120, text_size=17,
                keyboard_type=ft.KeyboardType.NUMBER, border=theme.input_border(), dense=True,
                on_blur=bind(self._typed, line.code), on_submit=bind(self._typed, line.code))
        if field.value != str(line.allocated):
            field.value = str(line.allocated)
        words = self.t("sv.plan.row", need=line.need, proposed=line.proposed, shortfall=line.shortfall)
        head = ft.Column([level_badge(line.priority, self.t.lang, size=12),
                          theme.text(line.name + (" *" if line.adjusted else ""), size=16, bold=True)], spacing=4)
        return theme.test_id(f"sv-plan-row-{line.code}", ft.Container(
            ft.Row([ft.Column([head, small(words, color=theme.INK)], spacing=4, expand=True), field],
                   vertical_alignment=ft.CrossAxisAlignment.CENTER, spacing=8),
            key=f"sv-plan-row-{line.code}", padding=10, border_radius=8, bgcolor=theme.PANEL))

    def _versions(self) -> list[ft.Control]:
        if not self.vm.versions:
            return []
        rows = [small(f"v{item['version']} · {when(self.t, item.get('saved_at'), self.vm.clock())} · "
                      f"{item.get('saved_by')}" + (f" · {item['note']}" if item.get("note") else ""), color=theme.INK)
                for item in self.vm.versions[:8]]
        annex = theme.secondary_button(self.t("sv.plan.annex"), bind(self._annex), key="sv-plan-annex",
                                       icon=ft.Icons.PICTURE_AS_PDF)
        return [section_title(self.t("sv.plan.versions"), key="sv-plan-versions"), *rows, annex, self.annex_message]

    # ------------------------------------------------------------ strength (admins correct it)

    def _strength(self) -> list[ft.Control]:
        t, figures = self.t, self.strength
        lines = figures.lines()
        if not lines and not figures.problem:
            return []
        parts: list[ft.Control] = [section_title(t("sv.strength.title"), key="sv-strength"),
                                   small(t("sv.strength.intro"), color=theme.INK)]
        if figures.problem:
            parts.append(theme.text(figures.problem, color=theme.ERROR, bold=True, key="sv-strength-problem"))
        elif figures.message:
            parts.append(theme.text(figures.message, key="sv-strength-message"))
        parts += [self._strength_card(line) for line in lines]
        return parts

    def _strength_card(self, line: StrengthLine) -> ft.Control:
        t = self.t
        words = [theme.text(line.unit, size=16, bold=True),
                 small(t("sv.strength.row", available=line.available, polda_bko=line.polda_bko, brimob=line.brimob),
                       color=theme.INK),
                 small(t("sv.strength.source", source=line.source)
                       + (f" · {t('sv.strength.example')}" if line.example else "")
                       + (f" · {line.set_words}" if line.set_words else ""))]
        if self.strength.can_edit:
            numbers = [self._strength_field(line, key, str(getattr(line, key))) for key in FIGURES]
            source = self._strength_field(line, "source", line.source)
            words += [ft.Row(numbers, wrap=True, spacing=8), source,
                      theme.secondary_button(t("sv.strength.save", unit=line.unit), bind(self._save_strength, line.unit),
                                             key=f"sv-strength-save-{_slug(line.unit)}", icon=ft.Icons.SAVE)]
        return theme.test_id(f"sv-strength-{_slug(line.unit)}", ft.Container(
            ft.Column(words, spacing=6), key=f"sv-strength-{_slug(line.unit)}", padding=10, border_radius=8,
            bgcolor=theme.PANEL))

    def _strength_field(self, line: StrengthLine, key: str, value: str) -> ft.TextField:
        field = self.strength_fields.get((line.unit, key))
        if field is None:
            number = key != "source"
            field = self.strength_fields[(line.unit, key)] = ft.TextField(
                label=self.t(f"sv.strength.{key}" if number else "sv.strength.source_field"),
                key=f"sv-strength-{key}-{_slug(line.unit)}", width=105 if number else None, text_size=16,
                keyboard_type=ft.KeyboardType.NUMBER if number else None, border=theme.input_border(), dense=True)
            field.value = value
        return field

    @sends_update
    async def _save_strength(self, unit: str) -> None:
        texts = {key: self.strength_fields[(unit, key)].value or "" for key in FIGURES}
        source = self.strength_fields[(unit, "source")].value or ""
        if await in_thread(self.strength.save, unit, texts, source):
            for key in (*FIGURES, "source"):
                self.strength_fields.pop((unit, key), None)     # show the figures as the server keeps them
            await in_thread(self.vm.refresh)                    # the pool follows the new strength

    @sends_update
    async def _annex(self) -> None:
        await download_to_user(self, self.annex_message, self.shell.client.download_plan_annex)

    @sends_update
    async def _typed(self, code: str) -> None:
        field = self.fields.get(code)
        if field is not None:
            self.vm.set_allocated(code, field.value or "")

    @sends_update
    async def _save(self) -> None:
        for code, field in self.fields.items():
            if field.value != str(self.vm.allocated.get(code)):
                self.vm.set_allocated(code, field.value or "")
        if await in_thread(self.vm.save, self.note.value or ""):
            self.note.value = ""

    @sends_update
    async def _reset(self) -> None:
        self.vm.reset()


def _slug(unit: str) -> str:
    return unit.lower().replace(" ", "-")

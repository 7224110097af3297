"""Rekap berjenjang: a table per level below the commander (Polda → Polres → kecamatan → desa).

Wide screens show a table; a phone shows one card per unit with the same figures in words. A row
that can go down one level is a button; the trail above the table goes back up. Units that are not
acting (alerts nobody acknowledged, deadlines let pass) come first, with a purple edge and an icon.
"""
from __future__ import annotations

import flet as ft

from field_app.viewmodels.supervisor_rekap import COLUMNS, Rekap, RekapLine
from field_app.views import theme
from field_app.views.supervisor.common import WIDE, SectionPart, bind, in_thread, section_title, small

ALARM = "#6A1B9A"


class RekapPart(SectionPart):
    KEY, SPACING, STRETCH = "sv-rekap", 10, True

    def __init__(self, app, shell):
        super().__init__(app, shell, Rekap(shell.client, clock=app.device.clock, translator=app.t))

    def render(self) -> None:
        t, vm = self.t, self.vm
        parts: list[ft.Control] = []
        if vm.problem:
            parts.append(theme.text(vm.problem, color=theme.ERROR, bold=True, key="sv-rekap-problem"))
        if vm.body is None:
            parts.append(small(t("sv.loading")))
            self.body.controls = parts
            return
        parts += [self._trail(), section_title(vm.title(), key="sv-rekap-title"),
                  small(t("sv.rekap.window", date=vm.body.get("date"), days=vm.body.get("days")))]
        alarms = vm.alarm_names()
        if alarms:
            parts.append(theme.text(t("sv.rekap.alarm", units=", ".join(alarms[:4])), size=15, bold=True,
                                    color=ALARM, key="sv-rekap-alarm"))
        lines = vm.lines()
        if not lines:
            parts.append(small(t("sv.rekap.empty"), key="sv-rekap-empty"))
        elif (self.page.width or 0) >= WIDE:
            parts.append(self._table(lines))
        else:
            parts += [self._card(line) for line in lines]
        total = vm.total()
        if total:
            parts.append(small(t("sv.rekap.total", **total), key="sv-rekap-total"))
        parts.append(small(t("sv.rekap.legend")))
        self.body.controls = parts

    # ------------------------------------------------------------ pieces

    def _trail(self) -> ft.Control:
        steps: list[ft.Control] = []
        for depth, (_unit, name) in enumerate(self.vm.trail):
            last = depth == len(self.vm.trail) - 1
            if depth:
                steps.append(ft.Icon(ft.Icons.CHEVRON_RIGHT, size=18, color=theme.MUTED))
            steps.append(theme.text(name, size=14, bold=True) if last else
                         theme.link_button(name, bind(self._up, depth), key=f"sv-rekap-up-{depth}"))
        return ft.Row(steps, wrap=True, spacing=4, key="sv-rekap-trail")

    def _table(self, lines: list[RekapLine]) -> ft.Control:
        t = self.t
        columns = [ft.DataColumn(ft.Text(t("sv.rekap.col.unit"), size=13, font_family=theme.FONT_BOLD))] + [
            ft.DataColumn(ft.Text(t(f"sv.rekap.col.{name}"), size=13, font_family=theme.FONT_BOLD),
                          numeric=name in ("open", "overdue", "escalated", "bare")) for name in COLUMNS]
        rows = []
        for line in lines:
            name = ft.Row([ft.Icon(ft.Icons.REPORT, color=ALARM, size=18)] if line.alarm else [], spacing=4, tight=True)
            name.controls.append(ft.Text(line.name, size=14, font_family=theme.FONT_BOLD if line.drill else theme.FONT,
                                         color=theme.NAVY if line.drill else theme.INK))
            if line.officers:
                name = ft.Column([name, ft.Text(line.officers, size=12, color=theme.MUTED)], spacing=0, tight=True)
            rows.append(ft.DataRow(
                cells=[ft.DataCell(name)] + [ft.DataCell(ft.Text(line.cells[c], size=14, color=_cell_colour(c, line)))
                                             for c in COLUMNS],
                on_select_change=bind(self._open, line.unit) if line.drill else None))
        table = ft.DataTable(columns=columns, rows=rows, key="sv-rekap-table", column_spacing=18,
                             heading_row_color=theme.PANEL, data_row_min_height=44, data_row_max_height=64,
                             show_checkbox_column=False)
        return ft.Row([table], scroll=ft.ScrollMode.AUTO)

    def _card(self, line: RekapLine) -> ft.Control:
        t = self.t
        figures = ft.Row([self._figure(t(f"sv.rekap.col.{c}"), line.cells[c], _cell_colour(c, line))
                          for c in COLUMNS], wrap=True, spacing=6, run_spacing=6)
        head = [ft.Icon(ft.Icons.REPORT, color=ALARM, size=20)] if line.alarm else []
        head.append(theme.text(line.name, size=17, bold=True, color=theme.NAVY if line.drill else theme.INK))
        if line.drill:
            head.append(ft.Icon(ft.Icons.CHEVRON_RIGHT, color=theme.NAVY))
        body = [ft.Row(head, spacing=6), figures]
        if line.officers:
            body.insert(1, small(line.officers))
        card = ft.Container(ft.Column(body, spacing=6), padding=12, border_radius=10, bgcolor=theme.SURFACE,
                            border=ft.Border.all(3, ALARM) if line.alarm else ft.Border.all(1, "#C8CDD5"),
                            key=f"sv-rekap-row-{line.unit}", ink=line.drill,
                            on_click=bind(self._open, line.unit) if line.drill else None)
        return theme.test_id(f"sv-rekap-row-{line.unit}", card, button=line.drill, label=line.name)

    @staticmethod
    def _figure(label: str, value: str, colour: str) -> ft.Control:
        return ft.Container(ft.Column([ft.Text(label, size=11, color=theme.MUTED),
                                       ft.Text(value, size=15, color=colour, font_family=theme.FONT_BOLD)],
                                      spacing=0, tight=True),
                            bgcolor=theme.PANEL, border_radius=6, padding=ft.Padding.symmetric(horizontal=8, vertical=4))

    # ------------------------------------------------------------ intents

    async def _open(self, unit: str) -> None:
        await in_thread(self.vm.open, unit)

    async def _up(self, depth: int) -> None:
        await in_thread(self.vm.up, depth)


def _cell_colour(column: str, line: RekapLine) -> str:
    value = line.cells[column]
    if column in ("overdue", "escalated", "bare") and value not in ("0", "—"):
        return theme.ERROR
    if column == "ack" and line.alarm and not value[:1].isdigit():
        return ALARM
    return theme.INK

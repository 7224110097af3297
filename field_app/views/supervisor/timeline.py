"""The tahapan timeline: which tahapan is now, H-n to voting and to the recapitulation, and per tahapan
(in calendar order, an empty one said as empty, on one compact card) its reports, alerts and the levels at its end. A
tahapan that has begun opens the map as of its end ("Lihat peta per tahapan ini")."""
from __future__ import annotations

import flet as ft

from field_app.viewmodels.supervisor_timeline import StageLine, Timeline
from field_app.views import theme
from field_app.views.supervisor.common import WIDE, SectionPart, bind, section_title, small

STATE_COLOURS = {"now": ("#FFFFFF", theme.NAVY), "past": (theme.INK, "#E3E7ED"), "future": (theme.MUTED, "#F4F5F7")}


class TimelinePart(SectionPart):
    KEY, SPACING, STRETCH = "sv-timeline", 10, True

    def __init__(self, app, shell):
        super().__init__(app, shell, Timeline(shell.client, clock=app.device.clock, translator=app.t))

    def render(self) -> None:
        parts: list[ft.Control] = []
        if self.vm.problem:
            parts.append(theme.text(self.vm.problem, color=theme.ERROR, bold=True, key="sv-timeline-problem"))
        headline = self.vm.headline()
        if headline:
            parts.append(theme.text(headline[0], size=20, bold=True, key="sv-timeline-now"))
            parts += [theme.text(line, size=16, key=f"sv-timeline-countdown-{index}")
                      for index, line in enumerate(headline[1:])]
        parts.append(small(self.t("sv.timeline.note")))
        cards = [self._card(line) for line in self.vm.lines()]
        if (self.page.width or 0) >= WIDE:           # a grid of cards on a wide screen, one column on a phone
            parts.append(ft.Row(cards, wrap=True, spacing=10, run_spacing=10,
                                vertical_alignment=ft.CrossAxisAlignment.START))
        else:
            parts += cards
        self.body.controls = parts

    def _card(self, line: StageLine) -> ft.Control:
        ink, fill = STATE_COLOURS.get(line.state, STATE_COLOURS["future"])
        chips = [ft.Container(ft.Text(self.t(f"sv.timeline.state.{line.state}"), color=ink, size=13,
                                      weight=ft.FontWeight.BOLD),
                              bgcolor=fill, padding=ft.Padding.symmetric(horizontal=8, vertical=3), border_radius=6)]
        if line.critical:
            chips.append(small(self.t("sv.timeline.critical"), color="#A33000"))
        if line.empty and line.state != "now" and not line.hot:      # an empty tahapan: one compact card
            return self._compact(line, chips)
        rows: list[ft.Control] = [
            ft.Row([section_title(line.label), *chips], wrap=True, spacing=8),
            small(line.dates, color=theme.INK),
            ft.Container(height=8, width=max(4.0, 260 * line.share), bgcolor=theme.NAVY if not line.empty else "#C8CDD5",
                         border_radius=4),
            theme.text(line.counts, size=15, color=theme.MUTED if line.empty else theme.INK,
                       key=f"sv-timeline-counts-{line.code}"),
        ]
        if line.levels:
            rows.append(theme.text(line.levels, size=15, key=f"sv-timeline-levels-{line.code}"))
        if line.state != "future":
            rows.append(theme.test_id(f"sv-timeline-map-{line.code}", ft.TextButton(
                self.t("sv.timeline.show_map"), icon=ft.Icons.MAP, key=f"sv-timeline-map-{line.code}",
                on_click=bind(self._show_map, line.code))))
        border = ft.Border.all(2 if line.state == "now" else 1, theme.NAVY if line.state == "now" else "#C8CDD5")
        return theme.test_id(f"sv-timeline-stage-{line.code}", ft.Container(
            ft.Column(rows, spacing=4), key=f"sv-timeline-stage-{line.code}", padding=12, border_radius=8,
            width=400 if (self.page.width or 0) >= WIDE else None,
            border=border, bgcolor=theme.PANEL if line.state != "future" else "#FAFAFA"))

    def _compact(self, line: StageLine, chips: list[ft.Control]) -> ft.Control:
        return theme.test_id(f"sv-timeline-stage-{line.code}", ft.Container(ft.Column([
            ft.Row([theme.text(line.label, size=16, bold=True), *chips], wrap=True, spacing=8),
            small(f"{line.dates} · {line.counts}", key=f"sv-timeline-counts-{line.code}")], spacing=2),
            key=f"sv-timeline-stage-{line.code}", padding=ft.Padding.symmetric(horizontal=12, vertical=8),
            border_radius=8, border=ft.Border.all(1, "#C8CDD5"), width=400 if (self.page.width or 0) >= WIDE else None,
            bgcolor="#FAFAFA"))

    async def _show_map(self, code: str) -> None:
        self.shell.show_map_as_of(code)

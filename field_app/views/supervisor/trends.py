"""Trends with flet-charts: reports per day by category (stacked bars + a legend in words), reports per
tahapan, and a region's score over time (from its alerts' history; the API has no time series).
"""
from __future__ import annotations

import flet as ft
import flet_charts as fch

from field_app.viewmodels.supervisor_trends import Trends
from field_app.views import theme
from field_app.views.base import sends_update
from field_app.views.supervisor.common import (
    SectionPart,
    category_words,
    dropdown,
    in_thread,
    section_title,
    small,
    stage_words,
)

PALETTE = ("#0B3D91", "#E53935", "#FDD835", "#43A047", "#8E24AA", "#FB8C00", "#00897B", "#6D4C41",
           "#546E7A", "#D81B60", "#3949AB", "#7CB342", "#C0CA33", "#00ACC1", "#5D4037", "#757575")


class TrendsPart(SectionPart):
    KEY, SPACING = "sv-trends", 10

    def __init__(self, app, shell):
        super().__init__(app, shell, Trends(shell.client, clock=app.device.clock, translator=app.t))

    async def reload(self) -> None:
        await in_thread(self.vm.refresh)
        regions = self._regions()
        if regions and self.vm.score_region is None:
            await self._load_score(regions[0][0])

    def _regions(self) -> list[tuple[str, str]]:
        board = self.shell.parts.get("board")
        alerts = board.vm.alerts if board is not None else []
        seen: dict[str, str] = {}
        for alert in sorted(alerts, key=lambda a: -float(a.get("score") or 0)):
            seen.setdefault(str(alert["region_code"]), str(alert.get("region_name")))
        return list(seen.items())

    def render(self) -> None:
        t = self.t
        parts: list[ft.Control] = []
        if self.vm.problem:
            parts.append(theme.text(self.vm.problem, color=theme.ERROR, bold=True))
        days, per_category = self.vm.per_day_by_category()
        parts.append(section_title(t("sv.trends.by_category")))
        if days:
            parts += [self._by_day(days, per_category), self._legend(per_category)]
        else:
            parts.append(small(t("sv.trends.empty"), key="sv-trends-empty"))
        parts += [section_title(t("sv.trends.by_stage")), self._by_stage()]
        regions = self._regions()
        if regions:
            parts.append(dropdown(t("sv.trends.pick_region"), regions, key="sv-trends-region", width=320,
                                  value=next((c for c, n in regions if n == self.vm.score_region), None),
                                  on_select=self._pick))
        if self.vm.score_points:
            parts += [section_title(t("sv.trends.score", region=self.vm.score_region)), self._score()]
        self.body.controls = parts

    def _by_day(self, days: list[str], per_category: dict[str, list[int]]) -> ft.Control:
        colours = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(per_category)}
        groups = []
        for x, day in enumerate(days):
            stack, base = [], 0
            for category, counts in per_category.items():
                if counts[x]:
                    stack.append(fch.BarChartRodStackItem(from_y=base, to_y=base + counts[x], color=colours[category]))
                    base += counts[x]
            groups.append(fch.BarChartGroup(x=x, rods=[fch.BarChartRod(to_y=base, width=14, stack_items=stack,
                                                                        border_radius=2, tooltip=f"{day}: {base}")]))
        labels = [fch.ChartAxisLabel(value=x, label=ft.Text(day[8:], size=10))
                  for x, day in enumerate(days)]
        return ft.Container(fch.BarChart(groups=groups, key="sv-chart-days", interactive=True,
                                         bottom_axis=fch.ChartAxis(labels=labels, label_size=24),
                                         left_axis=fch.ChartAxis(label_size=32),
                                         horizontal_grid_lines=fch.ChartGridLines(color="#DDDDDD", width=1)),
                            height=240)

    def _legend(self, per_category: dict[str, list[int]]) -> ft.Control:
        return ft.Row([ft.Row([ft.Container(width=12, height=12, bgcolor=PALETTE[i % len(PALETTE)]),
                               small(f"{category_words(c, self.t.lang)} ({sum(counts)})", color=theme.INK)],
                              spacing=4, tight=True)
                       for i, (c, counts) in enumerate(per_category.items())], wrap=True, spacing=12,
                      key="sv-chart-legend")

    def _by_stage(self) -> ft.Control:
        rows = self.vm.per_stage()
        if not rows:
            return small(self.t("sv.trends.empty"))
        groups = [fch.BarChartGroup(x=x, rods=[fch.BarChartRod(to_y=n, width=22, color=theme.NAVY, tooltip=str(n))])
                  for x, (_, n) in enumerate(rows)]
        labels = [fch.ChartAxisLabel(value=x, label=ft.Text(f"{stage_words(s, self.t.lang)}\n{n}", size=10,
                                                            text_align=ft.TextAlign.CENTER))
                  for x, (s, n) in enumerate(rows)]
        return ft.Container(fch.BarChart(groups=groups, key="sv-chart-stages",
                                         bottom_axis=fch.ChartAxis(labels=labels, label_size=36),
                                         left_axis=fch.ChartAxis(label_size=32)), height=220)

    def _score(self) -> ft.Control:
        points = self.vm.score_points
        data = fch.LineChartData(points=[fch.LineChartDataPoint(x=i, y=score) for i, (_, score) in enumerate(points)],
                                 color="#B00020", stroke_width=3)
        labels = [fch.ChartAxisLabel(value=i, label=ft.Text(at[5:10] + " " + at[11:16], size=9))
                  for i, (at, _) in enumerate(points)]
        return ft.Container(fch.LineChart(data_series=[data], key="sv-chart-score",
                                          bottom_axis=fch.ChartAxis(labels=labels, label_size=24),
                                          left_axis=fch.ChartAxis(label_size=40)), height=200)

    @sends_update
    async def _pick(self, e) -> None:
        code = e.control.value
        if code:
            await self._load_score(code)

    async def _load_score(self, code: str) -> None:
        board = self.shell.parts.get("board")
        alerts = [a for a in (board.vm.alerts if board else []) if a.get("region_code") == code]
        name = str(alerts[0].get("region_name")) if alerts else code
        await in_thread(self.vm.load_score_history, [str(a["id"]) for a in alerts], name)

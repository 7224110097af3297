"""Coverage: silent desa during critical tahapan with last-heard times, and last heard per region.

The regions route gives, per scope region, its silent desa (``coverage.gaps``, only during critical
tahapan) and per child region the count of silent desa and the last time anyone was heard.
The API does not list silent officers by name; a desa is silent when none of its officers was heard.
"""
from __future__ import annotations

import flet as ft

from field_app.viewmodels.supervisor_regions import RegionMap
from field_app.views import theme
from field_app.views.supervisor.common import (
    SectionPart,
    level_badge,
    section_title,
    small,
    stage_words,
    when,
)


class CoveragePart(SectionPart):
    KEY, SPACING = "sv-coverage", 8

    def __init__(self, app, shell):
        super().__init__(app, shell, RegionMap(shell.client, shell.session.scope, clock=app.device.clock, translator=app.t))

    def render(self) -> None:
        t, vm = self.t, self.vm
        now = vm.clock()
        summary = vm.coverage_summary()
        parts: list[ft.Control] = []
        if vm.problem:
            parts.append(theme.text(vm.problem, color=theme.ERROR, bold=True))
        parts.append(section_title(t("sv.coverage.title")))
        parts.append(theme.text(t("sv.coverage.summary", stage=stage_words(summary["stage"], t.lang),
                                  silent=summary["silent_desa"], desa=summary["desa"],
                                  hours=summary["silence_hours"] or "—"), bold=True, key="sv-coverage-summary"))
        if not summary["critical_stage"]:
            parts.append(small(t("sv.coverage.not_critical"), key="sv-coverage-not-critical"))
        gaps = vm.coverage_rows()
        parts += [ft.Container(theme.text(t("sv.coverage.row", name=g.get("name"), code=g.get("code"),
                                            heard=when(t, g.get("last_heard"), now)), size=15),
                               bgcolor="#EEEEEE", padding=8, border_radius=6, border=ft.Border.all(2, "#424242"),
                               key=f"sv-gap-{g.get('code')}") for g in gaps] or [
            small(t("sv.coverage.none"), key="sv-coverage-none")]
        parts.append(section_title(t("sv.coverage.children")))
        children = [r for code, r in sorted(vm.regions.items()) if code not in vm.scope and "desa" in r]
        parts += [ft.Row([level_badge(c.get("level"), t.lang, size=12),
                          small(t("sv.coverage.child_row", name=c.get("name"), silent=c.get("silent_desa"),
                                  desa=c.get("desa"), heard=when(t, c.get("last_heard"), now)),
                                color=theme.INK)], wrap=True, key=f"sv-coverage-{c.get('code')}")
                  for c in children]
        self.body.controls = parts

"""Coverage: who has been heard from, who sent today's laporan nihil, and every desa without news.

The regions route gives, per scope region, its coverage (``state`` reporting/silent/unassigned, counts
of desa without news and without an officer), the desa without news (``coverage.gaps``, in every
tahapan) and the officers of the area with today's laporan nihil. A desa or region that is not
reporting is never shown as safe: its level badge is grey, beside "TANPA KABAR" / "BELUM ADA BHABIN";
during a critical tahapan the screen says so in a banner and the coverage badges are highlighted.
"""
from __future__ import annotations

import flet as ft

from field_app.viewmodels.supervisor_regions import RegionMap
from field_app.views import theme
from field_app.views.supervisor.common import (
    CRITICAL_BACKGROUND,
    SectionPart,
    coverage_badge,
    region_badges,
    section_title,
    small,
    stage_words,
    when,
)

SHOWN_GAPS = 40          # desa rows listed; the rest are counted in one line


class CoveragePart(SectionPart):
    KEY, SPACING = "sv-coverage", 8

    def __init__(self, app, shell):
        super().__init__(app, shell, RegionMap(shell.client, shell.session.scope, clock=app.device.clock, translator=app.t))

    def render(self) -> None:
        t, vm = self.t, self.vm
        summary = vm.coverage_summary()
        parts: list[ft.Control] = []
        if vm.problem:
            parts.append(theme.text(vm.problem, color=theme.ERROR, bold=True))
        parts.append(section_title(t("sv.coverage.title")))
        if not summary["loaded"]:                 # nothing from the server yet: no made-up zeros
            self.body.controls = parts
            return
        parts.append(theme.text(t("sv.coverage.summary", stage=stage_words(summary["stage"], t.lang),
                                  silent=summary["silent_desa"], desa=summary["desa"],
                                  unassigned=summary["unassigned_desa"], hours=_hours(summary["silence_hours"])),
                                bold=True, key="sv-coverage-summary"))
        if summary["critical_stage"]:
            parts.append(ft.Container(theme.text(t("sv.coverage.critical"), color="#FFFFFF", bold=True),
                                      bgcolor=CRITICAL_BACKGROUND, padding=10, border_radius=8,
                                      key="sv-coverage-critical"))
        elif summary["loaded"]:
            parts.append(small(t("sv.coverage.not_critical"), key="sv-coverage-not-critical"))
        parts += self._officers()
        parts += self._gaps(summary)
        parts.append(section_title(t("sv.coverage.children")))
        parts += [self._child(c) for code, c in sorted(vm.regions.items()) if code not in vm.scope and "desa" in c]
        self.body.controls = parts

    def _officers(self) -> list[ft.Control]:
        t, rows, now = self.t, self.vm.officer_rows(), self.vm.clock()
        parts: list[ft.Control] = [section_title(t("sv.coverage.nihil"))]
        if not rows:
            return parts + [small(t("sv.coverage.no_officers"), key="sv-nihil-none")]
        sent = sum(1 for row in rows if row.get("nihil_today_at"))
        parts.append(theme.text(t("sv.coverage.nihil_counts", sent=sent, total=len(rows)), bold=True,
                                key="sv-nihil-counts"))
        for row in rows:
            desa = ", ".join(row.get("desa_names") or row.get("desa") or [])
            done = bool(row.get("nihil_today_at"))
            words = (t("sv.coverage.nihil_sent", name=row.get("name"), desa=desa, time=when(t, row["nihil_today_at"], now))
                     if done else t("sv.coverage.nihil_missing", name=row.get("name"), desa=desa,
                                    heard=when(t, row.get("last_heard_at"), now)))
            icon, colour = (ft.Icons.TASK_ALT, "#1B5E20") if done else (ft.Icons.CANCEL_OUTLINED, theme.ERROR)
            parts.append(ft.Row([ft.Icon(icon, color=colour, size=20), theme.text(words, size=15, expand=True)],
                                key=f"sv-nihil-{row.get('username')}", spacing=6,
                                vertical_alignment=ft.CrossAxisAlignment.START))
        return parts

    def _gaps(self, summary: dict) -> list[ft.Control]:
        t, now = self.t, self.vm.clock()
        gaps = self.vm.coverage_rows()
        if not gaps:
            return [small(t("sv.coverage.none", hours=_hours(summary["silence_hours"])), key="sv-coverage-none")] \
                if summary["loaded"] else []
        critical = summary["critical_stage"]
        rows: list[ft.Control] = [section_title(t("sv.coverage.list"))]
        rows += [theme.test_id(f"sv-gap-{g.get('code')}", ft.Container(
            ft.Row([coverage_badge({"state": g.get("state") or "silent", "critical_stage": critical}, t, size=12),
                    theme.text(t("sv.coverage.row", name=g.get("name"), heard=when(t, g.get("last_heard"), now)),
                               size=15, expand=True)], spacing=8, vertical_alignment=ft.CrossAxisAlignment.START),
            bgcolor="#EEEEEE", padding=8, border_radius=6,
            border=ft.Border.all(2, CRITICAL_BACKGROUND if critical else "#424242"), key=f"sv-gap-{g.get('code')}"))
                 for g in gaps[:SHOWN_GAPS]]
        if len(gaps) > SHOWN_GAPS:
            rows.append(small(t("sv.coverage.more", count=len(gaps) - SHOWN_GAPS), key="sv-gap-more"))
        return rows

    def _child(self, c: dict) -> ft.Control:
        t, coverage = self.t, c.get("coverage") or {}
        words = t("sv.coverage.child_row", name=c.get("name"), silent=c.get("silent_desa"), desa=c.get("desa"),
                  unassigned=coverage.get("unassigned_desa", 0), heard=when(t, c.get("last_heard"), self.vm.clock()))
        return ft.Column([ft.Row(region_badges(c.get("level"), coverage, t, key=f"sv-coverage-badge-{c.get('code')}"),
                                 wrap=True, spacing=6),
                          small(words, color=theme.INK)], spacing=2, key=f"sv-coverage-{c.get('code')}")


def _hours(value) -> str:
    return "—" if not value else f"{float(value):g}"

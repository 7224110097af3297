"""The map: kabupaten or kecamatan of Jambi coloured by level, from the shipped GeoJSON, with no tiles.

Every polygon is labelled with its name and level in words (not colour alone); regions outside the
supervisor's scope are light grey and say "di luar wilayah". A region that is not reporting (silent,
or no officer) is never green: a kurang_rawan one is dark grey, and every quiet region gets a dashed
outline (highlighted in a critical tahapan) and "tanpa kabar" / "belum ada Bhabin" in its label. flet-map reports taps as coordinates, not polygons, so the
tap is located in Python (point in polygon); the region list beside (wide) or below (phone) the
map selects too.
"""
from __future__ import annotations

import flet as ft
import flet_map as ftm

from field_app.viewmodels.personnel_words import personnel_lines
from field_app.viewmodels.supervisor_regions import TIERS, RegionMap, shapes
from field_app.views import theme
from field_app.views.base import Part, sends_update
from field_app.views.supervisor.common import (
    CRITICAL_BACKGROUND,
    LEVEL_STYLE,
    OUTSIDE_FILL,
    QUIET_STYLE,
    WIDE,
    bind,
    coverage_words,
    in_thread,
    level_words,
    region_badges,
    section_title,
    small,
    when,
)


class MapPart(Part):
    def __init__(self, app, shell):
        super().__init__(app)
        self.shell = shell
        self.vm = RegionMap(shell.client, shell.session.scope, clock=app.device.clock, translator=app.t)
        self.watch(self.vm, self.render)
        self.loaded = False

    def build(self) -> ft.Control:
        t = self.t
        self.tiers = ft.SegmentedButton(
            key="sv-map-tier", selected=[self.vm.tier], on_change=self._tier_changed,
            segments=[ft.Segment(value=tier, label=t(f"sv.map.tier.{tier}")) for tier in TIERS])
        self.map_box = ft.Container(height=420 if not self._wide() else 560, border_radius=8, bgcolor="#E0E0E0",
                                    key="sv-map-box", clip_behavior=ft.ClipBehavior.HARD_EDGE)
        self.summary = ft.Column(spacing=6, key="sv-map-summary")
        self.list = ft.Column(spacing=4, key="sv-map-list")
        self.problem = theme.message_text("sv-map-problem")
        legend = small(t("sv.map.legend"), color=theme.INK)
        side = ft.Column([self.summary, section_title(t("sv.map.list")), self.list], spacing=8)
        if self._wide():
            body = [self.tiers, legend, self.problem,
                    ft.Row([ft.Container(self.map_box, expand=3), ft.Container(side, expand=2)],
                           vertical_alignment=ft.CrossAxisAlignment.START, spacing=16)]
        else:
            body = [self.tiers, legend, self.problem, self.map_box, side]
        self.render()
        return theme.screen(body)

    def _wide(self) -> bool:
        return (self.page.width or 0) >= WIDE

    def activate(self) -> None:
        if not self.loaded:
            self.loaded = True
            self.page.run_task(self.reload)

    async def reload(self) -> None:
        await in_thread(self.vm.refresh)

    # ------------------------------------------------------------ render

    def render(self) -> None:
        theme.show_message(self.problem, self.vm.problem, theme.ERROR)
        self.tiers.selected = [self.vm.tier]
        self.map_box.content = self._map()
        self._render_list()
        self._render_summary()

    def _map(self) -> ftm.Map:
        lat, lon, zoom = self.vm.view()
        zoom = zoom if self._wide() else zoom - 0.3          # a phone is narrower
        polygons, gaps = [], []
        for shape in shapes(self.vm.tier):
            level = self.vm.level_of(shape.code)
            quiet = bool(level) and self.vm.is_gap(shape.code)
            fill = (QUIET_STYLE[2] if quiet and level == "kurang_rawan" else LEVEL_STYLE[level][2]) if level \
                else OUTSIDE_FILL
            words = self._words(shape.code, level, quiet)
            for index, ring in enumerate(shape.rings):
                polygons.append(ftm.PolygonMarker(
                    coordinates=[ftm.MapLatitudeLongitude(p[0], p[1]) for p in ring[::2] or ring],
                    color=ft.Colors.with_opacity(0.55 if level else 0.35, fill), border_color="#333333",
                    border_stroke_width=1, label=f"{_short(shape.name)}\n{words}" if index == 0 else None,
                    label_text_style=ft.TextStyle(size=10 if self.vm.tier == "kabupaten" else 8,
                                                  color="#111111", weight=ft.FontWeight.BOLD)))
            if quiet:
                critical = bool(self.vm.coverage_of(shape.code).get("critical_stage"))
                gaps += [ftm.PolylineMarker(coordinates=[ftm.MapLatitudeLongitude(p[0], p[1]) for p in ring],
                                            color=CRITICAL_BACKGROUND if critical else "#212121",
                                            stroke_width=4 if critical else 3,
                                            stroke_pattern=ftm.DashedStrokePattern(segments=[8, 6]))
                         for ring in shape.rings]
        return ftm.Map(
            key="sv-map", expand=True, initial_center=ftm.MapLatitudeLongitude(lat, lon), initial_zoom=zoom,
            bgcolor="#E0E0E0", on_tap=self._tapped,
            layers=[ftm.PolygonLayer(polygons=polygons), ftm.PolylineLayer(polylines=gaps)])

    def _words(self, code: str, level: str | None, quiet: bool) -> str:
        """The level in words, and "tanpa kabar" / "belum ada Bhabin" when the region is not reporting."""
        if not level:
            return self.t("sv.map.outside")
        words = level_words(level, self.t.lang)
        if not quiet:
            return words
        return f"{words}\n{coverage_words(self.vm.coverage_of(code), self.t).lower()}"

    def _render_list(self) -> None:
        self.list.controls = [theme.test_id(f"sv-region-{r.get('code')}", ft.Container(ft.Column([
                                 ft.Row(region_badges(r.get("level"), r.get("coverage"), self.t),   # one button
                                        wrap=True, spacing=6),
                                 ft.Row([theme.text(str(r.get("name")), size=15, bold=True, expand=True),
                                         small(f"{r.get('score')}")], spacing=8)], spacing=4),
                         key=f"sv-region-{r.get('code')}", padding=8, border_radius=8, bgcolor=theme.PANEL,
                         on_click=bind(self._choose, str(r["code"])), ink=True), button=True)
            for r in self.vm.region_list()]

    def _render_summary(self) -> None:
        r, t = self.vm.selected, self.t
        if not r:
            self.summary.controls = [small(t("sv.map.hint"))]
            return
        alerts = r.get("open_alerts") or []
        self.summary.controls = [
            ft.Row(region_badges(r.get("level"), r.get("coverage"), t), wrap=True),
            theme.text(t("sv.map.summary", name=r.get("name"), level=level_words(r.get("level"), t.lang),
                         score=r.get("score"), reports=r.get("report_count"),
                         heard=when(t, r.get("last_heard"), self.vm.clock())), bold=True, key="sv-map-selected"),
            *self._personnel(r),
            section_title(t("sv.map.alerts", count=len(alerts))),
            *[theme.test_id(f"sv-map-alert-{a.get('region_code')}", ft.Container(ft.Row([
                *region_badges(a.get("level"), a.get("coverage"), t, size=12),
                                   theme.text(str(a.get("region_name")), size=15, expand=True)]),
                           key=f"sv-map-alert-{a.get('id')}", padding=8, border_radius=8,
                           border=ft.Border.all(1, "#C8CDD5"),
                           on_click=lambda e, i=str(a["id"]): self.shell.open_alert(i), ink=True), button=True)
              for a in alerts]]

    def _personnel(self, region: dict) -> list[ft.Control]:
        """The region's personnel plan in words: reinforcement (perkiraan), standing plan, strength."""
        lines = personnel_lines(region.get("personnel"), self.t)
        if not lines:
            return []
        return [section_title(self.t("sv.alert.personnel")),
                theme.text(lines[0], size=14, bold=True, key="sv-map-personnel"),
                *[small(line, color=theme.INK) for line in lines[1:]]]

    # ------------------------------------------------------------ events

    def _tier_changed(self, e) -> None:
        self.vm.set_tier(next(iter(e.control.selected)))

    @sends_update
    async def _choose(self, code: str) -> None:
        await in_thread(self.vm.select, code)

    @sends_update
    async def _tapped(self, e) -> None:
        point = e.coordinates
        await in_thread(self.vm.tap, point.latitude, point.longitude)


def _short(name: str) -> str:
    return name.replace("Kabupaten ", "").replace("Kota ", "Kota ")

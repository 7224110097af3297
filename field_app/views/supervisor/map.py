"""The map: the commander's scope from the shipped GeoJSON (no tiles), fitted, drillable, labelled without overlaps.

It opens fitted to the scope's own polygons (``map_fit``): Polda sees the province, Polres Kerinci
sees Kerinci and Sungai Penuh fill the box, a Polsek its kecamatan. Tapping a region in scope opens it
(kabupaten -> kecamatan -> desa) and the breadcrumb goes back up. Labels are placed greedily by
priority and a label that would overlap one already placed is left out (``map_labels``); every
region stays in the list beside (wide) or below (phone) the map. Two layers colour the same shapes:
live kamtibmas levels and Bawaslu's IKP, or both side by side ("Keduanya"). A region not reporting (silent, or no officer) is never green:
kurang_rawan and quiet is dark grey with a dashed outline (highlighted in a critical tahapan).

No scroll trap: the map ignores drags and the mouse wheel until "Geser peta" is pressed, so the page
scrolls over it on a phone; taps always work (flet-map reports a tap as a point, located in Python).
"""
from __future__ import annotations

import flet as ft
import flet_map as ftm

from field_app.viewmodels.personnel_words import personnel_lines
from field_app.viewmodels.supervisor_regions import LAYERS, TIERS, RegionMap, Shape, tier_of
from field_app.views import theme
from field_app.views.base import Part, sends_update
from field_app.views.supervisor import map_fit, map_labels
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
from field_app.views.supervisor.map_asof import AsOfPicker

IKP_FILL = {"rendah": LEVEL_STYLE["kurang_rawan"][2], "sedang": LEVEL_STYLE["rawan"][2],
            "tinggi": LEVEL_STYLE["sangat_rawan"][2]}
PAN = ftm.InteractionFlag.ALL & ~ftm.InteractionFlag.ROTATE
LOCKED = ftm.InteractionFlag.NONE            # taps still arrive; drags and the wheel go to the page


class MapPart(Part):
    def __init__(self, app, shell):
        super().__init__(app)
        self.shell = shell
        self.vm = RegionMap(shell.client, shell.session.scope, clock=app.device.clock, translator=app.t)
        self.watch(self.vm, self.render)
        self.as_of = AsOfPicker(self, shell.client, app)     # the map as of a tahapan or a day
        self.loaded = False
        self.panning = False

    def build(self) -> ft.Control:
        t = self.t
        self.layers = ft.SegmentedButton(
            key="sv-map-layer", selected=[self.vm.layer], on_change=self._layer_changed,
            segments=[ft.Segment(value=layer, label=t(f"sv.map.layer.{layer}")) for layer in LAYERS])
        self.tiers = ft.SegmentedButton(                  # at the top of the breadcrumb: every kecamatan at once
            key="sv-map-tier", selected=[self.vm.tier], on_change=self._tier_changed,
            segments=[ft.Segment(value=tier, label=t(f"sv.map.tier.{tier}")) for tier in TIERS])
        self.crumbs = ft.Row(spacing=0, wrap=True, key="sv-map-crumbs")
        self.legend = small(t("sv.map.legend"), color=theme.INK)
        self.map_box = ft.Container(height=self._box_size()[1], border_radius=8, bgcolor="#E0E0E0",
                                    key="sv-map-box", clip_behavior=ft.ClipBehavior.HARD_EDGE)
        self.pan = ft.OutlinedButton(t("sv.map.pan.on"), icon=ft.Icons.PAN_TOOL, key="sv-map-pan",
                                     on_click=self._toggle_pan)
        self.summary = ft.Column(spacing=6, key="sv-map-summary")
        self.list = ft.Column(spacing=4, key="sv-map-list")
        self.problem = theme.message_text("sv-map-problem")
        side = ft.Column([self.summary, section_title(t("sv.map.list")), self.list], spacing=8)
        tools = ft.Row([self.pan, theme.text(t("sv.map.drill_hint"), size=14, expand=True)], spacing=8)
        framed = theme.test_id("sv-map-frame", self.map_box)
        if self._wide():
            body = [ft.Row([ft.Container(self.layers, expand=1), ft.Container(self.tiers, expand=1)], spacing=16),
                    *self.as_of.controls(), self.crumbs, self.legend, self.problem,
                    ft.Row([ft.Container(ft.Column([framed, tools], spacing=8), expand=3),
                            ft.Container(side, expand=2)],
                           vertical_alignment=ft.CrossAxisAlignment.START, spacing=16)]
        else:
            body = [self.layers, *self.as_of.controls(), self.tiers, self.crumbs, self.legend, self.problem, framed,
                    tools, side]
        self.render()
        return theme.screen(body)

    def _wide(self) -> bool:
        return (self.page.width or 0) >= WIDE

    def _box_size(self) -> tuple[float, float]:
        """The map box in px: the body is the page less the rail (wide) and 16 px padding each side."""
        width = float(self.page.width or 412)
        if self._wide():
            return (width - 90 - 32 - 16) * 3 / 5, 440.0
        return width - 32, 400.0

    def activate(self) -> None:
        if not self.loaded:
            self.loaded = True
            self.page.run_task(self.reload)

    async def reload(self) -> None:
        await in_thread(self.vm.refresh)
        await self.as_of.load()

    # ------------------------------------------------------------ render

    def render(self) -> None:
        theme.show_message(self.problem, self.vm.problem, theme.ERROR)
        self.layers.selected = [self.vm.layer]
        self.tiers.selected, self.tiers.visible = [self.vm.tier], not self.vm.path
        self.legend.value = {"ikp": self.t("sv.map.legend.ikp"), "kamtibmas": self.t("sv.map.legend")}.get(
            self.vm.layer, f'{self.t("sv.map.legend")}\n{self.t("sv.map.legend.ikp")}')
        self.pan.content = self.t("sv.map.pan.off" if self.panning else "sv.map.pan.on")
        self._render_crumbs()
        self.as_of.render()
        # a new key per region drilled into: flutter_map reads initial_center/zoom only when it is created
        view_key = f"{self.vm.focus() or self.vm.tier}-{self.vm.layer}"
        if self.vm.layer == "both":
            self.map_box.content = self._side_by_side(view_key)
        else:
            self.map_box.content = ft.Container(self._map(self.vm.layer, *self._box_size()), expand=True,
                                                key=f"sv-map-view-{view_key}")
        self.map_box.height = self._box_height()
        self._render_list()
        self._render_summary()

    def _render_crumbs(self) -> None:
        crumbs = self.vm.breadcrumb()
        parts: list[ft.Control] = []
        for index, (depth, name) in enumerate(crumbs):
            if index:
                parts.append(ft.Icon(ft.Icons.CHEVRON_RIGHT, size=18, color=theme.MUTED))
            if index == len(crumbs) - 1:
                parts.append(ft.Container(theme.text(name, size=15, bold=True), key=f"sv-map-crumb-{depth}",
                                          padding=ft.Padding.symmetric(horizontal=8, vertical=10)))
            else:
                parts.append(ft.TextButton(name, key=f"sv-map-crumb-{depth}", on_click=bind(self._up, depth)))
        self.crumbs.controls = parts

    def _side_by_side(self, view_key: str) -> ft.Control:
        """Live kamtibmas and Bawaslu's IKP on the same shapes at once: beside each other on a wide screen,
        one above the other on a phone, each with its name."""
        width, height = self._box_size()
        wide = self._wide()
        each = ((width - 8) / 2, height - 28) if wide else (width, (self._box_height() - 8) / 2 - 28)
        maps = [ft.Column([theme.test_id(f"sv-map-both-{layer}", theme.text(self.t(f"sv.map.layer.{layer}"), size=15,
                                                                          bold=True)),
                           ft.Container(self._map(layer, *each), height=each[1], width=each[0],
                                        key=f"sv-map-view-{view_key}-{layer}")], spacing=4)
                for layer in ("kamtibmas", "ikp")]
        return ft.Row(maps, spacing=8) if wide else ft.Column(maps, spacing=8)

    def _box_height(self) -> float:
        return self._box_size()[1] + (0 if self._wide() or self.vm.layer != "both" else 300)

    def _map(self, layer: str, width: float, height: float) -> ftm.Map:
        view = map_fit.fit(map_fit.bounds(self.vm.fit_rings()), width, height, padding=12)
        polygons, gaps, candidates = [], [], []
        for shape in self.vm.shown():
            level = self.as_of.level_of(shape.code, self.vm.level_of(shape.code))
            # gaps are today's; a past "kurang rawan" is not known to have been heard from: never green either
            quiet = bool(level) and (self.as_of.active and level == "kurang_rawan"
                                     or self.vm.is_gap(shape.code) and not self.as_of.active)
            for ring in shape.rings:
                polygons.append(ftm.PolygonMarker(
                    coordinates=[ftm.MapLatitudeLongitude(p[0], p[1]) for p in (ring[::2] if len(ring) > 400 else ring)],
                    color=ft.Colors.with_opacity(0.6 if level else 0.35, self._fill(shape.code, level, quiet, layer)),
                    border_color="#333333", border_stroke_width=1))
            if quiet and layer == "kamtibmas" and not self.as_of.active:
                gaps += self._dashes(shape)
            candidates.append(self._label(shape, level, quiet, view, width, height, layer))
        labels = map_labels.place(candidates, width, height)
        flags = PAN if self.panning else LOCKED
        return ftm.Map(
            key="sv-map", expand=True, initial_center=ftm.MapLatitudeLongitude(view.lat, view.lon),
            initial_zoom=view.zoom, bgcolor="#E0E0E0", on_tap=self._tapped,
            interaction_configuration=ftm.InteractionConfiguration(flags=flags),
            layers=[ftm.PolygonLayer(polygons=polygons), ftm.PolylineLayer(polylines=gaps),
                    ftm.MarkerLayer(markers=[self._marker(label, view, width, height, layer) for label in labels])])

    def _fill(self, code: str, level: str | None, quiet: bool, layer: str) -> str:
        if not level:
            return OUTSIDE_FILL
        if layer == "ikp":
            return IKP_FILL.get(str((self.vm.ikp_of(code) or {}).get("ikp_category")), OUTSIDE_FILL)
        return QUIET_STYLE[2] if quiet and level == "kurang_rawan" else LEVEL_STYLE[level][2]

    def _dashes(self, shape: Shape) -> list[ftm.PolylineMarker]:
        critical = bool(self.vm.coverage_of(shape.code).get("critical_stage"))
        return [ftm.PolylineMarker(coordinates=[ftm.MapLatitudeLongitude(p[0], p[1]) for p in ring],
                                   color=CRITICAL_BACKGROUND if critical else "#212121",
                                   stroke_width=4 if critical else 3,
                                   stroke_pattern=ftm.DashedStrokePattern(segments=[8, 6]))
                for ring in shape.rings]

    def _label(self, shape: Shape, level: str | None, quiet: bool, view, width, height, layer: str) -> map_labels.Label:
        ring = [map_fit.to_box(p, view, width, height) for p in max(shape.rings, key=len)]
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        spots = map_labels.spots_inside(ring) or [map_fit.to_box(shape.centre, view, width, height)]
        lines = (_short(shape.name), *self._words(shape.code, level, quiet, layer))
        label = map_labels.Label(shape.code, lines, *spots[0], 11 if level else 10, level, quiet,
                                 (max(xs) - min(xs)) * (max(ys) - min(ys)), tuple(spots[1:]), tuple(ring))
        return map_labels.beside_if_small(label, (min(xs), min(ys), max(xs), max(ys)))

    def _marker(self, label: map_labels.Label, view, width, height, layer: str) -> ftm.Marker:
        lat, lon = map_fit.from_box(label.x, label.y, view, width, height)
        colour = "#111111" if label.level else "#555555"
        return ftm.Marker(
            coordinates=ftm.MapLatitudeLongitude(lat, lon), width=label.width, height=label.height,
            content=theme.test_id(f"sv-map-label-{label.key}" + ("-ikp" if layer == "ikp" and self.vm.layer == "both"
                                                                 else ""), ft.Container(ft.Column([ft.Text(line, size=label.font, color=colour, no_wrap=True,
                                                    weight=ft.FontWeight.BOLD if i == 0 else None)
                                            for i, line in enumerate(label.lines)],
                                           spacing=0, horizontal_alignment=ft.CrossAxisAlignment.CENTER),
                                 bgcolor=ft.Colors.with_opacity(0.85, "#FFFFFF") if label.level else None,
                                 border=ft.Border.only(left=ft.BorderSide(6, self._fill(label.key, label.level,
                                                                                       label.quiet, layer))),
                                 border_radius=4, alignment=ft.Alignment.CENTER)))

    def _words(self, code: str, level: str | None, quiet: bool, layer: str) -> tuple[str, ...]:
        """The level (or IKP) in words, and "tanpa kabar" / "belum ada Bhabin" when the region is not reporting."""
        if not level:
            return (self.t("sv.map.outside"),)
        if layer == "ikp":
            ikp = self.vm.ikp_of(code) or {}
            return (f"IKP {self._ikp_word(ikp)}",) if ikp else ()
        words = level_words(level, self.t.lang)
        if not quiet:
            return (words,)
        if self.as_of.active:
            return words, self.t("sv.asof.unheard")
        return words, coverage_words(self.vm.coverage_of(code), self.t).lower()

    def _render_list(self) -> None:
        self.list.controls = [theme.test_id(f"sv-region-{r.get('code')}", ft.Container(ft.Column([
                                 ft.Row(region_badges(r.get("level"), r.get("coverage"), self.t),   # one button
                                        wrap=True, spacing=6),
                                 ft.Row([theme.text(str(r.get("name")), size=15, bold=True, expand=True),
                                         small(f"{r.get('score')}")], spacing=8)], spacing=4),
                         key=f"sv-region-{r.get('code')}", padding=8, border_radius=8, bgcolor=theme.PANEL,
                         on_click=bind(self._choose, str(r["code"])), ink=True), button=True)
            for r in self.as_of.vm.rows(self.vm.region_list())]

    def _render_summary(self) -> None:
        r, t = self.vm.selected, self.t
        if not r:
            self.summary.controls = [small(t("sv.map.hint"))]
            return
        alerts = r.get("open_alerts") or []
        now_only = [small(t("sv.asof.details_now"), key="sv-map-details-now", color="#A33000")] if self.as_of.active else []
        self.summary.controls = [
            *now_only,                                  # the map and list are of then; the details are of now
            small(t(f"sv.map.tier_word.{tier_of(str(r.get('code')))}"), color=theme.INK),
            ft.Row(region_badges(r.get("level"), r.get("coverage"), t), wrap=True),
            theme.text(t("sv.map.summary", name=r.get("name"), level=level_words(r.get("level"), t.lang),
                         score=r.get("score"), reports=r.get("report_count"),
                         heard=when(t, r.get("last_heard"), self.vm.clock())), bold=True, key="sv-map-selected"),
            *self._coverage(r.get("coverage") or {}),
            *self._ikp(r),
            *self._personnel(r),
            section_title(t("sv.map.alerts", count=len(alerts))),
            *[theme.test_id(f"sv-map-alert-{a.get('region_code')}", ft.Container(ft.Row([
                *region_badges(a.get("level"), a.get("coverage"), t, size=12),
                                   theme.text(str(a.get("region_name")), size=15, expand=True)]),
                           key=f"sv-map-alert-{a.get('id')}", padding=8, border_radius=8,
                           border=ft.Border.all(1, "#C8CDD5"),
                           on_click=lambda e, i=str(a["id"]): self.shell.open_alert(i), ink=True), button=True)
              for a in alerts]]

    def _coverage(self, coverage: dict) -> list[ft.Control]:
        if not coverage:
            return []
        desa, silent = int(coverage.get("desa") or 0), int(coverage.get("silent_desa") or 0)
        words = self.t("sv.map.coverage", silent=silent, desa=desa, unassigned=int(coverage.get("unassigned_desa") or 0)) \
            if silent else self.t("sv.map.coverage.ok", desa=desa)
        return [theme.text(words, size=14, key="sv-map-coverage")]

    def _ikp(self, region: dict) -> list[ft.Control]:
        """Bawaslu IKP and Polda's baseline as published (the second layer, beside the live level); the server's
        context says whether the baseline is in force now (only in the critical tahapan)."""
        published = self.vm.ikp_of(str(region.get("code"))) or {}
        if not published.get("ikp_category"):
            return []
        baseline = level_words(published.get("polda_baseline"), self.t.lang)
        live = (region.get("context") or {}).get("polda_baseline")
        if live and live != published.get("polda_baseline"):
            baseline = self.t("sv.map.baseline_later", level=baseline)
        return [theme.text(self.t("sv.map.ikp", category=self._ikp_word(published),
                                  score=published.get("ikp_score"), baseline=baseline), size=14, key="sv-map-ikp")]

    def _ikp_word(self, context: dict) -> str:
        return self.t(f"sv.map.ikp.category.{context.get('ikp_category')}")

    def _personnel(self, region: dict) -> list[ft.Control]:
        """The region's personnel plan in words: reinforcement (perkiraan), standing plan, strength and gap."""
        lines = personnel_lines(region.get("personnel"), self.t)
        if not lines:
            return []
        return [section_title(self.t("sv.alert.personnel")),
                theme.text(lines[0], size=14, bold=True, key="sv-map-personnel"),
                *[small(line, color=theme.INK) for line in lines[1:]]]

    # ------------------------------------------------------------ events

    def _tier_changed(self, e) -> None:
        self.vm.set_tier(next(iter(e.control.selected)))

    def _layer_changed(self, e) -> None:
        self.vm.set_layer(next(iter(e.control.selected)))

    def _toggle_pan(self, e) -> None:
        self.panning = not self.panning
        self.render()

    @sends_update
    async def _up(self, depth: int) -> None:
        await in_thread(self.vm.up, depth)

    @sends_update
    async def _choose(self, code: str) -> None:
        await in_thread(self.vm.drill, code)

    @sends_update
    async def _tapped(self, e) -> None:
        point = e.coordinates
        await in_thread(self.vm.tap, point.latitude, point.longitude)


def _short(name: str) -> str:
    return name.replace("Kabupaten ", "").replace("Kecamatan ", "")

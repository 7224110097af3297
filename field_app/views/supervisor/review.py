"""The review queue: pending reports in scope; confirm, reject, duplicate of another, regrade, note back."""
from __future__ import annotations

import flet as ft
import flet_map as ftm

from field_app.viewmodels.supervisor_regions import shapes
from field_app.viewmodels.supervisor_review import CREDIBILITY, RELIABILITY, ReviewQueue
from field_app.views import theme
from field_app.views.base import sends_update
from field_app.views.supervisor.common import (
    SectionPart,
    bind,
    category_words,
    dropdown,
    in_thread,
    small,
    when,
)

NONE = "__none__"


class ReviewPart(SectionPart):
    KEY, SPACING, STRETCH = "sv-review", 10, True

    def __init__(self, app, shell):
        super().__init__(app, shell, ReviewQueue(shell.client, clock=app.device.clock, translator=app.t))

    def render(self) -> None:
        t, vm = self.t, self.vm
        parts: list[ft.Control] = []
        if vm.done:
            parts.append(theme.state_chip("sent", vm.done, key="sv-review-done"))
        if vm.problem:
            parts.append(theme.text(vm.problem, color=theme.ERROR, bold=True, key="sv-review-problem"))
        parts.append(theme.text(t("sv.review.count", count=len(vm.reports)), bold=True, key="sv-review-count"))
        if not vm.reports:
            parts.append(small(t("sv.review.empty")))
        for report in vm.reports:
            parts.append(self._row(report))
            if report.get("id") == vm.selected_id:
                parts.append(self._form(report))
        self.body.controls = parts

    def _line(self, r: dict) -> str:
        return self.vm.line(r, category_words(r.get("category"), self.t.lang), when(self.t, r.get("observed_at")))

    def _evidence(self, r: dict) -> list[ft.Control]:
        """The photos, the officer's opinion and the location on a small map."""
        t, parts = self.t, []
        photos = [self._photo(sha) for sha in r.get("media") or []]
        if photos:
            parts.append(ft.Row(photos, wrap=True, spacing=8, run_spacing=8))
        if r.get("opinion"):
            parts.append(theme.text(t("sv.review.opinion", opinion=r["opinion"]), size=15, key="sv-review-opinion"))
        parts.append(small(self.vm.location_words(r), key="sv-review-location"))
        point = self.vm.location(r)
        if point is not None:
            parts.append(self._small_map(r, point))
        return parts

    def _small_map(self, r: dict, point: tuple[float, float]) -> ft.Control:
        kecamatan = str(r.get("desa_code") or "")[:8]
        outline = [ftm.PolygonMarker(coordinates=[ftm.MapLatitudeLongitude(p[0], p[1]) for p in ring],
                                     color=ft.Colors.with_opacity(0.15, theme.NAVY), border_color=theme.NAVY,
                                     border_stroke_width=2)
                   for shape in shapes("kecamatan") if shape.code == kecamatan for ring in shape.rings]
        spot = ftm.CircleMarker(coordinates=ftm.MapLatitudeLongitude(*point), radius=8, color=theme.ERROR,
                                border_color=theme.SURFACE, border_stroke_width=2)
        return ft.Container(ftm.Map(initial_center=ftm.MapLatitudeLongitude(*point), initial_zoom=13.5,
                                    bgcolor="#E0E0E0", layers=[ftm.PolygonLayer(polygons=outline),
                                                               ftm.CircleLayer(circles=[spot])]),
                            height=180, border_radius=8, key="sv-review-map",
                            clip_behavior=ft.ClipBehavior.HARD_EDGE, border=ft.Border.all(1, "#C8CDD5"))

    def _photo(self, sha: str) -> ft.Control:
        data = self.vm.photos.get(sha)
        if data is None:
            self.page.run_task(self._load_photo, sha)
            return small(self.t("sv.alert.photo_missing"))
        return ft.Image(src=data, height=160, fit=ft.BoxFit.CONTAIN, key=f"sv-review-photo-{sha[:12]}")

    async def _load_photo(self, sha: str) -> None:
        if await in_thread(self.vm.fetch_photo, sha) is not None:
            self.render()
            self.app.push()

    def _row(self, r: dict) -> ft.Control:
        chosen = r.get("id") == self.vm.selected_id
        return ft.Container(
            ft.Column([small(self._line(r), color=theme.INK), theme.text(str(r.get("facts") or ""), size=15)],
                      spacing=2),
            key=f"sv-review-{r['id']}", padding=10, border_radius=8, ink=True,
            bgcolor="#DCE6F7" if chosen else theme.PANEL,
            on_click=lambda e, i=str(r["id"]): self.vm.choose(None if i == self.vm.selected_id else i))

    def _form(self, r: dict) -> ft.Control:
        t, vm = self.t, self.vm
        duplicates = [(NONE, "—")] + [(str(o["id"]), f"{o.get('desa_code')} · {o.get('category')} · "
                                                       f"{str(o.get('facts') or '')[:40]}")
                                      for o in vm.duplicate_choices()]
        grade = ft.Row([
            dropdown(t("field.source_reliability"), [(x, x) for x in RELIABILITY], key="sv-grade-reliability",
                     value=vm.grade["reliability"], width=150,
                     on_select=lambda e: vm.set_grade("reliability", e.control.value)),
            dropdown(t("field.info_credibility"), [(x, x) for x in CREDIBILITY], key="sv-grade-credibility",
                     value=vm.grade["credibility"], width=150,
                     on_select=lambda e: vm.set_grade("credibility", e.control.value))], wrap=True)
        buttons = ft.Row([
            ft.FilledButton(content=t("sv.review.confirm"), icon=ft.Icons.CHECK, key="sv-review-confirm",
                            on_click=bind(self._submit, "confirm")),
            ft.OutlinedButton(content=t("sv.review.reject"), icon=ft.Icons.CLOSE, key="sv-review-reject",
                              on_click=bind(self._submit, "reject")),
            ft.OutlinedButton(content=t("sv.review.duplicate"), icon=ft.Icons.CONTENT_COPY,
                              key="sv-review-duplicate", on_click=bind(self._submit, "duplicate"))],
            wrap=True, spacing=8, run_spacing=8)
        return ft.Container(ft.Column([
            *self._evidence(r),
            small(t("sv.review.grade"), color=theme.INK), grade,
            dropdown(t("sv.review.duplicate_of"), duplicates, key="sv-duplicate-of", value=vm.duplicate_of or NONE,
                     on_select=lambda e: vm.set_duplicate_of(None if e.control.value == NONE else e.control.value)),
            theme.field(t("sv.review.note"), key="sv-review-note", value=vm.note, multiline=True,
                        on_change=lambda e: vm.set_note(e.control.value or "")),
            buttons], spacing=8), padding=12, border=ft.Border.all(2, theme.NAVY), border_radius=8,
            key="sv-review-form")

    @sends_update
    async def _submit(self, verdict: str) -> None:
        await in_thread(self.vm.submit, verdict)

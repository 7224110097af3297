"""Which desa: from GPS offline (saying how it was found), or picked from a searchable list.

Shared by the quick report and the full form. The officer's own desa are offered first as one-tap
choices: that is where most reports come from, and it works with no GPS fix at all.
"""
from __future__ import annotations

import flet as ft

from field_app.viewmodels.report_form import ReportForm
from field_app.views import theme
from field_app.views.base import Part, sends_update

MIN_QUERY = 2
RESULTS = 8


class DesaPicker(Part):
    def __init__(self, owner: Part, form: ReportForm, *, prefix: str, scope: tuple[str, ...] = ()):
        super().__init__(owner.app)
        self.form, self.prefix, self.scope = form, prefix, scope
        self.query = ""
        self.locating = False
        self.built = False

    def build(self) -> ft.Control:
        t, p = self.t, self.prefix
        self.gps_button = theme.secondary_button(t("gps.button"), self.locate, key=f"{p}-gps", icon=ft.Icons.MY_LOCATION)
        self.name = theme.text("", size=18, bold=True, key=f"{p}-desa-name")
        self.area = theme.text("", size=14, color=theme.MUTED, key=f"{p}-desa-area")
        self.how = theme.text("", size=15, key=f"{p}-desa-how")
        self.error = theme.error_text(None, key=f"{p}-desa-error")
        self.search = theme.field(t("desa.search"), key=f"{p}-desa-search", hint=t("desa.search_hint"),
                                  on_change=lambda e: self._search(e.control.value or ""))
        self.search.prefix_icon = ft.Icons.SEARCH
        self.results = ft.Column(spacing=6, horizontal_alignment=ft.CrossAxisAlignment.STRETCH, key=f"{p}-desa-results")
        self.built = True
        self.render()
        return ft.Column([self.gps_button, ft.Column([self.name, self.area, self.how], spacing=2), self.error,
                          self.search, self.results], spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    def render(self) -> None:
        if not self.built:
            return
        form = self.form
        choice = self._chosen()
        self.name.value = choice.name if choice else ""
        self.name.visible = choice is not None
        self.area.value = choice.area if choice else ""
        self.area.visible = choice is not None
        how = self.t("gps.waiting") if self.locating else form.desa_how
        self.how.value = how or ""
        self.how.visible = bool(how)
        self.error.value = form.errors.get("desa_code") or ""
        self.error.visible = bool(self.error.value)
        self.gps_button.disabled = self.locating
        self._render_results()

    def _chosen(self):
        return self.form.desa_choice(self.form.desa_code)

    def _render_results(self) -> None:
        if len(self.query.strip()) >= MIN_QUERY:
            choices = self.form.search_desa(self.query.strip(), limit=RESULTS)
            tiles = [self._tile(c.code, c.name, c.area) for c in choices] or \
                [theme.text(self.t("desa.none"), color=theme.MUTED, key=f"{self.prefix}-desa-none")]
        else:
            own = [choice for code in self.scope if (choice := self.form.desa_choice(code))]
            tiles = [theme.text(self.t("desa.yours"), size=15, bold=True)] if own else []
            tiles += [self._tile(c.code, c.name, c.area) for c in own]
        self.results.controls = tiles

    def _tile(self, code: str, name: str, area: str) -> ft.Control:
        selected = code == self.form.desa_code
        colour = theme.SURFACE if selected else theme.INK
        tile = ft.Container(
            ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE if selected else ft.Icons.PLACE, color=colour),
                    ft.Column([theme.text(name, size=16, bold=True, color=colour),
                               theme.text(area, size=14, color=colour)], spacing=0, expand=True)]),
            key=f"{self.prefix}-desa-option-{code}", on_click=lambda: self._pick(code), border_radius=10,
            padding=ft.Padding.symmetric(horizontal=12, vertical=8), bgcolor=theme.NAVY if selected else theme.PANEL)
        return theme.test_id(f"{self.prefix}-desa-option-{code}", tile, button=True, selected=selected)

    def _search(self, query: str) -> None:
        self.query = query
        self._render_results()

    def _pick(self, code: str) -> None:
        self.form.set_desa(code)

    @sends_update
    async def locate(self) -> None:
        """Ask the phone for a fix; the desa is found offline from the shipped boundaries."""
        if self.locating:
            return
        self.locating = True
        self.render()
        self.app.push()
        try:
            fix = await self.app.locate()
        finally:
            self.locating = False
        if fix is None:
            self.form.gps_unavailable()
        else:
            self.form.use_gps(*fix)

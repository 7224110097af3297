"""Which Part draws which section of the shell (imported lazily, so each screen stays its own module)."""
from __future__ import annotations

import flet as ft

from field_app.views import theme
from field_app.views.base import Part


def make(name: str, shell) -> Part:
    app = shell.app
    if name == "board":
        from field_app.views.supervisor.board import BoardPart
        return BoardPart(app, shell)
    if name == "map":
        from field_app.views.supervisor.map import MapPart
        return MapPart(app, shell)
    if name == "review":
        from field_app.views.supervisor.review import ReviewPart
        return ReviewPart(app, shell)
    if name == "rekap":
        from field_app.views.supervisor.rekap import RekapPart
        return RekapPart(app, shell)
    if name == "timeline":
        from field_app.views.supervisor.timeline import TimelinePart
        return TimelinePart(app, shell)
    if name == "plan":
        from field_app.views.supervisor.plan import PlanPart
        return PlanPart(app, shell)
    if name == "coverage":
        from field_app.views.supervisor.coverage import CoveragePart
        return CoveragePart(app, shell)
    if name == "trends":
        from field_app.views.supervisor.trends import TrendsPart
        return TrendsPart(app, shell)
    if name == "exports":
        from field_app.views.supervisor.exports import ExportsPart
        return ExportsPart(app, shell)
    if name == "admin":
        from field_app.views.supervisor.admin import AdminPart
        return AdminPart(app, shell)
    if name == "more":
        return MorePart(app, shell)
    raise KeyError(name)


class MorePart(Part):
    """On a phone: the sections that do not fit in the bottom bar."""

    def __init__(self, app, shell):
        super().__init__(app)
        self.shell = shell

    def build(self) -> ft.Control:
        from field_app.views.supervisor.shell import ICONS

        rows = [ft.ListTile(leading=ft.Icon(ICONS[name], color=theme.NAVY), key=f"sv-more-{name}",
                            title=theme.text(self.t(f"sv.nav.{name}"), size=17, bold=True),
                            on_click=lambda e, n=name: self.shell.show_section(n))
                for name in self.shell.sections[3:]]
        scope = theme.text(self.shell.scope_text(), size=15, color=theme.MUTED, key="sup-scope")
        return theme.screen([scope, *rows])

"""The map's "per tahapan / per tanggal" picker: the map drawn with the levels as of the end of a
tahapan or of a WIB day (``AsOfLevels`` over ``GET /regions?as_of=``), not only now. While a past
moment is shown, a caption says so and the live "tanpa kabar" dashes are left out (they are today's)."""
from __future__ import annotations

import flet as ft

from field_app.viewmodels.supervisor_timeline import LIVE, AsOfLevels, Timeline
from field_app.views import theme
from field_app.views.base import sends_update
from field_app.views.supervisor.common import dropdown, in_thread, small


class AsOfPicker:
    def __init__(self, part, client, app):
        self.part = part
        self.t = app.t
        self.vm = AsOfLevels(client, clock=app.device.clock, translator=app.t)
        self.timeline = Timeline(client, clock=app.device.clock, translator=app.t)
        self.row = ft.Row(spacing=8, wrap=True, key="sv-map-asof", vertical_alignment=ft.CrossAxisAlignment.CENTER)
        self.caption = small("", key="sv-map-asof-caption", color="#A33000")
        self._choices: list[tuple[str, str]] | None = None

    @property
    def active(self) -> bool:
        return self.vm.active

    def level_of(self, code: str, live: str | None) -> str | None:
        return self.vm.level_of(code, live)

    def controls(self) -> list[ft.Control]:
        self.render()
        return [self.row, self.caption]

    def render(self) -> None:
        """Build the picker once per list of choices (typing a date keeps its field); update the caption."""
        choices = self.timeline.as_of_choices()
        stage = self.vm.choice if self.vm.choice and not self.vm.choice[:1].isdigit() else LIVE
        if choices != self._choices:
            self._choices = choices
            self.date = theme.field(self.t("sv.asof.date"), key="sv-map-asof-date")
            self.date.width, self.date.on_submit = 220, self._date_submitted
            self.picker = dropdown(self.t("sv.asof.label"), choices, key="sv-map-asof-stage", value=stage,
                                   on_select=self._picked, width=260)
            self.row.controls = [self.picker, self.date]
        self.picker.content.value = stage
        self.caption.value = self.vm.problem or self.vm.caption()
        self.caption.color = theme.ERROR if self.vm.problem else "#A33000"
        self.caption.visible = bool(self.caption.value)

    async def load(self) -> None:
        """The tahapan that have begun (the picker's choices), then the map drawn again with them."""
        await in_thread(self.timeline.refresh)
        self.part.render()
        self.part.app.push()

    async def choose(self, value: str) -> None:
        await in_thread(self.vm.choose, value)
        self.part.render()

    @sends_update
    async def _picked(self, e) -> None:
        await self.choose(e.control.value or "")

    @sends_update
    async def _date_submitted(self, e) -> None:
        await self.choose(e.control.value or "")

    @property
    def app(self):                              # sends_update pushes through the map's app
        return self.part.app

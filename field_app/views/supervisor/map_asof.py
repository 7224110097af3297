"""The map's "per tahapan / per tanggal" picker: the map drawn with the levels as of the end of a
tahapan or of a WIB day (``AsOfLevels`` over ``GET /regions?as_of=``), not only now. While a past
moment is shown, a caption says so and the live "tanpa kabar" dashes are left out (they are today's)."""
from __future__ import annotations

from datetime import date, datetime

import flet as ft

from field_app.viewmodels.supervisor_timeline import LIVE, AsOfLevels, Timeline
from field_app.views import theme
from field_app.views.base import sends_update
from field_app.views.supervisor.common import day_words, dropdown, in_thread, small
from kerawanan.tahapan import WIB


class AsOfPicker:
    def __init__(self, part, client, app):
        self.part = part
        self.t = app.t
        self.vm = AsOfLevels(client, clock=app.device.clock, translator=app.t)
        self.timeline = Timeline(client, clock=app.device.clock, translator=app.t)
        self.row = ft.Row(spacing=8, wrap=True, key="sv-map-asof", vertical_alignment=ft.CrossAxisAlignment.CENTER)
        self.caption = small("", key="sv-map-asof-caption", color="#A33000")
        self._choices: list[tuple[str, str]] | None = None
        self._day: str | None = None

    @property
    def active(self) -> bool:
        return self.vm.active

    def level_of(self, code: str, live: str | None) -> str | None:
        return self.vm.level_of(code, live)

    def controls(self) -> list[ft.Control]:
        self.render()
        return [self.row, self.caption]

    def render(self) -> None:
        """Build the picker once per list of choices and day shown; update the caption."""
        choices = self.timeline.as_of_choices()
        chosen_day = self.vm.choice if (self.vm.choice or "")[:1].isdigit() else None
        stage = self.vm.choice or LIVE                    # a chosen day is a choice of its own, never "now"
        if chosen_day:
            choices = [*choices, (chosen_day, self.t("sv.asof.chosen_day"))]
        day = self._day_words()
        if choices != self._choices or day != self._day:
            self._choices, self._day = choices, day       # a new button: a drawn one is frozen
            self.date = theme.secondary_button(day, self._pick_day, key="sv-map-asof-date",
                                               icon=ft.Icons.CALENDAR_MONTH)
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

    def _day_words(self) -> str:
        """"Tanggal…" until a day is shown, then the day itself ("26 Nov 2024")."""
        choice = self.vm.choice or ""
        if not choice[:1].isdigit():
            return self.t("sv.asof.date")
        return day_words(self.t, date.fromisoformat(choice))

    def _pick_day(self, e=None) -> None:
        today = self.part.app.device.clock().astimezone(WIB).date()
        choice = self.vm.choice or ""
        shown = datetime.fromisoformat(choice) if choice[:1].isdigit() else datetime(today.year, today.month, today.day)
        self.part.page.show_dialog(ft.DatePicker(
            value=shown, first_date=datetime(2024, 1, 1), last_date=datetime(today.year, today.month, today.day),
            on_change=self._day_picked, key="sv-map-asof-picker", help_text=self.t("sv.asof.date.help"),
            cancel_text=self.t("action.cancel"), confirm_text=self.t("action.ok")))

    @sends_update
    async def _day_picked(self, e) -> None:
        value = e.control.value
        if value is not None:
            await self.choose(f"{value.year:04d}-{value.month:02d}-{value.day:02d}")

    @property
    def app(self):                              # sends_update pushes through the map's app
        return self.part.app

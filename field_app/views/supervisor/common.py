"""What the supervisor screens share: level badges (words + colour + icon), flags, small helpers."""
from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import flet as ft

from field_app.viewmodels.supervisor_board import parse_time
from field_app.views import theme
from field_app.views.base import Part
from kerawanan import assets

# level -> (text colour, background, map fill, icon); contrast of text on background >= 7:1
LEVEL_STYLE = {
    "sangat_rawan": ("#FFFFFF", "#B00020", "#E53935", ft.Icons.REPORT),
    "rawan": ("#3D2800", "#FFD54F", "#FDD835", ft.Icons.WARNING_AMBER),
    "kurang_rawan": ("#0D3B12", "#C8E6C9", "#43A047", ft.Icons.CHECK_CIRCLE_OUTLINE),
}
OUTSIDE_FILL = "#9E9E9E"
FLAG_STYLE = {"overdue": ("#FFFFFF", "#6A1B9A", ft.Icons.ALARM), "escalated": ("#FFFFFF", "#0B3D91",
                                                                             ft.Icons.TRENDING_UP)}
WIDE = 900          # px: NavigationRail and two columns from here on


def level_words(level: str | None, lang: str) -> str:
    if not level:
        return "—"
    term = assets.vocabulary().level(level)
    return term.label_en if lang == "en" else term.label_id


def category_words(code: str | None, lang: str) -> str:
    if not code:
        return "—"
    try:
        term = assets.vocabulary().category(code)
    except (KeyError, ValueError):
        return code
    return term.label_en if lang == "en" else term.label_id


def stage_words(code: str | None, lang: str) -> str:
    if not code:
        return "—"
    try:
        return assets.calendar().get(code).label(lang)
    except (KeyError, ValueError):
        return code


def level_badge(level: str | None, lang: str, *, key: str | None = None, size: int = 14) -> ft.Container:
    colour, background, _, icon = LEVEL_STYLE.get(level or "", ("#111111", theme.PANEL, OUTSIDE_FILL, ft.Icons.HELP))
    return ft.Container(
        ft.Row([ft.Icon(icon, color=colour, size=size + 4),
                ft.Text(level_words(level, lang).upper(), color=colour, size=size, font_family=theme.FONT_BOLD)],
               spacing=4, tight=True),
        key=key, bgcolor=background, padding=ft.Padding.symmetric(horizontal=8, vertical=4), border_radius=6)


def flag_badge(kind: str, words: str, *, key: str | None = None) -> ft.Container:
    colour, background, icon = FLAG_STYLE[kind]
    return ft.Container(ft.Row([ft.Icon(icon, color=colour, size=18),
                                ft.Text(words, color=colour, size=13, font_family=theme.FONT_BOLD)],
                               spacing=4, tight=True),
                        key=key, bgcolor=background, padding=ft.Padding.symmetric(horizontal=8, vertical=4),
                        border_radius=6)


def when(t, value: Any, now: datetime | None = None) -> str:
    moment = parse_time(value)
    return t.time(moment, now=now) if moment else t("sv.never")


def section_title(words: str, *, key: str | None = None) -> ft.Text:
    return theme.text(words, size=18, bold=True, key=key)


def small(words: str, *, key: str | None = None, color: str = theme.MUTED, selectable: bool = False) -> ft.Text:
    return theme.text(words, size=14, color=color, key=key, selectable=selectable)


def dropdown(label: str, options: list[tuple[str, str]], *, key: str, value: str | None, on_select,
             width: int | None = None) -> ft.Control:
    """A compact dropdown with a stable test id (Dropdowns have no accessible name of their own)."""
    control = ft.Dropdown(label=label, key=key, value=value, on_select=on_select, text_size=14, dense=True,
                          options=[ft.DropdownOption(key=code, text=words) for code, words in options],
                          label_style=ft.TextStyle(size=14, color=theme.MUTED), border=theme.input_border(),
                          width=width, menu_height=420)
    return theme.test_id(key, control)


async def in_thread(fn, *args, **kwargs):
    return await asyncio.to_thread(fn, *args, **kwargs)


def status_chip(words: str, *, key: str | None = None) -> ft.Container:
    return ft.Container(ft.Text(words, color=theme.NAVY, size=13, font_family=theme.FONT_BOLD), key=key,
                        bgcolor="#DCE6F7", padding=ft.Padding.symmetric(horizontal=8, vertical=4), border_radius=6)


def bind(coroutine_function, *args):
    """An async event handler that awaits ``coroutine_function(*args)`` (a lambda returning a coroutine is
    not awaited by Flet)."""
    async def on_event(e=None) -> None:
        await coroutine_function(*args)
    return on_event


class SectionPart(Part):
    """A supervisor section drawn into one column over one view-model that loads on first view.

    Subclasses set ``KEY`` (the column's test key), may set ``SPACING``/``STRETCH``, and write
    ``render()``; ``reload()`` refreshes the view-model off the UI thread."""

    KEY = ""
    SPACING = 10
    STRETCH = False

    def __init__(self, app, shell, vm):
        super().__init__(app)
        self.shell = shell
        self.vm = vm
        self.watch(self.vm, self.render)
        self.loaded = False

    def build(self) -> ft.Control:
        align = ft.CrossAxisAlignment.STRETCH if self.STRETCH else None
        self.body = ft.Column(spacing=self.SPACING, key=self.KEY, horizontal_alignment=align)
        self.render()
        return theme.screen([self.body])

    def activate(self) -> None:
        if not self.loaded:
            self.loaded = True
            self.page.run_task(self.reload)

    async def reload(self) -> None:
        await in_thread(self.vm.refresh)

    def render(self) -> None:
        raise NotImplementedError

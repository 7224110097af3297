"""What the supervisor screens share: level badges (words + colour + icon), flags, small helpers."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import flet as ft

from field_app.errors import Offline, ServerRejected
from field_app.strings import MONTHS
from field_app.viewmodels.supervisor_board import parse_time
from field_app.views import theme
from field_app.views.base import Part
from kerawanan import assets

log = logging.getLogger(__name__)

# level -> (text colour, background, map fill, icon); contrast of text on background >= 7:1
LEVEL_STYLE = {
    "sangat_rawan": ("#FFFFFF", "#B00020", "#E53935", ft.Icons.REPORT),
    "rawan": ("#3D2800", "#FFD54F", "#FDD835", ft.Icons.WARNING_AMBER),
    "kurang_rawan": ("#0D3B12", "#C8E6C9", "#43A047", ft.Icons.CHECK_CIRCLE_OUTLINE),
}
OUTSIDE_FILL = "#D6D6D6"       # outside the scope: light grey, no level
# A kurang_rawan region that is not reporting: grey with a question mark, never the green of "safe".
QUIET_STYLE = ("#212121", "#E0E0E0", "#616161", ft.Icons.HELP_OUTLINE)
# coverage state -> (text, background, icon); a critical tahapan highlights it (CRITICAL_BACKGROUND)
COVERAGE_STYLE = {"silent": ("#FFFFFF", "#37474F", ft.Icons.PHONELINK_ERASE),
                  "unassigned": ("#FFFFFF", "#4E342E", ft.Icons.PERSON_OFF),
                  "past": ("#212121", "#BDBDBD", ft.Icons.HISTORY)}     # a map as of a past moment
CRITICAL_BACKGROUND = "#A33000"
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


def is_quiet(coverage: dict | None) -> bool:
    """Not reporting: silent or without an officer (``coverage`` of a region or alert from the server)."""
    return bool(coverage) and coverage.get("state") in COVERAGE_STYLE


def level_badge(level: str | None, lang: str, *, key: str | None = None, size: int = 14,
                coverage: dict | None = None) -> ft.Container:
    """The level in words, colour and icon; a quiet (``is_quiet``) kurang_rawan region is grey, not green."""
    colour, background, _, icon = LEVEL_STYLE.get(level or "", ("#111111", theme.PANEL, OUTSIDE_FILL, ft.Icons.HELP))
    if is_quiet(coverage) and level in (None, "kurang_rawan"):
        colour, background, _, icon = QUIET_STYLE
    return ft.Container(
        ft.Row([ft.Icon(icon, color=colour, size=size + 4),
                ft.Text(level_words(level, lang).upper(), color=colour, size=size, font_family=theme.FONT_BOLD)],
               spacing=4, tight=True),
        key=key, bgcolor=background, padding=ft.Padding.symmetric(horizontal=8, vertical=4), border_radius=6)


def coverage_badge(coverage: dict | None, t, *, key: str | None = None, size: int = 14) -> ft.Container | None:
    """"TANPA KABAR" / "BELUM ADA BHABIN" (a parent: "TANPA KABAR 3/12"); None when reporting.
    Highlighted in a critical tahapan."""
    if not is_quiet(coverage):
        return None
    colour, background, icon = COVERAGE_STYLE[coverage["state"]]
    words = coverage_words(coverage, t)
    return ft.Container(
        ft.Row([ft.Icon(icon, color=colour, size=size + 4),
                ft.Text(words, color=colour, size=size, font_family=theme.FONT_BOLD)], spacing=4, tight=True),
        key=key, bgcolor=CRITICAL_BACKGROUND if coverage.get("critical_stage") else background,
        padding=ft.Padding.symmetric(horizontal=8, vertical=4), border_radius=6)


def coverage_words(coverage: dict, t) -> str:
    """"TANPA KABAR" / "BELUM ADA BHABIN" for a desa (or a region whose every desa is so); a parent with
    some desa heard from: "TANPA KABAR 3/12" (desa without news / desa)."""
    desa, silent = int(coverage.get("desa") or 0), int(coverage.get("silent_desa") or 0)
    if desa > 1 and silent < desa:
        return t("sv.state.partial", silent=silent, desa=desa)
    return t(f"sv.state.{coverage.get('state') or 'silent'}")


def region_badges(level: str | None, coverage: dict | None, t, *, key: str | None = None, size: int = 12) -> list:
    """The level badge and, when the region is not reporting, the coverage badge beside it."""
    badges = [level_badge(level, t.lang, size=size, coverage=coverage, key=key),
              coverage_badge(coverage, t, size=size, key=f"{key}-coverage" if key else None)]
    if key:             # test ids in the browser's semantics tree; never inside a button (they split its name)
        badges = [theme.test_id(badges[0].key, badges[0]), *(theme.test_id(b.key, b) for b in badges[1:] if b)]
    return [badge for badge in badges if badge]


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


def day_words(t, day) -> str:
    """A WIB day as a commander reads it: "26 Nov 2024"."""
    return f"{day.day} {MONTHS['en' if t.lang == 'en' else 'id'][day.month - 1]} {day.year}"


async def download_to_user(part: Part, message: ft.Text, fetch, *args) -> None:
    """Fetch a file off the UI thread (``fetch(*args)`` -> bytes and the server's file name), hand it to
    the user (``save_bytes``) and say in ``message`` what happened: saved, cancelled, offline, refused."""
    try:
        data, file_name = await in_thread(fetch, *args)
    except Offline:
        theme.show_message(message, part.t("sv.offline"), theme.ERROR)
        return
    except ServerRejected as exc:
        theme.show_message(message, exc.message, theme.ERROR)
        return
    saved = await save_bytes(part, data, file_name)
    theme.show_message(message, part.t("sv.exports.saved", name=file_name, size=max(1, len(data) // 1024))
                       if saved else part.t("sv.exports.cancelled"), theme.INK if saved else theme.MUTED)


async def save_bytes(part: Part, data: bytes, file_name: str) -> bool:
    """Hand downloaded bytes to the user: in web mode the browser saves them (a download); on desktop
    a save dialog picks the path. False when the user cancelled (or no client answered)."""
    picker = part.app.service("file_picker")
    try:
        path = await picker.save_file(file_name=file_name, src_bytes=data)
    except Exception:                      # no client answer (tests) or an unsupported platform
        log.info("save_file failed", exc_info=True)
        return False
    if part.page.web:
        return True
    if not path:
        return False
    Path(path).write_bytes(data)
    return True

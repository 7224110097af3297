"""The Flet entry point: ``main(page)`` for ``flet build apk`` (via the top-level ``main.py``) and web mode.

``main`` serves one session with the process's one ``Device`` (outbox, tokens, sync). Tests build
their own device and call ``make_main(device)``.
"""
from __future__ import annotations

from collections.abc import Callable

import flet as ft

from field_app import platform
from field_app.device import Device, shared_device
from field_app.views.router import AppSession


def make_main(device: Device | Callable[[], Device]) -> Callable[[ft.Page], None]:
    """A Flet ``main`` bound to ``device`` (or to a function that returns it on first use)."""

    def session_main(page: ft.Page) -> None:
        chosen = device() if callable(device) else device
        AppSession(page, chosen).start()

    return session_main


def main(page: ft.Page) -> None:
    # In a browser: its data folder and server address are set before the device reads them, and a
    # browser that cannot keep the outbox safely says so instead of starting.
    problem = platform.current().cannot_run()
    if problem:
        refuse(page, problem)
        return
    make_main(shared_device)(page)


def refuse(page: ft.Page, problem: str) -> None:
    """The one screen of a session that cannot start, saying why (in both languages)."""
    from field_app.views import theme

    theme.apply_theme(page)
    page.add(ft.SafeArea(ft.Container(ft.Column([ft.Icon(ft.Icons.INFO_OUTLINE, color=theme.NAVY, size=48),
                                                 theme.text(problem, size=18)], spacing=16),
                                      padding=24), expand=True))

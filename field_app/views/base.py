"""What every screen shares: the session it belongs to, its view-model subscriptions, safe updates.

A view-model may change in a worker thread (enrolment, PIN checks and photo shrinking are slow and
run in ``asyncio.to_thread``). Rendering always happens on the event loop: ``watch`` routes every
change there. Inside an event handler Flet sends the result when the handler returns; from a
background task the screen calls ``push()`` (``page.update()``) itself.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import flet as ft

if TYPE_CHECKING:
    from field_app.views.router import AppSession

log = logging.getLogger(__name__)


class Part:
    """A piece of UI over view-models: ``build()`` once, re-render on change, ``dispose()`` when gone."""

    def __init__(self, app: AppSession):
        self.app = app
        self._unsubscribe: list[Callable[[], None]] = []

    @property
    def t(self):
        return self.app.t

    @property
    def page(self) -> ft.Page:
        return self.app.page

    def build(self) -> ft.Control:
        raise NotImplementedError

    def watch(self, model: Any, render: Callable[[], None]) -> None:
        self._unsubscribe.append(model.subscribe(lambda: self.app.on_ui(render)))

    def keep(self, unsubscribe: Callable[[], None]) -> None:
        self._unsubscribe.append(unsubscribe)

    def dispose(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()


class Screen(Part):
    """A whole screen: body, and optionally an app bar and a navigation bar."""

    def appbar(self) -> ft.AppBar | None:
        return None

    def navigation_bar(self) -> ft.NavigationBar | None:
        return None


def sends_update(handler: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """For async handlers that wait on threads: send the final state explicitly.

    Flet skips its auto-update after a handler when ``update()`` was called during it, and a
    worker thread's re-render (``on_ui``) or a "busy…" push counts as such a call.
    """
    @functools.wraps(handler)
    async def wrapper(self, *args, **kwargs):
        try:
            return await handler(self, *args, **kwargs)
        finally:
            self.app.push()
    return wrapper


def on_loop_thread(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return getattr(loop, "_thread_id", None) == threading.get_ident()

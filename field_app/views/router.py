"""One app session (the phone's app, or one browser in web mode) and which screen it shows.

First run -> enroll; later -> unlock. An unlocked session opens the shell registered for its role:
officers get the officer shell; supervisors and admins get whatever ``register_shell`` put there
(a placeholder until the supervisor screens exist). That registry is the seam for them.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import flet as ft

from field_app.device import Device
from field_app.i18n import Translator
from field_app.token_storage import token_store_for
from field_app.viewmodels.enrollment import ENROLLMENT_KEY, OfficerSession
from field_app.views import theme
from field_app.views.base import Screen, on_loop_thread

log = logging.getLogger(__name__)
GPS_TIMEOUT_S = 20
SUPERVISOR_ROUTES = ("/atasan", "/pengawas", "/supervisor")   # web mode: open straight on the sign-in

# role -> factory(app, session) -> Screen. Supervisor screens register themselves here.
ShellFactory = Callable[["AppSession", Any], Screen]
_SHELLS: dict[str, ShellFactory] = {}


def register_shell(role: str, factory: ShellFactory) -> None:
    _SHELLS[role] = factory


def shell_for(role: str) -> ShellFactory | None:
    if not _SHELLS:
        _register_defaults()
    return _SHELLS.get(role)


def _register_defaults() -> None:
    from field_app.views.shell import OfficerShell
    from field_app.views.supervisor import SupervisorShell

    _SHELLS.setdefault("officer", OfficerShell)
    _SHELLS.setdefault("supervisor", SupervisorShell)
    _SHELLS.setdefault("admin", SupervisorShell)


class AppSession:
    def __init__(self, page: ft.Page, device: Device):
        self.page, self.device = page, device
        self.loop = asyncio.get_running_loop()
        self.t = Translator(device.language)
        self.tokens = token_store_for(page, device.config.data_dir, file_store=device.file_tokens)
        self.screen: Screen | None = None
        self.connectivity_listener: Callable[[], None] | None = None
        self._services: dict[str, Any] = {}

    def start(self) -> None:
        theme.apply_theme(self.page)
        self.page.title = self.t("app.title")
        self.apply_locale()
        self.page.on_close = lambda e: self.close()
        self.service("connectivity")
        self.page.run_task(self._read_link)
        self.show_start()

    def close(self) -> None:
        if self.screen is not None:
            self.screen.dispose()
            self.screen = None

    # ------------------------------------------------------------ screens

    def show(self, screen: Screen) -> None:
        if self.screen is not None:
            self.screen.dispose()
        self.screen = screen
        body = screen.build()
        self.page.appbar = screen.appbar()
        self.page.navigation_bar = screen.navigation_bar()
        self.place(body)

    def place(self, body: ft.Control) -> None:
        """Put a screen's body on the page: the one place that does, so a replay's banner is on every
        screen however it was laid out (a shell re-lays itself when the window turns wide or narrow)."""
        if self.device.config.replay is not None:
            banner = theme.replay_banner(self.t("replay.banner", time=self.t.time(self.device.clock())))
            body = ft.Column([banner, ft.Container(body, expand=True)], spacing=0, expand=True)
        self.page.controls = [ft.SafeArea(body, expand=True)]

    def show_start(self) -> None:
        """The supervisor sign-in when the address says so (``/atasan``, ``/pengawas``: the bookmark of
        a shared Polsek/Polres PC in web mode); else unlock when an officer is enrolled on this
        device, else enroll."""
        route = (self.page.route or "").rstrip("/").lower()
        if route in SUPERVISOR_ROUTES:
            self.show_supervisor_login()
        elif self.device.outbox.meta.officers_with(ENROLLMENT_KEY):
            self.show_unlock()
        else:
            self.show_enroll()

    def show_enroll(self, *, back_to_unlock: bool = False) -> None:
        from field_app.views.enroll import EnrollScreen

        self.show(EnrollScreen(self, back_to_unlock=back_to_unlock))

    def show_unlock(self) -> None:
        from field_app.views.unlock import UnlockScreen

        self.show(UnlockScreen(self))

    def show_supervisor_login(self) -> None:
        from field_app.views.supervisor import SupervisorLogin

        self.show(SupervisorLogin(self))

    def open_session(self, session: OfficerSession | Any) -> None:
        """After unlock (officer) or login (supervisor): the shell for the session's role."""
        factory = shell_for(getattr(session, "role", "officer")) or shell_for("officer")
        self.show(factory(self, session))

    def lock(self) -> None:
        self.show_unlock()

    # ------------------------------------------------------------ device services

    def service(self, name: str) -> Any:
        """GPS, file picker, connectivity: made once per session and kept (an unreferenced one is dropped)."""
        if name not in self._services:
            self._services[name] = self._make_service(name)
            self.page.services.append(self._services[name])
        return self._services[name]

    def _make_service(self, name: str) -> Any:
        if name == "geolocator":
            import flet_geolocator as ftg

            return ftg.Geolocator()
        if name == "file_picker":
            return ft.FilePicker()
        if name == "connectivity":
            return ft.Connectivity(on_change=self._connectivity_changed)
        raise KeyError(name)

    async def locate(self) -> tuple[float, float, float | None] | None:
        """A GPS fix (lat, lon, accuracy in m), or None: no permission, no fix in time, or no GPS."""
        geolocator = self.service("geolocator")
        try:
            if not self.page.web:
                await asyncio.wait_for(geolocator.request_permission(), timeout=GPS_TIMEOUT_S)
            position = await asyncio.wait_for(geolocator.get_current_position(), timeout=GPS_TIMEOUT_S)
        except Exception:                       # denied, unsupported, timed out: the list still works
            log.info("no GPS fix", exc_info=True)
            return None
        if position.latitude is None or position.longitude is None:
            return None
        return float(position.latitude), float(position.longitude), position.accuracy

    async def _read_link(self) -> None:
        """The link at start (Wi-Fi, mobile…): "kirim foto nanti (Wi-Fi)" needs it before the first change."""
        try:
            types = await asyncio.wait_for(self.service("connectivity").get_connectivity(), timeout=GPS_TIMEOUT_S)
        except Exception:                       # no plugin (tests, some browsers): the link stays unknown
            log.info("connectivity unknown", exc_info=True)
            return
        self.device.set_link(types)

    def _connectivity_changed(self, e: Any = None) -> None:
        if e is not None and getattr(e, "connectivity", None) is not None:
            self.device.set_link(e.connectivity)
        if self.connectivity_listener is not None:
            self.connectivity_listener()

    # ------------------------------------------------------------ language and updates

    def set_language(self, lang: str) -> None:
        self.t.set_language(lang)
        self.apply_locale()
        self.page.title = self.t("app.title")

    def apply_locale(self) -> None:
        current = ft.Locale("en", "US") if self.t.lang == "en" else ft.Locale("id", "ID")
        self.page.locale_configuration = ft.LocaleConfiguration(
            supported_locales=[ft.Locale("id", "ID"), ft.Locale("en", "US")], current_locale=current)

    def on_ui(self, render: Callable[[], None]) -> None:
        """Run ``render`` on the event loop; from another thread, also send the result."""
        if on_loop_thread(self.loop):
            render()
            return

        def render_and_push() -> None:
            render()
            self.push()
        self.loop.call_soon_threadsafe(render_and_push)

    def push(self) -> None:
        """Send pending changes from outside an event handler (background sync, timers)."""
        try:
            self.page.update()
        except Exception:               # the browser went away: nothing to show it to
            log.debug("page update failed", exc_info=True)

    def notify(self, message: str) -> None:
        self.page.show_dialog(ft.SnackBar(theme.text(message, color=theme.SURFACE), bgcolor=theme.INK,
                                          duration=ft.Duration(seconds=4)))

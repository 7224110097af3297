"""Pengaturan: language, server address, how sync works, photos on Wi-Fi, how long sent text stays, lock and
sign out."""
from __future__ import annotations

from dataclasses import replace

import flet as ft

from field_app import __version__
from field_app.viewmodels.settings import Settings
from field_app.views import theme
from field_app.views.base import Part


class SettingsPage(Part):
    def __init__(self, shell):
        super().__init__(shell.app)
        self.shell = shell
        self.vm = Settings(shell.app.device, shell.session.officer, clock=shell.app.device.clock,
                           translator=shell.app.t)

    def build(self) -> ft.Control:
        t, vm, session = self.t, self.vm, self.shell.session
        self.languages = ft.Row(spacing=8)
        self.server = theme.field(t("settings.server"), key="settings-server", value=vm.server_url,
                                  keyboard=ft.KeyboardType.URL, on_change=lambda e: vm.set_server_url(e.control.value))
        self.server_message = theme.message_text("settings-message")
        self.purge = theme.dropdown(t("settings.purge"), vm.purge_choices, key="settings-purge",
                                    value=str(vm.purge_after_days) if vm.purge_after_days else None,
                                    on_select=lambda e: vm.choose_purge_days(e.control.value))
        self.photos_wifi = ft.Switch(label=t("settings.photos.wifi"), value=vm.photos_wifi_only, key="settings-photos-wifi",
                                     label_text_style=ft.TextStyle(size=16, color=theme.INK),
                                     on_change=lambda e: vm.choose_photos_wifi_only(e.control.value))
        self.photos_held = theme.text("", size=15, key="settings-photos-held")
        self.photos_message = theme.message_text("settings-photos-message")
        self.photos_send = theme.secondary_button(t("settings.photos.send"), vm.send_photos_now,
                                                  key="settings-photos-send", icon=ft.Icons.UPLOAD)
        body = [
            _section(t("settings.officer")),
            theme.text(f"{session.name} · NRP {session.officer}", size=16, key="settings-officer"),
            _section(t("settings.language")), self.languages,
            _section(t("settings.server")), self.server,
            theme.secondary_button(t("settings.server.save"), self._save_server, key="settings-server-save",
                                   icon=ft.Icons.SAVE),
            self.server_message,
            _section(t("settings.sync")), theme.text(vm.interval_text, size=15, key="settings-interval"),
            _section(t("settings.photos")), theme.test_id("settings-photos-wifi", self.photos_wifi),
            theme.text(t("settings.photos.hint"), size=15, color=theme.MUTED), self.photos_held,
            self.photos_send, self.photos_message,
            _section(t("settings.storage")), theme.test_id("settings-purge", self.purge),
            theme.text(t("settings.purge.hint"), size=15, color=theme.MUTED),
            _section(t("settings.session")),
            theme.secondary_button(t("settings.lock"), lambda: self.app.lock(), key="settings-lock", icon=ft.Icons.LOCK),
            theme.secondary_button(t("settings.sign_out"), self._sign_out, key="settings-sign-out",
                                   icon=ft.Icons.LOGOUT),
            theme.text(t("settings.sign_out.hint"), size=15, color=theme.MUTED),
            theme.text(t("settings.version", version=__version__), size=14, color=theme.MUTED),
        ]
        self.watch(vm, self.render)
        self.render()
        return theme.screen(body)

    def render(self) -> None:
        vm = self.vm
        self.languages.controls = [self._language(code, label) for code, label in vm.language_choices]
        self.server.error = vm.errors.get("server_url")
        theme.show_message(self.server_message, vm.message)
        self.photos_wifi.value = vm.photos_wifi_only
        self.photos_held.value = vm.held_photos_text
        self.photos_send.visible = vm.photos_wifi_only and vm.held_photos > 0
        theme.show_message(self.photos_message, vm.photos_message)

    def _language(self, code: str, label: str) -> ft.Control:
        selected = code == self.vm.language
        words = theme.text(label, size=16, bold=True, color=theme.SURFACE if selected else theme.NAVY)
        button = ft.Container(
            ft.Row([ft.Icon(ft.Icons.CHECK, color=theme.SURFACE, size=20), words] if selected else [words],
                   alignment=ft.MainAxisAlignment.CENTER, spacing=4),
            key=f"settings-lang-{code}", on_click=lambda: self._choose_language(code), height=theme.TARGET,
            expand=True, bgcolor=theme.NAVY if selected else theme.SURFACE, border_radius=10,
            border=ft.Border.all(2, theme.NAVY))
        return theme.test_id(f"settings-lang-{code}", button, button=True, selected=selected, expand=True)

    def _choose_language(self, code: str) -> None:
        if code == self.vm.language:
            return
        self.vm.choose_language(code)
        self.app.set_language(code)
        self.shell.refresh_language()

    def _save_server(self) -> None:
        if self.vm.save_server_url():
            self.shell.session = replace(self.shell.session, server_url=self.vm.server_url)
            self.shell.hub.use_session(self.shell.session)

    def _sign_out(self) -> None:
        """Stop this officer's background sync and lock: reports stay on the phone for the next unlock."""
        self.shell.hub.stop()
        self.app.lock()


def _section(words: str) -> ft.Control:
    return ft.Container(theme.text(words, size=17, bold=True, color=theme.NAVY), padding=ft.Padding.only(top=8))

"""The supervisors' door: a username/password login that opens the supervisor shell.

After an admin's reset the server answers ``password_change_required``: the door then asks for a
new password (twice), changes it with the temporary one, and only then opens the shell.

``SupervisorSession.client`` is a logged-in ``SyncClient``; the shell (``supervisor.shell``) gets it.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import flet as ft

from field_app.errors import Offline, ServerRejected
from field_app.sync_client import SyncClient
from field_app.views import theme
from field_app.views.base import Screen, sends_update
from kerawanan import assets

log = logging.getLogger(__name__)
SUPERVISOR_ROLES = ("supervisor", "admin")


@dataclass(frozen=True, slots=True)
class SupervisorSession:
    username: str
    name: str
    role: str
    scope: tuple[str, ...]
    client: Any = field(repr=False)


class SupervisorLogin(Screen):
    def __init__(self, app):
        super().__init__(app)
        self.values = {"server_url": app.device.default_server_url, "username": "", "password": ""}
        self.busy = False
        self.pending: SupervisorSession | None = None    # logged in with a temporary password
        self.new_passwords = {"new": "", "repeat": ""}

    def appbar(self) -> ft.AppBar:
        return ft.AppBar(title=theme.text(self.t("supervisor.title"), size=20, bold=True, color=theme.SURFACE),
                         bgcolor=theme.NAVY, automatically_imply_leading=False,
                         leading=ft.IconButton(ft.Icons.ARROW_BACK, icon_color=theme.SURFACE, key="sup-back",
                                               tooltip=self.t("action.back"), on_click=lambda: self.app.show_start()))

    def build(self) -> ft.Control:
        t = self.t
        self.boxes = {
            "server_url": theme.field(t("enroll.server_url"), key="sup-server", value=self.values["server_url"],
                                      keyboard=ft.KeyboardType.URL, on_change=self._setter("server_url")),
            "username": theme.field(t("supervisor.username"), key="sup-username", on_change=self._setter("username")),
            "password": theme.field(t("supervisor.password"), key="sup-password", password=True,
                                    on_change=self._setter("password")),
        }
        self.new_boxes = [theme.field(t(f"sv.admin.{name}_password"), key=f"sup-{name}-password", password=True,
                                      on_change=lambda e, n=name: self.new_passwords.__setitem__(n, e.control.value or ""))
                          for name in ("new", "repeat")]
        for box in self.new_boxes:
            box.visible = self.pending is not None
        self.message = theme.message_text("sup-message")
        self.submit = theme.primary_button(t("supervisor.submit"), self._login, key="sup-submit", icon=ft.Icons.LOGIN)
        body = [theme.text(t("supervisor.intro"), color=theme.MUTED), *self.boxes.values(), *self.new_boxes,
                self.message]
        return theme.screen(body, bottom=[self.submit])

    def _setter(self, name: str):
        def set_value(e) -> None:
            self.values[name] = (e.control.value or "").strip() if name != "password" else e.control.value or ""
            self.boxes[name].error = None
        return set_value

    @sends_update
    async def _login(self) -> None:
        if self.pending is not None:
            await self._change_and_enter()
            return
        missing = [name for name, value in self.values.items() if not value]
        for name in missing:
            self.boxes[name].error = self.t("supervisor.required")
        if missing or self.busy:
            return
        self.busy, self.submit.disabled = True, True
        theme.show_message(self.message, self.t("enroll.working"))
        self.app.push()
        try:
            session, problem = await asyncio.to_thread(self._try_login)
        finally:
            self.busy, self.submit.disabled = False, False
        if session is None:
            theme.show_message(self.message, problem, theme.ERROR)
            return
        if problem == "must_change":
            self.pending = session
            for box in self.new_boxes:
                box.visible = True
            theme.show_message(self.message, self.t("supervisor.must_change"), theme.ERROR)
            return
        self.app.device.remember_server_url(self.values["server_url"])
        self.app.open_session(session)

    async def _change_and_enter(self) -> None:
        new, repeat = self.new_passwords["new"], self.new_passwords["repeat"]
        if not new or new != repeat:
            theme.show_message(self.message, self.t("sv.admin.passwords_differ"), theme.ERROR)
            return
        try:
            await asyncio.to_thread(self.pending.client.change_password, self.values["password"], new)
        except Offline:
            theme.show_message(self.message, self.t("supervisor.offline"), theme.ERROR)
            return
        except ServerRejected as exc:
            fields = exc.details.get("fields") or {}
            theme.show_message(self.message, " ".join([exc.message, *fields.values()]), theme.ERROR)
            return
        session, self.pending = self.pending, None
        self.app.device.remember_server_url(self.values["server_url"])
        self.app.open_session(session)

    def _try_login(self) -> tuple[SupervisorSession | None, str | None]:
        client = SyncClient(self.values["server_url"], **self.app.device.config.client_options)
        try:
            body = client.login(self.values["username"], self.values["password"])
        except Offline:
            return None, self.t("supervisor.offline")
        except ServerRejected:
            return None, self.t("supervisor.rejected")
        user = body.get("user") or {}
        if user.get("role") not in SUPERVISOR_ROLES:
            return None, self.t("supervisor.not_supervisor")
        session = SupervisorSession(username=str(user.get("username")), name=str(user.get("name") or ""),
                                    role=str(user["role"]), scope=tuple(user.get("scope") or ()), client=client)
        return session, "must_change" if body.get("password_change_required") else None


def scope_words(scope: tuple[str, ...]) -> str:
    gazetteer = assets.gazetteer()
    return ", ".join(region.title if (region := gazetteer.find(code)) else code for code in scope)

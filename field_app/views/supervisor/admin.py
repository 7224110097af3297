"""Administration (admins): who is being guessed, enrollment codes (text + QR), an officer's phones
(revoke a lost one), user accounts (reset the password, disable/enable, end sessions), one's own
password, and new users."""
from __future__ import annotations

from functools import partial

import flet as ft

from field_app.viewmodels.supervisor_admin import ROLES, AdminPanel
from field_app.views import theme
from field_app.views.base import Part, sends_update
from field_app.views.supervisor.common import dropdown, in_thread, section_title, small, when


class AdminPart(Part):
    def __init__(self, app, shell):
        super().__init__(app)
        self.shell = shell
        self.vm = AdminPanel(shell.client, clock=app.device.clock, translator=app.t)
        self.watch(self.vm, self.render)
        self.code_for = ""
        self.devices_for = ""
        self.account_for = ""
        self.passwords = {"old": "", "new": "", "repeat": ""}

    def build(self) -> ft.Control:
        t, vm = self.t, self.vm
        self.status = ft.Column(spacing=6, key="sv-admin-status")
        self.code_box = ft.Column(spacing=6, key="sv-admin-code")
        self.device_box = ft.Column(spacing=8, key="sv-admin-devices")
        self.failure_box = ft.Column(spacing=4, key="sv-admin-failures")
        self.account_box = ft.Column(spacing=8, key="sv-admin-account")
        user_fields = [theme.field(t(f"sv.admin.{name}"), key=f"sv-user-{name}", password=name == "password",
                                   on_change=lambda e, n=name: vm.set_user_field(n, e.control.value))
                       for name in ("username", "name", "scope", "password")]
        role = dropdown(t("sv.admin.role"), [(r, t(f"sv.role.{r}")) for r in ROLES], key="sv-user-role",
                        value=vm.user["role"], on_select=lambda e: vm.set_user_field("role", e.control.value))
        body = [self.status, self.failure_box,
                section_title(t("sv.admin.codes")),
                theme.field(t("sv.admin.code_for"), key="sv-code-for", keyboard=ft.KeyboardType.NUMBER,
                            on_change=lambda e: setattr(self, "code_for", e.control.value or "")),
                theme.secondary_button(t("sv.admin.issue"), self._issue, key="sv-code-issue", icon=ft.Icons.QR_CODE),
                self.code_box,
                ft.Divider(),
                section_title(t("sv.admin.devices")),
                theme.field(t("sv.admin.devices_for"), key="sv-devices-for", keyboard=ft.KeyboardType.NUMBER,
                            on_change=lambda e: setattr(self, "devices_for", e.control.value or "")),
                theme.secondary_button(t("sv.admin.load_devices"), self._load_devices, key="sv-devices-load",
                                       icon=ft.Icons.PHONE_ANDROID),
                self.device_box,
                ft.Divider(),
                *self._account_controls(),
                ft.Divider(),
                *self._password_controls(),
                ft.Divider(),
                section_title(t("sv.admin.new_user")), *user_fields[:2], role, *user_fields[2:],
                theme.secondary_button(t("sv.admin.create"), self._create, key="sv-user-create",
                                       icon=ft.Icons.PERSON_ADD)]
        self.render()
        return theme.screen(body)

    def render(self) -> None:
        vm = self.vm
        self.status.controls = ([theme.state_chip("sent", vm.done, key="sv-admin-done")] if vm.done else []) + (
            [theme.text(vm.problem, color=theme.ERROR, bold=True, key="sv-admin-problem")] if vm.problem else [])
        code = vm.code
        self.code_box.controls = [] if not code else [
            theme.text(self.t("sv.admin.code_text", code=code["code"], expires=when(self.t, code.get("expires_at"))),
                       size=18, bold=True, key="sv-code-text"),
            ft.Image(src=code["qr"], width=220, height=220, key="sv-code-qr"),
            small(code["username"])]
        self.device_box.controls = [self._device_row(device) for device in vm.devices]
        lines = vm.failure_lines()
        self.failure_box.controls = [
            theme.text(line, color=theme.ERROR, bold=True, key=f"sv-admin-failure-{i}") for i, line in enumerate(lines)
        ] or [small(self.t("sv.admin.failures_none"), key="sv-admin-failure-none")]
        self.account_box.controls = self._account_rows()

    def activate(self) -> None:
        """Each time the section is shown: who is being guessed now."""
        self.page.run_task(self._load_failures)

    def _account_controls(self) -> list[ft.Control]:
        t = self.t
        return [section_title(t("sv.admin.accounts")),
                theme.field(t("sv.admin.account_for"), key="sv-account-for",
                            on_change=lambda e: setattr(self, "account_for", e.control.value or "")),
                theme.secondary_button(t("sv.admin.load_account"), self._load_account, key="sv-account-load",
                                       icon=ft.Icons.MANAGE_ACCOUNTS),
                self.account_box]

    def _password_controls(self) -> list[ft.Control]:
        t = self.t
        fields = [theme.field(t(f"sv.admin.{name}_password"), key=f"sv-password-{name}", password=True,
                              on_change=lambda e, n=name: self.passwords.__setitem__(n, e.control.value or ""))
                  for name in ("old", "new", "repeat")]
        return [section_title(t("sv.admin.my_password")), *fields,
                theme.secondary_button(t("sv.admin.change_password"), self._change_password, key="sv-password-change",
                                       icon=ft.Icons.PASSWORD)]

    def _account_rows(self) -> list[ft.Control]:
        t, vm, account = self.t, self.vm, self.vm.account
        if account is None:
            return []
        if account.get("disabled_at"):
            state = t("sv.admin.state_disabled", when=when(t, account["disabled_at"]))
        else:
            state = t("sv.admin.state_must_change") if account.get("password_change_required") else t(
                "sv.admin.state_active")
        disabled = bool(account.get("disabled_at"))
        rows = [theme.text(account["username"], bold=True, size=17, key="sv-account-name"),
                small(t("sv.admin.account_line", name=account["name"], role=t(f"sv.role.{account['role']}"),
                        state=state), key="sv-account-state"),
                ft.Row([theme.secondary_button(t("sv.admin.reset"), self._reset, key="sv-account-reset",
                                               icon=ft.Icons.LOCK_RESET),
                        theme.secondary_button(t("sv.admin.enable" if disabled else "sv.admin.disable"),
                                               partial(self._set_disabled, not disabled), key="sv-account-disable",
                                               icon=ft.Icons.PERSON_OFF if not disabled else ft.Icons.PERSON),
                        theme.secondary_button(t("sv.admin.end_sessions"), self._end_sessions,
                                               key="sv-account-sessions", icon=ft.Icons.LOGOUT)],
                       wrap=True, spacing=8, run_spacing=8)]
        if vm.temporary and vm.temporary.get("username") == account["username"]:
            rows.append(theme.text(t("sv.admin.temporary_text", password=vm.temporary["temporary_password"],
                                     expires=when(t, vm.temporary.get("expires_at"))),
                                   size=18, bold=True, key="sv-account-temporary"))
        return [ft.Container(ft.Column(rows, spacing=6), padding=10, border_radius=8,
                             border=ft.Border.all(1, theme.MUTED), key="sv-account-card")]

    def _device_row(self, device: dict) -> ft.Control:
        t = self.t
        lines = [theme.text(device["name"], bold=True),
                 small(t("sv.admin.device_line", enrolled=when(t, device.get("enrolled_at")),
                         synced=when(t, device.get("last_sync_at"))))]
        if device.get("revoked_at"):
            action = theme.text(t("sv.admin.device_revoked", when=when(t, device["revoked_at"])),
                                color=theme.ERROR, bold=True, key=f"sv-device-revoked-{device['id']}")
        else:
            action = theme.secondary_button(t("sv.admin.revoke"), partial(self._revoke, device["id"]),
                                            key=f"sv-device-revoke-{device['id']}", icon=ft.Icons.PHONELINK_ERASE)
        return ft.Container(ft.Column([*lines, action], spacing=4), padding=10, border_radius=8,
                            border=ft.Border.all(1, theme.MUTED), key=f"sv-device-{device['id']}")

    @sends_update
    async def _issue(self) -> None:
        await in_thread(self.vm.issue_code, self.code_for)

    @sends_update
    async def _create(self) -> None:
        await in_thread(self.vm.create_user)

    @sends_update
    async def _load_devices(self) -> None:
        await in_thread(self.vm.load_devices, self.devices_for)

    @sends_update
    async def _revoke(self, device_id: str) -> None:
        await in_thread(self.vm.revoke_device, device_id)

    @sends_update
    async def _load_failures(self) -> None:
        await in_thread(self.vm.load_failures)

    @sends_update
    async def _load_account(self) -> None:
        await in_thread(self.vm.load_account, self.account_for)

    @sends_update
    async def _reset(self) -> None:
        await in_thread(self.vm.reset_password)

    @sends_update
    async def _set_disabled(self, disabled: bool) -> None:
        await in_thread(self.vm.set_disabled, disabled)

    @sends_update
    async def _end_sessions(self) -> None:
        await in_thread(self.vm.revoke_sessions)

    @sends_update
    async def _change_password(self) -> None:
        p = self.passwords
        await in_thread(self.vm.change_own_password, p["old"], p["new"], p["repeat"])

"""Administration (admins): create users with a role and scope, issue enrollment codes (text + QR),
list an officer's phones and revoke a lost one."""
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

    def build(self) -> ft.Control:
        t, vm = self.t, self.vm
        self.status = ft.Column(spacing=6, key="sv-admin-status")
        self.code_box = ft.Column(spacing=6, key="sv-admin-code")
        self.device_box = ft.Column(spacing=8, key="sv-admin-devices")
        user_fields = [theme.field(t(f"sv.admin.{name}"), key=f"sv-user-{name}", password=name == "password",
                                   on_change=lambda e, n=name: vm.set_user_field(n, e.control.value))
                       for name in ("username", "name", "scope", "password")]
        role = dropdown(t("sv.admin.role"), [(r, t(f"sv.role.{r}")) for r in ROLES], key="sv-user-role",
                        value=vm.user["role"], on_select=lambda e: vm.set_user_field("role", e.control.value))
        body = [self.status,
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

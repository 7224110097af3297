"""Administration: create users with a role and scope, issue enrollment codes (text and QR), list an
officer's phones and revoke a lost one; change one's own password; reset a user's password,
disable/enable them, end their sessions; see who is being guessed (failed logins)."""
from __future__ import annotations

import io
from typing import Any

from field_app.errors import Offline, ServerRejected
from field_app.viewmodels.base import ViewModel
from field_app.viewmodels.supervisor_board import parse_time

ROLES = ("officer", "supervisor", "admin")


def qr_png(text: str) -> bytes:
    """A QR code of ``text`` as PNG bytes (the ``qrcode`` package, which flet-cli already brings)."""
    import qrcode

    image = qrcode.make(text, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def enrollment_payload(server_url: str | None, username: str, code: str) -> str:
    """What the QR code holds: enough for the officer's app to fill in the enrolment form."""
    return f"petarawan://enroll?server={server_url or ''}&nrp={username}&code={code}"


class AdminPanel(ViewModel):
    def __init__(self, client: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.client = client
        self.user = {"username": "", "name": "", "role": "officer", "scope": "", "password": ""}
        self.code: dict[str, Any] | None = None       # {username, code, expires_at, qr}
        self.problem: str | None = None
        self.done: str | None = None
        self.devices_for: str | None = None            # whose phones ``devices`` lists
        self.devices: list[dict[str, Any]] = []
        self.account: dict[str, Any] | None = None     # the user being managed (GET /users/{username})
        self.temporary: dict[str, Any] | None = None   # {username, temporary_password, expires_at}
        self.failures: list[dict[str, Any]] = []       # accounts being guessed, most failures first

    def set_user_field(self, name: str, value: str) -> None:
        if name not in self.user:
            raise KeyError(name)
        self.user[name] = (value or "").strip() if name != "password" else value or ""

    def create_user(self) -> bool:
        u = self.user
        scope = [part.strip() for part in u["scope"].replace(";", ",").split(",") if part.strip()]
        if not u["username"] or not u["name"] or not scope or u["role"] not in ROLES:
            return self._fail(self.t("sv.admin.need_user"))
        try:
            created = self.client.create_user(u["username"], u["name"], u["role"], scope, u["password"] or None)
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected as exc:
            return self._fail(_with_fields(exc))
        return self._ok(self.t("sv.admin.created", username=created.get("username", u["username"])))

    def issue_code(self, username: str) -> bool:
        username = (username or "").strip()
        if not username:
            return self._fail(self.t("sv.admin.need_username"))
        try:
            body = self.client.issue_enrollment_code(username)
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected as exc:
            return self._fail(exc.message)
        payload = enrollment_payload(getattr(self.client, "server_url", None), username, body["code"])
        self.code = {"username": username, "code": body["code"], "expires_at": body.get("expires_at"),
                     "qr": qr_png(payload)}
        return self._ok(self.t("sv.admin.code_issued", username=username))

    def load_devices(self, username: str) -> bool:
        """The officer's phones, newest first, so a lost one can be picked by name and revoked."""
        username = (username or "").strip()
        if not username:
            return self._fail(self.t("sv.admin.need_username"))
        try:
            devices = self.client.list_devices(username)
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected as exc:
            self.devices_for, self.devices = None, []
            return self._fail(exc.message)
        self.devices_for, self.devices = username, devices
        if not devices:
            return self._ok(self.t("sv.admin.no_devices", username=username))
        self.done = self.problem = None
        self.changed()
        return True

    def revoke_device(self, device_id: str) -> bool:
        device_id = (device_id or "").strip()
        if not device_id:
            return self._fail(self.t("sv.admin.need_device"))
        try:
            self.client.revoke_device(device_id)
            if self.devices_for:                       # show the phone as revoked
                self.devices = self.client.list_devices(self.devices_for)
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected as exc:
            return self._fail(exc.message)
        name = next((d["name"] for d in self.devices if d.get("id") == device_id), device_id)
        return self._ok(self.t("sv.admin.revoked", device_id=name))

    # ---- credentials
    def change_own_password(self, old: str, new: str, repeat: str) -> bool:
        if not old or not new:
            return self._fail(self.t("sv.admin.need_passwords"))
        if new != repeat:
            return self._fail(self.t("sv.admin.passwords_differ"))
        if not self._call(self.client.change_password, old, new):
            return False
        return self._ok(self.t("sv.admin.password_changed"))

    def load_account(self, username: str) -> bool:
        username = (username or "").strip()
        if not username:
            return self._fail(self.t("sv.admin.need_account"))
        account = self._call(self.client.get_user, username)
        if account is None:
            self.account = None
            return False
        self.account, self.temporary = account, None
        return self._ok(self.t("sv.admin.account_loaded", username=account["username"]))

    def reset_password(self) -> bool:
        if self.account is None:
            return self._fail(self.t("sv.admin.need_account"))
        body = self._call(self.client.reset_password, self.account["username"])
        if body is None:
            return False
        self.temporary = body
        return self._ok(self.t("sv.admin.reset_done", username=body["username"]))

    def set_disabled(self, disabled: bool) -> bool:
        if self.account is None:
            return self._fail(self.t("sv.admin.need_account"))
        account = self._call(self.client.set_user_disabled, self.account["username"], disabled)
        if account is None:
            return False
        self.account = account
        key = "sv.admin.disabled" if disabled else "sv.admin.enabled"
        return self._ok(self.t(key, username=account["username"]))

    def revoke_sessions(self) -> bool:
        if self.account is None:
            return self._fail(self.t("sv.admin.need_account"))
        count = self._call(self.client.revoke_sessions, self.account["username"])
        if count is None:
            return False
        return self._ok(self.t("sv.admin.sessions_revoked", count=count, username=self.account["username"]))

    def load_failures(self) -> bool:
        """Who is being guessed (quietly: no message when nobody is)."""
        try:
            items = self.client.login_failures()
        except (Offline, ServerRejected):
            return False
        self.failures = [item for item in items if item.get("kind") != "address"]
        self.changed()
        return True

    def failure_lines(self) -> list[str]:
        """One line per account being guessed, as the screen says it."""
        lines = []
        for item in self.failures:
            key = "sv.admin.failure_waiting" if item.get("blocked_until") else "sv.admin.failure_line"
            lines.append(self.t(key, account=item["account"], address=item["address"], count=item["failures"],
                                until=self.t.time(parse_time(item.get("blocked_until")), now=self.clock())
                                if item.get("blocked_until") else ""))
        return lines

    def _call(self, method, *args: Any) -> Any:
        """``method(*args)``, or None with the problem shown (a 204 answers True)."""
        try:
            result = method(*args)
        except Offline:
            self._fail(self.t("sv.offline"))
            return None
        except ServerRejected as exc:
            self._fail(_with_fields(exc))
            return None
        return True if result is None else result

    def _ok(self, message: str) -> bool:
        self.done, self.problem = message, None
        self.changed()
        return True

    def _fail(self, message: str) -> bool:
        self.problem, self.done = message, None
        self.changed()
        return False


def _with_fields(exc: ServerRejected) -> str:
    fields = exc.details.get("fields") or {}
    return exc.message + ("".join(f" {k}: {v}" for k, v in fields.items()) if fields else "")

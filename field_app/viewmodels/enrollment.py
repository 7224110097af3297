"""Enroll once online (server, NRP, one-time code -> device token), then set a PIN; unlock offline.

Several officers may share one phone: each enrollment is stored under the officer's username
(their NRP) in the outbox meta, each token in the ``TokenStore`` under the same key.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from field_app.errors import AuthRevoked, Offline, PinLocked, ServerRejected
from field_app.i18n import Translator
from field_app.outbox import Outbox
from field_app.pin import PinLock, TokenStore
from field_app.sync_client import SyncClient
from field_app.viewmodels.base import Clock, ViewModel, utc_now
from kerawanan.errors import InvalidInput

ENROLLMENT_KEY = "enrollment"
REFUSED_STATUSES = (400, 401, 403, 404, 409, 410, 422)


@dataclass(frozen=True, slots=True)
class OfficerSession:
    """Who is using the app now, and how to reach the server for them."""

    officer: str
    name: str
    role: str
    scope: tuple[str, ...]
    server_url: str
    device_id: str | None
    token: str | None = field(repr=False, default=None)

    def make_client(self, **options: Any) -> SyncClient:
        return SyncClient(self.server_url, self.token, **options)


def session_for(outbox: Outbox, tokens: TokenStore, officer: str) -> OfficerSession | None:
    record = outbox.meta.get(officer, ENROLLMENT_KEY)
    if record is None:
        return None
    user = record.get("user") or {}
    return OfficerSession(officer=officer, name=user.get("name") or officer, role=user.get("role") or "officer",
                          scope=tuple(user.get("scope") or ()), server_url=record["server_url"],
                          device_id=record.get("device_id"), token=tokens.get(officer))


class Enrollment(ViewModel):
    """First run: server address, NRP and one-time code; then a PIN."""

    def __init__(self, outbox: Outbox, tokens: TokenStore, *, clock: Clock = utc_now,
                 translator: Translator | None = None, pins: PinLock | None = None,
                 client_factory: Callable[[], SyncClient] = SyncClient, server_url: str = "",
                 device_name: str = "HP Bhabinkamtibmas"):
        super().__init__(clock=clock, translator=translator)
        self.outbox, self.tokens = outbox, tokens
        self.pins = pins or PinLock(outbox.meta)
        self.client_factory = client_factory
        self.server_url, self.nrp, self.code, self.device_name = server_url, "", "", device_name
        self.step = "form"                        # form -> pin -> done
        self.errors: dict[str, str] = {}
        self.message: str | None = None
        self.officer: str | None = None
        self.name: str | None = None

    def set_server_url(self, text: str) -> None:
        self._set("server_url", (text or "").strip())

    def set_nrp(self, text: str) -> None:
        self._set("nrp", (text or "").strip())

    def set_code(self, text: str) -> None:
        self._set("code", (text or "").strip())

    def set_device_name(self, text: str) -> None:
        self._set("device_name", (text or "").strip())

    def enroll(self, now: datetime) -> bool:
        """Online, blocking (run it off the UI thread). True when the phone got its token."""
        self.errors = self._form_errors()
        self.message = None
        if self.errors:
            self.changed()
            return False
        try:
            body = self.client_factory().enroll(self.server_url, self.nrp, self.code, self.device_name)
        except Offline:
            return self._fail(self.t("enroll.offline"))
        except (AuthRevoked, ServerRejected) as exc:
            refused = isinstance(exc, AuthRevoked) or exc.status in REFUSED_STATUSES
            return self._fail(self.t("enroll.rejected") if refused else
                              self.t("enroll.server_error", message=exc.message))
        self._remember(body, now)
        return True

    def set_pin(self, pin: str, confirm: str) -> bool:
        if self.officer is None:
            return False
        if pin != confirm:
            self.errors = {"confirm": self.t("pin.mismatch")}
            self.changed()
            return False
        try:
            self.pins.set_pin(self.officer, pin)
        except InvalidInput as exc:
            self.errors = {"pin": self.t(exc.code)}
            self.changed()
            return False
        self.errors, self.message, self.step = {}, self.t("pin.saved"), "done"
        self.changed()
        return True

    def session(self) -> OfficerSession | None:
        return session_for(self.outbox, self.tokens, self.officer) if self.officer else None

    # ------------------------------------------------------------ helpers

    def _set(self, name: str, value: str) -> None:
        setattr(self, name, value)
        self.errors.pop(name, None)
        self.changed()

    def _form_errors(self) -> dict[str, str]:
        errors = {name: self.t(f"enroll.required.{name}") for name in ("server_url", "nrp", "code")
                  if not getattr(self, name)}
        if self.nrp and not (self.nrp.isdigit() and self.nrp.isascii()):
            errors["nrp"] = self.t("enroll.nrp.format")
        return errors

    def _fail(self, message: str) -> bool:
        self.message = message
        self.changed()
        return False

    def _remember(self, body: dict[str, Any], now: datetime) -> None:
        user = dict(body.get("user") or {})
        officer = str(user.get("username") or self.nrp)
        self.tokens.set(officer, body["token"])
        self.outbox.meta.set(officer, ENROLLMENT_KEY, {
            "server_url": self.server_url, "device_id": body.get("device_id"), "user": user,
            "device_name": self.device_name, "enrolled_at": now.isoformat(),
            "sms_key": body.get("sms_key"), "sms_number": body.get("sms_number")})   # field_app/sms_outbox.py
        self.officer, self.name = officer, str(user.get("name") or officer)
        self.step, self.code = "pin", ""
        self.message = self.t("enroll.done", name=self.name)
        self.changed()


class Unlock(ViewModel):
    """Later runs: choose the officer (when several share the phone) and enter the PIN, offline."""

    def __init__(self, outbox: Outbox, tokens: TokenStore, *, clock: Clock = utc_now,
                 translator: Translator | None = None, pins: PinLock | None = None):
        super().__init__(clock=clock, translator=translator)
        self.outbox, self.tokens = outbox, tokens
        self.pins = pins or PinLock(outbox.meta)
        self.message: str | None = None
        self.officers: list[tuple[str, str]] = []
        self.selected: str | None = None
        self.refresh()

    def refresh(self) -> None:
        self.officers = []
        for officer in self.outbox.meta.officers_with(ENROLLMENT_KEY):
            user = (self.outbox.meta.get(officer, ENROLLMENT_KEY) or {}).get("user") or {}
            self.officers.append((officer, str(user.get("name") or officer)))
        if self.selected not in {code for code, _ in self.officers}:
            self.selected = self.officers[0][0] if len(self.officers) == 1 else None
        self.message = None if self.officers else self.t("unlock.no_officers")
        self.changed()

    def choose_officer(self, officer: str) -> None:
        if officer in {code for code, _ in self.officers}:
            self.selected, self.message = officer, None
            self.changed()

    def enter_pin(self, pin: str, now: datetime) -> OfficerSession | None:
        """The session when the PIN is right; None with ``message`` otherwise (~0.2 s: hash is slow)."""
        officer = self.selected
        if officer is None:
            return self._say(self.t("unlock.choose_officer"))
        if not self.pins.has_pin(officer):
            return self._say(self.t("pin.none"))
        try:
            right = self.pins.check(officer, pin, now)
        except PinLocked as exc:
            return self._say(self.t("pin.locked", wait=self.t.duration(exc.seconds_left)))
        if not right:
            return self._say(self.t("pin.wrong", tries=self.pins.tries_left(officer)))
        session = session_for(self.outbox, self.tokens, officer)
        self.message = self.t("unlock.token_missing") if session and session.token is None else None
        self.changed()
        return session

    def forget(self, officer: str) -> None:
        """Remove an officer from this phone (to enroll again): enrollment, PIN and token."""
        self.outbox.meta.delete(officer, ENROLLMENT_KEY)
        self.pins.clear(officer)
        self.tokens.delete(officer)
        self.refresh()

    def _say(self, message: str) -> None:
        self.message = message
        self.changed()
        return None

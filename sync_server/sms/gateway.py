"""The SMS gateway behind one small interface, so a second kind can plug in.

A ``Gateway`` sends: ``send(number, text, urgent=…)`` queues one message and returns a reference,
``state(ref)`` says where it is (``queued``, ``sent``, ``failed``, ``unknown``). Messages come IN
through one door whatever the gateway: ``POST /api/v1/sms/inbound`` (``routes.py``), posted by
Gammu SMSD's RunOnReceive program (``on_receive.py``) or by an Android SMS-gateway app's webhook.

- ``GammuSmsd``: Gammu SMSD with its files backend. A message is a UTF-16 text file renamed into
  ``outboxpath``; SMSD moves it, same name, to ``sentsmspath`` once sent or ``errorsmspath``.
- ``AndroidGateway``: an Android phone running an SMS-gateway app (e.g. capcom6/android-sms-gateway,
  local server mode): ``POST <url>`` ``{"message", "phoneNumbers"}`` with basic auth.
- ``NoGateway``: nothing configured; every message is logged as ``undelivered``.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from kerawanan.errors import InvalidInput, Unavailable
from sync_server.sms.config import SmsSettings

MAX_NUMBER = 20


class Gateway(Protocol):
    name: str

    def send(self, number: str, text: str, *, urgent: bool = False) -> str: ...
    def state(self, ref: str) -> str: ...


def clean_number(number: object) -> str:
    """A phone number as gateways take it: ``+`` and digits only (``InvalidInput`` otherwise)."""
    text = str(number or "").replace(" ", "").replace("-", "")
    digits = text[1:] if text.startswith("+") else text
    if not digits.isdigit() or not digits.isascii() or not 6 <= len(digits) <= MAX_NUMBER:
        raise InvalidInput("Nomor telepon harus angka, boleh diawali +, 6–20 digit.", code="sms.bad_number",
                           message_en="A phone number is digits, optionally after +, 6-20 of them.")
    return text


class GammuSmsd:
    name = "gammu"

    def __init__(self, outbox: Path, sent: Path | None = None, error: Path | None = None):
        self.outbox, self.sent, self.error = Path(outbox), sent, error

    def send(self, number: str, text: str, *, urgent: bool = False) -> str:
        number = clean_number(number)
        now = datetime.now(UTC)
        ref = (f"OUT{'A' if urgent else 'C'}{now:%Y%m%d_%H%M%S}_00_{number}_"
               f"{secrets.token_hex(4)}.txt")
        temporary = self.outbox / f".{ref}.partial"       # SMSD reads only OUT* names: write, then rename
        try:
            temporary.write_text(text, encoding="utf-16")    # with a BOM: SMSD reads it as Unicode
            os.replace(temporary, self.outbox / ref)
        except OSError as error:
            raise Unavailable("Gateway SMS tidak dapat dipakai.", message_en="The SMS gateway is unavailable.",
                              details={"reason": type(error).__name__}) from error
        return ref

    def state(self, ref: str) -> str:
        if "/" in ref or not ref.startswith("OUT"):
            return "unknown"
        for folder, state in ((self.sent, "sent"), (self.error, "failed"), (self.outbox, "queued")):
            if folder is not None and (folder / ref).exists():
                return state
        return "unknown"


class AndroidGateway:
    name = "android"
    TIMEOUT = 10

    def __init__(self, url: str, auth: str):
        self.url, self.auth = url.rstrip("/"), auth

    def _request(self, url: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(),
                                         method="GET" if body is None else "POST",
                                         headers={"Content-Type": "application/json"})
        if self.auth:
            request.add_header("Authorization", "Basic " + base64.b64encode(self.auth.encode()).decode())
        try:
            with urllib.request.urlopen(request, timeout=self.TIMEOUT) as response:  # noqa: S310 (configured URL)
                return json.loads(response.read() or b"{}")
        except (OSError, ValueError) as error:
            raise Unavailable("Gateway SMS tidak dapat dipakai.", message_en="The SMS gateway is unavailable.",
                              details={"reason": type(error).__name__}) from error

    def send(self, number: str, text: str, *, urgent: bool = False) -> str:
        answer = self._request(self.url, {"message": text, "phoneNumbers": [clean_number(number)]})
        return str(answer.get("id") or "")

    def state(self, ref: str) -> str:
        if not ref:
            return "unknown"
        state = str(self._request(f"{self.url}/{ref}").get("state", "")).lower()
        return {"pending": "queued", "processed": "queued", "sent": "sent", "delivered": "sent",
                "failed": "failed"}.get(state, "unknown")


class NoGateway:
    name = "none"

    def send(self, number: str, text: str, *, urgent: bool = False) -> str:
        clean_number(number)
        return ""

    def state(self, ref: str) -> str:
        return "undelivered"


def make_gateway(settings: SmsSettings) -> Gateway:
    if settings.gateway == "gammu" and settings.outbox is not None:
        return GammuSmsd(settings.outbox, settings.sent, settings.error)
    if settings.gateway == "android" and settings.android_url:
        return AndroidGateway(settings.android_url, settings.android_auth)
    return NoGateway()

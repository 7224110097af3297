"""SMS settings, read from the environment (``sync_server.settings.Settings.sms``).

| variable | default |
|---|---|
| ``PETA_SMS_GATEWAY`` | unset: no gateway (messages are logged as ``undelivered``); ``gammu`` or ``android`` |
| ``PETA_SMS_OUTBOX`` | gammu: SMSD's ``outboxpath`` (its ``sentsmspath``/``errorsmspath``: ``PETA_SMS_SENT``/``PETA_SMS_ERROR``) |
| ``PETA_SMS_ANDROID_URL`` / ``PETA_SMS_ANDROID_AUTH`` | android: the app's ``…/message`` URL and ``user:password`` |
| ``PETA_SMS_SECRET`` | unset: ``POST /api/v1/sms/inbound`` answers 404; else the shared secret it requires |
| ``PETA_SMS_NUMBER`` | the gateway's own number, given to phones at enrollment (``sms_number``) |
| ``PETA_SMS_POLL_SECONDS`` | ``5``: seconds between passes over new alert events; ``0``: none (on PostgreSQL, only nodes with a gateway run them) |
| ``PETA_SMS_PER_HOUR`` / ``PETA_SMS_PER_DAY`` | ``6`` / ``20``: messages per recipient per hour / per WIB day |
| ``PETA_SMS_QUIET`` | ``22-05``: quiet hours (WIB) of users who have none of their own |
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SmsSettings:
    gateway: str = ""                   # "", "gammu", "android"
    outbox: Path | None = None
    sent: Path | None = None
    error: Path | None = None
    android_url: str = ""
    android_auth: str = ""
    secret: str = ""
    number: str = ""
    poll_seconds: float = 5.0
    per_hour: int = 6
    per_day: int = 20
    quiet: tuple[int, int] = (22, 5)    # from, to: hours WIB


def sms_settings(env: Mapping[str, str] | None = None) -> SmsSettings:
    env = os.environ if env is None else env
    outbox = env.get("PETA_SMS_OUTBOX")

    def beside(name: str, variable: str) -> Path | None:
        given = env.get(variable)
        return Path(given) if given else (Path(outbox).parent / name if outbox else None)

    return SmsSettings(
        gateway=(env.get("PETA_SMS_GATEWAY") or "").strip().lower(),
        outbox=Path(outbox) if outbox else None,
        sent=beside("sent", "PETA_SMS_SENT"), error=beside("error", "PETA_SMS_ERROR"),
        android_url=env.get("PETA_SMS_ANDROID_URL") or "", android_auth=env.get("PETA_SMS_ANDROID_AUTH") or "",
        secret=env.get("PETA_SMS_SECRET") or "", number=env.get("PETA_SMS_NUMBER") or "",
        poll_seconds=max(0.0, float(env.get("PETA_SMS_POLL_SECONDS") or 5)),
        per_hour=max(1, int(env.get("PETA_SMS_PER_HOUR") or 6)),
        per_day=max(1, int(env.get("PETA_SMS_PER_DAY") or 20)),
        quiet=parse_hours(env.get("PETA_SMS_QUIET") or "22-05"),
    )


def parse_hours(text: str) -> tuple[int, int]:
    """``"22-05"`` → ``(22, 5)``; ``"-"`` or ``""`` → no quiet hours ``(0, 0)``."""
    start, _, end = text.strip().partition("-")
    if not start and not end:
        return (0, 0)
    hours = (int(start), int(end))
    if not all(0 <= hour <= 23 for hour in hours):
        raise ValueError(f"quiet hours must be HH-HH within 0..23: {text!r}")
    return hours

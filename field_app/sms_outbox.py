"""A waiting report sent as signed SMS when the data link stays down ("Kirim lewat SMS").

The phone received at enrollment its SMS signing key and the Polres gateway's number (kept with
the enrollment record). ``sms_urls`` encodes the report with the core's ``kerawanan.sms_codec``
(the same encoding the server decodes) and gives one ``sms:`` URL per part: the app opens the
phone's own SMS composer with it (``UrlLauncher.launch_url``) and the officer presses send — no
SMS permission. Each composing uses a new counter, so a resend is not a replay; the server keeps
the report once (a later push of it is a ``duplicate``).
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from kerawanan import assets
from kerawanan.sms_codec import encode_report

ENROLLMENT_KEY = "enrollment"        # field_app.viewmodels.enrollment.ENROLLMENT_KEY
COUNTER_KEY = "sms_counter"
# The link down this long: offer SMS for reports waiting this long (PETA_SMS_AFTER_MINUTES: demos, tests).
SMS_AFTER = timedelta(minutes=float(os.environ.get("PETA_SMS_AFTER_MINUTES") or 10))


@lru_cache(maxsize=1)
def _desa_codes() -> tuple[str, ...]:
    return tuple(sorted(region.code for region in assets.gazetteer().regions("desa")))


def sms_ready(outbox: Any, officer: str) -> bool:
    record = outbox.meta.get(officer, ENROLLMENT_KEY) or {}
    return bool(record.get("sms_key") and record.get("sms_number") and record.get("device_id"))


def link_down(last_sync: str | None, created_at: datetime, now: datetime) -> bool:
    """The report waited ``SMS_AFTER`` and no sync succeeded in that time."""
    if now - created_at < SMS_AFTER:
        return False
    return last_sync is None or now - datetime.fromisoformat(last_sync) >= SMS_AFTER


def sms_urls(outbox: Any, officer: str, wire: dict[str, Any]) -> tuple[list[str], bool]:
    """The ``sms:`` URLs of one report (one per part, in order) and whether it is the short version."""
    record = outbox.meta.get(officer, ENROLLMENT_KEY) or {}
    counter = int(outbox.meta.get(officer, COUNTER_KEY, 0) or 0) + 1
    outbox.meta.set(officer, COUNTER_KEY, counter)
    encoded = encode_report(wire, device_id=record["device_id"], counter=counter,
                            key=bytes.fromhex(record["sms_key"]), desa_codes=_desa_codes())
    number = record["sms_number"]
    return [f"sms:{number}?body={quote(part, safe='')}" for part in encoded.parts], encoded.short

"""A report by SMS, in: PR1 parts → the whole message → signature and device → the push intake.

Every received text ends as one line of the SMS log: ``accepted``, ``waiting`` (a part of a longer
message) or ``refused`` with a reason the admin counts — ``garbled`` (not PR1, or a body that does
not decode), ``unknown_device``, ``forged`` (no key of that device signs it), ``revoked`` (the phone
was revoked or its officer disabled), ``replayed`` (that device's counter was used before),
``truncated`` (parts that never completed, see ``expire``), ``invalid`` (the intake refused the
report: the officer is told why), ``unavailable``. A refused message stores nothing. An accepted one
is stored through ``intake.accept_reports`` exactly like a push, so the same report arriving later
by data is a ``duplicate`` — and when the SMS was a short version, the full one is ``duplicate``
too (``SmsStore.short_versions``). The officer gets an SMS answer ("Laporan 7F3K diterima 21:52").
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from kerawanan import sms_codec as codec
from kerawanan.errors import KerawananError
from sync_server import quotas
from sync_server.intake import accept_reports

if TYPE_CHECKING:
    from sync_server.sms.service import SmsService

PART_TTL = timedelta(hours=6)          # parts of a message that never completes are refused after this


@dataclass(frozen=True, slots=True)
class Received:
    state: str                  # accepted, waiting, refused
    reason: str | None = None
    report_id: str | None = None
    status: str | None = None   # the intake's status: created, duplicate, conflict, invalid


def receive(service: SmsService, number: str, text: str) -> Received:
    now = service.clock()
    try:
        part = codec.parse_part(text)
    except codec.SmsFormatError:
        return _refuse(service, number, text, "garbled", now)
    candidates = service.store.keys_for(part.device)
    if not candidates:
        return _refuse(service, number, text, "unknown_device", now)
    parts = [part]
    if part.total > 1:
        parts = service.store.add_part(part, number, now)
        if len(parts) < part.total:
            service.store.log(now, "in", number, "part", text, "waiting")
            return Received("waiting")
        service.store.drop_parts(part, number)
    try:
        body, sig = codec.join_parts(parts)
    except codec.SmsFormatError:
        return _refuse(service, number, text, "garbled", now)
    whole = "".join(p.chunk for p in parts) if part.total > 1 else text
    device_id = next((device for device, key in candidates if codec.verify(key, part, body, sig)), None)
    if device_id is None:
        return _refuse(service, number, whole, "forged", now)
    device = service.storage.get_device(device_id)
    user = None if device is None else service.storage.get_user(device.username)
    if device is None or device.revoked_at is not None or user is None or user.disabled_at is not None:
        return _refuse(service, number, whole, "revoked", now, username=device and device.username)
    if not service.store.use_nonce(device_id, part.counter, None, now):
        return _refuse(service, number, whole, "replayed", now, username=user.username)
    try:
        decoded = codec.decode_body(body, service.desa_codes)
    except codec.SmsFormatError:
        return _refuse(service, number, whole, "garbled", now, username=user.username)
    return _store(service, number, whole, decoded, user.username, device_id, now)


def _store(service: SmsService, number: str, text: str, decoded: codec.Decoded, officer: str, device_id: str,
           now: datetime) -> Received:
    wire = decoded.wire
    code = codec.short_code(wire["id"])
    if decoded.short and service.storage.stored_report_ids([wire["id"]]):   # the full one came first
        service.store.log(now, "in", number, "report", text, "accepted", username=officer, ref=wire["id"])
        service.reply(number, officer, _thanks(wire, code, "duplicate", True, now))
        return Received("accepted", report_id=wire["id"], status="duplicate")
    admit = partial(quotas.admit_reports, service.storage, service.quotas, officer, now=now)
    try:
        answer = accept_reports(service.storage, officer, device_id, [wire], now=now,
                                gazetteer=service.gazetteer, calendar=service.calendar, admit=admit)
    except KerawananError as error:
        received = _refuse(service, number, text, "unavailable", now, username=officer, ref=wire["id"])
        service.reply(number, officer, f"Laporan {code} belum dapat diterima ({error.message}). "
                                       "Kirim ulang nanti.")
        return received
    result = answer["results"][0]
    status = result["status"]
    if status == "created" and decoded.short:
        service.store.mark_short(wire["id"], officer, now)
    if status in ("created", "duplicate"):
        kind = "nihil" if wire["category"] == "nihil" else "report"
        service.store.log(now, "in", number, kind, text, "accepted", username=officer, ref=wire["id"])
        service.after_report()
        service.reply(number, officer, _thanks(wire, code, status, decoded.short, now))
        return Received("accepted", report_id=wire["id"], status=status)
    reason = "invalid" if status == "invalid" else "conflict"
    service.store.log(now, "in", number, "report", text, "refused", username=officer, reason=reason, ref=wire["id"])
    why = result.get("error", {}).get("message", "")
    service.reply(number, officer, f"Laporan {code} ditolak: {why[:90]} Perbaiki dan kirim lewat aplikasi.")
    return Received("refused", reason=reason, report_id=wire["id"], status=status)


def _thanks(wire: dict, code: str, status: str, short: bool, now: datetime) -> str:
    what = "Laporan nihil" if wire["category"] == "nihil" else ("Laporan singkat" if short else "Laporan")
    if status == "duplicate":
        return f"{what} {code} sudah diterima sebelumnya. Terima kasih."
    follow = " Kirim versi lengkap lewat data bila ada sinyal." if short else ""
    return f"{what} {code} diterima {codec.sms_time(now)}.{follow}"


def _refuse(service: SmsService, number: str, text: str, reason: str, now: datetime, *,
            username: str | None = None, ref: str | None = None) -> Received:
    service.store.log(now, "in", number, "report", text, "refused", username=username, reason=reason, ref=ref)
    return Received("refused", reason=reason)


def expire(service: SmsService) -> int:
    """Refuse (as ``truncated``) messages whose parts stopped coming ``PART_TTL`` ago."""
    now = service.clock()
    expired = service.store.expire_parts(now - PART_TTL)
    for number, device, count in expired:
        service.store.log(now, "in", number, "report", f"{count} bagian dari {device}", "refused",
                          reason="truncated")
    return len(expired)

"""Alert events → SMS to the people who must act, bounded.

The notifier reads new ``alert_history`` rows (append-only: an id cursor misses nothing and needs
no hook inside the engine) and turns some into notices:

| event | who | preference |
|---|---|---|
| an alert opens at, or rises to, ``sangat_rawan`` | its owner | ``sangat_rawan`` |
| ``escalated`` | the new owner, and the one who let the deadline pass | ``escalated`` |
| ``overdue`` (no one above) | the owner | ``escalated`` |
| ``assign`` | the assignee (an officer's task) | ``assigned`` |
| an open alert's deadline passes within 15 min | its owner | ``deadline`` |

Bounds: one message per alert per event per person (``sms_notified``; ``sangat_rawan`` once per
alert), the notices of one pass to one person go as ONE message, at most ``per_hour`` and
``per_day`` messages per number (suppressed notices are summarised in the next message that may
go), quiet hours (per user, default ``PETA_SMS_QUIET``) hold everything but ``sangat_rawan``.
Nothing secret is ever in a text: region, level, deadline and a 4-character code of the alert.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from kerawanan import sms_codec as codec
from sync_server.sms.config import parse_hours
from sync_server.storage.connection import from_db

if TYPE_CHECKING:
    from sync_server.sms.service import SmsService

WIB = timezone(timedelta(hours=7))
EVENT_KINDS = ("sangat_rawan", "escalated", "deadline", "assigned")
DUE_SOON = timedelta(minutes=15)      # an open alert's owner is told this long before its deadline
LEVEL_WORDS = {"kurang_rawan": "KURANG RAWAN", "rawan": "RAWAN", "sangat_rawan": "SANGAT RAWAN"}
MAX_TEXT = 160


@dataclass(frozen=True, slots=True)
class Notice:
    username: str
    alert_id: str
    key: str               # one message per (alert, key, person)
    preference: str        # the event kind the person must have chosen
    urgent: bool           # sangat_rawan: quiet hours do not hold it
    line: str              # the sentence of this notice
    short: str             # its line in a batch
    label: str = "pemberitahuan"   # what a batch of such notices is called


def notices(row: dict[str, Any], region_title: str) -> list[Notice]:
    """What one history row asks to tell, and to whom."""
    level, event, owner = row["level"], row["event"], row["owner"]
    code = codec.short_code(row["alert_id"])
    word = LEVEL_WORDS.get(level or "", str(level).upper())
    deadline = _deadline(row)
    urgent = level == "sangat_rawan"
    short = f"{word} {region_title}" + (f" batas {deadline[:5]}" if deadline != "-" else "") + f" ({code})"
    def make(user: str, key: str, pref: str, line: str, label: str) -> Notice:
        return Notice(user, row["alert_id"], key, pref, urgent, line, short, label)

    rose = event in ("opened", "level") and level == "sangat_rawan" and row["previous_level"] != "sangat_rawan"
    if rose and owner:
        return [make(owner, "sangat_rawan", "sangat_rawan",
                         f"Peringatan {word} di {region_title}. Tanggapi sebelum {deadline}. Kode {code}.",
                     "peringatan baru")]
    if event == "escalated":
        told = []
        if owner:
            told.append(make(owner, f"escalated:{row['version']}", "escalated",
                             f"Eskalasi ke Anda: {word} di {region_title}, belum ditanggapi. Batas baru "
                             f"{deadline}. Kode {code}.", "eskalasi ke Anda"))
        if row["previous_owner"] and row["previous_owner"] != owner:
            told.append(make(row["previous_owner"], f"escalated:{row['version']}", "escalated",
                             f"Peringatan {word} di {region_title} dinaikkan ke atasan: batas tanggapan "
                             f"terlewati. Kode {code}.", "peringatan dinaikkan ke atasan"))
        return told
    if event == "overdue" and owner:
        return [make(owner, f"overdue:{row['version']}", "escalated",
                     f"Batas tanggapan {word} di {region_title} terlewati, tidak ada atasan lagi. Kode {code}.",
                     "batas terlewati")]
    if event == "assign":
        assignee = json.loads(row["data"] or "{}").get("assignee")
        if assignee:
            return [make(assignee, f"assign:{row['version']}", "assigned",
                         f"Tugas untuk Anda: {word} di {region_title}. Batas {deadline}. Kode {code}.", "tugas untuk Anda")]
    return []


def _deadline(row: dict[str, Any]) -> str:
    data = json.loads(row["data"] or "{}") if row["data"] else {}
    text = data.get("deadline_at") or row["deadline_at"]
    if not text:
        return "-"
    moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if "T" in text else from_db(text)
    return moment.astimezone(WIB).strftime("%H:%M WIB %d/%m")


def compose(batch: list[Notice], held: int) -> str:
    """One message (≤ 160 characters) for everything of this pass to one person, one line per alert,
    as many lines as fit and a count of the rest; plus a count of what was held back before."""
    batch = list({notice.alert_id: notice for notice in reversed(batch)}.values())[::-1]  # one line per alert
    tail = (f" (+{held} tertunda, lihat aplikasi)" if held else "")
    if len(batch) == 1:
        text = "PETA RAWAN: " + batch[0].line + tail
        return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"
    labels = {notice.label for notice in batch}
    head = f"PETA RAWAN: {len(batch)} {labels.pop() if len(labels) == 1 else 'pemberitahuan'}: "
    lines: list[str] = []
    for notice in batch:
        rest = len(batch) - len(lines) - 1
        more = f"; +{rest} lainnya" if rest else ""
        if len(head + "; ".join([*lines, notice.short]) + more + ". Buka aplikasi." + tail) > MAX_TEXT:
            break
        lines.append(notice.short)
    rest = len(batch) - len(lines)
    text = head + "; ".join(lines) + (f"; +{rest} lainnya" if rest else "") + ". Buka aplikasi." + tail
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def in_quiet_hours(now: datetime, quiet: tuple[int, int]) -> bool:
    start, end = quiet
    hour = now.astimezone(WIB).hour
    if start == end:
        return False
    return start <= hour < end if start < end else hour >= start or hour < end


def run_pass(service: SmsService, limit: int = 1000) -> int:
    """Tell people about the alert events since the last pass and the deadlines about to pass;
    returns the messages sent."""
    store = service.store
    cursor = store.cursor()
    if cursor is None:                          # first run: from now on, never the whole history
        store.set_cursor(store.last_history_id())
        return 0
    now = service.clock()
    rows = store.history_after(cursor, limit)
    pending: dict[str, list[Notice]] = {}
    for row in rows:
        for notice in notices(row, service.region_title(row["region_code"])):
            pending.setdefault(notice.username, []).append(notice)
    for row in store.alerts_due(now, now + DUE_SOON):
        notice = due_notice(row, service.region_title(row["region_code"]), now)
        pending.setdefault(notice.username, []).append(notice)
    if not pending and not rows:
        return 0
    contacts = store.contacts(list(pending))
    sent = sum(_tell(service, contacts.get(username), batch, now) for username, batch in pending.items())
    if rows:
        store.set_cursor(rows[-1]["id"])
    return sent


def due_notice(row: dict[str, Any], region_title: str, now: datetime) -> Notice:
    """An open alert whose deadline passes within ``DUE_SOON``: its owner is told once per deadline."""
    code = codec.short_code(row["alert_id"])
    word = LEVEL_WORDS.get(row["level"], str(row["level"]).upper())
    deadline = from_db(row["deadline_at"])
    minutes = max(1, int((deadline - now).total_seconds() // 60))
    when = deadline.astimezone(WIB).strftime("%H:%M WIB")
    return Notice(row["owner"], row["alert_id"], f"due:{row['deadline_at']}", "deadline",
                  row["level"] == "sangat_rawan",
                  f"Batas tanggapan {word} di {region_title} {when} ({minutes} menit lagi); belum ditanggapi, "
                  f"akan naik ke atasan. Kode {code}.",
                  f"{word} {region_title} batas {when[:5]} ({code})", "batas hampir lewat")


def _tell(service: SmsService, contact: Any, batch: list[Notice], now: datetime) -> int:
    if contact is None:
        return 0
    wanted = [n for n in batch if n.preference in contact.events
              and service.store.claim(n.alert_id, n.key, n.username, now)]
    if not wanted:
        return 0
    quiet = parse_hours(contact.quiet) if contact.quiet is not None else service.settings.quiet
    reason = None
    if in_quiet_hours(now, quiet) and not any(n.urgent for n in wanted):
        reason = "quiet"
    elif service.store.sent_since(contact.phone, now - timedelta(hours=1)) >= service.settings.per_hour:
        reason = "rate"
    elif service.store.sent_since(contact.phone, _day_start(now)) >= service.settings.per_day:
        reason = "daily_cap"
    if reason is not None:
        for notice in wanted:
            service.store.log(now, "out", contact.phone, "alert", notice.line, "suppressed",
                              username=contact.username, reason=reason, ref=notice.alert_id)
        return 0
    held = service.store.suppressed_since(contact.username, _last_sent(service, contact, now))
    text = compose(wanted, held)
    service.send(contact.phone, contact.username, "alert", text, urgent=any(n.urgent for n in wanted),
                 ref=wanted[0].alert_id)
    return 1


def _day_start(now: datetime) -> datetime:
    local = now.astimezone(WIB)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _last_sent(service: SmsService, contact: Any, now: datetime) -> datetime:
    """Since when held-back notices are still to be summarised: the last message that went out."""
    entries = service.store.entries(direction="out", username=contact.username, limit=50)
    last = next((entry.at for entry in entries if entry.state != "suppressed" and entry.kind == "alert"), None)
    return last or (now - timedelta(days=1))

"""The SMS tables (schema step 10) behind a handful of methods, on either backend: portable SQL through
the backend's ``Database`` (``storage.db``: ``writing()`` / ``reading()``). Times are ``to_db`` UTC text."""
from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kerawanan.sms_codec import Part
from sync_server.storage.connection import from_db, to_db


@dataclass(frozen=True, slots=True)
class Contact:
    username: str
    phone: str
    events: tuple[str, ...]
    quiet: str | None


@dataclass(frozen=True, slots=True)
class LogEntry:
    id: int
    at: datetime
    direction: str
    number: str
    username: str | None
    kind: str
    text: str
    state: str
    reason: str | None
    ref: str | None


class SmsStore:
    def __init__(self, db: Any):      # either backend's Database
        self.db = db

    # ---- device keys
    def issue_key(self, device_id: str, at: datetime) -> str:
        key = secrets.token_hex(32)
        with self.db.writing() as conn:
            conn.execute("INSERT INTO sms_keys (device_id, key, created_at) VALUES (?, ?, ?) ON CONFLICT (device_id) "
                         "DO UPDATE SET key = excluded.key, created_at = excluded.created_at",
                         [device_id, key, to_db(at)])
        return key

    def keys_for(self, short_device: str) -> list[tuple[str, bytes]]:
        """``(device_id, key)`` of every device whose id begins with the 8 hex digits."""
        if len(short_device) != 8 or not all(c in "0123456789abcdef" for c in short_device):
            return []
        after = short_device[:-1] + chr(ord(short_device[-1]) + 1)     # every id that begins with it sorts before
        with self.db.reading() as conn:
            rows = conn.execute("SELECT device_id, key FROM sms_keys WHERE device_id >= ? AND device_id < ?",
                                [short_device, after]).fetchall()
        return [(device_id, bytes.fromhex(key)) for device_id, key in rows]

    # ---- parts of a multi-part message
    def add_part(self, part: Part, number: str, at: datetime) -> list[Part]:
        """Keep ``part``; the parts of its message received so far (all of them when complete)."""
        with self.db.writing() as conn:
            conn.execute("INSERT INTO sms_parts (device, counter, number, part, total, chunk, received_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device, counter, number, part) DO UPDATE SET "
                         "total = excluded.total, chunk = excluded.chunk, received_at = excluded.received_at",
                         [part.device, part.counter, number, part.index, part.total, part.chunk, to_db(at)])
            rows = conn.execute("SELECT part, total, chunk FROM sms_parts WHERE device = ? AND counter = ? "
                                "AND number = ? ORDER BY part", [part.device, part.counter, number]).fetchall()
        return [Part(part.device, part.counter, index, total, chunk) for index, total, chunk in rows]

    def drop_parts(self, part: Part, number: str) -> None:
        with self.db.writing() as conn:
            conn.execute("DELETE FROM sms_parts WHERE device = ? AND counter = ? AND number = ?",
                         [part.device, part.counter, number])

    def expire_parts(self, before: datetime) -> list[tuple[str, str, int]]:
        """Forget incomplete messages whose last part came before ``before``: ``(number, device, parts)``."""
        with self.db.writing() as conn:
            rows = conn.execute("SELECT number, device, counter, count(*) FROM sms_parts GROUP BY device, "
                                "counter, number HAVING max(received_at) < ?", [to_db(before)]).fetchall()
            for number, device, counter, _ in rows:
                conn.execute("DELETE FROM sms_parts WHERE device = ? AND counter = ? AND number = ?",
                             [device, counter, number])
        return [(number, device, count) for number, device, _, count in rows]

    # ---- nonces and short versions
    def use_nonce(self, device_id: str, counter: int, report_id: str | None, at: datetime) -> bool:
        """Record (device, counter); False when it was used before (a replay)."""
        with self.db.writing() as conn:
            cursor = conn.execute("INSERT INTO sms_nonces (device_id, counter, report_id, at) VALUES (?, ?, ?, ?) "
                                  "ON CONFLICT DO NOTHING", [device_id, counter, report_id, to_db(at)])
            return cursor.rowcount == 1

    def nonce_used(self, device_id: str, counter: int) -> bool:
        with self.db.reading() as conn:
            return conn.execute("SELECT 1 FROM sms_nonces WHERE device_id = ? AND counter = ?",
                                [device_id, counter]).fetchone() is not None

    def mark_short(self, report_id: str, officer: str, at: datetime) -> None:
        with self.db.writing() as conn:
            conn.execute("INSERT INTO sms_short (report_id, officer, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                         [report_id, officer, to_db(at)])

    def short_versions(self, ids: Sequence[str], officer: str, at: datetime) -> set[str]:
        """Which of ``ids`` were stored from an SMS short version of ``officer``'s (noted as followed up)."""
        if not ids:
            return set()
        marks = ",".join("?" * len(ids))
        with self.db.reading() as conn:
            found = {row[0] for row in conn.execute(
                f"SELECT report_id FROM sms_short WHERE officer = ? AND report_id IN ({marks})",   # noqa: S608
                [officer, *ids])}
        if found:
            with self.db.writing() as conn:
                conn.executemany("UPDATE sms_short SET full_seen_at = coalesce(full_seen_at, ?) WHERE report_id = ?",
                                 [(to_db(at), report_id) for report_id in found])
        return found

    # ---- the log
    def log(self, at: datetime, direction: str, number: str, kind: str, text: str, state: str, *,
            username: str | None = None, reason: str | None = None, ref: str | None = None) -> int:
        with self.db.writing() as conn:
            return conn.execute("INSERT INTO sms_log (at, direction, number, username, kind, text, state, "
                                "reason, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                [to_db(at), direction, number, username, kind, text, state, reason, ref]).fetchone()[0]

    def set_state(self, entry_id: int, state: str) -> None:
        with self.db.writing() as conn:
            conn.execute("UPDATE sms_log SET state = ? WHERE id = ?", [state, entry_id])

    def entries(self, *, direction: str | None = None, before: int | None = None, limit: int = 100,
                username: str | None = None) -> list[LogEntry]:
        where, params = ["1 = 1"], []
        for column, value in (("direction", direction), ("username", username)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if before is not None:
            where.append("id < ?")
            params.append(before)
        with self.db.reading() as conn:
            rows = conn.execute(f"SELECT id, at, direction, number, username, kind, text, state, reason, ref "  # noqa: S608
                                f"FROM sms_log WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?",
                                [*params, limit]).fetchall()
        return [LogEntry(row[0], from_db(row[1]), *row[2:]) for row in rows]

    def refusals(self) -> dict[str, int]:
        with self.db.reading() as conn:
            return dict(conn.execute("SELECT reason, count(*) FROM sms_log WHERE direction = 'in' AND "
                                     "state = 'refused' GROUP BY reason ORDER BY reason").fetchall())

    def sent_since(self, number: str, since: datetime) -> int:
        """Messages sent (or queued) to ``number`` since ``since``, replies to its reports not counted."""
        with self.db.reading() as conn:
            return conn.execute("SELECT count(*) FROM sms_log WHERE direction = 'out' AND number = ? AND at >= ? "
                                "AND kind != 'reply' AND state != 'suppressed'",
                                [number, to_db(since)]).fetchone()[0]

    def suppressed_since(self, username: str, since: datetime) -> int:
        with self.db.reading() as conn:
            return conn.execute("SELECT count(*) FROM sms_log WHERE direction = 'out' AND username = ? AND at >= ? "
                                "AND state = 'suppressed'", [username, to_db(since)]).fetchone()[0]

    # ---- contacts
    def set_contact(self, contact: Contact, at: datetime) -> None:
        with self.db.writing() as conn:
            conn.execute("INSERT INTO sms_contacts (username, phone, events, quiet, updated_at) VALUES (?, ?, ?, ?, ?) "
                         "ON CONFLICT (username) DO UPDATE SET phone = excluded.phone, events = excluded.events, "
                         "quiet = excluded.quiet, updated_at = excluded.updated_at",
                         [contact.username, contact.phone, json.dumps(list(contact.events)), contact.quiet,
                          to_db(at)])

    def contacts(self, usernames: Sequence[str] | None = None) -> dict[str, Contact]:
        with self.db.reading() as conn:
            rows = conn.execute("SELECT username, phone, events, quiet FROM sms_contacts").fetchall()
        wanted = None if usernames is None else set(usernames)
        return {row[0]: Contact(row[0], row[1], tuple(json.loads(row[2])), row[3])
                for row in rows if wanted is None or row[0] in wanted}

    # ---- the notifier
    def cursor(self) -> int | None:
        with self.db.reading() as conn:
            row = conn.execute("SELECT value FROM sms_state WHERE name = 'history_id'").fetchone()
        return None if row is None else int(row[0])

    def set_cursor(self, value: int) -> None:
        with self.db.writing() as conn:
            conn.execute("INSERT INTO sms_state (name, value) VALUES ('history_id', ?) "
                         "ON CONFLICT (name) DO UPDATE SET value = excluded.value", [value])

    def history_after(self, after: int, limit: int = 1000) -> list[dict[str, Any]]:
        """New ``alert_history`` rows (append-only, so an id cursor never misses one), with each alert's
        region and the owner before the row (who let a deadline pass)."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT h.id, h.alert_id, h.version, h.at, h.actor, h.event, h.level, h.previous_level, h.owner, "
                "h.data, a.region_code, a.deadline_at, a.status, "
                "(SELECT p.owner FROM alert_history p WHERE p.alert_id = h.alert_id AND p.id < h.id "
                " ORDER BY p.id DESC LIMIT 1) "
                "FROM alert_history h JOIN alerts a ON a.id = h.alert_id WHERE h.id > ? ORDER BY h.id LIMIT ?",
                [after, limit]).fetchall()
        keys = ("id", "alert_id", "version", "at", "actor", "event", "level", "previous_level", "owner", "data",
                "region_code", "deadline_at", "status", "previous_owner")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def alerts_due(self, start: datetime, until: datetime) -> list[dict[str, Any]]:
        """Open alerts (never acknowledged since their deadline was set) whose deadline falls in [start, until)."""
        with self.db.reading() as conn:
            rows = conn.execute("SELECT id, region_code, level, owner, deadline_at FROM alerts WHERE status = 'open' "
                                "AND owner IS NOT NULL AND deadline_at >= ? AND deadline_at < ? ORDER BY deadline_at",
                                [to_db(start), to_db(until)]).fetchall()
        keys = ("alert_id", "region_code", "level", "owner", "deadline_at")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def last_history_id(self) -> int:
        with self.db.reading() as conn:
            return conn.execute("SELECT coalesce(max(id), 0) FROM alert_history").fetchone()[0]

    def claim(self, alert_id: str, event: str, username: str, at: datetime) -> bool:
        """One message per alert per event per person: False when this one was already claimed."""
        with self.db.writing() as conn:
            return conn.execute("INSERT INTO sms_notified (alert_id, event, username, at) VALUES (?, ?, ?, ?) "
                                "ON CONFLICT DO NOTHING", [alert_id, event, username, to_db(at)]).rowcount == 1

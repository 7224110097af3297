"""The outbox: every report the officer files, kept on the phone until the server has it.

A report is committed locally (one fsync'd transaction, with its photos already on disk) before any
network call. Its ``state`` tells the truth about where it is:

    waiting --claim--> sending --(created|duplicate)--> sent
       ^                  |----(conflict|invalid)-----> attention
       '----release-------'   (transport failure, or the app was killed: requeue at start-up)

Every row belongs to one officer: several officers may share a phone. One ``Outbox`` per process;
it is safe to use from the UI thread and the sync thread at once.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from field_app.database import DB_FILE, Database, Meta, parse_time, time_text
from field_app.inbox import Inbox
from field_app.task_queue import TaskQueue
from kerawanan.errors import Conflict

STATES = ("waiting", "sending", "sent", "attention")
PENDING_STATES = ("waiting", "sending")
MEDIA_DIR = "media"


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One stored report as the app sees it (never a raw row)."""

    id: str
    officer: str
    wire: dict[str, Any]
    content_hash: str
    state: str
    attempts: int
    created_at: datetime
    category: str
    threat_stage: str
    desa_code: str
    observed_at: datetime
    media: tuple[str, ...] = ()
    error_code: str | None = None
    error_message: str | None = None
    error_fields: dict[str, str] = field(default_factory=dict)
    sent_at: datetime | None = None
    server_seq: int | None = None
    purged: bool = False


@dataclass(frozen=True, slots=True)
class MediaEntry:
    report_id: str
    sha256: str
    officer: str
    path: str
    state: str


class Outbox:
    """Reports, their photos, the feedback inbox and per-officer meta, in one SQLite file."""

    def __init__(self, folder: str | Path, *, recover: bool = True):
        self.folder = Path(folder)
        self.media_dir = self.folder / MEDIA_DIR
        self.media_dir.mkdir(parents=True, exist_ok=True)
        self.database = Database(self.folder / DB_FILE)
        self.meta = Meta(self.database)
        self.inbox = Inbox(self.database)
        self.tasks = TaskQueue(self.database, self.photo_path)   # answers to tasks, sent after the reports
        if recover:
            self.requeue_sending()

    def close(self) -> None:
        self.database.close()

    # ------------------------------------------------------------ saving

    def save(self, report: Any, *, officer: str, now: datetime) -> str:
        """Commit ``report`` (a ``kerawanan.report.Report``) for ``officer``; returns its id.

        Saving the same report again is a no-op (a double tap); the same id with other content
        raises ``Conflict``. Photos named in ``report.media`` must already be stored with
        ``store_photo``.
        """
        wire = report.to_wire()
        content_hash = report.content_hash()
        row = _report_row(report.id, officer, wire, content_hash, now)
        media = [_media_row(report.id, sha, officer, self.photo_path(sha)) for sha in report.media]
        with self.database.atomic() as db:
            existing = list(db.query("SELECT content_hash FROM reports WHERE id = ?", (report.id,)))
            if existing:
                if existing[0]["content_hash"] != content_hash:
                    raise Conflict("Laporan dengan ID ini sudah tersimpan dengan isi berbeda.",
                                   message_en="A report with this id is already stored with other content.")
                return report.id
            db["reports"].insert(row)
            if media:
                db["media"].insert_all(media, replace=True)
        return report.id

    def save_many(self, reports: Iterable[Any], *, officer: str, now: datetime) -> list[str]:
        """Save several reports in one transaction (imports, tests, benchmarks)."""
        with self.database.atomic():
            return [self.save(report, officer=officer, now=now) for report in reports]

    def photo_path(self, sha256: str) -> Path:
        return self.media_dir / f"{sha256}.jpg"

    def store_photo(self, data: bytes, sha256: str) -> Path:
        """Write a shrunk photo to the media folder (fsync'd); returns its path."""
        path = self.photo_path(sha256)
        if path.exists() and path.stat().st_size == len(data):
            return path
        partial = path.with_suffix(".part")
        with open(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
        return path

    # ------------------------------------------------------------ reading

    def get(self, report_id: str) -> OutboxEntry | None:
        rows = self.database.query("SELECT * FROM reports WHERE id = ?", (report_id,))
        return _entry(rows[0]) if rows else None

    def entries(self, officer: str, *, states: Iterable[str] | None = None, limit: int = 200,
                offset: int = 0) -> list[OutboxEntry]:
        """The officer's reports, newest first."""
        where, params = _state_filter(officer, states)
        rows = self.database.query(
            f"SELECT * FROM reports WHERE {where} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?",
            (*params, limit, offset))
        return [_entry(row) for row in rows]

    def counts(self, officer: str) -> dict[str, int]:
        rows = self.database.query(
            "SELECT state, count(*) AS n FROM reports WHERE officer = ? GROUP BY state", (officer,))
        found = {row["state"]: row["n"] for row in rows}
        return {state: found.get(state, 0) for state in STATES}

    def pending_count(self, officer: str) -> int:
        counts = self.counts(officer)
        return sum(counts[state] for state in PENDING_STATES)

    # ------------------------------------------------------------ state changes (the sync engine)

    def claim(self, officer: str, limit: int) -> list[OutboxEntry]:
        """Move up to ``limit`` of the oldest waiting reports to ``sending`` and return them."""
        with self.database.atomic() as db:
            rows = list(db.query(
                "SELECT * FROM reports WHERE officer = ? AND state = 'waiting' "
                "ORDER BY created_at, rowid LIMIT ?", (officer, limit)))
            ids = [row["id"] for row in rows]
            db.execute(f"UPDATE reports SET state = 'sending', attempts = attempts + 1 "
                       f"WHERE id IN ({_marks(ids)})", ids)
        return [_entry({**row, "state": "sending", "attempts": row["attempts"] + 1}) for row in rows]

    def mark_sent(self, report_id: str, *, received_at: datetime, server_seq: int | None = None) -> None:
        with self.database.atomic() as db:
            db.execute("UPDATE reports SET state = 'sent', sent_at = ?, server_seq = ?, error_code = NULL, "
                       "error_message = NULL, error_fields = NULL WHERE id = ?",
                       (time_text(received_at), server_seq, report_id))

    def mark_attention(self, report_id: str, *, code: str, message: str,
                       fields: dict[str, str] | None = None) -> None:
        with self.database.atomic() as db:
            db.execute("UPDATE reports SET state = 'attention', error_code = ?, error_message = ?, "
                       "error_fields = ? WHERE id = ?",
                       (code, message, json.dumps(fields or {}, ensure_ascii=False), report_id))

    def release(self, report_ids: Sequence[str], *, code: str | None = None, message: str | None = None) -> None:
        """Back to ``waiting`` (a transport failure): keep the last error words for the outbox view."""
        ids = list(report_ids)
        if not ids:
            return
        with self.database.atomic() as db:
            db.execute(f"UPDATE reports SET state = 'waiting', error_code = ?, error_message = ? "
                       f"WHERE state = 'sending' AND id IN ({_marks(ids)})", (code, message, *ids))

    def requeue_sending(self, officer: str | None = None) -> int:
        """At start-up: reports left ``sending`` by a killed app go back to ``waiting``."""
        where, params = ("state = 'sending'", ()) if officer is None else \
            ("state = 'sending' AND officer = ?", (officer,))
        with self.database.atomic() as db:
            return db.execute(f"UPDATE reports SET state = 'waiting' WHERE {where}", params).rowcount

    def retry(self, report_id: str) -> None:
        """The officer asks to send a report that needs attention once more."""
        with self.database.atomic() as db:
            db.execute("UPDATE reports SET state = 'waiting' WHERE id = ? AND state = 'attention'", (report_id,))

    def purge_text(self, officer: str | None, *, now: datetime, older_than_days: int) -> int:
        """Drop facts/opinion of reports sent more than ``older_than_days`` ago; keep the rest."""
        cutoff = time_text(now - timedelta(days=older_than_days))
        sql = "SELECT id, wire FROM reports WHERE state = 'sent' AND purged = 0 AND sent_at < ?"
        params: tuple = (cutoff,)
        if officer is not None:
            sql, params = sql + " AND officer = ?", (cutoff, officer)
        with self.database.atomic() as db:
            rows = list(db.query(sql, params))
            for row in rows:
                wire = {**json.loads(row["wire"]), "facts": "", "opinion": None}
                db.execute("UPDATE reports SET wire = ?, purged = 1 WHERE id = ?",
                           (json.dumps(wire, ensure_ascii=False), row["id"]))
        return len(rows)

    # ------------------------------------------------------------ media

    def pending_media(self, officer: str, limit: int = 20) -> list[MediaEntry]:
        """Photos still to upload whose report (or task answer) the server already holds (text first,
        media after)."""
        rows = self.database.query(
            "SELECT m.* FROM media m LEFT JOIN reports r ON r.id = m.report_id "
            "LEFT JOIN task_answers a ON a.id = m.report_id WHERE m.officer = ? AND m.state = 'waiting' "
            "AND (r.state = 'sent' OR a.state = 'sent') ORDER BY coalesce(r.created_at, a.created_at) LIMIT ?",
            (officer, limit))
        return [MediaEntry(**row) for row in rows]

    def mark_media(self, officer: str, sha256: str, state: str) -> None:
        """``sent`` once the server has the bytes; ``missing`` if the file vanished from the phone."""
        with self.database.atomic() as db:
            db.execute("UPDATE media SET state = ? WHERE officer = ? AND sha256 = ?", (state, officer, sha256))

    def media_counts(self, officer: str) -> dict[str, int]:
        rows = self.database.query("SELECT state, count(*) AS n FROM media WHERE officer = ? GROUP BY state",
                                   (officer,))
        return {row["state"]: row["n"] for row in rows}


# ---------------------------------------------------------------- rows


def _report_row(report_id: str, officer: str, wire: dict, content_hash: str, now: datetime) -> dict:
    return {
        "id": report_id, "officer": officer, "wire": json.dumps(wire, ensure_ascii=False),
        "content_hash": content_hash, "state": "waiting", "attempts": 0, "created_at": time_text(now),
        "media": json.dumps(list(wire.get("media") or [])), "category": wire["category"],
        "threat_stage": wire["threat_stage"] or "", "desa_code": wire["desa_code"],   # "": a laporan nihil
        "observed_at": wire["observed_at"], "purged": 0,
    }


def _media_row(report_id: str, sha256: str, officer: str, path: Path) -> dict:
    return {"report_id": report_id, "sha256": sha256, "officer": officer, "path": str(path), "state": "waiting"}


def _entry(row: dict[str, Any]) -> OutboxEntry:
    return OutboxEntry(
        id=row["id"], officer=row["officer"], wire=json.loads(row["wire"]), content_hash=row["content_hash"],
        state=row["state"], attempts=row["attempts"], created_at=parse_time(row["created_at"]),
        category=row["category"], threat_stage=row["threat_stage"], desa_code=row["desa_code"],
        observed_at=datetime.fromisoformat(row["observed_at"].replace("Z", "+00:00")),
        media=tuple(json.loads(row["media"])), error_code=row["error_code"],
        error_message=row["error_message"], error_fields=json.loads(row["error_fields"] or "{}"),
        sent_at=parse_time(row["sent_at"]), server_seq=row["server_seq"], purged=bool(row["purged"]),
    )


def _state_filter(officer: str, states: Iterable[str] | None) -> tuple[str, tuple]:
    if states is None:
        return "officer = ?", (officer,)
    chosen = list(states)
    return f"officer = ? AND state IN ({_marks(chosen)})", (officer, *chosen)


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)

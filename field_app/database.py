"""The phone's SQLite file: opening it safely, its versioned schema, and a tiny per-officer meta store.

One ``Database`` per process. Its connection may be used from the UI thread and from the sync
thread, so every access goes through one re-entrant lock; nobody holds the lock across a network
call. WAL journal with ``synchronous=FULL``: a committed transaction is on disk (fsync'd) before
``commit`` returns, so a report saved is a report kept even if the phone dies a second later.
In a browser the file lives in memory over IndexedDB: after the outermost commit ``atomic`` also
waits for ``platform.current().make_durable()`` (the IndexedDB copy), so the same promise holds.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from field_app import platform

DB_FILE = "peta_rawan_outbox.db"
SCHEMA_VERSION = 2


class SchemaTooNew(RuntimeError):
    """The file was written by a newer app version; refusing to touch it."""


class Database:
    """A sqlite-utils database plus the lock that makes it safe to share between threads."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=10.0)
        self.db = sqlite_utils.Database(conn, execute_plugins=False)
        self.lock = threading.RLock()
        self._depth = 0                # nested atomic() blocks: durable once the outermost commits
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        migrate(self.db)

    @contextmanager
    def atomic(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction, committed (and fsync'd, or copied to IndexedDB) when the block ends."""
        with self.lock:
            self._depth += 1
            try:
                with self.db.atomic():
                    yield self.db
            finally:
                self._depth -= 1
            if self._depth == 0:
                platform.current().make_durable()

    def query(self, sql: str, params: tuple | dict = ()) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.db.query(sql, params))

    def close(self) -> None:
        with self.lock:
            self.db.close()


# ---------------------------------------------------------------- schema


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the file up to ``SCHEMA_VERSION``, one tested step at a time; returns the version."""
    version = schema_version(db)
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(f"outbox schema {version} is newer than this app ({SCHEMA_VERSION})")
    for target in range(version + 1, SCHEMA_VERSION + 1):
        with db.atomic():
            MIGRATIONS[target](db)
            db.execute(f"PRAGMA user_version = {target}")
    return SCHEMA_VERSION


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def _create_v1(db: sqlite_utils.Database) -> None:
    db["reports"].create({
        "id": str, "officer": str, "wire": str, "content_hash": str, "state": str, "attempts": int,
        "error_code": str, "error_message": str, "error_fields": str,
        "created_at": str, "sent_at": str, "server_seq": int, "media": str,
        "category": str, "threat_stage": str, "desa_code": str, "observed_at": str, "purged": int,
    }, pk="id", not_null={"officer", "wire", "content_hash", "state", "attempts", "created_at", "media",
                         "category", "threat_stage", "desa_code", "observed_at", "purged"},
        defaults={"state": "waiting", "attempts": 0, "media": "[]", "purged": 0})
    db["reports"].create_index(["officer", "state", "created_at"], index_name="reports_by_state")
    db["reports"].create_index(["officer", "created_at"], index_name="reports_by_time")
    db["media"].create({"report_id": str, "sha256": str, "officer": str, "path": str, "state": str},
                       pk=("report_id", "sha256"), not_null={"officer", "path", "state"},
                       defaults={"state": "waiting"})
    db["media"].create_index(["officer", "state"], index_name="media_by_state")
    db["feedback"].create({"officer": str, "seq": int, "kind": str, "item_key": str, "data": str,
                           "read": int, "received_at": str},
                          pk=("officer", "seq"), not_null={"kind", "item_key", "data", "read", "received_at"},
                          defaults={"read": 0})
    db["feedback"].create_index(["officer", "item_key"], index_name="feedback_by_item")
    db["feedback"].create_index(["officer", "kind", "read"], index_name="feedback_by_kind")
    db["meta"].create({"officer": str, "key": str, "value": str}, pk=("officer", "key"),
                      not_null={"value"})


def _create_v2(db: sqlite_utils.Database) -> None:
    """Answers to tasks ("Diterima", what was done), queued like reports (``field_app.task_queue``)."""
    db["task_answers"].create({
        "id": str, "officer": str, "alert_id": str, "action": str, "note": str, "media": str, "state": str,
        "attempts": int, "created_at": str, "sent_at": str, "error_code": str, "error_message": str,
    }, pk="id", not_null={"officer", "alert_id", "action", "media", "state", "attempts", "created_at"},
        defaults={"state": "waiting", "attempts": 0, "media": "[]"})
    db["task_answers"].create_index(["officer", "state", "created_at"], index_name="task_answers_by_state")
    db["task_answers"].create_index(["officer", "alert_id"], index_name="task_answers_by_alert")


MIGRATIONS: dict[int, Callable[[sqlite_utils.Database], None]] = {1: _create_v1, 2: _create_v2}


# ---------------------------------------------------------------- meta


class Meta:
    """Small JSON values per officer: pull cursor, last sync time, enrollment, PIN record.

    ``officer=""`` holds device-wide values. Never the device token: that lives in a TokenStore.
    """

    def __init__(self, database: Database):
        self._database = database

    def get(self, officer: str, key: str, default: Any = None) -> Any:
        rows = self._database.query("SELECT value FROM meta WHERE officer = ? AND key = ?", (officer, key))
        return json.loads(rows[0]["value"]) if rows else default

    def set(self, officer: str, key: str, value: Any) -> None:
        with self._database.atomic() as db:
            db["meta"].upsert({"officer": officer, "key": key, "value": json.dumps(value)},
                              pk=("officer", "key"))

    def delete(self, officer: str, key: str) -> None:
        with self._database.atomic() as db:
            db.execute("DELETE FROM meta WHERE officer = ? AND key = ?", (officer, key))

    def officers_with(self, key: str) -> list[str]:
        rows = self._database.query("SELECT officer FROM meta WHERE key = ? AND officer != '' ORDER BY officer",
                                    (key,))
        return [row["officer"] for row in rows]


# ---------------------------------------------------------------- time as text


def time_text(moment: datetime) -> str:
    """UTC ISO-8601 with ``Z``: sortable as text, the same shape the server sends."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the outbox only stores timezone-aware times")
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

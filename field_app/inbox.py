"""Feedback pulled from the server, kept on the phone so it can be read offline.

Each pulled change (``{"seq", "kind", "data"}``) is stored per officer. A newer change of the same
thing (the same alert, the review of the same report) replaces the older one and is unread again,
so the list shows each alert once, in its latest state.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from field_app.database import Database, parse_time, time_text

KINDS = ("alert", "review", "task", "notice")


@dataclass(frozen=True, slots=True)
class FeedbackEntry:
    officer: str
    seq: int
    kind: str
    item_key: str
    data: dict[str, Any]
    read: bool
    received_at: datetime


def item_key(kind: str, data: dict[str, Any], seq: int) -> str:
    """What a change is about: alerts by id, reviews by report id, the rest by id or seq."""
    if kind == "review":
        ident = data.get("report_id") or data.get("id")
    elif kind in ("alert", "task"):
        ident = data.get("id")
    else:
        ident = None
    return f"{kind}:{ident if ident is not None else f'seq{seq}'}"


class Inbox:
    def __init__(self, database: Database):
        self._database = database

    def add(self, officer: str, changes: Iterable[dict[str, Any]], *, now: datetime) -> int:
        """Store pulled changes; returns how many were new or newer than what the phone had."""
        stored = 0
        with self._database.atomic() as db:
            for change in changes:
                stored += _store_change(db, officer, change, time_text(now))
        return stored

    def entries(self, officer: str, kind: str | None = None) -> list[FeedbackEntry]:
        """Newest first."""
        sql, params = "SELECT * FROM feedback WHERE officer = ?", (officer,)
        if kind is not None:
            sql, params = sql + " AND kind = ?", (officer, kind)
        rows = self._database.query(sql + " ORDER BY seq DESC", params)
        return [_entry(row) for row in rows]

    def unread_counts(self, officer: str) -> dict[str, int]:
        rows = self._database.query(
            "SELECT kind, count(*) AS n FROM feedback WHERE officer = ? AND read = 0 GROUP BY kind", (officer,))
        found = {row["kind"]: row["n"] for row in rows}
        return {kind: found.get(kind, 0) for kind in KINDS}

    def mark_read(self, officer: str, seq: int) -> None:
        with self._database.atomic() as db:
            db.execute("UPDATE feedback SET read = 1 WHERE officer = ? AND seq = ?", (officer, seq))

    def mark_all_read(self, officer: str, kind: str | None = None) -> None:
        sql, params = "UPDATE feedback SET read = 1 WHERE officer = ?", (officer,)
        if kind is not None:
            sql, params = sql + " AND kind = ?", (officer, kind)
        with self._database.atomic() as db:
            db.execute(sql, params)


def _store_change(db, officer: str, change: dict[str, Any], received_at: str) -> int:
    seq, kind = int(change["seq"]), str(change.get("kind") or "notice")
    data = change.get("data") if isinstance(change.get("data"), dict) else {}
    key = item_key(kind, data, seq)
    newest = list(db.query("SELECT max(seq) AS seq FROM feedback WHERE officer = ? AND item_key = ?",
                           (officer, key)))[0]["seq"]
    if newest is not None and newest >= seq:
        return 0
    db.execute("DELETE FROM feedback WHERE officer = ? AND item_key = ?", (officer, key))
    db["feedback"].insert({"officer": officer, "seq": seq, "kind": kind, "item_key": key,
                           "data": json.dumps(data, ensure_ascii=False), "read": 0, "received_at": received_at})
    return 1


def _entry(row: dict[str, Any]) -> FeedbackEntry:
    return FeedbackEntry(officer=row["officer"], seq=row["seq"], kind=row["kind"], item_key=row["item_key"],
                         data=json.loads(row["data"]), read=bool(row["read"]),
                         received_at=parse_time(row["received_at"]))

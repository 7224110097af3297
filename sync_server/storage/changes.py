"""SQLite queries for the change feed that ``GET /sync/pull`` pages through."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sync_server.storage.base import Area, Change, ChangePage, NewChange
from sync_server.storage.connection import Database, from_db, subtree_sql
from sync_server.storage.reports import insert_changes, last_seq, reports_by_id


def add_changes(db: Database, changes: Sequence[NewChange], at: datetime) -> int:
    with db.writing() as conn:
        return insert_changes(conn, changes, at)


def current_seq(db: Database) -> int:
    with db.reading() as conn:
        return last_seq(conn)


def _visible_sql(username: str, area: Area) -> tuple[str, list]:
    """Addressed to the caller, or recipient-less in the caller's area (region NULL: everyone)."""
    subtree, params = subtree_sql("region_code", area.subtrees)
    exact = ",".join("?" * len(area.exact)) or "NULL"
    audience = "" if area.supervisor else "AND audience = 'all'"
    sql = (f"(recipient = ? OR (recipient IS NULL {audience} AND "
           f"(region_code IS NULL OR {subtree} OR region_code IN ({exact}))))")
    return sql, [username, *params, *area.exact]


def pull(db: Database, username: str, area: Area, after: int, limit: int) -> ChangePage:
    """The caller's changes after ``after``, oldest first; the cursor never goes backwards."""
    visible, params = _visible_sql(username, area)
    sql = (f"SELECT seq, kind, data, created_at, ref FROM changes WHERE seq > ? AND {visible} "
           "ORDER BY seq LIMIT ?")
    with db.reading() as conn:
        newest = last_seq(conn)
        rows = conn.execute(sql, [after, *params, limit + 1]).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        reports = reports_by_id(conn, [row[4] for row in rows if row[1] == "report" and row[4]])
    changes = [Change(seq=seq, kind=kind, data=None if data is None else json.loads(data),
                      created_at=from_db(created), report=reports.get(ref) if kind == "report" else None)
               for seq, kind, data, created, ref in rows]
    cursor = changes[-1].seq if more else max(after, newest)
    return ChangePage(changes=changes, cursor=cursor, more=more)

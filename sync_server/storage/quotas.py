"""SQLite queries for per-account quotas.

Photo bytes are counted per fixed window in ``quota_usage``, taken in one write transaction (the
one writer of every server process), so two workers can never both take the last of it. Reports
are counted from the ``reports`` table itself (a read: no extra commit per push).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sync_server.storage.connection import Database, from_db, to_db


def take_quota(db: Database, username: str, kind: str, amount: int, limit: int,
               window_start: datetime) -> bool:
    """Add ``amount`` to ``username``'s count of ``kind`` in the window; False (nothing taken) when
    the count would pass ``limit``. Counts of older windows are dropped on the way."""
    start = to_db(window_start)
    with db.writing() as conn:
        conn.execute("DELETE FROM quota_usage WHERE username = ? AND kind = ? AND window_start < ?",
                     (username, kind, start))
        row = conn.execute("SELECT used FROM quota_usage WHERE username = ? AND kind = ? AND window_start = ?",
                           (username, kind, start)).fetchone()
        used = row[0] if row else 0
        if used + amount > limit:
            return False
        conn.execute("INSERT INTO quota_usage (username, kind, window_start, used) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (username, kind, window_start) DO UPDATE SET used = used + excluded.used",
                     (username, kind, start, amount))
    return True


def stored_report_ids(db: Database, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` are stored already (a resend is a receipt, not new data)."""
    found: set[str] = set()
    with db.reading() as conn:
        for begin in range(0, len(ids), 500):
            chunk = list(ids[begin:begin + 500])
            marks = ",".join("?" * len(chunk))
            found.update(row[0] for row in conn.execute(f"SELECT id FROM reports WHERE id IN ({marks})", chunk))
    return found


def report_times_since(db: Database, officer: str, since: datetime, limit: int) -> list[datetime]:
    """When ``officer``'s reports received since ``since`` arrived, oldest first (at most ``limit``)."""
    with db.reading() as conn:
        rows = conn.execute("SELECT received_at FROM reports WHERE officer = ? AND received_at >= ? "
                            "ORDER BY received_at LIMIT ?", (officer, to_db(since), limit)).fetchall()
    return [from_db(row[0]) for row in rows]

"""Queries for per-account quotas: counted from the stored reports and photos (reads; portable SQL)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sync_server.storage.connection import Database, from_db, rows_in, to_db


def photo_bytes_since(db: Database, username: str, since: datetime) -> tuple[int, datetime | None]:
    """Bytes of the photos ``username`` uploaded since ``since``, and when the oldest of them was."""
    with db.reading() as conn:
        total, oldest = conn.execute(
            "SELECT COALESCE(SUM(media.size), 0), MIN(media_uploads.created_at) FROM media_uploads "
            "JOIN media ON media.sha256 = media_uploads.sha256 "
            "WHERE media_uploads.username = ? AND media_uploads.created_at >= ?", (username, to_db(since))).fetchone()
    return int(total), from_db(oldest) if oldest else None    # PostgreSQL sums BIGINT as NUMERIC


def stored_report_ids(db: Database, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` are stored already (a resend is a receipt, not new data)."""
    with db.reading() as conn:
        return {row[0] for row in rows_in(conn, "SELECT id FROM reports WHERE id IN", ids)}


def count_reports_since(db: Database, officer: str, since: datetime, cap: int) -> int:
    """How many of ``officer``'s reports arrived since ``since``, counted up to ``cap`` (the server
    counts them in the index; the push path asks this before every push)."""
    with db.reading() as conn:
        return int(conn.execute("SELECT count(*) FROM (SELECT 1 FROM reports WHERE officer = ? AND received_at >= ? "
                                "LIMIT ?) AS recent", (officer, to_db(since), cap)).fetchone()[0])


def nth_report_time_since(db: Database, officer: str, since: datetime, nth: int) -> datetime | None:
    """When the ``nth`` oldest (1: the oldest) of ``officer``'s reports received since ``since`` arrived."""
    with db.reading() as conn:
        row = conn.execute("SELECT received_at FROM reports WHERE officer = ? AND received_at >= ? "
                           "ORDER BY received_at LIMIT 1 OFFSET ?", (officer, to_db(since), nth - 1)).fetchone()
    return from_db(row[0]) if row else None

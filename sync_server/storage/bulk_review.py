"""One verdict on every report of an officer (or a device) received since a time, in one transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sync_server.storage.base import NewChange, Review
from sync_server.storage.connection import Database, subtree_sql, to_db
from sync_server.storage.reports import insert_changes


def review_since(db: Database, *, officer: str | None, device_id: str | None, since: datetime,
                 scopes: tuple[str, ...], review: Review, review_data: dict[str, Any]) -> list[str]:
    """Give ``review`` to the reports of ``officer`` (or from ``device_id``) received at or after
    ``since`` in ``scopes`` that do not have that verdict yet: on each report, in its review history
    and as a ``review`` change on its officer's feed — all or nothing. Returns their ids, oldest first."""
    clause, params = subtree_sql("desa_code", scopes)
    where = [clause, "received_at >= ?", "review_status != ?"]
    params += [to_db(since), review.status]
    if officer is not None:
        where.append("officer = ?")
        params.append(officer)
    if device_id is not None:
        where.append("device_id = ?")
        params.append(device_id)
    at = to_db(review.at)
    with db.writing() as conn:
        rows = conn.execute(f"SELECT id, officer, desa_code FROM reports WHERE {' AND '.join(where)} ORDER BY seq",
                            params).fetchall()
        conn.executemany("UPDATE reports SET review_status = ?, review_grade = ?, review_duplicate_of = NULL, "
                         "review_note = ?, review_by = ?, review_at = ? WHERE id = ?",
                         [(review.status, review.grade, review.note, review.by, at, report_id)
                          for report_id, _, _ in rows])
        conn.executemany("INSERT INTO reviews (report_id, status, grade, duplicate_of, note, reviewer, at) "
                         "VALUES (?, ?, ?, NULL, ?, ?, ?)",
                         [(report_id, review.status, review.grade, review.note, review.by, at)
                          for report_id, _, _ in rows])
        insert_changes(conn, [NewChange(kind="review", recipient=author, region_code=desa, ref=report_id,
                                        data={"report_id": report_id, "review": review_data})
                              for report_id, author, desa in rows], review.at)
    return [report_id for report_id, _, _ in rows]

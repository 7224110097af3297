"""Photo metadata and who uploaded what, in portable SQL (the bytes live in ``storage.files`` or
``storage.blobs``, as ``PETA_MEDIA_STORE`` says)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sync_server.storage.base import MediaInfo
from sync_server.storage.connection import from_db, to_db

# What cites a photo: tables of ``sha256`` values. A photo no row of them names is uncited and
# goes after the grace period. A report's photos (``report_media``) and a task answer's
# (``task_media``, kept by the schema from ``alert_history``: storage/v14_media.py).
CITING_TABLES = ("report_media", "task_media")


def add_media(db: Any, sha256: str, size: int, mime: str, uploader: str, at: datetime) -> bool:
    """Record the photo and its uploader; True when the photo is new to the server."""
    with db.writing() as conn:
        created = conn.execute("INSERT INTO media (sha256, size, mime, created_at) VALUES (?, ?, ?, ?) "
                               "ON CONFLICT DO NOTHING", (sha256, size, mime, to_db(at))).rowcount == 1
        conn.execute("INSERT INTO media_uploads (sha256, username, created_at) VALUES (?, ?, ?) "
                     "ON CONFLICT DO NOTHING", (sha256, uploader, to_db(at)))
    return created


def get_media(db: Any, sha256: str) -> MediaInfo | None:
    with db.reading() as conn:
        row = conn.execute("SELECT sha256, size, mime, created_at FROM media WHERE sha256 = ?",
                           (sha256,)).fetchone()
    return MediaInfo(sha256=row[0], size=int(row[1]), mime=row[2], created_at=from_db(row[3])) if row else None


def media_uploaded_by(db: Any, sha256: str, username: str) -> bool:
    with db.reading() as conn:
        row = conn.execute("SELECT 1 FROM media_uploads WHERE sha256 = ? AND username = ?",
                           (sha256, username)).fetchone()
    return row is not None


def forget_uncited_media(db: Any, before: datetime, limit: int = 1000) -> list[str]:
    """Forget photos stored before ``before`` that nothing cites; their hashes (delete the bytes)."""
    uncited = " AND ".join(f"NOT EXISTS (SELECT 1 FROM {table} WHERE {table}.sha256 = media.sha256)"
                           for table in CITING_TABLES)
    with db.writing() as conn:
        gone = [row[0] for row in conn.execute(
            f"SELECT sha256 FROM media WHERE created_at < ? AND {uncited} LIMIT ?",  # noqa: S608
            (to_db(before), limit))]
        conn.executemany("DELETE FROM media_uploads WHERE sha256 = ?", [(sha,) for sha in gone])
        conn.executemany("DELETE FROM media WHERE sha256 = ?", [(sha,) for sha in gone])
    return gone


def media_uploaders(db: Any, sha256: str) -> set[str]:
    with db.reading() as conn:
        return {row[0] for row in conn.execute("SELECT username FROM media_uploads WHERE sha256 = ?", (sha256,))}

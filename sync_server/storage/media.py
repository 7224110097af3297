"""SQLite queries for photo metadata (the bytes themselves live in ``storage.files``)."""
from __future__ import annotations

from datetime import datetime

from sync_server.storage.base import MediaInfo
from sync_server.storage.connection import Database, from_db, to_db


def add_media(db: Database, sha256: str, size: int, mime: str, uploader: str, at: datetime) -> bool:
    """Record the photo and its uploader; True when the photo is new to the server."""
    with db.writing() as conn:
        created = conn.execute("INSERT OR IGNORE INTO media (sha256, size, mime, created_at) "
                               "VALUES (?, ?, ?, ?)", (sha256, size, mime, to_db(at))).rowcount == 1
        conn.execute("INSERT OR IGNORE INTO media_uploads (sha256, username, created_at) VALUES (?, ?, ?)",
                     (sha256, uploader, to_db(at)))
    return created


def get_media(db: Database, sha256: str) -> MediaInfo | None:
    with db.reading() as conn:
        row = conn.execute("SELECT sha256, size, mime, created_at FROM media WHERE sha256 = ?",
                           (sha256,)).fetchone()
    return MediaInfo(sha256=row[0], size=row[1], mime=row[2], created_at=from_db(row[3])) if row else None


def media_uploaded_by(db: Database, sha256: str, username: str) -> bool:
    with db.reading() as conn:
        row = conn.execute("SELECT 1 FROM media_uploads WHERE sha256 = ? AND username = ?",
                           (sha256, username)).fetchone()
    return row is not None


def forget_uncited_media(db: Database, before: datetime, limit: int = 1000) -> list[str]:
    """Forget photos stored before ``before`` that no report cites; their hashes (delete the files)."""
    with db.writing() as conn:
        gone = [row[0] for row in conn.execute(
            "SELECT sha256 FROM media WHERE created_at < ? AND NOT EXISTS "
            "(SELECT 1 FROM report_media WHERE report_media.sha256 = media.sha256) LIMIT ?",
            (to_db(before), limit))]
        conn.executemany("DELETE FROM media_uploads WHERE sha256 = ?", [(sha,) for sha in gone])
        conn.executemany("DELETE FROM media WHERE sha256 = ?", [(sha,) for sha in gone])
    return gone


def media_uploaders(db: Database, sha256: str) -> set[str]:
    with db.reading() as conn:
        return {row[0] for row in conn.execute("SELECT username FROM media_uploads WHERE sha256 = ?", (sha256,))}

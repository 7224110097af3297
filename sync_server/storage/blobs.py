"""Photo bytes in the database (``PETA_MEDIA_STORE=database``): ``media_blobs``, and the rows of
unfinished uploads, ``media_partials`` (one per account and photo) and ``media_partial_chunks`` (its
bytes, one row per piece kept, by the offset of its first byte). Portable SQL on both backends.

Every server node reads and writes the same rows, so nothing of a photo lives on a node's disk and an
upload cut on one node resumes on another. ``updated_at`` is the server clock's (staleness, as a
partial file's mtime); ``held_until`` is real time: the hold of the request streaming into a partial
lapses by itself when its node dies (``sync_server.partials_db``).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync_server.storage.connection import from_db, to_db


class MediaBlobs:
    """Content-addressed photo bytes in ``media_blobs`` (the database twin of ``files.MediaFiles``)."""

    def __init__(self, db: Any):
        self.db = db

    def exists(self, sha256: str) -> bool:
        with self.db.reading() as conn:
            return conn.execute("SELECT 1 FROM media_blobs WHERE sha256 = ?", (sha256,)).fetchone() is not None

    def read(self, sha256: str) -> bytes:
        with self.db.reading() as conn:
            row = conn.execute("SELECT data FROM media_blobs WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise FileNotFoundError(sha256)
        return bytes(row[0])

    def write(self, sha256: str, data: bytes) -> None:
        """Store ``data`` under its hash (the caller has checked the hash); idempotent."""
        with self.db.writing() as conn:
            conn.execute("INSERT INTO media_blobs (sha256, data) VALUES (?, ?) ON CONFLICT DO NOTHING",
                         (sha256, bytes(data)))

    def adopt(self, username: str, sha256: str, data: bytes) -> None:
        """Store ``username``'s completed, checked upload and forget its partial, in one transaction."""
        with self.db.writing() as conn:
            conn.execute("INSERT INTO media_blobs (sha256, data) VALUES (?, ?) ON CONFLICT DO NOTHING",
                         (sha256, bytes(data)))
            PartialRows.delete(conn, username, sha256)

    def remove(self, sha256: str) -> None:
        """Delete the photo's bytes (the garbage collector; its row is already gone)."""
        with self.db.writing() as conn:
            conn.execute("DELETE FROM media_blobs WHERE sha256 = ?", (sha256,))


@dataclass(frozen=True, slots=True)
class PartialRow:
    username: str
    sha256: str
    size: int                        # bytes held: the sum of its chunks
    updated_at: datetime             # when bytes were last kept (server clock)
    holder: str | None               # the request streaming into it, while one does
    held_until: datetime | None      # real time: when that hold lapses unless renewed


_COLUMNS = "username, sha256, size, updated_at, holder, held_until"


def _row(row: Any) -> PartialRow:
    return PartialRow(row[0], row[1], int(row[2]), from_db(row[3]), row[4], from_db(row[5]))


class PartialRows:
    """The SQL of unfinished uploads; each method runs on a connection of the caller's transaction."""

    @staticmethod
    def get(conn: Any, username: str, sha256: str) -> PartialRow | None:
        row = conn.execute(f"SELECT {_COLUMNS} FROM media_partials WHERE username = ? AND sha256 = ?",  # noqa: S608
                           (username, sha256)).fetchone()
        return _row(row) if row else None

    @staticmethod
    def others(conn: Any, username: str, sha256: str) -> tuple[int, int]:
        """How many other partials ``username`` holds (stale ones until they are swept), and their bytes."""
        count, held = conn.execute("SELECT count(*), coalesce(sum(size), 0) FROM media_partials "
                                   "WHERE username = ? AND sha256 != ?", (username, sha256)).fetchone()
        return int(count), int(held)

    @staticmethod
    def hold(conn: Any, username: str, sha256: str, holder: str, until: datetime, at: datetime) -> None:
        """``holder`` holds the partial until ``until`` (a new partial begins empty, written ``at``)."""
        conn.execute("INSERT INTO media_partials (username, sha256, size, updated_at, holder, held_until) "
                     "VALUES (?, ?, 0, ?, ?, ?) ON CONFLICT (username, sha256) DO UPDATE SET "
                     "holder = excluded.holder, held_until = excluded.held_until",
                     (username, sha256, to_db(at), holder, to_db(until)))

    @staticmethod
    def append(conn: Any, username: str, sha256: str, holder: str, start: int, data: bytes,
               until: datetime, at: datetime) -> bool:
        """Keep ``data`` at ``start`` (the partial's size) and renew the hold until ``until`` (no data:
        only renew it); False when ``holder`` no longer holds the partial or its size moved (nothing written)."""
        where, key = "WHERE username = ? AND sha256 = ? AND holder = ? AND size = ?", (username, sha256, holder, start)
        if not data:
            return conn.execute(f"UPDATE media_partials SET held_until = ? {where}",  # noqa: S608
                                (to_db(until), *key)).rowcount == 1
        if conn.execute(f"UPDATE media_partials SET size = ?, updated_at = ?, held_until = ? {where}",  # noqa: S608
                        (start + len(data), to_db(at), to_db(until), *key)).rowcount != 1:
            return False
        conn.execute("INSERT INTO media_partial_chunks (username, sha256, first_byte, data) VALUES (?, ?, ?, ?)",
                     (username, sha256, start, bytes(data)))
        return True

    @staticmethod
    def truncate(conn: Any, username: str, sha256: str, holder: str, size: int) -> None:
        """Forget every byte from ``size`` on (a body longer than its range keeps nothing of its own)."""
        conn.execute("DELETE FROM media_partial_chunks WHERE username = ? AND sha256 = ? AND first_byte >= ?",
                     (username, sha256, size))
        conn.execute("UPDATE media_partials SET size = ? WHERE username = ? AND sha256 = ? AND holder = ?",
                     (size, username, sha256, holder))

    @staticmethod
    def release(conn: Any, username: str, sha256: str, holder: str) -> None:
        """Let go of the hold; a partial left empty goes."""
        conn.execute("DELETE FROM media_partials WHERE username = ? AND sha256 = ? AND holder = ? AND size = 0",
                     (username, sha256, holder))
        conn.execute("UPDATE media_partials SET holder = NULL, held_until = NULL "
                     "WHERE username = ? AND sha256 = ? AND holder = ?", (username, sha256, holder))

    @staticmethod
    def chunks(conn: Any, username: str, sha256: str) -> Iterator[tuple[int, bytes]]:
        """``(first_byte, data)`` of every piece, in order."""
        for start, data in conn.execute("SELECT first_byte, data FROM media_partial_chunks "
                                        "WHERE username = ? AND sha256 = ? ORDER BY first_byte",
                                        (username, sha256)).fetchall():
            yield int(start), bytes(data)

    @staticmethod
    def delete(conn: Any, username: str, sha256: str) -> None:
        conn.execute("DELETE FROM media_partial_chunks WHERE username = ? AND sha256 = ?", (username, sha256))
        conn.execute("DELETE FROM media_partials WHERE username = ? AND sha256 = ?", (username, sha256))

    @staticmethod
    def stale(conn: Any, before: datetime, free_at: datetime, limit: int = 500) -> list[tuple[str, str]]:
        """``(username, sha256)`` of partials last written before ``before`` that no live hold keeps."""
        return [(row[0], row[1]) for row in conn.execute(
            "SELECT username, sha256 FROM media_partials WHERE updated_at < ? "
            "AND (holder IS NULL OR held_until < ?) LIMIT ?", (to_db(before), to_db(free_at), limit))]


"""Storage behind a few narrow ports (``storage.ports``); SQLite is the embedded default, PostgreSQL
serves several server nodes (``--db postgresql://...``)."""
from __future__ import annotations

from pathlib import Path

from sync_server.storage.ports import Storage
from sync_server.storage.sqlite import SqliteStorage, open_sqlite


def open_storage(where: Path | str, *, migrate: bool = False) -> Storage:
    """Open the database at ``where``: a ``postgresql://`` URL or an SQLite file path."""
    from sync_server.storage.postgres import is_postgres_url, open_postgres

    if is_postgres_url(str(where)):
        return open_postgres(str(where), migrate=migrate)
    return open_sqlite(where, migrate=migrate)


__all__ = ["SqliteStorage", "Storage", "open_storage"]

"""The SQLite backend: one file, WAL, one writer (``storage.connection``); the embedded default."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kerawanan.errors import Unavailable
from sync_server.storage import migrations
from sync_server.storage.connection import Database
from sync_server.storage.facade import SqlStorage


class SchemaOutdated(Unavailable):
    code = "storage.schema"


def outdated(where: str, version: int, latest: int) -> SchemaOutdated:
    return SchemaOutdated(
        f"Basis data {where} versi {version}, perlu versi {latest}: jalankan `python -m sync_server init`.",
        message_en=f"database {where} is at schema version {version}, needs {latest}: "
                   "run `python -m sync_server init`.")


def open_sqlite(path: Path | str, *, migrate: bool = False) -> SqliteStorage:
    """Open the database file; with ``migrate`` create/upgrade it, else refuse an outdated one."""
    storage = SqliteStorage(path)
    if migrate:
        migrations.migrate(storage.db.utils)
    elif (version := storage.schema_version()) != migrations.LATEST:
        storage.close()
        raise outdated(str(path), version, migrations.LATEST)
    return storage


class SqliteStorage(SqlStorage):
    backend = "sqlite"

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.db = Database(self.path)

    def close(self) -> None:
        self.db.close()

    def ping(self) -> None:
        """Raise ``Unavailable`` unless the database answers a query."""
        try:
            with self.db.reading() as conn:
                conn.execute("SELECT version FROM schema_version").fetchone()
        except sqlite3.Error as error:
            raise Unavailable("Basis data tidak dapat dijangkau.", message_en="The database is unreachable.",
                              details={"reason": type(error).__name__}) from error

    def schema_version(self) -> int:
        return migrations.schema_version(self.db.utils)

    def load_regions(self, regions: Iterable[Any]) -> int:
        """Copy the gazetteer into ``regions`` (for SQL joins by later features); returns the count."""
        return load_regions(self.db, regions)

    def backup(self, target: Path | str) -> None:
        """Online backup of the whole database into ``target`` (overwritten)."""
        source = sqlite3.connect(self.path)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
            source.close()


def load_regions(db: Any, regions: Iterable[Any]) -> int:
    rows = [(r.code, r.level, r.name, r.parent_code, r.lat, r.lon) for r in regions]
    with db.writing() as conn:
        conn.executemany("INSERT INTO regions (code, level, name, parent_code, lat, lon) VALUES (?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT (code) DO UPDATE SET level = excluded.level, name = excluded.name, "
                         "parent_code = excluded.parent_code, lat = excluded.lat, lon = excluded.lon", rows)
    return len(rows)

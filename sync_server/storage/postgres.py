"""The PostgreSQL backend: several server nodes against one database (``--db postgresql://...``)."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kerawanan.errors import Unavailable
from sync_server.storage.facade import SqlStorage
from sync_server.storage.pg import migrations
from sync_server.storage.pg.connection import Database
from sync_server.storage.sqlite import load_regions, outdated

URL_PREFIXES = ("postgresql://", "postgres://")


def is_postgres_url(where: str | Path) -> bool:
    return isinstance(where, str) and where.startswith(URL_PREFIXES)


def redacted(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    head, at, tail = url.rpartition("@")
    if not at or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, credentials = head.partition("//")
    return f"{scheme}//{credentials.split(':', 1)[0]}:***@{tail}"


def open_postgres(url: str, *, migrate: bool = False) -> PostgresStorage:
    storage = PostgresStorage(url)
    try:
        if migrate:
            migrations.migrate(storage.db)
        elif (version := storage.schema_version()) != migrations.LATEST:
            raise outdated(redacted(url), version, migrations.LATEST)
    except BaseException:
        storage.close()
        raise
    return storage


class PostgresStorage(SqlStorage):
    backend = "postgresql"

    def __init__(self, url: str):
        self.url = url
        self.db = Database(url, max_size=int(os.environ.get("PETA_PG_POOL", "8")))

    def close(self) -> None:
        self.db.close()

    def ping(self) -> None:
        """Raise ``Unavailable`` unless the database answers a query."""
        with self.db.reading() as conn:
            conn.execute("SELECT version FROM schema_version").fetchone()

    def schema_version(self) -> int:
        return migrations.schema_version(self.db)

    def load_regions(self, regions: Iterable[Any]) -> int:
        return load_regions(self.db, regions)

    def backup(self, target: Path | str) -> None:
        """A consistent dump with PostgreSQL's own ``pg_dump`` (custom format: ``pg_restore`` reads it)."""
        try:
            done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), self.url],
                                  capture_output=True, text=True, timeout=3600)
        except FileNotFoundError as error:
            raise Unavailable("pg_dump tidak ditemukan: pasang klien PostgreSQL (postgresql-client).",
                              message_en="pg_dump not found: install the PostgreSQL client tools.") from error
        if done.returncode != 0:
            raise Unavailable(f"pg_dump gagal: {done.stderr.strip()[:300]}",
                              message_en=f"pg_dump failed: {done.stderr.strip()[:300]}")

"""The PostgreSQL backend: several server nodes against one database (``--db postgresql://...``).

Importing this module does not import psycopg (``is_postgres_url`` and ``redacted`` serve every
caller): the driver loads when a PostgreSQL database is opened, so the embedded SQLite default
(``make run``) needs no PostgreSQL client library."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kerawanan.errors import Unavailable
from sync_server.storage.facade import SqlStorage
from sync_server.storage.sqlite import load_regions, outdated

URL_PREFIXES = ("postgresql://", "postgres://")


def is_postgres_url(where: str | Path) -> bool:
    return isinstance(where, str) and where.startswith(URL_PREFIXES)


def url_password(url: str) -> str | None:
    """The password of a ``postgresql://user:password@host/db`` URL as written (percent-escaped), or None."""
    head, at, _ = url.rpartition("@")
    credentials = head.split("//", 1)[-1]
    return credentials.split(":", 1)[1] if at and ":" in credentials else None


def redacted(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    head, at, tail = url.rpartition("@")
    if not at or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, credentials = head.partition("//")
    return f"{scheme}//{credentials.split(':', 1)[0]}:***@{tail}"


def open_postgres(url: str, *, migrate: bool = False) -> PostgresStorage:
    storage = PostgresStorage(url)           # says so when psycopg is not installed
    from sync_server.storage.pg import migrations

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
        try:
            from sync_server.storage.pg.connection import Database
        except ImportError as error:
            raise Unavailable("Pustaka psycopg tidak terpasang: pip install 'psycopg[binary,pool]'.",
                              message_en="psycopg is not installed: pip install 'psycopg[binary,pool]'.") from error
        self.url = url
        self.db = Database(url, max_size=int(os.environ.get("PETA_PG_POOL", "8")))

    def close(self) -> None:
        self.db.close()

    def ping(self) -> None:
        """Raise ``Unavailable`` unless the database answers a query."""
        with self.db.reading() as conn:
            conn.execute("SELECT version FROM schema_version").fetchone()

    def schema_version(self) -> int:
        from sync_server.storage.pg import migrations

        return migrations.schema_version(self.db)

    def load_regions(self, regions: Iterable[Any]) -> int:
        return load_regions(self.db, regions)

    def backup(self, target: Path | str) -> None:
        """A consistent dump with PostgreSQL's own ``pg_dump`` (custom format: ``pg_restore`` reads it).
        The password goes to pg_dump in its environment, never on its command line (``ps`` shows that)."""
        url, password = _split_password(self.url)
        env = {**os.environ, **({"PGPASSWORD": password} if password else {})}
        try:
            done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), url],
                                  capture_output=True, text=True, timeout=3600, env=env)
        except FileNotFoundError as error:
            raise Unavailable("pg_dump tidak ditemukan: pasang klien PostgreSQL (postgresql-client).",
                              message_en="pg_dump not found: install the PostgreSQL client tools.") from error
        if done.returncode != 0:
            reason = " ".join(done.stderr.replace(password or "\0", "***").split())[:300]
            raise Unavailable(f"pg_dump gagal: {reason}", message_en=f"pg_dump failed: {reason}")


def _split_password(url: str) -> tuple[str, str | None]:
    """``postgresql://user:secret@host/db`` -> (``postgresql://user@host/db``, ``secret``)."""
    from urllib.parse import unquote

    password = url_password(url)
    if password is None:
        return url, None
    head, _, tail = url.rpartition("@")
    return f"{head[:-len(password) - 1]}@{tail}", unquote(password)

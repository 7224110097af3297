"""Versioned schema migrations of the PostgreSQL backend: the same version numbers as SQLite's.

The PostgreSQL backend begins at version 13: ``schema.sql`` is the SQLite schema after its steps
1..13 in PostgreSQL types, applied in one transaction. A later schema change adds a step to both
lists (``STEPS[n]`` takes a PostgreSQL database from ``n - 1`` to ``n``), each tested from the
previous version. Concurrent ``init`` runs on several nodes are safe: the steps run under an
advisory lock.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sync_server.storage import v14_media, v15_states_stamp
from sync_server.storage.pg.connection import Database, PgConnection

BASELINE = 13
MIGRATE_LOCK = 0x5045_5441_0003       # "PETA" 3 (1: writes, 2: the engine node): init beside running nodes
_SCHEMA = Path(__file__).with_name("schema.sql")


def _baseline(conn: PgConnection) -> None:
    conn.raw.execute(_SCHEMA.read_text(encoding="utf-8"))


def _v14_media(conn: PgConnection) -> None:
    conn.raw.execute(v14_media.POSTGRES)


def _v15_states_stamp(conn: PgConnection) -> None:
    conn.raw.execute(v15_states_stamp.POSTGRES)


STEPS: dict[int, Callable[[PgConnection], None]] = {
    BASELINE: _baseline,
    14: _v14_media,               # photos in the database, photos cited by task answers (storage/v14_media.py)
    15: _v15_states_stamp,        # the engine pass that last wrote region states (storage/v15_states_stamp.py)
}
LATEST = max(STEPS)


def schema_version(db: Database) -> int:
    with db.reading() as conn:
        exists = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]
        if not exists:
            return 0
        row = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(db: Database) -> list[int]:
    """Bring the database to ``LATEST``; returns the versions applied (empty when current)."""
    applied: list[int] = []
    with db.autocommit() as conn, conn.raw.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATE_LOCK,))
        exists = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]
        version = int(conn.execute("SELECT version FROM schema_version").fetchone()[0]) if exists else 0
        for step in sorted(STEPS):
            if step <= version:
                continue
            STEPS[step](conn)
            conn.execute("UPDATE schema_version SET version = ?", (step,))
            applied.append(step)
    return applied

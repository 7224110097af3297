"""One schema, two backends: the SQLite schema after every migration and PostgreSQL's ``schema.sql``
(plus its steps) have the same tables, the same columns (name, kind of value, NOT NULL), the same
unique keys and partial indexes, and the same append-only triggers. A SQLite migration without its
PostgreSQL step fails here.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from sync_server.storage import open_storage
from sync_server.storage.migrations import LATEST
from sync_server.storage.pg.migrations import LATEST as PG_LATEST

# SQLite's declared type -> the PostgreSQL type it became (storage/pg/schema.sql).
KINDS = {"INTEGER": "bigint", "REAL": "double precision", "TEXT": "text", "BLOB": "bytea"}


class Schema:
    """What the two backends must agree on, read from the live database."""

    def __init__(self) -> None:
        self.columns: dict[str, dict[str, tuple[str, bool]]] = {}   # table -> column -> (pg type, NOT NULL)
        self.unique_keys: set[tuple[str, tuple[str, ...], bool]] = set()   # (table, columns, partial)
        self.named_indexes: dict[str, tuple[str, bool, bool]] = {}  # CREATE INDEX name -> (table, unique, partial)
        self.triggers: set[tuple[str, str]] = set()                 # (table, trigger name)


def sqlite_schema(path: Path) -> Schema:
    schema = Schema()
    conn = sqlite3.connect(path)
    try:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            info = conn.execute(f"PRAGMA table_info({table})").fetchall()
            keys = tuple(name for *_, name in sorted((pk, name) for _, name, _, _, _, pk in info if pk))
            schema.columns[table] = {name: (KINDS[kind.upper()], bool(notnull) or name in keys)
                                     for _, name, kind, notnull, _, _ in info}
            if keys:
                schema.unique_keys.add((table, keys, False))
            for _, index, unique, origin, partial in conn.execute(f"PRAGMA index_list({table})"):
                columns = tuple(row[2] for row in conn.execute(f"PRAGMA index_info({index})"))
                if unique:
                    schema.unique_keys.add((table, columns, bool(partial)))
                if origin == "c":
                    schema.named_indexes[index] = (table, bool(unique), bool(partial))
        schema.triggers = set(conn.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"))
    finally:
        conn.close()
    return schema


def postgres_schema(url: str) -> Schema:
    schema = Schema()
    with psycopg.connect(url) as conn:
        for table, column, kind, nullable in conn.execute(
                "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
                "WHERE table_schema = 'public'"):
            schema.columns.setdefault(table, {})[column] = (kind, nullable == "NO")
        for table, index, unique, partial, constraint, columns in conn.execute("""
                SELECT t.relname, i.relname, x.indisunique, x.indpred IS NOT NULL,
                       EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid),
                       array(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
                             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n)
                FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                JOIN pg_namespace s ON s.oid = t.relnamespace WHERE s.nspname = 'public'"""):
            if unique:
                schema.unique_keys.add((table, tuple(columns), partial))
            if not constraint:
                schema.named_indexes[index] = (table, unique, partial)
        schema.triggers = set(conn.execute(
            "SELECT DISTINCT event_object_table, trigger_name FROM information_schema.triggers "
            "WHERE trigger_schema = 'public'"))
    return schema


@pytest.fixture(scope="module")
def schemas(pg_cluster, tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.db"
    open_storage(path, migrate=True).close()
    url = pg_cluster.database()
    try:
        yield sqlite_schema(path), postgres_schema(url)
    finally:
        pg_cluster.drop(url)


def test_both_backends_are_at_the_same_schema_version():
    assert PG_LATEST == LATEST


def test_same_tables_and_columns(schemas):
    sqlite, postgres = schemas
    assert sorted(postgres.columns) == sorted(sqlite.columns)
    for table, columns in sqlite.columns.items():
        assert postgres.columns[table] == columns, table


def test_same_unique_keys(schemas):
    """Primary keys, UNIQUE columns and unique indexes (what ``ON CONFLICT (...)`` names), partial ones apart."""
    sqlite, postgres = schemas
    assert postgres.unique_keys == sqlite.unique_keys
    assert ("alerts", ("region_code",), True) in sqlite.unique_keys      # one unresolved alert per region


def test_same_named_indexes(schemas):
    """Every index a SQLite migration creates exists on PostgreSQL under its name; unique and partial
    ones alike (PostgreSQL may add indexes of its own)."""
    sqlite, postgres = schemas
    assert {name: postgres.named_indexes.get(name) for name in sqlite.named_indexes} == sqlite.named_indexes
    special = {name for name, (_, unique, partial) in postgres.named_indexes.items() if unique or partial}
    assert special == {name for name, (_, unique, partial) in sqlite.named_indexes.items() if unique or partial}


def test_same_append_only_triggers(schemas):
    sqlite, postgres = schemas
    assert postgres.triggers == sqlite.triggers
    assert {("alert_history", "alert_history_no_update"), ("reviews", "reviews_no_delete")} <= sqlite.triggers

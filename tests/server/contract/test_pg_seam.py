"""The PostgreSQL connection seam: readers see one snapshot and cannot write, yet a multi-host URL
asking for a read-write session (``target_session_attrs=read-write``, how operators point every node at
whichever host is primary) still finds the primary; ``init`` runs beside a node that runs the engine."""
from __future__ import annotations

import threading

import pytest

from sync_server.storage import open_storage
from sync_server.storage.pg import migrations
from sync_server.storage.pg.coordination import ENGINE_LOCK


@pytest.fixture
def url(pg_cluster):
    url = pg_cluster.database()
    yield url
    pg_cluster.drop(url)


def test_a_reader_is_one_read_only_snapshot(url):
    storage = open_storage(url)
    try:
        with storage.db.reading() as conn:
            isolation = conn.execute("SHOW transaction_isolation").fetchone()[0]
            read_only = conn.execute("SHOW transaction_read_only").fetchone()[0]
        with storage.db.writing() as conn:
            writable = conn.execute("SHOW transaction_read_only").fetchone()[0]
    finally:
        storage.close()
    assert (isolation, read_only, writable) == ("repeatable read", "on", "off")


def test_a_read_write_multi_host_url_finds_the_primary(url, pg_cluster):
    dead = "127.0.0.1:1"                                     # a host that refuses: the failover list goes on
    head, _, tail = url.partition("//")
    host, _, database = tail.partition("/")
    credentials, _, address = host.rpartition("@")
    storage = open_storage(f"{head}//{credentials}@{dead},{address}/{database}?target_session_attrs=read-write")
    try:
        storage.ping()
        assert storage.current_seq() == 0
    finally:
        storage.close()


def test_init_runs_while_another_node_holds_the_engine_lock(url):
    holder = open_storage(url)
    try:
        with holder.db.autocommit() as conn:
            assert conn.execute("SELECT pg_try_advisory_lock(?)", (ENGINE_LOCK,)).fetchone()[0]
            done = threading.Event()
            worker = threading.Thread(target=lambda: (open_storage(url, migrate=True).close(), done.set()))
            worker.start()
            assert done.wait(30), "init waited for the engine node's lock"
            conn.execute("SELECT pg_advisory_unlock(?)", (ENGINE_LOCK,))
        assert migrations.schema_version(holder.db) == migrations.LATEST
    finally:
        holder.close()

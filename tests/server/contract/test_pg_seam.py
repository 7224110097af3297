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


def test_a_report_stored_by_another_node_while_a_push_waits_for_the_lock_is_a_duplicate(url, monkeypatch):
    """A push reads its ids' hashes before the write lock; another node storing one of them in between
    makes its insert fail on the reports' key, and the push is stored again, locked from the start:
    the report counts once and this push says ``duplicate`` for it (the interleaving is forced)."""
    from sync_server.storage.pg.connection import PgConnection
    from tests.server.contract.builders import NOW, OFFICER, parsed

    here, there = open_storage(url), open_storage(url)
    try:
        here.create_user(OFFICER, None, NOW)
        taken, fresh = parsed(), parsed()
        serialize, raced = PgConnection.serialize, []

        def the_other_node_first(conn):
            if not raced:                       # once, and not again for the other node's own lock
                raced.append(None)
                raced[0] = there.store_reports(OFFICER.username, None, [taken], NOW)
            serialize(conn)

        monkeypatch.setattr(PgConnection, "serialize", the_other_node_first)
        result = here.store_reports(OFFICER.username, None, [taken, fresh], NOW)
        monkeypatch.undo()
        assert [o.status for o in raced[0].outcomes] == ["created"]
        assert [o.status for o in result.outcomes] == ["duplicate", "created"]
        assert result.cursor == result.outcomes[1].seq > raced[0].outcomes[0].seq
        with here.db.reading() as conn:
            rows = conn.execute("SELECT id, seq FROM reports ORDER BY seq").fetchall()
            changes = conn.execute("SELECT ref FROM changes WHERE kind = 'report' ORDER BY seq").fetchall()
        assert [row[0] for row in rows] == [taken.id, fresh.id]
        assert [row[0] for row in changes] == [taken.id, fresh.id]        # one change each, in order
    finally:
        here.close()
        there.close()

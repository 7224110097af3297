"""Fixtures of the storage contract: every test runs once per backend.

SQLite in a temporary file, PostgreSQL in a fresh database of the throwaway cluster
(``tests/pg_cluster.py``). One file per port: ``test_accounts.py``, ``test_reports.py`` (reports and
the change feed, ``pull_stored`` included), ``test_media.py``, ``test_alerts.py``, ``test_stores.py``
(plans and SMS). A new backend passes when it passes every file here.
"""
from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from sync_server.storage import open_storage
from tests.server.contract.builders import NOW, OFFICER


@contextmanager
def sqlite_backend():
    with tempfile.TemporaryDirectory() as folder:
        storage = open_storage(Path(folder) / "contract.db", migrate=True)
        try:
            yield storage
        finally:
            storage.close()


def postgres_backend(cluster):
    @contextmanager
    def opened():
        url = cluster.database()
        storage = open_storage(url)
        try:
            yield storage
        finally:
            storage.close()
            cluster.drop(url)
    return opened


BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def backend(request):
    """A context manager yielding a fresh, migrated storage of each backend."""
    if request.param == "postgresql":
        return postgres_backend(request.getfixturevalue("pg_cluster"))
    return sqlite_backend


@pytest.fixture
def storage(backend):
    with backend() as opened:
        opened.create_user(OFFICER, None, NOW)
        yield opened

"""Fixtures every test package may use: the throwaway PostgreSQL cluster (started on first use)."""
from __future__ import annotations

import pytest

from tests.pg_cluster import PgCluster


@pytest.fixture(scope="session")
def pg_cluster():
    cluster = PgCluster()
    yield cluster
    cluster.stop()

"""Fixtures of the server tests: one real server process per backend for the session, and its users.

``server`` is parametrized by backend, so every test that uses ``server``, ``api`` or ``world`` runs
once on SQLite (a file in a temporary folder) and once on PostgreSQL (a fresh database of the
throwaway cluster, ``tests/pg_cluster.py``): its id ends in ``[sqlite]`` or ``[postgresql]``.
``PETA_TEST_BACKENDS=sqlite`` (comma-separated) narrows a local run to the backends named.
"""
from __future__ import annotations

import os

import pytest

from tests.server.helpers import Actor, Api, ServerProcess, World, restart_kecamatan

BACKENDS = tuple(name.strip() for name in (os.environ.get("PETA_TEST_BACKENDS") or "sqlite,postgresql").split(",")
                 if name.strip())


@pytest.fixture(scope="session", params=BACKENDS)
def server(request, tmp_path_factory):
    cluster = request.getfixturevalue("pg_cluster") if request.param == "postgresql" else None
    database = cluster.database() if cluster else None
    restart_kecamatan()                 # a new, empty database: every spare kecamatan is unused in it
    process = ServerProcess(tmp_path_factory.mktemp(f"server-{request.param}"),
                            env={"PETA_LOGIN_FAILURES_PER_ADDRESS": "100000"}, database=database)
    yield process
    process.stop()
    if cluster:
        cluster.drop(database)
    assert "Traceback" not in process.log(), process.log()


@pytest.fixture(scope="session")
def api(server) -> Api:
    return Api(server.url)


@pytest.fixture(scope="session")
def world(api) -> World:
    admin = Actor(username="admin", role="admin", scope=["15"], token=api.login("admin"))
    return World(api=api, admin=admin)

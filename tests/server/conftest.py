"""Fixtures of the server tests: one real server process for the session, and its users."""
from __future__ import annotations

import pytest

from tests.server.helpers import Actor, Api, ServerProcess, World


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    process = ServerProcess(tmp_path_factory.mktemp("server"),
                            env={"PETA_LOGIN_FAILURES_PER_ADDRESS": "100000"})
    yield process
    process.stop()
    assert "Traceback" not in process.log(), process.log()


@pytest.fixture(scope="session")
def api(server) -> Api:
    return Api(server.url)


@pytest.fixture(scope="session")
def world(api) -> World:
    admin = Actor(username="admin", role="admin", scope=["15"], token=api.login("admin"))
    return World(api=api, admin=admin)

"""Fixtures of the fault suites: one real server for the module, an enrolled officer, a fault proxy."""
from __future__ import annotations

import itertools

import pytest

from tests.faults.harness import RealServer, unexpected_tracebacks
from tests.faults.proxy import FaultProxy

_officers = itertools.count(1)


@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    server = RealServer(tmp_path_factory.mktemp("fault-server")).start()
    yield server
    server.stop()
    assert unexpected_tracebacks(server.log()) == []


@pytest.fixture(scope="module")
def officer(real_server) -> tuple[str, str]:
    """(NRP, device token) of an officer enrolled with a CLI one-time code through /auth/enroll."""
    username = f"8706{next(_officers):04d}"
    return username, real_server.enroll_officer(username)


@pytest.fixture
def proxy(real_server):
    with FaultProxy(real_server.port, seed=7) as running:
        yield running

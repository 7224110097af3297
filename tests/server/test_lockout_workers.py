"""Limits shared across workers (issue 11, 3): with ``serve --workers 2`` about 10 guesses passed
instead of 5, and the right password got in during a "lockout" — each process counted alone.
The counts now live in the database and are taken before the password is checked."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.server.helpers import PASSWORD, ServerProcess

GUESSES = 24


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    process = ServerProcess(tmp_path_factory.mktemp("workers"), env={"PETA_EVALUATE_SECONDS": "0"},
                            serve_args=("--workers", "2"))
    yield process
    process.stop()
    assert "Traceback" not in process.log(), process.log()


def burst(url: str, username: str, passwords: list[str]) -> list[int]:
    """Every password at once, each on its own connection (so both workers take some)."""
    def one(password: str) -> int:
        with httpx.Client(base_url=url, timeout=60) as client:
            return client.post("/api/v1/auth/login", json={"username": username, "password": password}).status_code

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, passwords))


def test_no_more_than_five_guesses_pass_with_two_workers(two_workers):
    statuses = burst(two_workers.url, "admin", [f"tebakan-{i}" for i in range(GUESSES)])
    assert statuses.count(401) == 5, statuses
    assert statuses.count(429) == GUESSES - 5, statuses
    # During the wait the right password does not get in, whichever worker answers.
    assert set(burst(two_workers.url, "admin", [PASSWORD] * 6)) == {429}

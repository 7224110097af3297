"""Lockout as a weapon (issue 11, 3): guessing delays only the guesser's address; a known device's
token and enrollment stay open; admins see who is being guessed; the waits grow.

Regression tests, each failing on the hard per-account lock it replaces (5 failures locked an
account for 15 minutes for everyone, the right password included).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.server.helpers import PASSWORD, Api, ServerProcess, assert_error, write_clock

ELSEWHERE = "127.0.0.3"      # another loopback address: the officer's own phone or office


def login(client, username: str, password: str):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def elsewhere(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=60, transport=httpx.HTTPTransport(local_address=ELSEWHERE))


def guess(api: Api, username: str, times: int = 5) -> None:
    for i in range(times):
        assert_error(login(api, username, f"tebakan-{i}"), 401, "auth.invalid_credentials")


def test_guessing_from_one_address_does_not_lock_the_account_for_another(api, world, server):
    officer, supervisor, admin = world.officer(), world.supervisor(), world.user("admin", ["15"])
    for victim in (officer, supervisor, admin):
        guess(api, victim.username)
        assert_error(login(api, victim.username, PASSWORD), 429, "rate_limited")   # the guesser waits
    with elsewhere(server.url) as phone:
        for victim in (officer, supervisor, admin):
            response = login(phone, victim.username, PASSWORD)
            assert response.status_code == 200, response.text


def test_one_address_cannot_keep_six_accounts_locked(api, world, server):
    victims = [world.officer() for _ in range(6)]
    for victim in victims:
        guess(api, victim.username)
    with elsewhere(server.url) as office:
        assert all(login(office, v.username, PASSWORD).status_code == 200 for v in victims)


def test_admins_see_who_is_being_guessed(api, world):
    officer = world.officer()
    guess(api, officer.username)
    body = api.get("/api/v1/auth/failures", token=world.admin.token)
    assert body.status_code == 200, body.text
    rows = [r for r in body.json()["items"] if r["account"] == officer.username]
    assert len(rows) == 1
    row = rows[0]
    assert row["kind"] == "login" and row["address"] == "127.0.0.1" and row["failures"] == 5
    assert row["blocked_until"] and row["blocked_until"] > row["last_at"]
    assert any(r["kind"] == "address" and r["address"] == "127.0.0.1" for r in body.json()["items"])
    # Scope: a Kota Jambi admin does not see a Sungai Penuh officer; officers may not look at all.
    jambi_admin = world.user("admin", ["15.71"])
    seen = api.get("/api/v1/auth/failures", token=jambi_admin.token).json()["items"]
    assert officer.username not in {r["account"] for r in seen}
    assert_error(api.get("/api/v1/auth/failures", token=world.officer().token), 403, "auth.forbidden")


@pytest.fixture
def clocked_process(tmp_path):
    """A fresh real server whose clock the test moves (``PETA_CLOCK_FILE``)."""
    clock = tmp_path / "clock.txt"
    clock.write_text("2026-12-06T22:00:00+00:00")
    process = ServerProcess(tmp_path, env={"PETA_CLOCK_FILE": str(clock), "PETA_EVALUATE_SECONDS": "0",
                                           "PETA_LOGIN_DELAY_SECONDS": "60"})
    yield process, Api(process.url), clock
    process.stop()
    assert "Traceback" not in process.log(), process.log()


@pytest.fixture
def clocked(clocked_process):
    _, api, clock = clocked_process
    return api, clock


def advance(clock, seconds: float) -> None:
    now = datetime.fromisoformat(clock.read_text()) + timedelta(seconds=seconds)
    write_clock(clock, now.astimezone(UTC).isoformat())


def test_waits_grow_and_the_right_password_waits_too(clocked):
    api, clock = clocked
    guess(api, "admin")
    waits = []
    for _ in range(3):
        refused = login(api, "admin", PASSWORD)                  # the right password, inside the wait
        assert_error(refused, 429, "rate_limited")
        waits.append(int(refused.headers["Retry-After"]))
        advance(clock, waits[-1])
        assert_error(login(api, "admin", "masih-salah"), 401, "auth.invalid_credentials")
    assert waits == [60, 120, 240]
    advance(clock, 480)
    assert login(api, "admin", PASSWORD).status_code == 200     # after the wait: in, and the count is reset
    guess(api, "admin", times=4)
    assert login(api, "admin", PASSWORD).status_code == 200


def login_tokens(server_db) -> list[tuple[str, str | None]]:
    """Every login token row, purged ones gone: no port lists dead tokens (the clocked server is SQLite)."""
    import sqlite3

    with sqlite3.connect(server_db) as conn:
        return conn.execute("SELECT username, revoked_at FROM tokens WHERE kind = 'login' ORDER BY id").fetchall()


def test_dead_login_tokens_are_purged(clocked_process):
    """Expired and revoked login tokens are deleted after a later successful login (at most every
    10 minutes of the server's clock per process), never on the push/pull path."""
    process, api, clock = clocked_process
    revoked = api.login("admin")
    assert api.post("/api/v1/auth/logout", token=revoked).status_code == 204
    api.login("admin")                                   # expires 12 h from now
    assert len(login_tokens(process.db)) >= 2
    advance(clock, 13 * 3600)
    live = api.login("admin")
    assert login_tokens(process.db) == [("admin", None)]
    assert api.get("/api/v1/me", token=live).status_code == 200

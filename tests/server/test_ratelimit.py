"""Failed logins and enrollments earn growing waits per (account, address) and per address: 429 + Retry-After."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync_server.ratelimit import DelayPolicy, admit, give_back
from sync_server.storage.base import LimitKey, LimitState
from tests.server.helpers import PASSWORD, Api, ServerProcess, assert_error

T0 = datetime(2026, 12, 6, 22, 0, tzinfo=UTC)
POLICY = DelayPolicy(free=3, base=60, cap=900, forget=900)
KEY = LimitKey("login", "polres.x", "10.0.0.1")


def attempt(states: dict, now: datetime) -> int | None:
    """One attempt through ``admit``: its wait (None: admitted, the states updated)."""
    updates, wait = admit({KEY: POLICY}, states, now)
    states.update(updates)
    return wait


def test_delays_begin_after_the_free_failures_and_double():
    states: dict = {}
    for _ in range(3):
        assert attempt(states, T0) is None
    assert states[KEY].failures == 3 and states[KEY].blocked_until == T0 + timedelta(seconds=60)
    assert attempt(states, T0 + timedelta(seconds=59)) == 1          # inside the wait: refused, not counted
    assert states[KEY].failures == 3
    now = T0 + timedelta(seconds=60)
    assert attempt(states, now) is None                             # the 4th attempt, after the wait
    assert states[KEY].blocked_until == now + timedelta(seconds=120)
    waits = [POLICY.wait_after(n) for n in range(1, 10)]
    assert waits == [None, None, 60, 120, 240, 480, 900, 900, 900]


def test_a_right_password_gives_its_attempt_back_and_quiet_keys_are_forgotten():
    address = LimitKey("address", "", "10.0.0.1")
    states = {KEY: LimitState(3, T0, T0 + timedelta(seconds=60)), address: LimitState(7, T0, None)}
    assert give_back(states) == {KEY: None, address: LimitState(6, T0, None)}
    assert POLICY.current(states[KEY], T0 + timedelta(seconds=60 + 899)) is not None
    assert POLICY.current(states[KEY], T0 + timedelta(seconds=60 + 900)) is None
    assert attempt({KEY: states[KEY]}, T0 + timedelta(seconds=960)) is None   # afresh: no wait


def login(api, username, password):
    return api.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_account_is_locked_after_five_failures_even_for_the_right_password(api, world):
    officer = world.officer()
    for _ in range(5):
        assert_error(login(api, officer.username, "salah-salah"), 401)
    response = login(api, officer.username, PASSWORD)
    error = assert_error(response, 429, "rate_limited")
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 15 * 60 and error["details"]["retry_after"] == retry_after
    assert login(api, world.admin.username, PASSWORD).status_code == 200   # other accounts unaffected


def test_successful_login_resets_the_account_count(api, world):
    officer = world.officer()
    for _ in range(3):
        for _ in range(4):
            assert_error(login(api, officer.username, "salah-salah"), 401)
        assert login(api, officer.username, PASSWORD).status_code == 200


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    process = ServerProcess(tmp_path_factory.mktemp("strict"), env={"PETA_LOGIN_FAILURES_PER_ADDRESS": "3"})
    yield Api(process.url)
    process.stop()


def test_address_is_limited_across_accounts_and_enrollment(strict):
    assert_error(login(strict, "a", "salah-salah"), 401)
    assert_error(login(strict, "b", "salah-salah"), 401)
    assert_error(strict.post("/api/v1/auth/enroll", json={"nrp": "c", "code": "AAAA-AAAA", "device_name": "HP"}),
                 401, "auth.invalid_code")
    response = login(strict, "admin", PASSWORD)
    assert_error(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0
    enroll = strict.post("/api/v1/auth/enroll", json={"nrp": "c", "code": "AAAA-AAAA", "device_name": "HP"})
    assert_error(enroll, 429, "rate_limited")

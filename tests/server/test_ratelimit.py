"""Failed logins and enrollments are rate limited per account and per address: 429 + Retry-After."""
from __future__ import annotations

import pytest

from kerawanan.errors import RateLimited
from sync_server.ratelimit import SlidingWindow
from tests.server.helpers import PASSWORD, Api, ServerProcess, assert_error


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_counts_failures_within_the_window():
    clock = FakeClock()
    window = SlidingWindow(3, 60, clock=clock)
    for _ in range(3):
        window.check("k")
        window.fail("k")
        clock.now += 10
    with pytest.raises(RateLimited) as raised:
        window.check("k")
    assert raised.value.retry_after == 30            # the first failure (t=1000) leaves at t=1060
    window.check("other")                            # keys are independent
    clock.now += 30
    window.check("k")                                # one failure left the window
    window.fail("k")
    with pytest.raises(RateLimited):
        window.check("k")
    window.reset("k")
    window.check("k")


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

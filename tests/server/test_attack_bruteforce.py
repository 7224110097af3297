"""Brute force on login and enrollment hits the rate limit, per account and per address.

Complements tests/server/test_ratelimit.py and test_lockout.py (delays per account and address,
shared by every worker): here the enrollment per account, password guessing that never delays
an enrollment or a device token, rotating usernames and NRPs from one address, and one account from "rotating addresses" — forwarding headers
(``X-Forwarded-For`` …) that the server ignores unless ``PETA_FORWARDED_ALLOW_IPS`` names the proxy.
"""

from __future__ import annotations

import httpx
import pytest

from tests.server.helpers import PASSWORD, Api, ServerProcess, assert_error

SPOOFS = ("X-Forwarded-For", "X-Real-IP", "Forwarded", "True-Client-IP", "CF-Connecting-IP", "X-Client-IP")


def spoofed(i: int) -> dict[str, str]:
    """Headers claiming the request came from a fresh address ``10.9.<i>.1``."""
    address = f"10.9.{i}.1"
    return {name: (f"for={address}" if name == "Forwarded" else address) for name in SPOOFS}


def login(api: Api, username: str, password: str, i: int = 0):
    return api.post(
        "/api/v1/auth/login", json={"username": username, "password": password}, headers=spoofed(i)
    )


def enroll(api: Api, nrp: str, code: str, i: int = 0):
    return api.post(
        "/api/v1/auth/enroll", json={"nrp": nrp, "code": code, "device_name": "HP"}, headers=spoofed(i)
    )


def new_code(api: Api, admin_token: str, nrp: str) -> str:
    response = api.post(f"/api/v1/users/{nrp}/enrollment-codes", token=admin_token)
    assert response.status_code == 201, response.text
    return response.json()["code"]


def assert_limited(response) -> None:
    error = assert_error(response, 429, "rate_limited")
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert error["details"]["retry_after"] == int(response.headers["Retry-After"])


def test_guessing_one_officers_code_locks_enrollment_even_for_the_right_code(api, world):
    officer, neighbour = world.user("officer", ["15.72.07.2004"], login=False), world.officer()
    code = new_code(api, world.admin.token, officer.username)
    for i in range(5):
        assert_error(enroll(api, officer.username, f"AAAA-AAA{i + 2}", i), 401, "auth.invalid_code")
    assert_limited(enroll(api, officer.username, code, 99))
    # Another officer enrolling from the same address is not affected.
    assert (
        enroll(api, neighbour.username, new_code(api, world.admin.token, neighbour.username)).status_code
        == 201
    )


def test_password_guessing_never_delays_enrollment_or_a_device_token(api, world):
    """Login and enrollment are counted apart: an officer whose password is being guessed still
    enrolls a phone with the code a supervisor gave, and the phone's token keeps working."""
    officer = world.officer()
    code = new_code(api, world.admin.token, officer.username)
    for i in range(5):
        assert_error(login(api, officer.username, "salah-salah", i), 401, "auth.invalid_credentials")
    assert_limited(login(api, officer.username, PASSWORD, 7))
    enrolled = enroll(api, officer.username, code, 8)
    assert enrolled.status_code == 201, enrolled.text
    assert api.get("/api/v1/me", token=enrolled.json()["token"]).status_code == 200
    for i in range(3):
        assert_error(login(api, officer.username, "salah-lagi", i), 429, "rate_limited")
    assert api.get("/api/v1/sync/pull", token=enrolled.json()["token"]).status_code == 200


def test_rotating_forwarding_headers_do_not_reset_an_accounts_count(api, world):
    officer = world.officer()
    for i in range(5):
        assert_error(login(api, officer.username, f"tebakan-{i}", i), 401, "auth.invalid_credentials")
    for i in range(5, 10):
        assert_limited(login(api, officer.username, PASSWORD, i))
    # Look-alike spellings of the name are other (unknown) accounts: never a way in.
    for variant in (
        officer.username.upper(),
        f" {officer.username}",
        f"{officer.username} ",
        officer.username + "\u200b",
        officer.username.replace("0", "\uff10"),
    ):
        assert login(api, variant, PASSWORD).status_code in (401, 422, 429)


PROXY = "127.0.0.2"  # another loopback address: the one "reverse proxy" the server trusts


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    """A server with 6 failures per address that believes forwarding headers only from ``PROXY``."""
    process = ServerProcess(
        tmp_path_factory.mktemp("strict"),
        env={
            "PETA_LOGIN_FAILURES_PER_ADDRESS": "6",
            "PETA_EVALUATE_SECONDS": "0",
            "PETA_FORWARDED_ALLOW_IPS": PROXY,
        },
    )
    yield process
    process.stop()
    assert "Traceback" not in process.log(), process.log()


def test_rotating_usernames_and_nrps_from_one_address_hit_the_address_limit(strict):
    """Six failures with six different names, each "from" another address per its forwarding headers:
    the server counts them all against the one real peer address (127.0.0.1 is not a trusted proxy)."""
    api = Api(strict.url)
    for i in range(4):
        assert_error(login(api, f"tebak{i}", "salah-salah", i), 401, "auth.invalid_credentials")
    for i in range(4, 6):
        assert_error(enroll(api, f"8800{i}", "AAAA-AAAA", i), 401, "auth.invalid_code")
    assert_limited(login(api, "admin", PASSWORD, 50))  # even the right password
    assert_limited(enroll(api, "88009", "AAAA-AAAA", 51))
    assert_limited(login(api, "tebak-lagi", "salah-salah", 52))


def test_a_configured_proxy_is_believed_about_the_client_address(strict):
    """Requests from the trusted proxy (``PETA_FORWARDED_ALLOW_IPS``) are counted per forwarded client."""
    proxy = httpx.Client(base_url=strict.url, timeout=60, transport=httpx.HTTPTransport(local_address=PROXY))

    def attempt(client: str, username: str, password: str = "salah-salah"):
        return proxy.post(
            "/api/v1/auth/login",
            json={"username": username, "password": password},
            headers={"X-Forwarded-For": client},
        )

    with proxy:
        for i in range(6):
            assert_error(attempt("10.1.1.1", f"tebak{i}"), 401)
        assert_limited(attempt("10.1.1.1", "admin", PASSWORD))
        assert attempt("10.2.2.2", "admin", PASSWORD).status_code == 200

"""Login, enrollment, tokens, logout and device revocation."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync_server.app import create_app
from sync_server.settings import Settings
from sync_server.storage import open_storage
from tests.server.helpers import (
    KOTA_JAMBI_DESA,
    PASSWORD,
    Api,
    ThreadServer,
    assert_error,
    fresh_kecamatan,
    report,
    unique,
)


def enroll(api, nrp, code, device_name="HP Uji"):
    return api.post("/api/v1/auth/enroll", json={"nrp": nrp, "code": code, "device_name": device_name})


def issue_code(api, token, username):
    return api.post(f"/api/v1/users/{username}/enrollment-codes", token=token)


def test_login_me_and_logout(api, world):
    officer = world.officer()
    response = api.post("/api/v1/auth/login", json={"username": officer.username, "password": PASSWORD})
    body = response.json()
    assert body["user"] == {"username": officer.username, "name": f"Uji {officer.username}",
                            "role": "officer", "scope": officer.scope}
    assert body["expires_at"].endswith("Z")
    token = body["token"]
    assert api.get("/api/v1/me", token=token).json() == body["user"]
    assert api.post("/api/v1/auth/logout", token=token).status_code == 204
    assert_error(api.get("/api/v1/me", token=token), 401, "auth.unauthorized")
    assert_error(api.post("/api/v1/auth/logout", token=token), 401)
    assert api.get("/api/v1/me", token=officer.token).status_code == 200   # other sessions live on


@pytest.mark.parametrize("username, password", [("admin", "salah-sekali"), ("tidak-ada", PASSWORD)])
def test_wrong_login_is_401_without_saying_which_part(api, username, password):
    error = assert_error(api.post("/api/v1/auth/login", json={"username": username, "password": password}),
                         401, "auth.invalid_credentials")
    assert "details" in error


def test_officer_without_password_cannot_log_in(api, world):
    response = api.post("/api/v1/users", token=world.admin.token,
                        json={"username": unique("nrp"), "name": "Tanpa Sandi", "role": "officer",
                              "scope": ["15.72.07.2004"]})
    assert response.status_code == 201
    assert_error(api.post("/api/v1/auth/login", json={"username": response.json()["username"],
                                                      "password": "apa-saja-123"}), 401)


@pytest.mark.parametrize("header", ["", "Bearer", "Basic abc", "Bearer nope", "Bearer " + "x" * 300])
def test_bad_authorization_headers_are_401(api, header):
    response = api.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert_error(response, 401, "auth.unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_enrollment_gives_a_device_token_once(api, world):
    officer = world.officer()
    issued = issue_code(api, world.admin.token, officer.username)
    assert issued.status_code == 201, issued.text
    code = issued.json()["code"]
    assert len(code) == 9 and code[4] == "-"
    typed = code.lower().replace("-", " ")                       # officers type loosely
    enrolled = enroll(api, officer.username, typed)
    assert enrolled.status_code == 201, enrolled.text
    device = enrolled.json()
    assert device["user"]["username"] == officer.username and device["device_id"]
    assert api.get("/api/v1/me", token=device["token"]).status_code == 200
    assert api.push(device["token"], [report()])["results"][0]["status"] == "created"
    assert_error(enroll(api, officer.username, code), 401, "auth.invalid_code")        # single use


def test_new_code_voids_the_old_one(api, world):
    officer = world.officer()
    old = issue_code(api, world.admin.token, officer.username).json()["code"]
    new = issue_code(api, world.admin.token, officer.username).json()["code"]
    assert_error(enroll(api, officer.username, old), 401, "auth.invalid_code")
    assert enroll(api, officer.username, new).status_code == 201


def test_wrong_code_or_nrp_is_401(api, world):
    officer = world.officer()
    code = issue_code(api, world.admin.token, officer.username).json()["code"]
    assert_error(enroll(api, officer.username, "AAAA-AAAA"), 401, "auth.invalid_code")
    assert_error(enroll(api, world.admin.username, code), 401, "auth.invalid_code")
    assert enroll(api, officer.username, code).status_code == 201


def test_revoked_device_is_refused_at_once(api, world):
    officer = world.officer()
    code = issue_code(api, world.admin.token, officer.username).json()["code"]
    device = enroll(api, officer.username, code).json()
    assert api.get("/api/v1/me", token=device["token"]).status_code == 200
    assert api.request("DELETE", f"/api/v1/devices/{device['device_id']}", token=world.admin.token).status_code == 204
    assert_error(api.get("/api/v1/me", token=device["token"]), 401)
    assert_error(api.post("/api/v1/sync/push", token=device["token"], json={"reports": []}), 401)
    assert api.request("DELETE", f"/api/v1/devices/{device['device_id']}", token=world.admin.token).status_code == 204
    assert_error(api.request("DELETE", "/api/v1/devices/nope", token=world.admin.token), 404, "not_found")


def test_a_lost_phone_is_found_in_the_officers_device_list_and_revoked(api, world):
    """The admin does not know the lost phone's id: the officer's device list tells, newest first."""
    kecamatan, desa = fresh_kecamatan()
    officer, boss = world.officer(desa[0]), world.supervisor(kecamatan)
    phones = []
    for name in ("HP lama", "HP baru"):
        code = issue_code(api, world.admin.token, officer.username).json()["code"]
        phones.append(enroll(api, officer.username, code, device_name=name).json())
    assert api.get("/api/v1/sync/pull", token=phones[0]["token"]).status_code == 200    # last_sync_at is set
    listed = api.get(f"/api/v1/users/{officer.username}/devices", token=world.admin.token)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [item["name"] for item in items] == ["HP baru", "HP lama"]
    assert [item["id"] for item in items] == [phones[1]["device_id"], phones[0]["device_id"]]
    assert items[1]["last_sync_at"] is not None and items[0]["last_sync_at"] is None
    assert all(item["revoked_at"] is None and item["enrolled_at"].endswith("Z") for item in items)
    assert "token" not in listed.text and phones[0]["token"] not in listed.text
    # the officer's own supervisor may look too (to tell the admin which phone); revoking stays the admin's
    assert api.get(f"/api/v1/users/{officer.username}/devices", token=boss.token).status_code == 200
    assert_error(api.request("DELETE", f"/api/v1/devices/{items[1]['id']}", token=boss.token), 403)
    assert api.request("DELETE", f"/api/v1/devices/{items[1]['id']}", token=world.admin.token).status_code == 204
    after = api.get(f"/api/v1/users/{officer.username}/devices", token=world.admin.token).json()["items"]
    assert after[1]["revoked_at"] is not None and after[0]["revoked_at"] is None
    assert_error(api.get("/api/v1/me", token=phones[0]["token"]), 401)
    assert api.get("/api/v1/me", token=phones[1]["token"]).status_code == 200


def test_device_lists_keep_to_scope_and_role(api, world):
    officer = world.officer(fresh_kecamatan()[1][0])
    stranger = world.supervisor(fresh_kecamatan()[0])
    hidden = assert_error(api.get(f"/api/v1/users/{officer.username}/devices", token=stranger.token), 404,
                          "not_found")
    assert hidden == assert_error(api.get("/api/v1/users/no-such-user/devices", token=stranger.token), 404)
    assert_error(api.get(f"/api/v1/users/{officer.username}/devices", token=officer.token), 403, "auth.forbidden")
    assert_error(api.get(f"/api/v1/users/{stranger.username}/devices", token=stranger.token), 404)
    assert api.get(f"/api/v1/users/{officer.username}/devices", token=world.admin.token).json() == {"items": []}


def test_supervisor_issues_codes_only_for_officers_in_scope(api, world):
    kecamatan, desa = fresh_kecamatan()
    officer = world.officer(desa[0])
    boss, stranger = world.supervisor(kecamatan), world.supervisor(fresh_kecamatan()[0])
    assert issue_code(api, boss.token, officer.username).status_code == 201
    hidden = assert_error(issue_code(api, stranger.token, officer.username), 404, "not_found")
    assert hidden == assert_error(issue_code(api, stranger.token, "no-such-user"), 404)
    assert_error(issue_code(api, boss.token, stranger.username), 404)
    assert_error(issue_code(api, officer.token, officer.username), 403, "auth.forbidden")
    assert_error(issue_code(api, world.admin.token, boss.username), 422, "user.not_officer")


def test_admin_creates_users_with_checked_fields(api, world):
    name = unique("sup")
    body = {"username": name, "name": "Kapolsek", "role": "supervisor", "scope": ["15.72.07"],
            "password": "panjang-sekali"}
    created = api.post("/api/v1/users", token=world.admin.token, json=body)
    assert created.status_code == 201
    assert created.json() == {"username": name, "name": "Kapolsek", "role": "supervisor", "scope": ["15.72.07"]}
    assert_error(api.post("/api/v1/users", token=world.admin.token, json=body), 409, "user.exists")
    bad = {"username": "x", "name": "", "role": "raja", "scope": ["99.99"], "password": "pendek"}
    error = assert_error(api.post("/api/v1/users", token=world.admin.token, json=bad), 422, "request.invalid")
    assert set(error["details"]["fields"]) == {"username", "name", "role", "scope[0]", "password"}
    officer_on_kecamatan = {**body, "username": unique("nrp"), "role": "officer"}
    error = assert_error(api.post("/api/v1/users", token=world.admin.token, json=officer_on_kecamatan), 422)
    assert error["details"]["reasons"] == {"scope[0]": "tier"}
    assert_error(api.post("/api/v1/users", token=world.supervisor().token, json=body), 403)


def test_admin_cannot_create_users_outside_own_scope(api, world):
    city_admin = world.user("admin", ["15.71"])
    body = {"username": unique("nrp"), "name": "Bhabin", "role": "officer", "scope": ["15.72.07.2004"],
            "password": PASSWORD}
    assert_error(api.post("/api/v1/users", token=city_admin.token, json=body), 403, "auth.forbidden")
    body["scope"] = [KOTA_JAMBI_DESA]
    assert api.post("/api/v1/users", token=city_admin.token, json=body).status_code == 201


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clocked(tmp_path):
    """An in-process app over a fresh database with a clock the test moves."""
    db = tmp_path / "clock.db"
    open_storage(db, migrate=True).close()
    clock = Clock(datetime(2024, 11, 27, 12, 0, tzinfo=UTC))
    app = create_app(Settings(db_path=db, media_dir=tmp_path / "media"), clock=clock)
    server = ThreadServer(app)
    yield Api(server.url), clock, app.state.services
    server.stop()


def test_login_tokens_expire_and_device_tokens_do_not(clocked):
    client, clock, services = clocked
    from sync_server.accounts import create_user, parse_new_user

    user, password = parse_new_user({"username": "88030417", "name": "Bhabin", "role": "officer",
                                     "scope": ["15.72.07.2004"], "password": PASSWORD}, services.gazetteer)
    create_user(services.storage, user, password, clock())
    code, _ = services.auth.issue_enrollment_code(user, by="test")
    login = client.post("/api/v1/auth/login", json={"username": "88030417", "password": PASSWORD}).json()
    device = client.post("/api/v1/auth/enroll", json={"nrp": "88030417", "code": code, "device_name": "HP"}).json()
    clock.now += timedelta(hours=11, minutes=59)
    assert client.get("/api/v1/me", token=login["token"]).status_code == 200
    clock.now += timedelta(minutes=2)
    assert_error(client.get("/api/v1/me", token=login["token"]), 401)
    clock.now += timedelta(days=400)
    assert client.get("/api/v1/me", token=device["token"]).status_code == 200


def test_enrollment_code_expires_after_72_hours(clocked):
    client, clock, services = clocked
    from sync_server.accounts import create_user, parse_new_user

    user, _ = parse_new_user({"username": "90110233", "name": "Bhabin", "role": "officer",
                              "scope": ["15.72.07.2004"]}, services.gazetteer)
    create_user(services.storage, user, None, clock())
    late, _ = services.auth.issue_enrollment_code(user, by="test")
    clock.now += timedelta(hours=72, seconds=1)
    body = {"nrp": "90110233", "code": late, "device_name": "HP"}
    assert_error(client.post("/api/v1/auth/enroll", json=body), 401, "auth.invalid_code")
    fresh, expires_at = services.auth.issue_enrollment_code(user, by="test")
    assert expires_at == clock.now + timedelta(hours=72)
    clock.now += timedelta(hours=71)
    assert client.post("/api/v1/auth/enroll", json={**body, "code": fresh}).status_code == 201

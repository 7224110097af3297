"""Credential lifecycle (issue 11, 2), through the real server: change one's own password, an
admin's reset with a forced change, disable/enable, ending sessions, the audit of each.

Each test fails on the server before this work (no such routes; a revoked phone's officer could
still log in with a password; a stolen login token could only be revoked by its holder)."""
from __future__ import annotations

from tests.server.helpers import DESA_A, KOTA_JAMBI_DESA, PASSWORD, assert_error

NEW = "kunci-baru-Kerinci-7"


def login(api, username: str, password: str = PASSWORD):
    return api.post("/api/v1/auth/login", json={"username": username, "password": password})


def change(api, token: str, old: str, new: str):
    return api.post("/api/v1/me/password", token=token, json={"old_password": old, "new_password": new})


def enrolled_phone(api, world, officer) -> str:
    code = api.post(f"/api/v1/users/{officer.username}/enrollment-codes", token=world.admin.token).json()["code"]
    body = api.post("/api/v1/auth/enroll", json={"nrp": officer.username, "code": code, "device_name": "HP"})
    assert body.status_code == 201, body.text
    return body.json()["token"]


def events(api, token: str, username: str) -> list[str]:
    body = api.get("/api/v1/account-events", token=token, params={"limit": 100})
    assert body.status_code == 200, body.text
    return [e["action"] for e in body.json()["items"] if e["username"] == username]


def test_change_own_password(api, world):
    supervisor = world.supervisor()
    other_session = api.login(supervisor.username)
    assert_error(change(api, supervisor.token, "bukan-ini", NEW), 422, "password.old_wrong")
    for weak in ("pendek", "aaaaaaaaaaaa", f"x-{supervisor.username}-x", "Bhayangkara1", PASSWORD):
        assert_error(change(api, supervisor.token, PASSWORD, weak), 422, "password.weak")
    assert change(api, supervisor.token, PASSWORD, NEW).status_code == 204
    assert_error(login(api, supervisor.username), 401, "auth.invalid_credentials")
    assert login(api, supervisor.username, NEW).status_code == 200
    assert api.get("/api/v1/me", token=supervisor.token).status_code == 200       # the calling session stays
    assert_error(api.get("/api/v1/me", token=other_session), 401)                  # every other one ends
    assert events(api, world.admin.token, supervisor.username)[0] == "password.change"


def test_reset_gives_a_one_time_password_that_must_be_changed(api, world):
    supervisor = world.supervisor()
    reset = api.post(f"/api/v1/users/{supervisor.username}/password-reset", token=world.admin.token)
    assert reset.status_code == 201, reset.text
    temporary = reset.json()["temporary_password"]
    assert len(temporary) == 14 and reset.json()["expires_at"].endswith("Z")
    assert_error(api.get("/api/v1/me", token=supervisor.token), 401)               # old sessions ended
    assert_error(login(api, supervisor.username), 401)                             # old password gone
    answer = login(api, supervisor.username, temporary)
    assert answer.status_code == 200 and answer.json()["password_change_required"] is True
    token = answer.json()["token"]
    error = assert_error(api.get("/api/v1/reports", token=token), 403, "auth.password_change_required")
    assert "kata sandi" in error["message"].lower()
    assert_error(api.get("/api/v1/alerts", token=token), 403, "auth.password_change_required")
    assert api.get("/api/v1/me", token=token).status_code == 200
    assert change(api, token, temporary, NEW).status_code == 204
    assert api.get("/api/v1/reports", token=token).status_code == 200              # now a full session
    assert login(api, supervisor.username, NEW).json()["password_change_required"] is False
    assert events(api, world.admin.token, supervisor.username)[:2] == ["password.change", "password.reset"]


def test_who_may_reset_whom(api, world):
    supervisor, officer = world.supervisor(), world.officer(DESA_A)
    far_officer = world.officer(KOTA_JAMBI_DESA)
    assert api.post(f"/api/v1/users/{officer.username}/password-reset", token=supervisor.token).status_code == 201
    for target in (far_officer.username, world.supervisor().username, "tidak-ada"):
        assert_error(api.post(f"/api/v1/users/{target}/password-reset", token=supervisor.token), 404, "not_found")
    assert_error(api.get("/api/v1/me", token=officer.token), 401)                  # the reset ended its sessions
    assert_error(api.post(f"/api/v1/users/{supervisor.username}/password-reset", token=world.officer().token), 403)
    assert_error(api.post(f"/api/v1/users/{officer.username}/disable", token=supervisor.token), 403)
    assert_error(api.post("/api/v1/users/admin/disable", token=world.admin.token), 409, "user.self")


def test_disable_stops_tokens_phones_and_password_at_once_and_enable_restores(api, world):
    officer = world.officer()
    phone = enrolled_phone(api, world, officer)
    disabled = api.post(f"/api/v1/users/{officer.username}/disable", token=world.admin.token)
    assert disabled.status_code == 200 and disabled.json()["disabled_at"]
    assert_error(api.get("/api/v1/me", token=officer.token), 401)
    assert_error(api.get("/api/v1/sync/pull", token=phone), 401)
    assert_error(login(api, officer.username), 401, "auth.invalid_credentials")
    code = api.post(f"/api/v1/users/{officer.username}/enrollment-codes", token=world.admin.token).json()["code"]
    assert_error(api.post("/api/v1/auth/enroll", json={"nrp": officer.username, "code": code, "device_name": "HP"}),
                 401, "auth.invalid_code")
    enabled = api.post(f"/api/v1/users/{officer.username}/enable", token=world.admin.token)
    assert enabled.status_code == 200 and enabled.json()["disabled_at"] is None
    assert api.get("/api/v1/sync/pull", token=phone).status_code == 200            # a phone not revoked: back
    assert login(api, officer.username).status_code == 200
    assert_error(api.get("/api/v1/me", token=officer.token), 401)                  # old sessions stay ended
    assert events(api, world.admin.token, officer.username)[:2] == ["user.enable", "user.disable"]


def test_a_revoked_phones_officer_cannot_log_in_with_a_password(api, world):
    officer = world.officer()
    enrolled_phone(api, world, officer)
    device = api.get(f"/api/v1/users/{officer.username}/devices", token=world.admin.token).json()["items"][0]
    assert api.request("DELETE", f"/api/v1/devices/{device['id']}", token=world.admin.token).status_code == 204
    assert_error(login(api, officer.username), 401, "auth.invalid_credentials")
    assert api.get("/api/v1/me", token=officer.token).status_code == 200          # a session elsewhere lives on
    assert enrolled_phone(api, world, officer)                                      # a new code is the way back
    assert events(api, world.admin.token, officer.username)[0] == "device.revoke"


def test_revoke_sessions_ends_every_login_but_not_the_phones(api, world):
    officer = world.officer()
    phone, second = enrolled_phone(api, world, officer), api.login(officer.username)
    revoked = api.request("DELETE", f"/api/v1/users/{officer.username}/sessions", token=world.admin.token)
    assert revoked.status_code == 200 and revoked.json()["revoked"] == 2
    for token in (officer.token, second):
        assert_error(api.get("/api/v1/me", token=token), 401)
    assert api.get("/api/v1/me", token=phone).status_code == 200
    assert events(api, world.admin.token, officer.username)[0] == "sessions.revoke"


def test_the_audit_keeps_to_scope_and_role(api, world):
    officer = world.officer()
    api.request("DELETE", f"/api/v1/users/{officer.username}/sessions", token=world.admin.token)
    jambi_admin = world.user("admin", ["15.71"])
    assert events(api, jambi_admin.token, officer.username) == []
    entry = next(e for e in api.get("/api/v1/account-events", token=world.admin.token).json()["items"]
                 if e["username"] == officer.username)
    assert entry["actor"] == "admin" and entry["action"] == "sessions.revoke" and entry["at"].endswith("Z")
    assert_error(api.get("/api/v1/account-events", token=world.officer().token), 403, "auth.forbidden")
    assert_error(api.get("/api/v1/account-events", token=world.admin.token, params={"limit": 0}), 422)


def test_usernames_are_case_insensitive_and_look_alikes_are_refused(api, world):
    body = {"name": "Kabag Ops", "role": "supervisor", "scope": ["15.72"], "password": PASSWORD}
    created = api.post("/api/v1/users", token=world.admin.token, json={**body, "username": "Polresta.Sungai"})
    assert created.status_code == 201 and created.json()["username"] == "polresta.sungai"
    assert login(api, "POLRESTA.SUNGAI").json()["user"]["username"] == "polresta.sungai"
    assert api.get("/api/v1/users/PolResta.Sungai", token=world.admin.token).json()["username"] == "polresta.sungai"
    for name, code in (("polresta.sungai", "user.exists"), ("POLRESTA.SUNGAI", "user.exists"),
                       ("po1resta.sungai", "user.lookalike"), ("polresta-sungal", "user.lookalike"),
                       ("poIresta_sungai", "user.lookalike"), ("pol.resta.sungai", None)):
        answer = api.post("/api/v1/users", token=world.admin.token, json={**body, "username": name})
        if code is None:
            assert answer.status_code == 201, answer.text
        else:
            assert_error(answer, 409, code)


def test_a_scoped_admin_gets_one_answer_outside_its_scope_whether_the_name_exists_or_not(api, world):
    jambi_admin = world.user("admin", ["15.71"])
    body = {"name": "X", "role": "officer", "scope": [DESA_A], "password": PASSWORD}
    answers = [api.post("/api/v1/users", token=jambi_admin.token, json={**body, "username": name})
               for name in ("admin", "ADMIN", "adm1n", "nama-baru-sekali")]
    errors = [assert_error(answer, 403, "auth.forbidden") for answer in answers]
    assert len({(e["code"], e["message"]) for e in errors}) == 1

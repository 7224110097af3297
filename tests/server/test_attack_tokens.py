"""Attacks on authentication: every route × every bad token state, roles, and device binding.

The route table is derived from the app itself (every route FastAPI serves, in the schema or not),
so a new route fails ``test_every_route_is_classified`` until it is put in ``PUBLIC`` or ``ROLES``.
Token states (docs/api.md "Errors", "Auth and scope"): none, malformed, wrong scheme, a token in the
query string, expired (the server's clock moved past ``login_token_hours``), logged out, and a
device revoked by an admin — every one answers the same 401 ``auth.unauthorized``, so the answer
never tells whether a token existed. A valid token of a role the route is closed to gets 403.
"""

from __future__ import annotations

import base64
import hashlib
import os
import sqlite3
from dataclasses import dataclass, field

import pytest

from sync_server.settings import Settings
from tests.server.alerts_support import ClockedServer, if_match, wib
from tests.server.helpers import PASSWORD, Actor, Api, World, assert_error, fresh_kecamatan, report

T = wib("11-27 22:00")
EVERYONE = frozenset({"officer", "supervisor", "admin"})
STAFF = frozenset({"supervisor", "admin"})

# Routes anyone may call without a token.
PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/api/v1/openapi.json"),
    ("HEAD", "/api/v1/openapi.json"),
    ("GET", "/api/v1/docs"),
    ("HEAD", "/api/v1/docs"),
    ("GET", "/api/v1/docs/{asset}"),      # Swagger UI's files, from the installed package
    ("HEAD", "/api/v1/docs/{asset}"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/enroll"),
    ("POST", "/api/v1/sms/inbound"),       # the SMS gateway's door: no token, its shared secret (test_sms.py)
}
# Served only where the offline web app has been published (`make web-offline`; test_web_app_mount.py):
# a redirect to the static folder /app/, no token, nothing else.
WHEN_PUBLISHED = {("GET", "/app"), ("HEAD", "/app")}
# Every other route needs a token; the roles it is open to (any other role: 403 auth.forbidden).
ROLES = {
    ("POST", "/api/v1/auth/logout"): EVERYONE,
    ("GET", "/api/v1/me"): EVERYONE,
    ("POST", "/api/v1/users"): frozenset({"admin"}),
    ("POST", "/api/v1/users/{username}/enrollment-codes"): STAFF,
    ("GET", "/api/v1/users/{username}/devices"): STAFF,
    ("DELETE", "/api/v1/devices/{device_id}"): frozenset({"admin"}),
    ("POST", "/api/v1/me/password"): EVERYONE,
    ("GET", "/api/v1/auth/failures"): frozenset({"admin"}),
    ("GET", "/api/v1/account-events"): frozenset({"admin"}),
    ("GET", "/api/v1/users/{username}"): STAFF,
    ("POST", "/api/v1/users/{username}/password-reset"): STAFF,
    ("DELETE", "/api/v1/users/{username}/sessions"): STAFF,
    ("POST", "/api/v1/users/{username}/disable"): frozenset({"admin"}),
    ("POST", "/api/v1/users/{username}/enable"): frozenset({"admin"}),
    ("POST", "/api/v1/sync/push"): frozenset({"officer"}),
    ("GET", "/api/v1/sync/pull"): EVERYONE,
    ("PUT", "/api/v1/media/{sha256}"): frozenset({"officer"}),
    ("GET", "/api/v1/media/{sha256}"): EVERYONE,
    ("HEAD", "/api/v1/media/{sha256}"): EVERYONE,
    ("PUT", "/api/v1/media/{sha256}/parts"): frozenset({"officer"}),
    ("HEAD", "/api/v1/media/{sha256}/parts"): frozenset({"officer"}),
    ("GET", "/api/v1/reports"): STAFF,
    ("GET", "/api/v1/reports/{report_id}"): EVERYONE,
    ("POST", "/api/v1/reports/{report_id}/review"): STAFF,
    ("GET", "/api/v1/alerts"): EVERYONE,
    ("GET", "/api/v1/alerts/{alert_id}"): EVERYONE,
    ("POST", "/api/v1/alerts/{alert_id}/actions"): frozenset({"supervisor"}),
    ("GET", "/api/v1/regions/{code}"): EVERYONE,
    ("GET", "/api/v1/regions/{code}/officers"): STAFF,
    ("GET", "/api/v1/rekap"): STAFF,
    ("GET", "/api/v1/export/reports.csv"): STAFF,
    ("GET", "/api/v1/export/alerts.geojson"): STAFF,
    ("GET", "/api/v1/export/sitrep.pdf"): STAFF,
    ("POST", "/api/v1/reports/bulk-review"): STAFF,
    ("POST", "/api/v1/alerts/{alert_id}/task"): frozenset({"officer"}),
    ("GET", "/api/v1/alerts/{alert_id}/media/{sha256}"): EVERYONE,      # a task answer's photo, read through its alert
    ("HEAD", "/api/v1/alerts/{alert_id}/media/{sha256}"): EVERYONE,
    ("GET", "/api/v1/timeline"): STAFF,
    ("GET", "/api/v1/regions"): STAFF,
    ("GET", "/api/v1/sitreps"): STAFF,
    ("GET", "/api/v1/sitreps/{slot}.pdf"): STAFF,
    ("GET", "/api/v1/plans"): STAFF,
    ("POST", "/api/v1/plans"): frozenset({"supervisor"}),
    ("GET", "/api/v1/plans/versions/{version}"): STAFF,
    ("GET", "/api/v1/plans/annex.pdf"): STAFF,
    ("GET", "/api/v1/strength"): STAFF,
    ("PUT", "/api/v1/strength/{unit}"): frozenset({"admin"}),
    ("GET", "/api/v1/sms/log"): frozenset({"admin"}),
    ("GET", "/api/v1/sms/refusals"): frozenset({"admin"}),
    ("GET", "/api/v1/sms/contacts"): frozenset({"admin"}),
    ("PUT", "/api/v1/sms/contacts/{username}"): frozenset({"admin"}),
}
BAD_STATES = (
    "none",
    "empty_bearer",
    "blank_bearer",
    "garbage",
    "too_long",
    "tampered",
    "two_tokens",
    "basic",
    "token_scheme",
    "no_scheme",
    "query_string",
    "expired",
    "logged_out",
    "revoked_device",
)


def served_routes(server: ClockedServer) -> set[tuple[str, str]]:
    """(method, path template) of every route the app serves, from the app object itself."""
    from fastapi import routing

    from sync_server.app import create_app

    settings = Settings(db_path=server.db, media_dir=server.db.parent / "media", evaluate_seconds=0)
    app = create_app(settings)
    try:
        walk = getattr(routing, "iter_route_contexts", None)
        routes = [context.route for context in walk(app.router.routes)] if walk else app.routes
        return {
            (method, route.path) for route in routes for method in (getattr(route, "methods", None) or ())
        }
    finally:
        alerts = app.state.services.alerts
        if hasattr(alerts, "close"):
            alerts.close()
        app.state.services.storage.close()


@dataclass
class Scene:
    server: ClockedServer
    api: Api
    world: World
    desa: str
    officer: Actor
    supervisor: Actor
    device_token: str
    device_id: str
    photo: bytes
    report_id: str
    alert_id: str
    bad: dict[str, str] = field(default_factory=dict)  # state → token (where the state has one)


def enroll(api: Api, admin_token: str, nrp: str, name: str = "HP Uji") -> dict:
    code = api.post(f"/api/v1/users/{nrp}/enrollment-codes", token=admin_token)
    assert code.status_code == 201, code.text
    done = api.post(
        "/api/v1/auth/enroll", json={"nrp": nrp, "code": code.json()["code"], "device_name": name}
    )
    assert done.status_code == 201, done.text
    return done.json()


def works(api: Api, token: str) -> bool:
    return api.get("/api/v1/me", token=token).status_code == 200


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> Scene:
    server = ClockedServer(tmp_path_factory.mktemp("tokens"), T)
    api = server.api
    world = World(api=api, admin=Actor("admin", "admin", ["15"], api.login("admin", PASSWORD)))
    kecamatan, desa = fresh_kecamatan()
    officer, supervisor = world.officer(desa[0]), world.supervisor(kecamatan)
    bad = {"expired": api.login(officer.username), "logged_out": api.login(officer.username)}
    # Another officer loses a phone: revoking it also clears that officer's password (issue 11).
    revoked = enroll(api, world.admin.token, world.officer(desa[0]).username, "HP hilang")
    bad["revoked_device"] = revoked["token"]
    assert all(works(api, token) for token in bad.values())  # each was good once
    assert api.post("/api/v1/auth/logout", token=bad["logged_out"]).status_code == 204
    assert (
        api.request("DELETE", f"/api/v1/devices/{revoked['device_id']}", token=world.admin.token).status_code
        == 204
    )
    server.advance(hours=12, minutes=1)  # past login_token_hours (12 h)
    for actor in (world.admin, officer, supervisor):
        actor.token = api.login(actor.username)
    device = enroll(api, world.admin.token, officer.username)
    photo = b"\xff\xd8\xff\xe0" + os.urandom(512)
    sha = hashlib.sha256(photo).hexdigest()
    assert api.request("PUT", f"/api/v1/media/{sha}", token=device["token"], content=photo).status_code == 201
    sent = report(
        desa_code=desa[0],
        media=[sha],
        observed_at=server.now.isoformat(),
        category="bentrok",
        source_reliability="A",
        info_credibility=1,
    )
    assert api.push(device["token"], [sent])["results"][0]["status"] == "created"
    alerts = api.get("/api/v1/alerts", token=supervisor.token, params={"region": desa[0]}).json()["items"]
    assert alerts, "the GN clash should have opened an alert"
    return Scene(
        server=server,
        api=api,
        world=world,
        desa=desa[0],
        officer=officer,
        supervisor=supervisor,
        device_token=device["token"],
        device_id=device["device_id"],
        photo=photo,
        report_id=sent["id"],
        alert_id=alerts[0]["id"],
        bad=bad,
    )


@pytest.fixture(scope="module", autouse=True)
def _stop(scene):
    yield
    scene.server.stop()
    assert "Traceback" not in scene.server.log(), scene.server.log()


def authorization(state: str, scene: Scene) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, query params) that present ``state``."""
    good = scene.device_token
    officer_password = base64.b64encode(f"{scene.officer.username}:{PASSWORD}".encode()).decode()
    headers = {
        "none": None,
        "empty_bearer": "Bearer",
        "blank_bearer": "Bearer    null",
        "garbage": "Bearer bukan-token",
        "too_long": "Bearer " + "A" * 5000,
        "tampered": "Bearer " + good[:-1] + ("A" if good[-1] != "A" else "B"),
        "two_tokens": f"Bearer {good} {good}",
        "basic": f"Basic {officer_password}",
        "token_scheme": f"Token {good}",
        "no_scheme": good,
        "query_string": None,
    }
    header = headers.get(state, f"Bearer {scene.bad.get(state, '')}")
    params = {"access_token": good, "token": good} if state == "query_string" else {}
    return ({"Authorization": header} if header else {}), params


def request_for(method: str, path: str, scene: Scene) -> dict:
    """A well-formed request of each route that would change something if it got through."""
    alert_version = scene.api.get(f"/api/v1/alerts/{scene.alert_id}", token=scene.supervisor.token).json()[
        "version"
    ]
    sha = hashlib.sha256(scene.photo).hexdigest()
    filled = path.format(
        username=scene.officer.username,
        device_id=scene.device_id,
        sha256=sha,
        report_id=scene.report_id,
        alert_id=scene.alert_id,
        code=scene.desa,
        version=1,
        slot="20241127-0600",
        unit="15.72",
    )
    bodies = {
        "/api/v1/users": {
            "json": {
                "username": "penyusup",
                "name": "Penyusup",
                "role": "admin",
                "scope": ["15"],
                "password": PASSWORD,
            }
        },
        "/api/v1/sync/push": {"json": {"reports": [report(desa_code=scene.desa)]}},
        "/api/v1/reports/{report_id}/review": {"json": {"verdict": "reject"}},
        "/api/v1/alerts/{alert_id}/actions": {
            "json": {"action": "resolve", "response": "Kondusif"},
            "headers": if_match(alert_version),
        },
    }
    queries = {"/api/v1/regions": {"as_of": "masa_tenang"}, "/api/v1/sitreps/{slot}.pdf": {"unit": "15.72"}}
    request = {"method": method, "path": filled, **bodies.get(path, {})}
    if path in queries:
        request["params"] = queries[path]
    if method == "PUT":
        request["content"] = scene.photo
    return request


def send(scene: Scene, request: dict, headers: dict[str, str], params: dict[str, str] | None = None):
    request = dict(request)
    params = {**request.pop("params", {}), **(params or {})}
    return scene.api.request(
        request.pop("method"),
        request.pop("path"),
        params=params or None,
        headers={**request.pop("headers", {}), **headers},
        **request,
    )


def database_digest(server: ClockedServer) -> dict[str, int]:
    """A hash of every table's rows: what a request that got through would have changed. It reads the
    SQLite file of the scene's own server: no port lists every table (the routes, not the backend,
    are under test here)."""
    with sqlite3.connect(f"file:{server.db}?mode=ro", uri=True) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            table: hash(tuple(sorted(map(repr, conn.execute(f'SELECT * FROM "{table}"')))))
            for table in tables
        }


def test_every_route_is_classified(scene):
    served = served_routes(scene.server)
    unclassified = served - PUBLIC - set(ROLES) - WHEN_PUBLISHED
    assert not unclassified, f"classify these routes in PUBLIC or ROLES: {sorted(unclassified)}"
    assert set(ROLES) <= served and served >= PUBLIC
    spec = scene.api.get("/api/v1/openapi.json").json()["paths"]
    documented = {(method.upper(), path) for path, operations in spec.items() for method in operations}
    assert documented <= served


def test_every_bad_token_state_gets_the_same_401_on_every_route(scene):
    reference = assert_error(scene.api.get("/api/v1/me"), 401, "auth.unauthorized")
    before = database_digest(scene.server)
    wrong = []
    for method, path in sorted(ROLES):
        request = request_for(method, path, scene)
        for state in BAD_STATES:
            headers, params = authorization(state, scene)
            response = send(scene, request, headers, params)
            ok = response.status_code == 401 and response.headers.get("www-authenticate") == "Bearer"
            if ok and method != "HEAD":
                ok = response.json() == {"error": reference}
            if not ok:
                wrong.append((method, path, state, response.status_code, response.text[:200]))
    assert not wrong, "\n".join(map(str, wrong))
    assert database_digest(scene.server) == before  # nothing got through
    assert works(scene.api, scene.device_token)


def test_auth_is_checked_before_the_body_is_read(scene):
    """A bad token with a broken, oversized or mistyped body is still 401: nothing is parsed first."""
    for method, path in sorted(ROLES):
        if method not in ("POST", "PUT"):
            continue
        request = request_for(method, path, scene)
        request.pop("json", None)
        for content, kind in (
            (b"{", "application/json"),
            (b"x" * (3 * 1024 * 1024), "application/json"),
            (b"<xml/>", "text/xml"),
        ):
            response = send(
                scene, {**request, "content": content}, {"Content-Type": kind, "Authorization": "Bearer x"}
            )
            assert_error(response, 401, "auth.unauthorized")


def test_an_expired_token_is_refused_but_the_users_next_login_works(scene):
    assert_error(scene.api.get("/api/v1/me", token=scene.bad["expired"]), 401, "auth.unauthorized")
    assert works(scene.api, scene.officer.token)
    english = scene.api.get("/api/v1/me", token=scene.bad["expired"], headers={"Accept-Language": "en"})
    unknown = scene.api.get("/api/v1/me", token="tidak-pernah-ada", headers={"Accept-Language": "en"})
    assert english.json() == unknown.json()


def role_tokens(scene: Scene) -> dict[str, str]:
    return {
        "officer": scene.device_token,
        "supervisor": scene.supervisor.token,
        "admin": scene.world.admin.token,
    }


def test_each_route_is_open_to_its_roles_and_403_to_the_others(scene):
    api, wrong = scene.api, []
    usernames = {"officer": scene.officer.username, "supervisor": scene.supervisor.username, "admin": "admin"}
    for (method, path), allowed in sorted(ROLES.items()):
        for role, token in role_tokens(scene).items():
            request = request_for(method, path, scene)
            if path == "/api/v1/auth/logout":
                token = api.login(usernames[role])  # a token of its own to revoke
            elif path == "/api/v1/users":
                request["json"] = {
                    **request["json"],
                    "username": f"{role}{os.urandom(3).hex()}",
                    "role": "officer",
                    "scope": [scene.desa],
                }
            elif path == "/api/v1/devices/{device_id}":  # a spare phone of another officer (revoking it
                spare_owner = scene.world.officer(scene.desa).username   # clears that one's password)
                spare = enroll(api, scene.world.admin.token, spare_owner, "HP cadangan")
                request["path"] = f"/api/v1/devices/{spare['device_id']}"
            elif path.rsplit("/", 1)[-1] in ("password-reset", "sessions", "disable", "enable"):
                request["path"] = path.format(username=scene.world.officer(scene.desa).username)  # a spare
            response = send(scene, request, {"Authorization": f"Bearer {token}"})
            if role in allowed:
                ok = response.status_code not in (401, 403) and response.status_code < 500
            else:
                ok = response.status_code == 403 and (
                    method == "HEAD" or response.json()["error"]["code"] == "auth.forbidden"
                )
            if not ok:
                wrong.append((method, path, role, response.status_code, response.text[:200]))
    assert not wrong, "\n".join(map(str, wrong))
    assert works(api, scene.device_token)


def test_a_supervisor_login_token_cannot_push_or_upload(scene):
    """The officer-only routes refuse a supervisor's valid login token with 403 and store nothing."""
    before = database_digest(scene.server)
    for (method, path), allowed in ROLES.items():
        if allowed == {"officer"}:
            response = send(
                scene, request_for(method, path, scene), {"Authorization": f"Bearer {scene.supervisor.token}"}
            )
            assert response.status_code == 403, (method, path, response.text)
    after = database_digest(scene.server)
    assert after["reports"] == before["reports"] and after["media"] == before["media"]


def stored_devices(server: ClockedServer, report_ids: list[str]) -> dict[str, tuple[str, str]]:
    from sync_server.storage import open_storage

    storage = open_storage(server.db)
    try:
        stored = [storage.get_report(report_id) for report_id in report_ids]
    finally:
        storage.close()
    return {report.id: (report.officer, report.device_id) for report in stored if report is not None}


def test_a_new_phone_leaves_the_old_one_working_until_an_admin_revokes_it(scene):
    """docs/api.md: device tokens are "valid until the device is revoked" — enrolling a second phone
    does not retire the first; revoking one phone leaves the officer's other phone working."""
    api, admin = scene.api, scene.world.admin.token
    officer = scene.world.officer(scene.desa)
    old, new = (
        enroll(api, admin, officer.username, "HP lama"),
        enroll(api, admin, officer.username, "HP baru"),
    )
    assert old["device_id"] != new["device_id"]
    assert works(api, old["token"]) and works(api, new["token"])
    assert api.request("DELETE", f"/api/v1/devices/{old['device_id']}", token=admin).status_code == 204
    assert_error(api.get("/api/v1/me", token=old["token"]), 401, "auth.unauthorized")
    assert_error(api.post("/api/v1/sync/push", token=old["token"], json={"reports": [report()]}), 401)
    assert works(api, new["token"]) and works(api, officer.token)  # the other phone and the login live on
    sent = report(desa_code=scene.desa)
    assert api.push(new["token"], [sent])["results"][0]["status"] == "created"
    assert stored_devices(scene.server, [sent["id"]]) == {sent["id"]: (officer.username, new["device_id"])}


def test_the_device_and_officer_come_from_the_token_never_from_the_request(scene):
    """There is no device header: an X-Device-Id (or an officer/device field in a report) claiming
    another officer's phone changes nothing — the report belongs to the token's officer and device."""
    api = scene.api
    other = scene.world.officer(scene.desa)
    other_device = enroll(api, scene.world.admin.token, other.username)
    spoof = {"X-Device-Id": other_device["device_id"], "X-Officer": other.username, "X-User": other.username}
    sent = report(desa_code=scene.desa)
    body = api.post(
        "/api/v1/sync/push",
        token=scene.device_token,
        headers=spoof,
        json={"reports": [sent, report(officer=other.username), report(device_id=other_device["device_id"])]},
    ).json()
    assert [r["status"] for r in body["results"]] == ["created", "invalid", "invalid"]
    assert stored_devices(scene.server, [sent["id"]]) == {
        sent["id"]: (scene.officer.username, scene.device_id)
    }
    assert (
        api.get("/api/v1/me", token=scene.device_token, headers=spoof).json()["username"]
        == scene.officer.username
    )
    # The other officer cannot read it, whatever they claim to be.
    assert_error(
        api.get(
            f"/api/v1/reports/{sent['id']}",
            token=other_device["token"],
            headers={"X-Device-Id": scene.device_id},
        ),
        404,
        "not_found",
    )


def test_one_officer_cannot_revoke_or_reuse_another_officers_phone(scene):
    api = scene.api
    other = scene.world.officer(scene.desa)
    phone = enroll(api, scene.world.admin.token, other.username)
    assert_error(
        api.request("DELETE", f"/api/v1/devices/{phone['device_id']}", token=scene.device_token),
        403,
        "auth.forbidden",
    )
    assert_error(
        api.request("DELETE", f"/api/v1/devices/{phone['device_id']}", token=scene.supervisor.token),
        403,
        "auth.forbidden",
    )
    assert works(api, phone["token"])
    # A spent code cannot enroll a second phone for the same officer, nor a phone for someone else.
    code = api.post(f"/api/v1/users/{other.username}/enrollment-codes", token=scene.world.admin.token).json()[
        "code"
    ]
    assert (
        api.post(
            "/api/v1/auth/enroll", json={"nrp": other.username, "code": code, "device_name": "A"}
        ).status_code
        == 201
    )
    for nrp in (other.username, scene.officer.username):
        assert_error(
            api.post("/api/v1/auth/enroll", json={"nrp": nrp, "code": code, "device_name": "B"}),
            401,
            "auth.invalid_code",
        )


def test_login_tokens_expire_on_the_servers_clock_not_the_clients(scene):
    """A token issued now lives 12 h on the server clock, whatever the client claims about time."""
    api, server = scene.api, scene.server
    token = api.login(scene.officer.username)
    skew = {"Date": "Mon, 01 Jan 2024 00:00:00 GMT"}
    server.advance(hours=11, minutes=59)
    assert api.get("/api/v1/me", token=token, headers=skew).status_code == 200
    server.advance(minutes=2)
    assert_error(api.get("/api/v1/me", token=token, headers=skew), 401, "auth.unauthorized")
    assert works(api, scene.device_token)  # device tokens do not expire
    for actor in (scene.world.admin, scene.officer, scene.supervisor):
        actor.token = api.login(actor.username)

"""Authorization, table-driven: every route × (no token, officer, supervisor, admin) × in/out of scope.

Rules under test (docs/api.md "Auth and scope"): no token → 401; a route closed to the caller's
role → 403; an object outside the caller's scope → 404 exactly like a missing one; lists and
the pull feed never show anything outside scope.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

import pytest

from tests.server.helpers import PASSWORD, Actor, assert_error, fresh_kecamatan, report, unique

ACTORS = ("none", "officer_in", "officer_out", "supervisor_in", "supervisor_out", "admin_in", "admin_out")


@dataclass
class Scene:
    desa: str
    actors: dict[str, Actor | None]
    report_id: str
    photo_sha: str


@pytest.fixture(scope="module")
def scene(api, world) -> Scene:
    kecamatan, desa = fresh_kecamatan()
    owner = world.officer(desa[0])
    photo = b"\xff\xd8\xff\xe0" + os.urandom(256)
    sha = hashlib.sha256(photo).hexdigest()
    assert api.request("PUT", f"/api/v1/media/{sha}", token=owner.token, content=photo).status_code == 201
    sent = report(desa_code=desa[0], media=[sha])
    assert api.push(owner.token, [sent])["results"][0]["status"] == "created"
    actors = {
        "none": None,
        "officer_in": owner,                                   # the report's own officer
        "officer_out": world.officer(desa[0]),                 # same desa, not the owner
        "supervisor_in": world.supervisor(kecamatan),
        "supervisor_out": world.supervisor(fresh_kecamatan()[0]),
        "admin_in": world.admin,
        "admin_out": world.user("admin", ["15.71"]),
    }
    return Scene(desa=desa[0], actors=actors, report_id=sent["id"], photo_sha=sha)


def token_of(actor: Actor | None) -> str | None:
    return actor.token if actor else None


def new_device(api, world, scene) -> str:
    owner = scene.actors["officer_in"]
    code = api.post(f"/api/v1/users/{owner.username}/enrollment-codes", token=world.admin.token).json()["code"]
    body = {"nrp": owner.username, "code": code, "device_name": "HP"}
    return api.post("/api/v1/auth/enroll", json=body).json()["device_id"]


def fresh_photo() -> tuple[str, bytes]:
    data = b"\x89PNG\r\n\x1a\n" + os.urandom(64)
    return hashlib.sha256(data).hexdigest(), data


def _all(status: int, none: int = 401) -> dict[str, int]:
    return {actor: (none if actor == "none" else status) for actor in ACTORS}


def _by_role(officer_in, officer_out, supervisor_in, supervisor_out, admin_in, admin_out) -> dict[str, int]:
    return {"none": 401, "officer_in": officer_in, "officer_out": officer_out, "supervisor_in": supervisor_in,
            "supervisor_out": supervisor_out, "admin_in": admin_in, "admin_out": admin_out}


# (case, method, expected status per actor); the request itself is built by ``build`` below.
TABLE = [
    ("healthz", "GET", _all(200, none=200)),
    ("openapi", "GET", _all(200, none=200)),
    ("login", "POST", _all(200, none=200)),
    ("enroll", "POST", _all(201, none=201)),
    ("me", "GET", _all(200)),
    ("logout", "POST", _all(204)),
    ("create_user", "POST", _by_role(403, 403, 403, 403, 201, 403)),
    ("enrollment_code", "POST", _by_role(403, 403, 201, 404, 201, 404)),
    ("revoke_device", "DELETE", _by_role(403, 403, 403, 403, 204, 404)),
    ("push", "POST", _by_role(200, 200, 403, 403, 403, 403)),
    ("pull", "GET", _all(200)),
    ("put_media", "PUT", _by_role(201, 201, 403, 403, 403, 403)),
    ("get_media", "GET", _by_role(200, 404, 200, 404, 200, 404)),
    ("head_media", "HEAD", _by_role(200, 404, 200, 404, 200, 404)),
    ("list_reports", "GET", _by_role(403, 403, 200, 200, 200, 200)),
    ("get_report", "GET", _by_role(200, 404, 200, 404, 200, 404)),
    ("review", "POST", _by_role(403, 403, 200, 404, 200, 404)),
]
CASES = [(case, method, actor, statuses[actor]) for case, method, statuses in TABLE for actor in ACTORS]


def build(case: str, actor: str, api, world, scene) -> dict:
    """path / token / json / content of one request (fresh objects where the call consumes them)."""
    who = scene.actors[actor]
    token = token_of(who)
    if case == "logout" and who is not None:
        token = api.login(who.username, PASSWORD)
    paths = {
        "healthz": "/healthz", "openapi": "/api/v1/openapi.json", "login": "/api/v1/auth/login",
        "enroll": "/api/v1/auth/enroll", "me": "/api/v1/me", "logout": "/api/v1/auth/logout", "create_user": "/api/v1/users",
        "enrollment_code": f"/api/v1/users/{scene.actors['officer_in'].username}/enrollment-codes",
        "push": "/api/v1/sync/push", "pull": "/api/v1/sync/pull", "list_reports": "/api/v1/reports",
        "get_media": f"/api/v1/media/{scene.photo_sha}", "head_media": f"/api/v1/media/{scene.photo_sha}",
        "get_report": f"/api/v1/reports/{scene.report_id}",
        "review": f"/api/v1/reports/{scene.report_id}/review",
    }
    request: dict = {"path": paths.get(case), "token": token}
    owner = scene.actors["officer_in"]
    if case == "login":
        request["json"] = {"username": owner.username, "password": PASSWORD}
    elif case == "enroll":
        code = api.post(f"/api/v1/users/{owner.username}/enrollment-codes", token=world.admin.token).json()["code"]
        request["json"] = {"nrp": owner.username, "code": code, "device_name": "HP"}
    elif case == "create_user":
        request["json"] = {"username": unique("nrp"), "name": "Baru", "role": "officer", "scope": [scene.desa],
                           "password": PASSWORD}
    elif case == "revoke_device":
        request["path"] = f"/api/v1/devices/{new_device(api, world, scene)}"
    elif case == "push":
        request["json"] = {"reports": [report(desa_code=scene.desa)]}
    elif case == "put_media":
        sha, data = fresh_photo()
        request.update(path=f"/api/v1/media/{sha}", content=data)
    elif case == "review":
        request["json"] = {"verdict": "confirm"}
    return request


@pytest.mark.parametrize("case, method, actor, status", CASES, ids=[f"{c}-{a}" for c, _, a, _ in CASES])
def test_route_role_scope(api, world, scene, case, method, actor, status):
    request = build(case, actor, api, world, scene)
    response = api.request(method, request.pop("path"), **request)
    if status >= 400 and method != "HEAD":
        code = {401: "auth.unauthorized", 403: "auth.forbidden", 404: "not_found"}[status]
        assert_error(response, status, code)
    else:
        assert response.status_code == status, response.text


@pytest.mark.parametrize("actor", ACTORS[1:])
def test_lists_and_feed_show_nothing_outside_scope(api, scene, actor):
    """The report is in the lists and pulls of exactly the actors who may read it."""
    who = scene.actors[actor]
    may_read = actor in ("supervisor_in", "admin_in")
    changes, _ = api.pull_all(who.token, limit=1000)
    assert any(c["kind"] == "report" and c["data"]["id"] == scene.report_id for c in changes) is may_read
    if who.role != "officer":
        items = api.get("/api/v1/reports", token=who.token, params={"limit": 1000}).json()["items"]
        assert any(item["id"] == scene.report_id for item in items) is may_read
        assert all(item["desa_code"].startswith(tuple(code + "." for code in who.scope)) for item in items)

"""A photo on a task answer (issue 14), on a real server: ``GET /api/v1/alerts/{id}/media/{sha256}``.

The assignee uploads the photo (``PUT /api/v1/media``) and cites it in a ``report`` answer; the
alert's readers (its supervisors) then read it through the alert, the officer who took it as well;
another officer of the area, a supervisor elsewhere, a hash the answer does not cite or one the
assignee did not upload get the one 404 shape."""
from __future__ import annotations

import uuid

import pytest

from tests.server.alerts_support import admin_world, clocked_server
from tests.server.helpers import assert_error, fresh_kecamatan
from tests.server.test_media import jpeg, put, sha
from tests.server.test_tasks import T, task
from tests.server.test_tasks import assigned as assigned  # noqa: PLC0414  (the fixture, shared)

server = clocked_server("task-photos", T)
world = admin_world()


def photo_route(alert_id: str, data: bytes) -> str:
    return f"/api/v1/alerts/{alert_id}/media/{sha(data)}"


@pytest.fixture
def answered(world, assigned):
    """Officer ``b`` answered with a photo of their own; ``a`` (same desa) uploaded another photo."""
    b, a = assigned["b"], assigned["a"]
    own, foreign = jpeg(), jpeg()
    assert put(world.api, b.token, own).status_code == 201
    assert put(world.api, a.token, foreign).status_code == 201
    done = task(world, b, assigned["alert"]["id"], id=str(uuid.uuid4()), action="report", note="Posko dicek.",
                media=[sha(own), sha(foreign)])
    assert done.status_code == 201, done.text
    return {**assigned, "own": own, "foreign": foreign}


def test_the_supervisor_reads_the_answer_photo_through_the_alert(world, answered):
    alert_id, polsek, own = answered["alert"]["id"], answered["polsek"], answered["own"]
    got = world.api.get(photo_route(alert_id, own), token=polsek.token)
    assert got.status_code == 200 and got.content == own
    assert got.headers["content-type"] == "image/jpeg" and got.headers["etag"] == f'"{sha(own)}"'
    head = world.api.request("HEAD", photo_route(alert_id, own), token=polsek.token)
    assert head.status_code == 200 and head.headers["content-length"] == str(len(own))
    assert world.api.get(photo_route(alert_id, own), token=answered["b"].token).content == own
    assert_error(world.api.get(f"/api/v1/media/{sha(own)}", token=polsek.token), 404, "not_found")  # no report cites it


def test_nobody_else_reads_it_and_citing_a_photo_grants_nothing(world, answered):
    alert_id, own = answered["alert"]["id"], answered["own"]
    assert_error(world.api.get(photo_route(alert_id, own), token=answered["a"].token), 404, "not_found")
    elsewhere = world.supervisor(fresh_kecamatan()[0])
    assert_error(world.api.get(photo_route(alert_id, own), token=elsewhere.token), 404, "not_found")
    foreign = world.api.get(photo_route(alert_id, answered["foreign"]), token=answered["polsek"].token)
    assert_error(foreign, 404, "not_found")                 # cited by b, uploaded by a
    uncited = jpeg()
    assert put(world.api, answered["b"].token, uncited).status_code == 201
    assert_error(world.api.get(photo_route(alert_id, uncited), token=answered["polsek"].token), 404, "not_found")
    assert_error(world.api.get(f"/api/v1/alerts/{alert_id}/media/not-a-hash", token=answered["polsek"].token),
                 404, "not_found")

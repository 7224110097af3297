"""The assigned officer answers a task on a real server: ``POST /api/v1/alerts/{id}/task``.

"Diterima" and "what was done" land once each in the alert's append-only history (a retry with the
same id is a receipt), only from the assignee, and the supervisor reads them — and the time to
acknowledge — on the alert detail."""
from __future__ import annotations

import uuid

import pytest

from tests.server.alerts_support import admin_world, clocked_server, if_match, wib
from tests.server.helpers import assert_error, fresh_kecamatan, report

T = wib("11-27 21:40")


server = clocked_server("tasks", T)
world = admin_world()


@pytest.fixture
def assigned(world, server):
    """An alert in a fresh kecamatan, assigned by its Polsek to officer ``b`` at T."""
    server.set_clock(T)
    kecamatan, desa = fresh_kecamatan()
    polsek, a, b = world.supervisor(kecamatan), world.officer(desa[0]), world.officer(desa[0])
    world.api.push(a.token, [report(observed_at=T.isoformat(), category="bentrok", threat_stage="GN",
                                    desa_code=desa[0], source_reliability="A", info_credibility=1)])
    listed = world.api.get("/api/v1/alerts", token=polsek.token, params={"region": desa[0]}).json()["items"]
    (alert,) = [item for item in listed if item["region_code"] == desa[0]]
    done = world.api.post(f"/api/v1/alerts/{alert['id']}/actions", token=polsek.token,
                          json={"action": "assign", "assignee": b.username, "note": "Cek posko Jl. Muradi."},
                          headers=if_match(alert["version"]))
    assert done.status_code == 200, done.text
    return {"alert": done.json(), "polsek": polsek, "a": a, "b": b}


def task(world, actor, alert_id, **body):
    return world.api.post(f"/api/v1/alerts/{alert_id}/task", token=actor.token, json=body)


def detail(world, actor, alert_id) -> dict:
    response = world.api.get(f"/api/v1/alerts/{alert_id}", token=actor.token)
    assert response.status_code == 200, response.text
    return response.json()


def test_acknowledge_then_report_reach_the_supervisor_once_each(world, server, assigned):
    alert_id, b = assigned["alert"]["id"], assigned["b"]
    server.set_clock(wib("11-27 21:58"))
    ack_id = str(uuid.uuid4())
    first = task(world, b, alert_id, id=ack_id, action="acknowledge")
    again = task(world, b, alert_id, id=ack_id, action="acknowledge")            # the retry after a cut link
    assert (first.status_code, first.json()["status"]) == (201, "created"), first.text
    assert (again.status_code, again.json()["status"]) == (200, "duplicate"), again.text
    other_ack = task(world, b, alert_id, id=str(uuid.uuid4()), action="acknowledge")
    assert other_ack.json()["status"] == "duplicate"                            # the first one counts
    server.set_clock(wib("11-27 22:20"))
    report_id = str(uuid.uuid4())
    body = {"id": report_id, "action": "report", "note": "Posko sudah dicek, situasi kondusif."}
    assert task(world, b, alert_id, **body).status_code == 201
    assert task(world, b, alert_id, **body).json()["status"] == "duplicate"
    seen = detail(world, assigned["polsek"], alert_id)
    lines = [(line["event"], line["actor"], line["note"]) for line in seen["history"]
             if line["event"].startswith("task_")]
    assert lines == [("task_acknowledge", b.username, None),
                     ("task_report", b.username, "Posko sudah dicek, situasi kondusif.")]
    assert seen["task"]["assignee"] == b.username
    assert seen["task"]["acknowledged_at"] == "2024-11-27T14:58:00Z"        # 21:58 WIB
    assert seen["task"]["reported_at"] == "2024-11-27T15:20:00Z" and seen["task"]["answers"] == 1
    assert seen["status"] == "in_progress" and seen["version"] == assigned["alert"]["version"] + 2


def test_only_the_assignee_answers_and_a_reused_id_with_other_words_is_refused(world, assigned):
    alert_id = assigned["alert"]["id"]
    refused = task(world, assigned["a"], alert_id, id=str(uuid.uuid4()), action="acknowledge")
    assert_error(refused, 403, "task.not_assignee")
    supervisor = task(world, assigned["polsek"], alert_id, id=str(uuid.uuid4()), action="acknowledge")
    assert_error(supervisor, 403, "auth.forbidden")
    answer_id = str(uuid.uuid4())
    assert task(world, assigned["b"], alert_id, id=answer_id, action="report", note="Sudah dicek.").status_code == 201
    clash = task(world, assigned["b"], alert_id, id=answer_id, action="report", note="Lain.")
    assert_error(clash, 409, "task.conflict")
    history = detail(world, assigned["polsek"], alert_id)["history"]
    assert [line["note"] for line in history if line["event"] == "task_report"] == ["Sudah dicek."]


def test_bad_answers_are_422_and_change_nothing(world, assigned):
    alert_id, b = assigned["alert"]["id"], assigned["b"]
    for body, field in (({"action": "acknowledge"}, "id"), ({"id": "not-a-uuid", "action": "acknowledge"}, "id"),
                        ({"id": str(uuid.uuid4()), "action": "report"}, "note"),
                        ({"id": str(uuid.uuid4()), "action": "dance"}, "action"),
                        ({"id": str(uuid.uuid4()), "action": "report", "note": "x" * 1001}, "note")):
        answered = task(world, b, alert_id, **body)
        assert field in assert_error(answered, 422, "request.invalid")["details"]["fields"], body
    missing = task(world, b, "a-" + "0" * 30, id=str(uuid.uuid4()), action="acknowledge")
    assert_error(missing, 404, "not_found")
    seen = detail(world, assigned["polsek"], alert_id)
    assert seen["version"] == assigned["alert"]["version"] and seen["task"]["acknowledged_at"] is None


def test_an_acknowledgement_makes_a_supervisors_old_version_stale(world, assigned):
    alert, b = assigned["alert"], assigned["b"]
    assert task(world, b, alert["id"], id=str(uuid.uuid4()), action="acknowledge").status_code == 201
    stale = world.api.post(f"/api/v1/alerts/{alert['id']}/actions", token=assigned["polsek"].token,
                           json={"action": "resolve", "response": "Kondusif"}, headers=if_match(alert["version"]))
    assert_error(stale, 412, "precondition.stale")

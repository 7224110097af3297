"""Issue 11 §4: a supervisor's note and response on an alert stay in the supervisors' chain unless
the action marks them ``for_field``; officers read only the alerts of their own area. Real server."""
from __future__ import annotations

import json

import pytest

from tests.server.alerts_support import admin_world, clocked_server, if_match, wib
from tests.server.helpers import World, assert_error, fresh_kecamatan, report

T = wib("11-27 22:00")
SECRET_NOTE = "RAHASIA: sumber intel di posko paslon 2"
SECRET_RESPONSE = "RAHASIA: Brimob disiagakan di belakang kantor camat"
FIELD_NOTE = "Tim patroli tiba 22.30, tetap siaga di TPS."
FIELD_RESPONSE = "Patroli gabungan dikirim ke TPS 03"


server = clocked_server("notes", T)
world = admin_world()


@pytest.fixture
def scene(world):
    """An alert in a fresh kecamatan, its Polres acting on it, an officer there and one elsewhere."""
    kecamatan, desa = fresh_kecamatan()
    elsewhere, other_desa = fresh_kecamatan()
    scene = {"desa": desa[0], "polres": world.supervisor(kecamatan.rpartition(".")[0]),
             "polsek": world.supervisor(kecamatan), "officer": world.officer(desa[0]),
             "outsider": world.officer(other_desa[0])}
    world.api.push(scene["officer"].token, [report(observed_at=T.isoformat(), category="bentrok", threat_stage="GN",
                                                   desa_code=desa[0], source_reliability="A", info_credibility=1)])
    listed = world.api.get("/api/v1/alerts", token=scene["polsek"].token, params={"region": desa[0]}).json()
    (scene["alert"],) = [item for item in listed["items"] if item["region_code"] == desa[0]]
    return scene


def act(world: World, token: str, alert_id: str, **body) -> dict:
    current = world.api.get(f"/api/v1/alerts/{alert_id}", token=token).json()
    done = world.api.post(f"/api/v1/alerts/{alert_id}/actions", token=token, json=body,
                          headers=if_match(current["version"]))
    assert done.status_code == 200, done.text
    return done.json()


def officer_reads(world: World, token: str, alert_id: str) -> tuple[str, dict]:
    """Everything an officer can read about the alert: pull feed, list, detail (as text), and the detail."""
    pulled, _ = world.api.pull_all(token)
    alert_changes = [change for change in pulled if change["kind"] == "alert" and change["data"]["id"] == alert_id]
    listed = world.api.get("/api/v1/alerts", token=token, params={"limit": 1000}).json()["items"]
    detail = world.api.get(f"/api/v1/alerts/{alert_id}", token=token)
    assert detail.status_code == 200, detail.text
    return json.dumps([alert_changes, listed, detail.json()], ensure_ascii=False), detail.json()


def test_an_internal_note_and_response_do_not_reach_officers(world, scene):
    alert_id = scene["alert"]["id"]
    act(world, scene["polres"].token, alert_id, action="respond", response=SECRET_RESPONSE, note=SECRET_NOTE)
    text, detail = officer_reads(world, scene["officer"].token, alert_id)
    assert "RAHASIA" not in text
    assert detail["response"] is None and detail["status"] == "in_progress"
    (respond,) = [event for event in detail["history"] if event["event"] == "respond"]
    assert respond["note"] is None and respond["data"] == {}
    chain = world.api.get(f"/api/v1/alerts/{alert_id}", token=scene["polsek"].token).json()
    assert chain["response"] == SECRET_RESPONSE and chain["response_for_field"] is False
    (respond,) = [event for event in chain["history"] if event["event"] == "respond"]
    assert respond["note"] == SECRET_NOTE and respond["data"] == {"response": SECRET_RESPONSE}


def test_a_note_marked_for_the_field_reaches_the_officers_of_the_kecamatan(world, scene):
    alert_id = scene["alert"]["id"]
    act(world, scene["polres"].token, alert_id, action="acknowledge", note=SECRET_NOTE)
    act(world, scene["polres"].token, alert_id, action="respond", response=FIELD_RESPONSE, note=FIELD_NOTE,
        for_field=True)
    pulled, _ = world.api.pull_all(scene["officer"].token)
    latest = [c["data"] for c in pulled if c["kind"] == "alert" and c["data"]["id"] == alert_id][-1]
    assert latest["response"] == FIELD_RESPONSE and latest["events"][-1]["note"] == FIELD_NOTE
    text, detail = officer_reads(world, scene["officer"].token, alert_id)
    assert FIELD_NOTE in text and "RAHASIA" not in text
    assert detail["response"] == FIELD_RESPONSE and detail["response_for_field"] is True
    notes = [event["note"] for event in detail["history"] if event["actor"] == scene["polres"].username]
    assert notes == [None, FIELD_NOTE]
    act(world, scene["polres"].token, alert_id, action="respond", response=SECRET_RESPONSE)   # replaced: internal
    assert world.api.get(f"/api/v1/alerts/{alert_id}", token=scene["officer"].token).json()["response"] is None


def test_an_officer_of_another_kecamatan_reads_nothing_of_the_alert(world, scene):
    alert_id = scene["alert"]["id"]
    act(world, scene["polres"].token, alert_id, action="respond", response=FIELD_RESPONSE, note=FIELD_NOTE,
        for_field=True)
    outsider = scene["outsider"].token
    assert_error(world.api.get(f"/api/v1/alerts/{alert_id}", token=outsider), 404, "not_found")
    listed = world.api.get("/api/v1/alerts", token=outsider, params={"limit": 1000}).json()["items"]
    pulled, _ = world.api.pull_all(outsider)
    text = json.dumps([listed, pulled], ensure_ascii=False)
    assert alert_id not in text and FIELD_NOTE not in text and scene["desa"] not in text


def test_for_field_must_be_a_boolean(world, scene):
    alert_id = scene["alert"]["id"]
    refused = world.api.post(f"/api/v1/alerts/{alert_id}/actions", token=scene["polsek"].token,
                             json={"action": "acknowledge", "note": "x", "for_field": "ya"},
                             headers=if_match(scene["alert"]["version"]))
    assert assert_error(refused, 422, "request.invalid")["details"]["fields"] == {"for_field": "Harus true atau false."}

"""Silence is never green, through the real server with the clock at voting day 2024 (a critical
tahapan): a silent kecamatan is reported as ``silent`` and never as safe by ``/regions/{code}``, the
alert list and the GeoJSON; unassigned desa are told apart from silent ones; a laporan nihil makes its
desa ``reporting`` without moving the score, and the supervisor sees which Bhabin sent today's nihil."""
from __future__ import annotations

import uuid

import pytest

from kerawanan import assets
from tests.server.alerts_support import ClockedServer, wib
from tests.server.helpers import PASSWORD, Actor, World, report

START = wib("11-26 20:00")          # masa tenang: the clash is reported
VOTING = wib("11-27 21:00")         # 25 h later, pemungutan suara: nobody has been heard since
KECAMATAN = "15.02.01"              # a kecamatan of Kabupaten Merangin no other test of this module uses
DESA = [region.code for region in assets.gazetteer().desa_under(KECAMATAN)]


def nihil(desa: str, observed, **overrides) -> dict:
    body = {"id": str(uuid.uuid4()), "observed_at": observed.isoformat(), "category": "nihil",
            "desa_code": desa, "facts": ""}
    return {**body, **overrides}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    server = ClockedServer(tmp_path_factory.mktemp("coverage"), START)
    admin = Actor(username="admin", role="admin", scope=["15"], token=server.api.login("admin", PASSWORD))
    world = World(api=server.api, admin=admin)
    people = {"a": world.officer(DESA[0]), "b": world.officer(DESA[1]),
              "polres": world.supervisor(KECAMATAN.rpartition(".")[0]), "polsek": world.supervisor(KECAMATAN)}
    clash = report(observed_at=START.isoformat(), category="bentrok", threat_stage="GN", desa_code=DESA[0],
                   source_reliability="B", info_credibility=2)   # 21.9: the desa rawan, the kecamatan not
    assert world.api.push(people["a"].token, [clash])["results"][0]["status"] == "created"
    opened = get(world, people["polsek"], "/api/v1/alerts")["items"]   # a read waits for the pass at START
    assert [alert["region_code"] for alert in opened] == [DESA[0]]
    server.set_clock(VOTING)
    server.evaluate()
    for name in ("b", "polres", "polsek"):                              # session tokens do not last 25 h
        people[name].token = server.api.login(people[name].username, PASSWORD)
    facts = {"before": get(world, people["polsek"], f"/api/v1/regions/{KECAMATAN}"),
             "alerts": get(world, people["polsek"], "/api/v1/alerts", params={"limit": 1000})["items"],
             "geojson": get(world, people["polres"], "/api/v1/export/alerts.geojson"),
             "geojson_desa": get(world, people["polsek"], "/api/v1/export/alerts.geojson")}
    results = world.api.push(people["b"].token, [nihil(DESA[1], VOTING), nihil(DESA[1], VOTING, threat_stage="PG")])
    facts["push"] = results["results"]
    server.evaluate()
    facts["after"] = get(world, people["polsek"], f"/api/v1/regions/{KECAMATAN}")
    yield server, facts
    server.stop()
    assert "Traceback" not in server.log(), server.log()


def get(world: World, actor: Actor, path: str, **kwargs) -> dict:
    response = world.api.get(path, token=actor.token, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_silent_kecamatan_in_a_critical_tahapan_is_silent_never_safe(stack):
    _, facts = stack
    region = facts["before"]
    coverage = region["coverage"]
    assert region["level"] == "kurang_rawan" and region["summary"] == "tidak_ada_kabar"
    assert (coverage["state"], coverage["critical_stage"], coverage["label"]) == ("silent", True, "Tanpa kabar")
    assert coverage["last_heard_at"] == "2024-11-26T13:00:00Z"
    assert coverage["desa"] == len(DESA) == coverage["silent_desa"] and coverage["reporting_desa"] == 0
    assert coverage["unassigned_desa"] == len(DESA) - 2                 # two desa have a Bhabin
    children = {child["code"]: child for child in region["children"]}
    assert children[DESA[0]]["level"] == "rawan" and children[DESA[0]]["coverage"]["state"] == "silent"
    assert children[DESA[1]]["coverage"]["state"] == "silent"
    assert {children[code]["coverage"]["state"] for code in DESA[2:]} == {"unassigned"}
    assert {child["summary"] for child in region["children"] if child["level"] == "kurang_rawan"} == {
        "tidak_ada_kabar"}
    assert {gap["state"] for gap in coverage["gaps"]} == {"silent", "unassigned"}


def test_the_alert_list_carries_the_silence(stack):
    _, facts = stack
    (alert,) = [item for item in facts["alerts"] if item["region_code"] == DESA[0]]
    assert alert["coverage"]["state"] == "silent" and alert["coverage"]["last_heard_at"] == "2024-11-26T13:00:00Z"
    assert all(item["coverage"]["state"] != "reporting" for item in facts["alerts"])


def test_the_geojson_never_says_safe_for_a_silent_region(stack):
    _, facts = stack
    (feature,) = [f["properties"] for f in facts["geojson"]["features"] if f["properties"]["code"] == KECAMATAN]
    assert (feature["level"], feature["coverage"], feature["summary"]) == ("kurang_rawan", "silent", "tidak_ada_kabar")
    assert feature["summary_label"] == "Kurang Rawan · Tanpa kabar" and feature["critical_stage"] is True
    desa = {f["properties"]["code"]: f["properties"] for f in facts["geojson_desa"]["features"]}
    assert desa[DESA[2]]["coverage"] == "unassigned" and desa[DESA[2]]["summary_label"].endswith("Belum ada Bhabin")
    assert not any(p["summary"] == "kurang_rawan" for p in desa.values())


def test_a_nihil_makes_its_desa_reporting_and_leaves_the_score(stack):
    _, facts = stack
    assert [result["status"] for result in facts["push"]] == ["created", "invalid"]
    assert facts["push"][1]["error"]["fields"] == {"reports[1].threat_stage": facts["push"][1]["error"]["fields"][
        "reports[1].threat_stage"]} and "nihil" in facts["push"][1]["error"]["fields"]["reports[1].threat_stage"]
    before, after = facts["before"], facts["after"]
    assert after["score"] == before["score"] and after["report_count"] == before["report_count"]
    children = {child["code"]: child for child in after["children"]}
    assert children[DESA[1]]["coverage"]["state"] == "reporting"
    assert children[DESA[1]]["score"] == 0.0 and children[DESA[1]]["report_count"] == 0
    assert after["coverage"]["reporting_desa"] == 1 and after["coverage"]["state"] == "silent"


def test_the_supervisor_sees_who_sent_todays_nihil(stack):
    _, facts = stack
    officers = {row["username"]: row for row in facts["after"]["coverage"]["officers"]}
    sent, quiet = [row for row in officers.values() if row["nihil_today_at"]], [
        row for row in officers.values() if not row["nihil_today_at"]]
    assert [row["desa"] for row in sent] == [[DESA[1]]] and sent[0]["nihil_today_at"] == "2024-11-27T14:00:00Z"
    assert [row["desa"] for row in quiet] == [[DESA[0]]] and quiet[0]["name"].startswith("Uji ")
    assert quiet[0]["last_heard_at"] == "2024-11-26T13:00:00Z"

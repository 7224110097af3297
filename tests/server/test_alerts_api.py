"""The alert routes on a real server: list, detail, actions with If-Match, reviews moving the
score, duplicates counted once, scope, the regions route. Each test works in its own kecamatan."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.server.alerts_support import admin_world, clocked_server, if_match, wib
from tests.server.helpers import World, assert_error, fresh_kecamatan, report

T = wib("11-27 22:00")


server = clocked_server("alerts", T)
world = admin_world()


@pytest.fixture
def area(world):
    """A fresh kecamatan with its Polsek, a Polres over its kabupaten, and two officers."""
    kecamatan, desa = fresh_kecamatan()
    return {"kecamatan": kecamatan, "desa": desa,
            "polsek": world.supervisor(kecamatan), "polres": world.supervisor(kecamatan.rpartition(".")[0]),
            "a": world.officer(desa[0]), "b": world.officer(desa[0], *desa[1:2])}


def incident(desa: str, **overrides) -> dict:
    """One GN clash graded A1, observed at the clock's time: 3 × 9 × 1.0 = 27 → the desa is rawan."""
    body = {"observed_at": T.isoformat(), "category": "bentrok", "threat_stage": "GN",
            "desa_code": desa, "source_reliability": "A", "info_credibility": 1}
    return report(**{**body, **overrides})


def alerts_of(world: World, token: str, **params) -> list[dict]:
    response = world.api.get("/api/v1/alerts", token=token, params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def alert_for(world: World, token: str, region: str) -> dict:
    (found,) = [item for item in alerts_of(world, token, region=region) if item["region_code"] == region]
    return found


def act(world: World, token: str, alert: dict, version: int | None = None, **body):
    headers = if_match(alert["version"] if version is None else version)
    return world.api.post(f"/api/v1/alerts/{alert['id']}/actions", token=token, json=body, headers=headers)


def test_a_push_opens_an_alert_at_once_owned_by_the_polsek(world, area):
    world.api.push(area["a"].token, [incident(area["desa"][0])])
    alert = alert_for(world, area["polres"].token, area["desa"][0])
    assert (alert["level"], alert["status"], alert["owner"], alert["version"]) == (
        "rawan", "open", area["polsek"].username, 1)
    assert alert["score"] == 27.0 and alert["report_count"] == 1 and alert["officer_count"] == 1
    assert alert["region_level"] == "desa" and alert["region_name"]
    assert alert["deadline_at"] == "2024-11-27T21:00:00Z"                 # 6 h for rawan
    assert alert["top_categories"][0]["category"] == "bentrok"
    assert set(alert["personnel"]) >= {"pattern", "tps", "recommended", "baseline", "reinforcement", "estimate"}
    assert set(alert["context"]) >= {"ikp_category", "polda_baseline"}
    kecamatan = world.api.get(f"/api/v1/regions/{area['kecamatan']}", token=area["polsek"].token).json()
    assert kecamatan["level"] == "rawan"                                  # 27 ≥ 25, explained by the desa:
    assert kecamatan["open_alert"] is None and kecamatan["alerts_below"]["count"] == 1    # shown, not copied
    assert {item["region_code"] for item in alerts_of(world, area["polsek"].token)} == {area["desa"][0]}


def test_the_detail_explains_the_score_and_carries_an_etag(world, area):
    world.api.push(area["a"].token, [incident(area["desa"][0])])
    world.api.push(area["b"].token, [incident(area["desa"][0], source_reliability="B", info_credibility=2)])
    alert = alert_for(world, area["polsek"].token, area["desa"][0])
    response = world.api.get(f"/api/v1/alerts/{alert['id']}", token=area["polsek"].token)
    assert response.status_code == 200 and response.headers["etag"] == f'"{alert["version"]}"'
    body = response.json()
    explanation = body["explanation"]
    assert explanation["count"] == 2 and explanation["sum"] == pytest.approx(body["score"], abs=0.01)
    assert body["score"] == pytest.approx(27 * 1.5 + 21.87 * 1.5, abs=0.01)   # two officers: corroborated
    assert {item["describe"] for item in explanation["items"]} == {
        "3 × 9 × 1.00 (A1) × 1.00 (0.0 h) × 1.5 = 40.5", "3 × 9 × 0.81 (B2) × 1.00 (0.0 h) × 1.5 = 32.8"}
    assert explanation["arithmetic"] == "40.50 + 32.81 = 73.31"
    cents = sum(round(item["weight"] * 100) for item in explanation["items"]) + round(explanation["rest"]["weight"] * 100)
    assert cents == round(body["score"] * 100) == round(explanation["sum"] * 100)    # the lines add up exactly
    assert len(body["reports"]) == 2 and body["history"][0]["event"] == "opened"
    assert body["level"] == "sangat_rawan"
    mine = world.api.get(f"/api/v1/alerts/{alert['id']}", token=area["a"].token).json()
    assert [item["officer"] for item in mine["explanation"]["items"]] == [area["a"].username]
    assert [report["officer"] for report in mine["reports"]] == [area["a"].username]
    assert mine["explanation"]["arithmetic"] == explanation["arithmetic"]


def test_without_if_match_428_with_a_stale_one_412_and_nothing_changes(world, area):
    world.api.push(area["a"].token, [incident(area["desa"][0])])
    alert = alert_for(world, area["polsek"].token, area["desa"][0])
    missing = world.api.post(f"/api/v1/alerts/{alert['id']}/actions", token=area["polsek"].token,
                             json={"action": "acknowledge"})
    assert_error(missing, 428, "precondition.required")
    stale = act(world, area["polsek"].token, alert, version=alert["version"] + 1, action="acknowledge")
    error = assert_error(stale, 412, "precondition.stale")
    assert error["details"]["current"] == alert_for(world, area["polsek"].token, area["desa"][0])
    assert error["details"]["current"]["status"] == "open"
    history = world.api.get(f"/api/v1/alerts/{alert['id']}", token=area["polsek"].token).json()["history"]
    assert [event["event"] for event in history] == ["opened"]


def test_actions_walk_the_states_bump_the_version_and_are_audited(world, area):
    world.api.push(area["a"].token, [incident(area["desa"][0])])
    token = area["polres"].token
    alert = alert_for(world, token, area["desa"][0])
    steps = [("acknowledge", {}, "acknowledged"), ("respond", {"response": "Patroli gabungan"}, "in_progress"),
             ("resolve", {"note": "Kondusif", "response": "Patroli gabungan"}, "resolved"), ("reopen", {}, "open")]
    for action, extra, status in steps:
        response = act(world, token, alert, action=action, **extra)
        assert response.status_code == 200, response.text
        assert response.json()["version"] == alert["version"] + 1 and response.json()["status"] == status
        assert response.headers["etag"] == f'"{alert["version"] + 1}"'
        alert = response.json()
    assert alert["deadline_at"] == "2024-11-27T21:00:00Z" and alert["response"] == "Patroli gabungan"
    assert_error(act(world, token, alert, action="reopen"), 409, "alert.invalid_transition")
    assert_error(act(world, token, alert, action="respond"), 422, "request.invalid")
    history = world.api.get(f"/api/v1/alerts/{alert['id']}", token=token).json()["history"]
    assert [(e["event"], e["actor"]) for e in history] == [
        ("opened", "system"), *((action, area["polres"].username) for action, _, _ in steps)]
    assert history[3]["note"] == "Kondusif" and history[2]["data"] == {"response": "Patroli gabungan"}


def test_assigning_an_officer_gives_them_a_task(world, area):
    world.api.push(area["a"].token, [incident(area["desa"][0])])
    alert = alert_for(world, area["polsek"].token, area["desa"][0])
    outsider = world.officer("15.71.01.1004")
    refused = act(world, area["polsek"].token, alert, action="assign", assignee=outsider.username)
    assert assert_error(refused, 422, "request.invalid")["details"]["fields"] == {
        "assignee": "Petugas tidak ditemukan di wilayah peringatan ini."}
    done = act(world, area["polsek"].token, alert, action="assign", assignee=area["b"].username,
               note="Cek TPS 03 sekarang.")
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["assignee"]) == ("in_progress", area["b"].username)
    changes, _ = world.api.pull_all(area["b"].token)
    (task,) = [change["data"] for change in changes if change["kind"] == "task"]
    assert (task["alert_id"], task["note"], task["by"]) == (alert["id"], "Cek TPS 03 sekarang.",
                                                            area["polsek"].username)
    others, _ = world.api.pull_all(area["a"].token)
    assert not [change for change in others if change["kind"] == "task"]


def test_officers_see_the_alerts_of_their_area_and_nothing_else(world, area):
    world.api.push(area["a"].token, [incident(area["desa"][0])])
    elsewhere, far = fresh_kecamatan()
    stranger = world.officer(far[0])
    world.api.push(stranger.token, [incident(far[0])])
    mine = alerts_of(world, area["a"].token)
    assert area["desa"][0] in {item["region_code"] for item in mine}
    assert not any(item["region_code"].startswith(elsewhere) for item in mine)
    theirs = alert_for(world, stranger.token, far[0])
    hidden = world.api.get(f"/api/v1/alerts/{theirs['id']}", token=area["a"].token)
    missing = world.api.get("/api/v1/alerts/00000000-0000-4000-8000-000000000000", token=area["a"].token)
    assert assert_error(hidden, 404, "not_found") == assert_error(missing, 404, "not_found")
    assert_error(act(world, area["a"].token, alert_for(world, area["a"].token, area["desa"][0]),
                     action="acknowledge"), 403, "auth.forbidden")
    foreign = world.supervisor(elsewhere)
    assert_error(act(world, foreign.token, alert_for(world, area["a"].token, area["desa"][0]),
                     action="acknowledge"), 404, "not_found")


def test_a_rejected_report_lowers_the_score_and_a_duplicate_counts_once(world, area):
    desa = area["desa"][0]
    first, second = incident(desa), incident(desa, observed_at=(T - timedelta(minutes=4)).isoformat(),
                                             source_reliability=None, info_credibility=None)
    world.api.push(area["a"].token, [first])
    world.api.push(area["b"].token, [second])
    token = area["polsek"].token
    both = 27 * 1.5 + 3 * 9 * 0.49 * 1.5 * 0.5 ** (4 / 60 / 72)          # two officers: corroborated
    assert alert_for(world, token, desa)["score"] == round(both, 2)
    response = world.api.post(f"/api/v1/reports/{second['id']}/review", token=token,
                              json={"verdict": "duplicate", "duplicate_of": first["id"]})
    assert response.status_code == 200, response.text
    assert alert_for(world, token, desa)["score"] == 27.0                # counted once, no corroboration
    response = world.api.post(f"/api/v1/reports/{first['id']}/review", token=token, json={"verdict": "reject"})
    assert response.status_code == 200, response.text
    alert = alert_for(world, token, desa)
    assert (alert["score"], alert["level"], alert["report_count"]) == (0.0, "kurang_rawan", 0)
    assert alert["status"] == "open"                                    # decayed, still to be resolved


def test_the_regions_route_in_scope(world, area):
    world.api.push(area["a"].token, [incident(area["desa"][0])])
    world.api.pull_all(area["b"].token)                                 # a sync: b's two desa are heard from
    body = world.api.get(f"/api/v1/regions/{area['kecamatan']}", token=area["polsek"].token).json()
    assert (body["code"], body["region_level"], body["level"], body["score"]) == (
        area["kecamatan"], "kecamatan", "rawan", 27.0)
    assert {alert["region_code"] for alert in body["open_alerts"]} == {area["desa"][0]}   # one incident, one alert
    assert (body["open_alert"], body["alerts_below"]["highest_level"]) == (None, "rawan")
    children = {child["code"]: child for child in body["children"]}
    assert set(children) == set(area["desa"])
    assert children[area["desa"][0]]["open_alert"]["level"] == "rawan"
    quiet = children[area["desa"][-1]]
    assert (quiet["level"], quiet["summary"], quiet["coverage_gap"]) == ("kurang_rawan", "tidak_ada_kabar", True)
    assert children[area["desa"][0]]["coverage_gap"] is False and body["coverage"]["critical_stage"]
    assert body["coverage"]["silent_desa"] == len(area["desa"]) - 2
    assert area["desa"][1] not in {gap["code"] for gap in body["coverage"]["gaps"]}
    upper = world.api.get(f"/api/v1/regions/{area['kecamatan'].rpartition('.')[0]}", token=area["polsek"].token)
    assert_error(upper, 404, "not_found")
    assert_error(world.api.get("/api/v1/regions/99.99", token=area["polsek"].token), 404, "not_found")
    mine = world.api.get(f"/api/v1/regions/{area['desa'][0]}", token=area["a"].token)
    assert mine.status_code == 200 and mine.json()["children"] == []


def test_list_filters_and_pages(world, area):
    kecamatan_officer = world.officer(*area["desa"][1:3])   # in their own area; two officers corroborate
    for officer, desa in zip((area["a"], kecamatan_officer, kecamatan_officer), area["desa"][:3], strict=True):
        world.api.push(officer.token, [incident(desa)])
    token = area["polsek"].token
    everything = alerts_of(world, token)
    # three rawan desa make their kecamatan sangat_rawan, above every child: spread, its own alert
    assert {item["region_code"] for item in everything} == {*area["desa"][:3], area["kecamatan"]}
    assert {item["region_code"] for item in alerts_of(world, token, level="sangat_rawan")} == {area["kecamatan"]}
    assert alerts_of(world, token, status="resolved") == [] and len(alerts_of(world, token, status="active")) == 4
    assert alerts_of(world, token, region="15.71") == []
    page = world.api.get("/api/v1/alerts", token=token, params={"limit": 3}).json()
    rest = world.api.get("/api/v1/alerts", token=token, params={"limit": 3, "cursor": page["next_cursor"]}).json()
    assert len(page["items"]) == 3 and len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert [item["id"] for item in page["items"] + rest["items"]] == [item["id"] for item in everything]
    for params in ({"level": "merah"}, {"status": "closed"}, {"region": "99"}, {"cursor": "abc"}):
        assert_error(world.api.get("/api/v1/alerts", token=token, params=params), 422, "request.invalid")

"""No lone-officer alarms, through the real server with an injected clock (issue 12, item 2).

A stolen phone of a Kota Jambi officer pushes 500 GN bentrok reports graded A1 into a desa of
Kerinci (another Polres) in one request. The desa may become rawan, never sangat_rawan; nothing
opens at kecamatan, kabupaten or province; the explanation says why the reports count less; and one
bulk rejection by the Kerinci Polres undoes it — the score is back to what it was, at once, and the
officer's pull carries the verdicts."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.server.alerts_support import admin_world, clocked_server, wib
from tests.server.helpers import World, assert_error, report

T = wib("11-27 22:00")
TARGET = "15.01.01.2001"             # a desa of Kerinci
HOME = "15.71.01.1001"               # the officer's own desa, in Kota Jambi


server = clocked_server("lone", T)
world = admin_world()


def clash(minutes: int) -> dict:
    return report(desa_code=TARGET, category="bentrok", threat_stage="GN", source_reliability="A",
                  info_credibility=1, observed_at=(T - timedelta(minutes=minutes)).isoformat(),
                  facts="Bentrok massa di depan balai desa.")


def alerts(world: World, token: str) -> list[dict]:
    response = world.api.get("/api/v1/alerts", token=token, params={"limit": 1000})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_a_lone_push_from_another_polres_stays_rawan_and_one_bulk_rejection_undoes_it(server, world):
    local, intruder = world.officer(TARGET), world.officer(HOME)
    polres, polda = world.supervisor("15.01"), world.supervisor("15")
    world.api.push(local.token, [report(desa_code=TARGET, category="politik_uang", threat_stage="PG",
                                        observed_at=(T - timedelta(hours=2)).isoformat())])
    assert alerts(world, polda.token) == []
    before = server.states()[TARGET][1]

    pushed = world.api.push(intruder.token, [clash(minutes) for minutes in range(500)])
    assert len(pushed["results"]) == 500
    opened = {alert["region_code"]: alert for alert in alerts(world, polda.token)}
    assert set(opened) <= {TARGET}                       # nothing at kecamatan, kabupaten or province
    assert server.level(TARGET) == "rawan" and opened[TARGET]["level"] == "rawan"
    assert {server.level(code) for code in ("15.01.01", "15.01", "15")} == {"kurang_rawan"}

    detail = world.api.get(f"/api/v1/alerts/{opened[TARGET]['id']}", token=polres.token).json()
    explanation = detail["explanation"]
    reasons = {reason["code"] for item in explanation["items"] for reason in item["reasons"]}
    assert reasons == {"outside_area", "officer_limit"}
    assert any(reason["text"].startswith("di luar wilayah binaan") for item in explanation["items"]
               for reason in item["reasons"])
    cents = (sum(round(item["weight"] * 100) for item in explanation["items"])
             + round(explanation["rest"]["weight"] * 100))
    assert cents == round(detail["score"] * 100)         # the lines add up exactly to the score shown

    since = (T - timedelta(minutes=30)).isoformat()
    body = {"officer": intruder.username, "since": since, "verdict": "rejected", "note": "Ponsel dicuri."}
    elsewhere = world.supervisor("15.72")
    outside = world.api.post("/api/v1/reports/bulk-review", token=elsewhere.token, json=body)
    assert outside.status_code == 200 and outside.json()["count"] == 0    # not their reports to judge
    done = world.api.post("/api/v1/reports/bulk-review", token=polres.token, json=body)
    assert done.status_code == 200, done.text
    assert done.json()["count"] == 500
    assert server.states()[TARGET][1] == pytest.approx(before, rel=1e-12)   # at once, back to before
    assert server.level(TARGET) == "kurang_rawan"

    changes, _ = world.api.pull_all(intruder.token)
    verdicts = [change for change in changes if change["kind"] == "review"]
    assert len(verdicts) == 500 and {change["data"]["review"]["status"] for change in verdicts} == {"rejected"}
    again = world.api.post("/api/v1/reports/bulk-review", token=polres.token, json=body)
    assert again.json()["count"] == 0                    # nothing left to reject: no second verdict


def test_bulk_review_refuses_what_it_cannot_do(world):
    polres, officer = world.supervisor("15.01"), world.officer(TARGET)
    base = {"since": T.isoformat(), "verdict": "rejected"}
    assert_error(world.api.post("/api/v1/reports/bulk-review", token=officer.token,
                                json={**base, "officer": officer.username}), 403)
    both = world.api.post("/api/v1/reports/bulk-review", token=polres.token,
                          json={**base, "officer": officer.username, "device_id": "d"})
    assert assert_error(both, 422)["details"]["fields"].keys() == {"officer"}
    neither = world.api.post("/api/v1/reports/bulk-review", token=polres.token, json=base)
    assert_error(neither, 422)
    confirm = world.api.post("/api/v1/reports/bulk-review", token=polres.token,
                             json={**base, "officer": officer.username, "verdict": "confirm"})
    assert assert_error(confirm, 422)["details"]["fields"].keys() == {"verdict"}
    bad_time = world.api.post("/api/v1/reports/bulk-review", token=polres.token,
                              json={**base, "officer": officer.username, "since": "0001-01-01T00:00:00+14:00"})
    assert assert_error(bad_time, 422)["details"]["fields"].keys() == {"since"}


def test_a_corrected_report_stops_counting_when_its_correction_arrives(server, world):
    desa = "15.01.01.2002"
    officer, polres = world.officer(desa), world.supervisor("15.01")
    original = report(desa_code=desa, category="bentrok", threat_stage="GN", source_reliability="A",
                      info_credibility=1, observed_at=T.isoformat())
    world.api.push(officer.token, [original])
    alerts(world, polres.token)                          # settled: the clash counts
    assert server.states()[desa][1] == pytest.approx(27.0)
    correction = report(desa_code=desa, category="intimidasi", threat_stage="PG", source_reliability="A",
                        info_credibility=1, observed_at=T.isoformat(), supersedes=original["id"])
    world.api.push(officer.token, [correction])
    alerts(world, polres.token)
    level, score, count = server.states()[desa][:3]
    assert (score, count) == (pytest.approx(2.0), 1)     # intimidasi PG A1 alone: 2 × 1 × 1.0

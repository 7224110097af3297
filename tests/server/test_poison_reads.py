"""Issue 11 item 1: one report must never break anyone's reads.

A time that is valid ISO-8601 but cannot be converted to UTC (``0001-01-01T00:00:00+14:00``) used
to be accepted in ``recorded_at`` and then made every read that rendered it answer 500. These tests
go through a real server: the push refuses such times (and a ``stage`` that contradicts
``observed_at``), bad time parameters are 422, and a row stored before the fix (planted in the
database as an older server left it) is still readable on every route, rendered as its stored text.
"""
from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from tests.server.alerts_support import ClockedServer, admin_world, clocked_server, wib
from tests.server.helpers import World, assert_error, fresh_kecamatan, report

T = wib("11-27 22:00")
POISON = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T06:00:00+07:00"]


server = clocked_server("poison", T)
world = admin_world()


@pytest.fixture
def area(world):
    kecamatan, desa = fresh_kecamatan()
    return {"kecamatan": kecamatan, "desa": desa[0], "polsek": world.supervisor(kecamatan),
            "officer": world.officer(desa[0])}


def incident(desa: str, **overrides) -> dict:
    """A GN clash graded A1 at the clock's time: enough alone to open an alert on its desa."""
    return report(**{"observed_at": T.isoformat(), "category": "bentrok", "threat_stage": "GN",
                     "desa_code": desa, "source_reliability": "A", "info_credibility": 1, **overrides})


def push_one(world: World, token: str, body: dict) -> dict:
    (result,) = world.api.push(token, [body])["results"]
    return result


def plant(server: ClockedServer, report_id: str, **wire_values) -> None:
    """Store ``wire_values`` in a report's wire as a server before the fix let them in: below every port
    on purpose (no port writes what the push refuses), so on the clocked server's SQLite file."""
    with sqlite3.connect(server.db) as conn:
        (wire,) = conn.execute("SELECT wire FROM reports WHERE id = ?", (report_id,)).fetchone()
        stored = {**json.loads(wire), **wire_values}
        text = json.dumps(stored, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        conn.execute("UPDATE reports SET wire = ? WHERE id = ?", (text, report_id))


# ---- the push refuses what cannot be rendered

@pytest.mark.parametrize("recorded_at", [*POISON, "2024-11-27T21:40:00+23:59", "2024-11-27T21:40:00-14:01",
                                         "2023-12-31T23:59:00+07:00", "2024-11-28T00:00:00+07:00"])
def test_a_recorded_at_out_of_range_is_invalid(world, area, recorded_at):
    result = push_one(world, area["officer"].token, incident(area["desa"], recorded_at=recorded_at))
    assert result["status"] == "invalid", result
    assert set(result["error"]["fields"]) == {"reports[0].recorded_at"}


@pytest.mark.parametrize("observed_at", ["2024-11-27T21:40:00+14:01", "2024-11-27T21:40:00-23:00"])
def test_an_observed_at_offset_beyond_14_hours_is_invalid(world, area, observed_at):
    result = push_one(world, area["officer"].token, incident(area["desa"], observed_at=observed_at))
    assert result["status"] == "invalid"
    assert set(result["error"]["fields"]) == {"reports[0].observed_at"}


def test_edge_offsets_and_times_are_accepted(world, area):
    body = incident(area["desa"], observed_at="2024-11-28T05:00:00+14:00", recorded_at="2024-11-27T01:00:00-14:00")
    assert push_one(world, area["officer"].token, body)["status"] == "created"


def test_a_stage_that_contradicts_observed_at_is_invalid(world, area):
    wrong = incident(area["desa"], observed_at="2024-10-01T10:00:00+07:00", stage="pemungutan_suara")
    result = world.api.post("/api/v1/sync/push", token=area["officer"].token, json={"reports": [wrong]},
                            headers={"Accept-Language": "en"}).json()["results"][0]
    assert result["status"] == "invalid"
    assert "kampanye" in result["error"]["fields"]["reports[0].stage"]
    right = incident(area["desa"], observed_at="2024-10-01T10:00:00+07:00", stage="kampanye")
    assert push_one(world, area["officer"].token, right)["status"] == "created"


# ---- time parameters

@pytest.mark.parametrize("since", [*POISON, "2024-11-27T10:00:00+24:00", "2024-11-27T10:00:00+14:30"])
def test_a_since_that_cannot_be_a_utc_time_is_422(world, since):
    response = world.api.get("/api/v1/reports", token=world.admin.token, params={"since": since})
    assert assert_error(response, 422, "request.invalid")["details"]["reasons"] == {"since": "format"}


def test_an_edge_since_is_fine(world):
    for since in ("2024-11-27T10:00:00+14:00", "1970-01-01T00:00:00Z"):
        assert world.api.get("/api/v1/reports", token=world.admin.token, params={"since": since}).status_code == 200


@pytest.mark.parametrize(("day", "reason"), [("0001-01-01", "too_early"), ("2023-12-31", "too_early"),
                                             ("9999-12-31", "future"), ("2024-02-30", "format")])
def test_a_sitrep_date_out_of_range_is_422(world, day, reason):
    response = world.api.get("/api/v1/export/sitrep.pdf", token=world.admin.token, params={"date": day})
    assert assert_error(response, 422, "request.invalid")["details"]["reasons"] == {"date": reason}


# ---- a row stored before the fix is readable everywhere

def test_a_stored_poison_report_reads_back_on_every_route(server, world, area):
    officer, polsek = area["officer"], area["polsek"]
    before = world.api.pull_all(polsek.token)[1][-1]
    owner_before = world.api.pull_all(officer.token)[1][-1]
    body = incident(area["desa"])
    assert push_one(world, officer.token, body)["status"] == "created"
    plant(server, body["id"], recorded_at=POISON[0])
    api, token = world.api, polsek.token

    listed = api.get("/api/v1/reports", token=token, params={"region": area["kecamatan"]})
    assert listed.status_code == 200, listed.text
    assert [item["recorded_at"] for item in listed.json()["items"]] == [POISON[0]]
    for reader in (officer.token, token):
        one = api.get(f"/api/v1/reports/{body['id']}", token=reader)
        assert one.status_code == 200 and one.json()["recorded_at"] == POISON[0], one.text
        assert one.json()["observed_at"] == "2024-11-27T15:00:00Z"

    (alert,) = [item for item in api.get("/api/v1/alerts", token=token, params={"region": area["desa"]}).json()["items"]
                if item["region_code"] == area["desa"]]
    detail = api.get(f"/api/v1/alerts/{alert['id']}", token=token)
    assert detail.status_code == 200, detail.text
    assert [item["recorded_at"] for item in detail.json()["reports"]] == [POISON[0]]

    changes, _ = api.pull_all(token, before)                      # every page answers 200
    reports = [change["data"] for change in changes if change["kind"] == "report"]
    assert [data["recorded_at"] for data in reports if data["id"] == body["id"]] == [POISON[0]]
    api.pull_all(officer.token, owner_before)

    exported = api.get("/api/v1/export/reports.csv", token=token)
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text.removeprefix("\ufeff"))))
    assert [row["observed_at_wib"] for row in rows if row["id"] == body["id"]] == ["2024-11-27 22:00:00"]
    assert api.get("/api/v1/export/alerts.geojson", token=token).status_code == 200
    assert api.get("/api/v1/export/sitrep.pdf", token=token).status_code == 200

    reviewed = api.post(f"/api/v1/reports/{body['id']}/review", token=token, json={"verdict": "confirm"})
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["review"]["status"] == "confirmed" and reviewed.json()["recorded_at"] == POISON[0]
    changes, _ = api.pull_all(officer.token, owner_before)
    assert [change["data"]["report_id"] for change in changes if change["kind"] == "review"] == [body["id"]]


def test_a_stored_unreadable_observed_at_in_the_wire_is_shown_as_stored(server, world, area):
    body = incident(area["desa"])
    assert push_one(world, area["officer"].token, body)["status"] == "created"
    plant(server, body["id"], recorded_at="9999-12-31T23:59:59-14:00")
    exported = world.api.get("/api/v1/export/reports.csv", token=area["polsek"].token)
    assert exported.status_code == 200 and body["id"] in exported.text
    one = world.api.get(f"/api/v1/reports/{body['id']}", token=area["officer"].token)
    assert one.status_code == 200 and one.json()["recorded_at"] == "9999-12-31T23:59:59-14:00"

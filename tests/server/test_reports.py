"""GET /api/v1/reports, GET /api/v1/reports/{id}, POST /api/v1/reports/{id}/review."""
from __future__ import annotations

import uuid

import pytest

from tests.server.helpers import assert_error, fresh_kecamatan, report


@pytest.fixture
def area(world):
    """A kecamatan of its own, an officer there and its supervisor."""
    kecamatan, desa = fresh_kecamatan()
    return kecamatan, desa, world.officer(desa[0]), world.supervisor(kecamatan)


def list_ids(api, token, **params) -> list[str]:
    response = api.get("/api/v1/reports", token=token, params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_list_is_newest_first_and_pages_with_next_cursor(api, area):
    kecamatan, desa, officer, supervisor = area
    sent = [report(desa_code=desa[0]) for _ in range(5)]
    for one in sent:
        api.push(officer.token, [one])
    first = api.get("/api/v1/reports", token=supervisor.token, params={"limit": 2}).json()
    assert [item["id"] for item in first["items"]] == [sent[4]["id"], sent[3]["id"]]
    seen, cursor = [item["id"] for item in first["items"]], first["next_cursor"]
    while cursor is not None:
        page = api.get("/api/v1/reports", token=supervisor.token, params={"limit": 2, "cursor": cursor}).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert seen == [one["id"] for one in reversed(sent)]


def test_filters(api, area):
    kecamatan, desa, officer, supervisor = area
    money = report(desa_code=desa[0], category="politik_uang", threat_stage="PG",
                   observed_at="2024-11-25T20:00:00+07:00")
    clash = report(desa_code=desa[-1], category="bentrok")
    api.push(officer.token, [money, clash])
    assert list_ids(api, supervisor.token, category="politik_uang") == [money["id"]]
    assert list_ids(api, supervisor.token, stage="masa_tenang") == [money["id"]]
    assert list_ids(api, supervisor.token, region=desa[-1]) == ([clash["id"]] if desa[-1] != desa[0] else
                                                               [clash["id"], money["id"]])
    assert set(list_ids(api, supervisor.token, review="pending")) == {money["id"], clash["id"]}
    assert list_ids(api, supervisor.token, review="confirmed") == []
    assert list_ids(api, supervisor.token, since="2999-01-01T00:00:00Z") == []
    assert len(list_ids(api, supervisor.token, since="2024-01-01T00:00:00+07:00")) == 2


def test_region_filter_outside_scope_matches_nothing(api, area, world):
    kecamatan, desa, officer, supervisor = area
    api.push(officer.token, [report(desa_code=desa[0])])
    other, _ = fresh_kecamatan()
    assert list_ids(api, supervisor.token, region=other) == []
    parent = kecamatan.rsplit(".", 1)[0]              # the kabupaten: only the in-scope part shows
    assert len(list_ids(api, supervisor.token, region=parent)) == 1


@pytest.mark.parametrize("params", [
    {"region": "99.99"}, {"region": "abc"}, {"category": "nope"}, {"stage": "nope"}, {"review": "nope"},
    {"since": "yesterday"}, {"since": "2024-11-27T10:00:00"}, {"limit": 0}, {"limit": 5000},
    {"cursor": "x1"}, {"cursor": "-3"}, {"cursor": "0"},
])
def test_bad_filters_are_422(api, world, params):
    assert_error(api.get("/api/v1/reports", token=world.admin.token, params=params), 422, "request.invalid")


def test_officer_reads_own_report_only(api, area, world):
    kecamatan, desa, officer, supervisor = area
    neighbour = world.officer(desa[0])
    sent = report(desa_code=desa[0])
    api.push(officer.token, [sent])
    assert api.get(f"/api/v1/reports/{sent['id']}", token=officer.token).status_code == 200
    assert api.get(f"/api/v1/reports/{sent['id'].upper()}", token=officer.token).status_code == 200
    hidden = assert_error(api.get(f"/api/v1/reports/{sent['id']}", token=neighbour.token), 404, "not_found")
    missing = assert_error(api.get(f"/api/v1/reports/{uuid.uuid4()}", token=neighbour.token), 404)
    assert hidden == missing                          # out of scope looks exactly like missing


def test_review_reaches_the_report_and_the_officers_feed(api, area):
    kecamatan, desa, officer, supervisor = area
    sent = report(desa_code=desa[0])
    api.push(officer.token, [sent])
    response = api.post(f"/api/v1/reports/{sent['id']}/review", token=supervisor.token,
                        json={"verdict": "confirm", "grade": "B2", "note": "Sudah dicek Polsek."})
    assert response.status_code == 200, response.text
    review = response.json()["review"]
    assert review["status"] == "confirmed" and review["grade"] == "B2" and review["by"] == supervisor.username
    assert review["at"].endswith("Z")
    changes, _ = api.pull_all(officer.token)
    assert [(c["kind"], c["data"]["report_id"], c["data"]["review"]["status"]) for c in changes] == [
        ("review", sent["id"], "confirmed")]
    stored = api.get(f"/api/v1/reports/{sent['id']}", token=officer.token).json()
    assert stored["review"] == review
    assert list_ids(api, supervisor.token, review="confirmed") == [sent["id"]]


def test_duplicate_verdict_needs_a_readable_original(api, area, world):
    kecamatan, desa, officer, supervisor = area
    first, second = report(desa_code=desa[0]), report(desa_code=desa[0])
    api.push(officer.token, [first, second])
    path = f"/api/v1/reports/{second['id']}/review"
    error = assert_error(api.post(path, token=supervisor.token, json={"verdict": "duplicate"}), 422)
    assert "duplicate_of" in error["details"]["fields"]
    elsewhere_kecamatan, elsewhere_desa = fresh_kecamatan()
    stranger = report(desa_code=elsewhere_desa[0])
    api.push(world.officer(elsewhere_desa[0]).token, [stranger])
    for original in (stranger["id"], str(uuid.uuid4()), second["id"]):
        error = assert_error(api.post(path, token=supervisor.token,
                                      json={"verdict": "duplicate", "duplicate_of": original}), 422)
        assert "duplicate_of" in error["details"]["fields"]
    done = api.post(path, token=supervisor.token, json={"verdict": "duplicate", "duplicate_of": first["id"]})
    assert done.status_code == 200 and done.json()["review"]["duplicate_of"] == first["id"]


@pytest.mark.parametrize("body, field", [
    ({"verdict": "maybe"}, "verdict"),
    ({}, "verdict"),
    ({"verdict": "confirm", "grade": "G7"}, "grade"),
    ({"verdict": "confirm", "note": "x" * 1001}, "note"),
    ({"verdict": "confirm", "duplicate_of": "6f1c2b9e-4a57-4c1e-9d0b-2f3a8e7c1d55"}, "duplicate_of"),
    ({"verdict": "reject", "extra": 1}, "extra"),
    ([], "$"),
])
def test_bad_review_bodies_are_422(api, area, body, field):
    kecamatan, desa, officer, supervisor = area
    sent = report(desa_code=desa[0])
    api.push(officer.token, [sent])
    error = assert_error(api.post(f"/api/v1/reports/{sent['id']}/review", token=supervisor.token, json=body),
                         422, "request.invalid")
    assert field in error["details"]["fields"]


def test_review_out_of_scope_is_404(api, area, world):
    kecamatan, desa, officer, supervisor = area
    sent = report(desa_code=desa[0])
    api.push(officer.token, [sent])
    other, _ = fresh_kecamatan()
    outsider = world.supervisor(other)
    assert_error(api.post(f"/api/v1/reports/{sent['id']}/review", token=outsider.token,
                          json={"verdict": "reject"}), 404, "not_found")
    assert api.get(f"/api/v1/reports/{sent['id']}", token=officer.token).json()["review"]["status"] == "pending"

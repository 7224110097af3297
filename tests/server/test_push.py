"""POST /api/v1/sync/push against the real server: idempotence, conflicts, mixed batches."""
from __future__ import annotations

import gzip
import json

from tests.server.helpers import DESA_A, KOTA_JAMBI_DESA, assert_error, report


def test_created_report_reads_back_with_what_the_server_added(api, world):
    officer = world.officer(DESA_A)
    sent = report(observed_at="2024-11-27T21:40:00+07:00", people_count=40, source_reliability="B",
                  info_credibility=2)
    body = api.push(officer.token, [sent])
    assert body["results"] == [{"id": sent["id"], "status": "created"}]
    stored = api.get(f"/api/v1/reports/{sent['id']}", token=officer.token).json()
    assert stored["officer"] == officer.username
    assert stored["observed_at"] == "2024-11-27T14:40:00Z"
    assert stored["stage"] == "pemungutan_suara"
    assert stored["received_at"].endswith("Z")
    assert stored["review"]["status"] == "pending"
    assert stored["seq"] <= body["cursor"]
    assert {key: stored[key] for key in ("people_count", "source_reliability", "info_credibility")} == {
        "people_count": 40, "source_reliability": "B", "info_credibility": 2}


def test_replayed_batch_changes_nothing(api, world):
    officer = world.officer()
    batch = [report(), report(category="politik_uang", threat_stage="PG")]
    first = api.push(officer.token, batch)
    seqs = [api.get(f"/api/v1/reports/{r['id']}", token=officer.token).json()["seq"] for r in batch]
    again = api.push(officer.token, batch)
    assert [r["status"] for r in first["results"]] == ["created", "created"]
    assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate"]
    assert [api.get(f"/api/v1/reports/{r['id']}", token=officer.token).json()["seq"] for r in batch] == seqs
    assert again["cursor"] >= first["cursor"]


def test_same_id_other_content_is_a_conflict_and_the_original_survives(api, world):
    officer = world.officer()
    original = report(facts="Versi pertama.")
    api.push(officer.token, [original])
    changed = {**original, "facts": "Versi kedua yang berbeda."}
    body = api.push(officer.token, [changed])
    result = body["results"][0]
    assert result["status"] == "conflict"
    assert result["error"]["code"] == "report.conflict"
    stored = api.get(f"/api/v1/reports/{original['id']}", token=officer.token).json()
    assert stored["facts"] == "Versi pertama."


def test_mixed_batch_stores_exactly_its_valid_reports(api, world):
    officer = world.officer()
    good_1, good_2 = report(), report(desa_code=KOTA_JAMBI_DESA)   # officers report from anywhere
    bad_desa = report(desa_code="15.72.07")                       # a kecamatan, not a desa
    bad_type = report(people_count="banyak")
    body = api.push(officer.token, [good_1, bad_desa, good_2, bad_type, "not an object"])
    statuses = [r["status"] for r in body["results"]]
    assert statuses == ["created", "invalid", "created", "invalid", "invalid"]
    assert [r["id"] for r in body["results"][:4]] == [good_1["id"], bad_desa["id"], good_2["id"], bad_type["id"]]
    assert body["results"][4]["id"] is None
    assert "reports[1].desa_code" in body["results"][1]["error"]["fields"]
    assert "reports[3].people_count" in body["results"][3]["error"]["fields"]
    assert all(body["results"][i]["error"]["code"] == "report.invalid" for i in (1, 3, 4))
    for sent, status in ((good_1, 200), (good_2, 200), (bad_desa, 404), (bad_type, 404)):
        assert api.get(f"/api/v1/reports/{sent['id']}", token=officer.token).status_code == status


def test_same_id_twice_in_one_batch(api, world):
    officer = world.officer()
    one = report()
    other = {**one, "facts": "lain"}
    body = api.push(officer.token, [one, dict(one), other])
    assert [r["status"] for r in body["results"]] == ["created", "duplicate", "conflict"]


def test_push_answers_in_english_when_asked(api, world):
    officer = world.officer()
    response = api.post("/api/v1/sync/push", token=officer.token, json={"reports": [report(desa_code="99")]},
                        headers={"Accept-Language": "en-US,en;q=0.9"})
    fields = response.json()["results"][0]["error"]["fields"]
    indonesian = api.push(officer.token, [report(desa_code="99")])["results"][0]["error"]["fields"]
    assert fields["reports[0].desa_code"] != indonesian["reports[0].desa_code"]


def test_gzip_body_is_accepted(api, world):
    officer = world.officer()
    sent = report()
    response = api.post("/api/v1/sync/push", token=officer.token,
                        content=gzip.compress(json.dumps({"reports": [sent]}).encode()),
                        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert response.status_code == 200, response.text
    assert response.json()["results"] == [{"id": sent["id"], "status": "created"}]


def test_empty_push_is_fine_and_gives_the_cursor(api, world):
    officer = world.officer()
    body = api.push(officer.token, [])
    assert body["results"] == [] and isinstance(body["cursor"], int) and body["cursor"] >= 0


def test_push_is_for_officers_only(api, world):
    supervisor = world.supervisor()
    response = api.post("/api/v1/sync/push", token=supervisor.token, json={"reports": [report()]})
    assert_error(response, 403, "auth.forbidden")
    assert_error(api.post("/api/v1/sync/push", token=world.admin.token, json={"reports": []}), 403)

"""Issue 11 §4: ``supersedes`` is checked at intake (kerawanan.corrections) and recorded, through the
real server: only the author corrects a stored report of theirs, at most once, never in a cycle;
the corrected report reads back with ``superseded_by``."""
from __future__ import annotations

import uuid

from tests.server.helpers import DESA_A, DESA_B, KOTA_JAMBI_DESA, report


def results(api, officer, batch: list[dict]) -> list[dict]:
    return api.push(officer.token, batch)["results"]


def read(api, token: str, report_id: str) -> dict:
    response = api.get(f"/api/v1/reports/{report_id}", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def refused(result: dict, code: str, index: int = 0) -> None:
    assert result["status"] == "invalid", result
    assert result["error"]["code"] == code
    assert list(result["error"]["fields"]) == [f"reports[{index}].supersedes"]


def test_the_author_corrects_a_report_and_both_read_back_linked(api, world):
    officer = world.officer(DESA_A)
    supervisor = world.supervisor()
    original = report(desa_code=DESA_A)
    results(api, officer, [original])
    fix = report(desa_code=DESA_B, supersedes=original["id"], facts="Koreksi: TPS 04, bukan TPS 03.")
    assert results(api, officer, [fix]) == [{"id": fix["id"], "status": "created"}]
    assert read(api, officer.token, original["id"])["superseded_by"] == fix["id"]
    assert read(api, officer.token, fix["id"])["superseded_by"] is None
    assert read(api, supervisor.token, original["id"])["superseded_by"] == fix["id"]
    listed = api.get("/api/v1/reports", token=supervisor.token, params={"region": DESA_A, "limit": 1000}).json()
    assert {item["id"]: item["superseded_by"] for item in listed["items"]}[original["id"]] == fix["id"]
    pulled, _ = api.pull_all(supervisor.token)
    seen = {c["data"]["id"]: c["data"]["superseded_by"] for c in pulled if c["kind"] == "report"}
    assert seen[original["id"]] == fix["id"] and seen[fix["id"]] is None
    assert results(api, officer, [fix]) == [{"id": fix["id"], "status": "duplicate"}]   # a retry is safe


def test_another_officers_report_and_a_missing_id_get_the_same_refusal(api, world):
    author, other = world.officer(DESA_A), world.officer(KOTA_JAMBI_DESA)
    original = report(desa_code=DESA_A)
    results(api, author, [original])
    theirs, missing = (report(desa_code=KOTA_JAMBI_DESA, supersedes=target)
                       for target in (original["id"], str(uuid.uuid4())))
    first, second = results(api, other, [theirs, missing])
    refused(first, "report.supersedes_unknown")
    refused(second, "report.supersedes_unknown", 1)
    assert first["error"]["message"] == second["error"]["message"]        # existence does not leak
    assert read(api, author.token, original["id"])["superseded_by"] is None
    assert api.get(f"/api/v1/reports/{theirs['id']}", token=other.token).status_code == 404   # not stored


def test_a_report_is_superseded_at_most_once(api, world):
    officer = world.officer(DESA_A)
    original = report()
    first, second = report(supersedes=original["id"]), report(supersedes=original["id"])
    answer = results(api, officer, [original, first, second])
    assert [r["status"] for r in answer[:2]] == ["created", "created"]
    refused(answer[2], "report.supersedes_taken", 2)
    chained = report(supersedes=first["id"])              # correcting the correction is the way
    assert results(api, officer, [chained])[0]["status"] == "created"
    assert read(api, officer.token, original["id"])["superseded_by"] == first["id"]
    assert read(api, officer.token, first["id"])["superseded_by"] == chained["id"]


def test_a_correction_before_its_original_and_a_cycle_are_refused(api, world):
    officer = world.officer(DESA_A)
    early_fix, late_original = report(), report()
    early_fix["supersedes"] = late_original["id"]
    one, two = results(api, officer, [early_fix, late_original])
    refused(one, "report.supersedes_unknown")
    assert two["status"] == "created"
    a, b = report(), report()
    a["supersedes"], b["supersedes"] = b["id"], a["id"]
    first, second = results(api, officer, [a, b])
    refused(first, "report.supersedes_unknown")
    refused(second, "report.supersedes_unknown", 1)
    assert read(api, officer.token, late_original["id"])["superseded_by"] is None


def test_the_refusal_speaks_english_when_asked(api, world):
    officer = world.officer(DESA_A)
    body = api.post("/api/v1/sync/push", token=officer.token, headers={"Accept-Language": "en"},
                    json={"reports": [report(supersedes=str(uuid.uuid4()))]}).json()
    assert body["results"][0]["error"]["message"].startswith("The corrected report")

"""Rencana penebalan (issue 13.4) through the real server: strength an admin sets (audited), the
proposal by the rule of assets/penebalan.toml, the commander's numbers saved as versions, Polda's
allocation becoming a Polres' pool, the PDF annex; and the rule itself with hand-made numbers.

On voting day (a critical tahapan) with no reports, Polda's baseline makes Kabupaten Kerinci and
Kota Sungai Penuh rawan and every other kabupaten/kota kurang_rawan with no need. Each test has a
server of its own (``scene``: the shipped strength figures, no plan saved), so any of them runs alone;
``polda_bko_30`` is the admin setting Polda's BKO to 30 and Brimob to 0: 30 officers for the two
rawan regions, shared by need.
"""
from __future__ import annotations

import pytest

from sync_server.plans.allocation import Need, allocate, load_rule
from tests.server.alerts_support import ClockedServer, wib
from tests.server.helpers import PASSWORD, Actor, World, assert_error

ORDER = ("sangat_rawan", "rawan", "kurang_rawan")


def test_the_rule_fills_sangat_rawan_first_then_shares_by_need():
    needs = [Need("a", "rawan", 30), Need("b", "sangat_rawan", 50), Need("c", "rawan", 10), Need("d", "kurang_rawan", 5)]
    allocations, reserve = allocate(needs, 70, ORDER)
    assert [(item.code, item.allocated, item.shortfall) for item in allocations] == [
        ("a", 15, 15), ("b", 50, 0), ("c", 5, 5), ("d", 0, 5)]
    assert reserve == 0
    allocations, reserve = allocate(needs, 200, ORDER)
    assert [item.allocated for item in allocations] == [30, 50, 10, 5] and reserve == 105
    allocations, _ = allocate([Need("x", "rawan", 1), Need("y", "rawan", 1), Need("z", "rawan", 1)], 2, ORDER)
    assert [item.allocated for item in allocations] == [1, 1, 0]          # remainders: ties by code


def test_the_rule_file_must_name_every_level_once():
    assert load_rule('order = ["rawan", "sangat_rawan", "kurang_rawan"]') == ("rawan", "sangat_rawan", "kurang_rawan")
    with pytest.raises(ValueError, match="each of"):
        load_rule('order = ["rawan", "rawan", "kurang_rawan"]')


@pytest.fixture
def scene(tmp_path):
    """A fresh server on voting day: the shipped strength figures, no plan saved; its admin, a Polda and a
    Polres (Kerinci and Sungai Penuh) supervisor."""
    server = ClockedServer(tmp_path, wib("11-27 08:00"))
    try:
        admin = Actor("admin", "admin", ["15"], server.api.login("admin", PASSWORD))
        world = World(server.api, admin)
        polda, polres = world.supervisor("15"), world.supervisor("15.01", "15.72")
        yield server, admin, polda, polres
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()


@pytest.fixture
def polda_bko_30(scene):
    """The scene after an admin set Polda's BKO to 30 and Brimob to 0."""
    server, admin, _, _ = scene
    call(server, "PUT", "/api/v1/strength/Polda Jambi", admin.token,
         json={"polda_bko": 30, "brimob": 0, "source": "Sprin uji 2024"})
    return scene


def call(server, method, path, token, status=200, **kwargs):
    response = server.api.request(method, path, token=token, **kwargs)
    assert response.status_code == status, response.text
    return response.json() if "json" in response.headers.get("content-type", "") else response


def shared(needs: dict[str, int], pool: int) -> dict[str, int]:
    """The test's own arithmetic: floor shares, remainders to the largest fractions."""
    total = sum(needs.values())
    shares = {code: pool * need // total for code, need in needs.items()}
    ranked = sorted(needs, key=lambda code: (-(pool * needs[code] % total), -needs[code], code))
    for code in ranked[:pool - sum(shares.values())]:
        shares[code] += 1
    return shares


def test_an_admin_sets_strength_and_the_change_is_audited(scene):
    server, admin, polda, _ = scene
    assert_error(server.api.request("PUT", "/api/v1/strength/Polda Jambi", token=polda.token,
                                    json={"polda_bko": 30, "brimob": 0, "source": "Uji"}), 403)
    assert_error(server.api.request("PUT", "/api/v1/strength/Polres Kerinci", token=admin.token,
                                    json={"polda_bko": 5, "source": "Uji"}), 422)       # a Polres sends no BKO
    assert_error(server.api.request("PUT", "/api/v1/strength/Polres Atlantis", token=admin.token,
                                    json={"available": 5, "source": "Uji"}), 404)
    assert_error(server.api.request("PUT", "/api/v1/strength/Polda Jambi", token=admin.token,
                                    json={"polda_bko": -1, "source": "Uji"}), 422)
    done = call(server, "PUT", "/api/v1/strength/Polda Jambi", admin.token,
                json={"polda_bko": 30, "brimob": 0, "source": "Sprin uji 2024"})
    assert done == {"unit": "Polda Jambi", "available": 0, "polda_bko": 30, "brimob": 0, "source": "Sprin uji 2024"}
    body = call(server, "GET", "/api/v1/strength", admin.token)
    row = next(unit for unit in body["units"] if unit["unit"] == "Polda Jambi")
    assert (row["polda_bko"], row["brimob"], row["example"], row["set_by"]) == (30, 0, False, "admin")
    assert body["history"][0]["before"] == {"available": 0, "polda_bko": 300, "brimob": 250, "source": "contoh"}
    assert body["history"][0]["after"]["polda_bko"] == 30
    assert call(server, "GET", "/api/v1/strength", polda.token)["history"] is None     # the audit is the admin's


def test_the_alerts_strength_check_reads_what_an_admin_set(scene):
    """The same figures everywhere: the region panel's strength (the alert engine's personnel plan)
    follows an admin's correction at once, not the shipped file read at start."""
    server, admin, _, polres = scene
    before = call(server, "GET", "/api/v1/regions/15.01", polres.token)["personnel"]["strength"]
    assert before["unit"] == "Polres Kerinci" and before["example"] is True
    call(server, "PUT", "/api/v1/strength/Polres Kerinci", admin.token,
         json={"available": before["recommended"] - 7, "source": "Sprin uji Polres"})
    after = call(server, "GET", "/api/v1/regions/15.01", polres.token)["personnel"]["strength"]
    assert (after["available"], after["gap"], after["example"]) == (before["recommended"] - 7, 7, False)
    alert_strength = call(server, "GET", "/api/v1/regions/15.72", polres.token)["personnel"]["strength"]
    assert alert_strength["available"] == after["available"]          # one unit, one figure, whichever region


def test_polda_proposal_shares_its_30_by_need_between_the_two_rawan_regions(polda_bko_30):
    server, _, polda, _ = polda_bko_30
    body = call(server, "GET", "/api/v1/plans", polda.token)
    proposal = body["proposal"]
    assert proposal["kind"] == "polda" and proposal["unit_name"] == "Polda Jambi" and proposal["critical_stage"]
    assert proposal["pool"]["total"] == 30 and proposal["pool"]["received"] == []
    rows = {row["region_code"]: row for row in proposal["rows"]}
    assert len(rows) == 11
    rawan = {code for code, row in rows.items() if row["priority"] == "rawan"}
    assert rawan == {"15.01", "15.72"}
    needs = {code: rows[code]["need"] for code in rawan}
    assert all(need > 0 for need in needs.values()) and sum(needs.values()) > 30
    assert {code: rows[code]["proposed"] for code in rawan} == shared(needs, 30)
    assert all(row["proposed"] == 0 for code, row in rows.items() if code not in rawan)
    assert proposal["totals"]["shortfall"] == sum(row["need"] for row in rows.values()) - 30
    assert body["saved"] is None and body["versions"] == []


def test_the_commander_adjusts_and_saves_versions_and_the_polres_receives_them(polda_bko_30):
    server, _, polda, polres = polda_bko_30
    rows = [{"region_code": "15.01", "allocated": 10}, {"region_code": "15.72", "allocated": 20}]
    first = call(server, "POST", "/api/v1/plans", polda.token, 201, json={"rows": rows, "note": "Uji versi 1"})
    assert (first["version"], first["saved_by"], first["note"]) == (1, polda.username, "Uji versi 1")
    kerinci = next(row for row in first["rows"] if row["region_code"] == "15.01")
    assert kerinci["allocated"] == 10 and kerinci["shortfall"] == kerinci["need"] - 10
    assert first["totals"]["allocated"] == 30 and first["totals"]["reserve"] == 0
    stale = server.api.post("/api/v1/plans", token=polda.token, json={"rows": rows, "base_version": 0})
    assert assert_error(stale, 409, "conflict")["details"] == {"current_version": 1}
    over = server.api.post("/api/v1/plans", token=polda.token, json={"rows": [{"region_code": "15.01", "allocated": 31}]})
    assert "rows" in assert_error(over, 422, "request.invalid")["details"]["fields"]
    stranger = server.api.post("/api/v1/plans", token=polda.token, json={"rows": [{"region_code": "15.72.07",
                                                                                     "allocated": 1}]})
    assert "rows[0].region_code" in assert_error(stranger, 422)["details"]["fields"]
    second = call(server, "POST", "/api/v1/plans", polda.token, 201,
                  json={"rows": [{"region_code": "15.01", "allocated": 25}, {"region_code": "15.72", "allocated": 5}],
                        "base_version": 1, "note": "Kerinci lebih dulu"})
    assert second["version"] == 2
    body = call(server, "GET", "/api/v1/plans", polda.token)
    assert [item["version"] for item in body["versions"]] == [2, 1] and body["saved"]["version"] == 2
    assert call(server, "GET", "/api/v1/plans/versions/1", polda.token)["rows"] == first["rows"]
    assert_error(server.api.get("/api/v1/plans/versions/9", token=polda.token), 404)
    pool = call(server, "GET", "/api/v1/plans", polres.token)["proposal"]["pool"]
    assert pool["received_total"] == 30 and {item["region_code"]: item["allocated"] for item in pool["received"]} \
        == {"15.01": 25, "15.72": 5}
    assert pool["total"] == pool["own"] + 30


def test_the_annex_is_a_pdf_and_scope_and_roles_hold(scene):
    server, admin, polda, polres = scene
    annex = server.api.get("/api/v1/plans/annex.pdf", token=polda.token)
    assert annex.status_code == 200 and annex.content.startswith(b"%PDF")
    assert_error(server.api.get("/api/v1/plans", token=polres.token, params={"unit": "15.71"}), 404)
    assert_error(server.api.get("/api/v1/plans", token=polres.token, params={"unit": "15,xx"}), 422)
    assert_error(server.api.post("/api/v1/plans", token=admin.token, json={"rows": []}), 403)
    assert_error(server.api.post("/api/v1/plans", token=polda.token, json={"rows": [], "extra": 1}), 422)
    assert_error(server.api.post("/api/v1/plans", token=polda.token,
                                 json={"rows": [{"region_code": ["15.01"], "allocated": 1}]}), 422)   # was a 500
    assert_error(server.api.get("/api/v1/plans/versions/99999999999999999999", token=polda.token), 422)
    assert_error(server.api.get("/api/v1/plans"), 401)

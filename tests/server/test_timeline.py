"""The tahapan timeline and the map as of a tahapan (issue 13.2), through the real server with an
injected clock and known answers.

A Bhabin of Dujung Sakti (Koto Baru) reports a PG politik uang graded A1 (weight 1) at 09:00 on 20 Nov
(kampanye) and a GN bentrok
graded B2 at 20:00 WIB on 26 Nov (masa tenang): 3 × 9 × 0.81 = 21.87. A pass at 21:00 opens a rawan
alert. At the end of masa tenang (26 Nov 23:59:59 WIB, 4 h later) the bentrok weighs
21.87 × 0.5^(4/72) = 21.04 ≥ 18: the desa is rawan as of masa tenang. The clock then stands at
28 Nov 10:00 WIB (rekapitulasi, the day after voting): 38 h later it weighs 15.2 < 18, so "now" the
desa is kurang_rawan while the map as of masa tenang still shows it rawan.
"""
from __future__ import annotations

import pytest

from tests.server.alerts_support import ClockedServer, wib
from tests.server.helpers import DESA_A, KOTO_BARU, PASSWORD, Actor, World, assert_error, report

BENTRONG_AT = wib("11-26 20:00")
NOW = wib("11-28 10:00")
MASA_TENANG_END_AGE_H = 4 - 1 / 3600 / 1e6      # 20:00 to 23:59:59.999999


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    server = ClockedServer(tmp_path_factory.mktemp("timeline"), wib("11-26 20:30"))
    try:
        admin = Actor("admin", "admin", ["15"], server.api.login("admin", PASSWORD))
        world = World(server.api, admin)
        officer, polsek = world.officer(DESA_A), world.supervisor(KOTO_BARU)
        server.api.push(officer.token, [
            report(observed_at=wib("11-20 09:00").isoformat(), category="politik_uang", threat_stage="PG",
                   source_reliability="A", info_credibility=1),
            report(observed_at=BENTRONG_AT.isoformat(), category="bentrok", threat_stage="GN",
                   source_reliability="B", info_credibility=2)])
        server.set_clock(wib("11-26 21:00"))
        server.evaluate()
        server.set_clock(NOW)
        server.evaluate()
        polsek = Actor(polsek.username, polsek.role, polsek.scope, server.api.login(polsek.username))   # 2 days on
        officer = Actor(officer.username, officer.role, officer.scope, server.api.login(officer.username))
        yield server, polsek, officer
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()


def get(server, token, path, **params):
    response = server.api.get(path, token=token, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def stage(body: dict, code: str) -> dict:
    (found,) = [item for item in body["stages"] if item["code"] == code]
    return found


def test_the_timeline_says_which_tahapan_is_now_and_counts_down_in_wib_days(scene):
    server, polsek, _ = scene
    body = get(server, polsek.token, "/api/v1/timeline")
    assert body["current"] == "rekapitulasi" and body["today"] == "2024-11-28"
    assert body["countdown"]["pemungutan_suara"] == {"day": "2024-11-27", "days": -1, "label": "H+1"}
    assert body["countdown"]["rekapitulasi"] == {"day": "2024-11-28", "days": 0, "label": "Hari H"}
    codes = [item["code"] for item in body["stages"]]
    assert codes == ["pra_pencalonan", "pencalonan", "kampanye", "masa_tenang", "pemungutan_suara",
                     "rekapitulasi", "sengketa", "pasca_pilkada"]          # calendar order
    assert [item["state"] for item in body["stages"]] == ["past"] * 5 + ["now", "future", "future"]


def test_each_tahapan_has_its_reports_alerts_and_levels_and_empty_ones_are_empty(scene):
    server, polsek, _ = scene
    body = get(server, polsek.token, "/api/v1/timeline")
    assert body["tier"] == "desa" and body["regions"] > 1
    kampanye, tenang, voting = stage(body, "kampanye"), stage(body, "masa_tenang"), stage(body, "pemungutan_suara")
    assert (kampanye["reports"], tenang["reports"], voting["reports"]) == (1, 1, 0)
    assert tenang["alerts"] == {"opened": 1, "rawan": 1, "sangat_rawan": 0}
    assert kampanye["alerts"] == voting["alerts"] == {"opened": 0, "rawan": 0, "sangat_rawan": 0}
    assert tenang["levels_at_end"] == {"kurang_rawan": body["regions"] - 1, "rawan": 1, "sangat_rawan": 0}
    assert tenang["as_of"] == "2024-11-26T16:59:59.999999Z"
    assert voting["levels_at_end"]["rawan"] == 0                     # 28 h after: 21.87 × 0.5^(28/72) = 16.7
    sengketa = stage(body, "sengketa")
    assert sengketa["reports"] == 0 and sengketa["levels_at_end"] is None and sengketa["as_of"] is None


def test_the_map_as_of_masa_tenang_shows_what_the_scorer_said_then(scene):
    server, polsek, _ = scene
    then = get(server, polsek.token, "/api/v1/regions", as_of="masa_tenang")
    assert then["stage"] == "masa_tenang" and then["stage_label"] == "Masa tenang" and then["tier"] == "desa"
    assert then["as_of"] == "2024-11-26T16:59:59.999999Z" and then["hysteresis"] is False
    dujung = next(item for item in then["items"] if item["code"] == DESA_A)
    assert dujung["level"] == "rawan"
    bentrok, politik_uang = 21.87 * 0.5 ** (MASA_TENANG_END_AGE_H / 72), 0.5 ** ((MASA_TENANG_END_AGE_H + 155) / 72)
    assert dujung["score"] == pytest.approx(bentrok + politik_uang, abs=0.01)      # 21.04 + 0.22
    assert all(item["level"] == "kurang_rawan" for item in then["items"] if item["code"] != DESA_A)
    today = get(server, polsek.token, "/api/v1/regions", as_of="2024-11-28")
    assert next(item for item in today["items"] if item["code"] == DESA_A)["level"] == "kurang_rawan"
    before = get(server, polsek.token, "/api/v1/regions", as_of="2024-11-19", tier="kecamatan")
    assert before["stage"] == "kampanye" and [item["level"] for item in before["items"]] == ["kurang_rawan"]
    assert before["items"][0]["score"] == 0.0                       # nothing was observed yet


def test_as_of_refuses_what_has_not_happened_and_what_is_not_a_tahapan_or_a_day(scene):
    server, polsek, officer = scene
    for value, reason in (("sengketa", "future"), ("2024-11-29", "future"), ("kemarin", "format"),
                          ("2024-13-01", "format"), ("2023-12-31", "too_early")):
        error = assert_error(server.api.get("/api/v1/regions", token=polsek.token, params={"as_of": value}),
                             422, "request.invalid")
        assert "as_of" in error["details"]["fields"], value
        assert error["details"]["reasons"]["as_of"] == reason, value
    assert_error(server.api.get("/api/v1/regions", token=polsek.token, params={"as_of": "masa_tenang",
                                                                                "tier": "dunia"}), 422)
    assert_error(server.api.get("/api/v1/regions", token=officer.token, params={"as_of": "masa_tenang"}), 403)
    assert_error(server.api.get("/api/v1/timeline", token=officer.token), 403)
    assert_error(server.api.get("/api/v1/timeline"), 401)


def test_a_report_stored_later_counts_in_the_map_as_of_its_time(scene):
    """The as-of book catches up with new reports (last in this module: it adds one)."""
    server, polsek, officer = scene
    before = next(item for item in get(server, polsek.token, "/api/v1/regions", as_of="masa_tenang")["items"]
                  if item["code"] == DESA_A)
    server.api.push(officer.token, [report(observed_at=wib("11-26 21:00").isoformat(), category="bentrok",
                                           threat_stage="GN", source_reliability="B", info_credibility=2)])
    after = next(item for item in get(server, polsek.token, "/api/v1/regions", as_of="masa_tenang")["items"]
                 if item["code"] == DESA_A)
    assert after["score"] > before["score"] + 10 and after["level"] == "rawan"
    timeline = get(server, polsek.token, "/api/v1/timeline")
    assert stage(timeline, "masa_tenang")["reports"] == 2

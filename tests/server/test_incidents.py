"""One incident, one alert (issue 12, item 1), through the real server with an injected clock.

A clash in one desa of Kerinci makes its kecamatan, Kerinci (and later the province) hot as well:
only the desa opens an alert; the parents show it in the regions route (``alerts_below``). When
two more kecamatan of Kerinci become hot, the signal is genuinely spread: Kerinci opens its own
alert (owned by the Polres), the province still none. The voting-night story of Sungai Penuh (one
alert per hot desa, escalated as one up to Polda) is in ``test_scenario.py``."""
from __future__ import annotations

from datetime import timedelta

from tests.server.alerts_support import admin_world, clocked_server, wib
from tests.server.helpers import World, report

T = wib("11-27 22:00")
KERINCI = "15.01"
FIRST = "15.01.01.2001"                          # Kec. Gunung Raya
OTHERS = ("15.01.02.2001", "15.01.04.2008")      # Kec. Danau Kerinci, Kec. Sitinjau Laut


server = clocked_server("incidents", T)
world = admin_world()


def clash(desa: str, minutes: int = 0) -> dict:
    """GN bentrok graded A1: 3 × 9 × 1.0 = 27 (desa ≥ 18 and kecamatan ≥ 25: both rawan)."""
    return report(desa_code=desa, category="bentrok", threat_stage="GN", source_reliability="A",
                  info_credibility=1, observed_at=(T - timedelta(minutes=minutes)).isoformat(),
                  facts="Bentrok massa pendukung paslon di depan balai desa.")


def board(world: World, token: str) -> dict[str, dict]:
    response = world.api.get("/api/v1/alerts", token=token, params={"limit": 1000})
    assert response.status_code == 200, response.text
    return {alert["region_code"]: alert for alert in response.json()["items"]}


def test_one_hot_desa_is_one_alert_and_a_spread_signal_opens_the_kabupatens_own(server, world):
    polres, polda = world.supervisor(KERINCI), world.supervisor("15")
    first = world.officer(FIRST)
    world.api.push(first.token, [clash(FIRST, 0), clash(FIRST, 20)])       # 54: Kerinci rawan (≥ 40) too
    opened = board(world, polda.token)
    assert {code: server.level(code) for code in (FIRST, "15.01.01", KERINCI)} == dict.fromkeys(
        (FIRST, "15.01.01", KERINCI), "rawan")
    assert set(opened) == {FIRST}                                          # the parents open no copy
    assert opened[FIRST]["owner"] == polres.username

    region = world.api.get(f"/api/v1/regions/{KERINCI}", token=polda.token).json()
    assert region["level"] == "rawan" and region["open_alert"] is None
    assert region["alerts_below"] == {"count": 1, "sangat_rawan": 0, "rawan": 1, "kurang_rawan": 0,
                                      "highest_level": "rawan"}
    gunung_raya = next(child for child in region["children"] if child["code"] == "15.01.01")
    assert gunung_raya["open_alert"] is None and gunung_raya["open_alerts_below"] == 1

    for desa in OTHERS:                                                    # two more kecamatan hot
        world.api.push(world.officer(desa).token, [clash(desa)])
    opened = board(world, polda.token)
    assert server.level("15") == "rawan"                                   # 108 ≥ 80, explained by Kerinci
    assert set(opened) == {FIRST, *OTHERS, KERINCI}                        # spread: Kerinci's own; no province
    own = opened[KERINCI]
    assert (own["level"], own["owner"], own["escalations"]) == ("rawan", polres.username, 0)
    region = world.api.get(f"/api/v1/regions/{KERINCI}", token=polda.token).json()
    assert region["open_alert"]["id"] == own["id"] and region["alerts_below"]["count"] == 3
    history = server.query("SELECT event FROM alert_history WHERE alert_id = ?", own["id"])
    assert history == [("opened",)]


def test_a_childs_decay_never_opens_the_parents_alert(server):
    """After the spread above, the clashes decay over ten days, evaluated every 6 h: levels fall at
    different paces (a parent stays above its children for a while: decay, not news) and no alert
    opens or closes by itself."""
    before = server.query("SELECT region_code FROM alerts ORDER BY region_code")
    seen = set()
    for hours in range(6, 240, 6):
        server.set_clock(T + timedelta(hours=hours))
        server.evaluate()
        levels = {code: server.level(code) for code in (FIRST, "15.01.01", KERINCI)}
        seen.add(tuple(levels.values()))
        assert server.query("SELECT region_code FROM alerts ORDER BY region_code") == before
    assert ("rawan", "kurang_rawan", "rawan") in seen          # Kerinci above every kecamatan: still one alert
    assert ("kurang_rawan",) * 3 in seen

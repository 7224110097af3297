"""Personnel a Kapolda can trust, through the real server with an injected clock (issue 12, item 4).

Allocated at the lowest region that needs it: Polda's figure is the sum of its kabupaten, one hot desa
in Koto Baru reinforces that desa (not "2:1 for 299 TPS" over Kota Sungai Penuh), Kerinci has Polda's
standing plan in the critical tahapan with no report and none after it, and the sitrep's total row is
the sum of its rows. Strength (examples, "contoh") sits beside the plan for a Polres and for Polda,
only for a reader of every region of the unit."""
from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta

import pytest

from kerawanan.tahapan import WIB
from tests.server.alerts_support import ClockedServer
from tests.server.helpers import PASSWORD, Actor, World, report

KAMPANYE = datetime(2024, 11, 20, 10, 0, tzinfo=WIB)       # critical tahapan
PASCA = datetime(2025, 3, 1, 10, 0, tzinfo=WIB)            # pasca_pilkada: not critical
KERINCI, SUNGAI_PENUH = "15.01", "15.72"
KABUPATEN = ("15.01", "15.02", "15.03", "15.04", "15.05", "15.06", "15.07", "15.08", "15.09", "15.71", "15.72")
KOTO_BARU_DESA = "15.72.07.2001"
KOTA_JAMBI_DESA = "15.71.01.1001"


def start(tmp_path_factory, name: str, at: datetime):
    process = ClockedServer(tmp_path_factory.mktemp(name), at)
    admin = Actor(username="admin", role="admin", scope=["15"], token=process.api.login("admin", PASSWORD))
    return process, World(api=process.api, admin=admin)


@pytest.fixture(scope="module")
def kampanye(tmp_path_factory):
    process, world = start(tmp_path_factory, "personnel-kampanye", KAMPANYE)
    yield process, world
    process.stop()
    assert "Traceback" not in process.log(), process.log()


@pytest.fixture(scope="module")
def pasca(tmp_path_factory):
    process, world = start(tmp_path_factory, "personnel-pasca", PASCA)
    yield process, world
    process.stop()
    assert "Traceback" not in process.log(), process.log()


def region(world: World, token: str, code: str) -> dict:
    response = world.api.get(f"/api/v1/regions/{code}", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def personnel(world: World, token: str, code: str) -> dict:
    return region(world, token, code)["personnel"]


def clash(desa: str, at: datetime, minutes: int) -> dict:
    return report(desa_code=desa, category="bentrok", threat_stage="GN", source_reliability="A", info_credibility=1,
                  observed_at=(at - timedelta(minutes=minutes)).isoformat(), facts="Bentrok massa di balai desa.")


def make_hot(world: World, desa: str, at: datetime) -> None:
    """Two officers of the desa report clashes: corroborated, sangat_rawan at the desa."""
    for offset in (0, 10):
        officer = world.officer(desa)
        results = world.api.push(officer.token, [clash(desa, at, offset + 5), clash(desa, at, offset + 6)])["results"]
        assert {result["status"] for result in results} == {"created"}


def test_kerinci_has_polda_standing_plan_with_no_report_in_the_critical_tahapan_and_none_after(kampanye):
    server, world = kampanye
    server.set_clock(KAMPANYE)
    polres = world.supervisor(KERINCI, SUNGAI_PENUH)
    body = region(world, polres.token, KERINCI)
    plan = body["personnel"]
    assert body["level"] == "kurang_rawan" and body["report_count"] == 0            # no report at all
    assert plan["standing"] is True and plan["critical_stage"] is True
    assert plan["reinforcement"] > 0 and plan["from_baseline"] == plan["reinforcement"] and plan["from_reports"] == 0
    assert plan["recommended"] == plan["baseline"] + plan["reinforcement"] and plan["estimate"] is True
    assert plan["pattern"] == "2:2"                                                   # the rawan pattern
    strength = plan["strength"]
    assert strength["unit"] == "Polres Kerinci" and strength["regions"] == [KERINCI, SUNGAI_PENUH]
    both = plan["recommended"] + personnel(world, polres.token, SUNGAI_PENUH)["recommended"]
    assert strength["recommended"] == strength["needed"] == both
    assert strength["gap"] == max(0, both - strength["available"]) and strength["example"] is True
    assert personnel(world, polres.token, "15.01.01")["from_baseline"] > 0              # down to each kecamatan



def test_polda_total_is_the_sum_of_its_kabupaten_and_strength_adds_the_polres_gaps(kampanye):
    server, world = kampanye
    server.set_clock(KAMPANYE)
    make_hot(world, KOTA_JAMBI_DESA, KAMPANYE)
    polda = world.supervisor("15")
    province = region(world, polda.token, "15")
    kabupaten = {child["code"] for child in province["children"]}
    assert kabupaten == set(KABUPATEN)
    plans = {code: personnel(world, polda.token, code) for code in KABUPATEN}
    whole = province["personnel"]
    for key in ("recommended", "reinforcement", "baseline", "tps", "reinforced_tps", "from_reports", "from_baseline"):
        assert whole[key] == sum(plan[key] for plan in plans.values()), key
    assert plans["15.71"]["from_reports"] > 0 and plans["15.71"]["from_baseline"] == 0   # the hot desa, no baseline
    assert whole["reinforcement"] < 2 * whole["tps"]              # not a province-wide pattern (+8,522)
    units = {plan["strength"]["unit"]: plan["strength"] for plan in plans.values()}
    assert len(units) == 10 and units["Polres Kerinci"]["regions"] == [KERINCI, SUNGAI_PENUH]
    strength = whole["strength"]
    assert strength["unit"] == "Polda Jambi" and strength["kind"] == "polda"
    assert strength["recommended"] == whole["recommended"] == sum(unit["recommended"] for unit in units.values())
    assert strength["needed"] == sum(unit["gap"] for unit in units.values())
    assert strength["gap"] == max(0, strength["needed"] - strength["polda_bko"] - strength["brimob"])
    assert strength["available"] == sum(unit["available"] for unit in units.values())

    geojson = world.api.get("/api/v1/export/alerts.geojson", token=polda.token, params={"tier": "kabupaten"}).json()
    features = {feature["id"]: feature["properties"] for feature in geojson["features"]}
    assert {code: props["reinforcement"] for code, props in features.items()} == {
        code: plan["reinforcement"] for code, plan in plans.items()}
    assert features[KERINCI]["personnel_standing"] is True and features[KERINCI]["personnel_estimate"] is True

    listed = world.api.get("/api/v1/alerts", token=polda.token, params={"limit": 1000}).json()["items"]
    hot = next(alert for alert in listed if alert["region_code"] == KOTA_JAMBI_DESA)
    assert hot["personnel"]["pattern"] == "2:1" and hot["personnel"]["from_reports"] > 0
    assert all(alert["personnel"]["strength"] is None for alert in listed)     # lists: no strength


def test_strength_is_shown_only_to_a_reader_of_every_region_of_the_unit(kampanye):
    server, world = kampanye
    server.set_clock(KAMPANYE)
    polres, city_only = world.supervisor(KERINCI, SUNGAI_PENUH), world.supervisor(SUNGAI_PENUH)
    officer = world.officer(KOTO_BARU_DESA)
    assert personnel(world, polres.token, SUNGAI_PENUH)["strength"]["unit"] == "Polres Kerinci"
    city = region(world, city_only.token, SUNGAI_PENUH)
    assert city["personnel"]["strength"] is None and KERINCI not in str(city["personnel"])
    assert region(world, officer.token, "15")["personnel"]["strength"] is None       # officers: never
    assert personnel(world, polres.token, "15.72.07")["strength"] is None              # kecamatan: none


def test_the_sitrep_total_row_is_the_sum_of_its_rows(kampanye, tmp_path):
    server, world = kampanye
    server.set_clock(KAMPANYE)
    polres = world.supervisor(KERINCI, SUNGAI_PENUH)
    response = world.api.get("/api/v1/export/sitrep.pdf", token=polres.token)
    assert response.status_code == 200
    (tmp_path / "sitrep.pdf").write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "sitrep.pdf"), "-"], check=True,
                          capture_output=True, text=True, timeout=60).stdout
    section = text[text.index("3. Rekomendasi penebalan personel"):text.index("Kekuatan personel")]
    rows = [[int(n) for n in re.findall(r"\d+", found[1])]        # after the pattern: tps, reinforced, +, +, +
            for found in (re.search(r"Rawan\s+\d+:\d+\s+(.*)$", line) for line in section.splitlines()) if found]
    total = next(line for line in section.splitlines() if line.strip().startswith("Jumlah penebalan"))
    sums = [int(n) for n in re.findall(r"\d+", total)]
    assert rows and all(len(row) == 5 for row in rows), section                 # tps, reinforced, 3 reinforcements
    assert sums == [sum(row[column] for row in rows) for column in range(5)]
    both = [personnel(world, polres.token, code) for code in (KERINCI, SUNGAI_PENUH)]
    assert sums[4] == sum(plan["reinforcement"] for plan in both)               # the Polres' own figure
    assert sums[3] == sum(plan["from_baseline"] for plan in both)
    assert "perkiraan" in text and "CONTOH" in text and "Polres Kerinci" in text.split("Kekuatan personel")[1]


def test_after_the_critical_tahapan_kerinci_has_no_standing_plan(pasca):
    server, world = pasca
    polres = world.supervisor(KERINCI, SUNGAI_PENUH)
    after = personnel(world, polres.token, KERINCI)
    assert after["standing"] is False and after["critical_stage"] is False
    assert after["reinforcement"] == after["from_baseline"] == 0 and after["recommended"] == after["baseline"]
    assert after["strength"]["gap"] == max(0, after["strength"]["recommended"] - after["strength"]["available"])


def test_one_hot_desa_in_koto_baru_reinforces_that_desa_not_the_whole_city(pasca):
    server, world = pasca
    make_hot(world, KOTO_BARU_DESA, PASCA)
    polda = world.supervisor("15")
    desa = personnel(world, polda.token, KOTO_BARU_DESA)
    assert region(world, polda.token, KOTO_BARU_DESA)["level"] == "sangat_rawan"
    assert desa["pattern"] == "2:1" and desa["reinforcement"] > 0 and desa["from_reports"] == desa["reinforcement"]
    city = personnel(world, polda.token, SUNGAI_PENUH)
    assert city["reinforced_tps"] == desa["tps"] < city["tps"]                   # not "2:1 for 299 TPS"
    assert city["reinforcement"] == desa["reinforcement"] == personnel(world, polda.token, "15.72.07")["reinforcement"]
    assert city["standing"] is False and city["critical_stage"] is False
    assert personnel(world, polda.token, "15")["reinforcement"] == desa["reinforcement"]
    assert personnel(world, polda.token, KERINCI)["reinforcement"] == 0
    listed = world.api.get("/api/v1/alerts", token=polda.token, params={"limit": 1000}).json()["items"]
    assert listed and all(alert["personnel"]["reinforcement"] == desa["reinforcement"] for alert in listed)
    detail = world.api.get(f"/api/v1/alerts/{listed[0]['id']}", token=polda.token).json()
    assert detail["personnel"]["reinforced_tps"] == desa["tps"]

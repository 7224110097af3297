"""The sitrep's personnel tables from the real plan of the province (no server): rows one tier below
the scope, a total row that adds exactly those rows, reinforced TPS never above a region's TPS, and
the strength table (Polres rows, their total, then Polda) marked as examples."""
from __future__ import annotations

import re
import subprocess
from datetime import date, datetime

from kerawanan import assets
from kerawanan.personnel import count_desa, plan_personnel
from kerawanan.strength import check_strength
from kerawanan.tahapan import WIB
from sync_server.alerts.personnel import PlanSet, scope_rows, strength_rows
from sync_server.exports import SitrepData, render_sitrep_pdf

HOT = {"15.72.07.2001": "sangat_rawan"}


def province_plan() -> PlanSet:
    config, gazetteer = assets.scoring_config(), assets.gazetteer()
    desa = tuple(region.code for region in gazetteer.regions("desa"))
    plans = plan_personnel(desa, HOT, config, count_desa(desa), critical_stage=True)
    units = {code: context.polres for code, context in config.contexts.items()} | {"15": "Polda Jambi"}
    return PlanSet(plans, HOT, True, check_strength(assets.strength(), plans, config.contexts, "15"), units)


def test_the_polda_sitrep_adds_its_kabupaten_rows_and_its_polres_strength(tmp_path):
    plan = province_plan()
    rows = scope_rows(plan, ("15",), assets.gazetteer())
    assert [row["region_code"] for row in rows] == sorted(assets.scoring_config().contexts)    # kabupaten only
    data = SitrepData(date=date(2024, 11, 27), scope_codes=("15",), scope_title="Polda Jambi",
                      generated_at=datetime(2024, 11, 27, 23, 0, tzinfo=WIB), personnel=rows,
                      strength=strength_rows(plan, lambda code: True))
    (tmp_path / "s.pdf").write_bytes(render_sitrep_pdf(data))
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "s.pdf"), "-"], check=True, capture_output=True,
                          text=True, timeout=60).stdout
    section = text[text.index("3. Rekomendasi penebalan personel"):text.index("Kekuatan personel")]
    names = {"Kabupaten Kerinci": "15.01", "Kota Sungai Penuh": "15.72"}
    found = [re.search(r"^\s*(Kabupaten \w+|Kota [\w ]+?)\s{2,}.*?\d+:\d+\s+(.*)$", line) for line in section.splitlines()]
    table = {names[match[1]]: [int(n) for n in re.findall(r"\d+", match[2])] for match in found if match}
    assert set(table) == {"15.01", "15.72"}                                     # only the reinforced ones
    assert not re.search(r"\(15[.\d]*\)", section)                              # places by name, not code
    kerinci = next(line for line in section.splitlines() if "Kabupaten Kerinci" in line)
    assert "Rawan" in kerinci and "+550" in kerinci and plan.plans["15.01"].from_reports == 0   # the baseline plan
    assert table["15.01"][0] == 849                                            # the kabupaten's TPS, added up exactly
    assert table["15.01"][1] == plan.plans["15.01"].reinforced_tps <= 849      # never more reinforced TPS than TPS
    total = next(line for line in section.splitlines() if line.strip().startswith("Jumlah penebalan"))
    assert [int(n) for n in re.findall(r"\d+", total)] == [sum(row[i] for row in table.values()) for i in range(5)]
    assert sum(row[4] for row in table.values()) == plan.plans["15"].reinforcement
    strength = text[text.index("Kekuatan personel"):]
    assert "angka CONTOH" in strength and "Jumlah Polres" in strength and "Polda Jambi: kekurangan Polres" in strength
    polres = [check for check in plan.checks.values() if check.kind == "polres"]
    jumlah = next(line for line in strength.splitlines() if line.strip().startswith("Jumlah Polres"))
    assert [int(n) for n in re.findall(r"\d+", jumlah)] == [
        sum(check.recommended for check in polres), sum(check.reinforcement for check in polres),
        sum(check.available for check in polres), sum(check.gap for check in polres)]


def test_a_polsek_sitrep_lists_desa_and_no_strength():
    plan = province_plan()
    rows = scope_rows(plan, ("15.72.07",), assets.gazetteer())
    assert rows and all(row["region_code"].startswith("15.72.07.") for row in rows)
    assert sum(row["reinforcement"] for row in rows) == plan.plans["15.72.07"].reinforcement
    polsek = strength_rows(plan, lambda code: code.startswith("15.72.07"))
    assert polsek == []                                                         # no unit wholly in a kecamatan

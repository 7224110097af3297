"""Strength for Pilkada security: the shipped example file parses, bad files are refused with the line
and the reason, and the check of a plan against strength adds up (Polres gaps, Polda's remainder)."""
from __future__ import annotations

import pytest

from kerawanan import assets
from kerawanan.personnel import count_desa, plan_personnel
from kerawanan.strength import COLUMNS, check_strength, parse_strength

HEADER = ",".join(COLUMNS)
UNITS = {"Polres A", "Polres B"}
GOOD = [f"{HEADER}", "Polres A,polres,100,0,0,contoh", "Polres B,polres,50,0,0,Sprin/123/XI/2024",
        "Polda Jambi,polda,0,30,20,contoh"]


def text(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def test_the_shipped_file_covers_every_polres_and_says_its_figures_are_examples():
    table = assets.strength()
    polres = {context.polres for context in assets.scoring_config().contexts.values()}
    assert set(table.polres) == polres and table.polda.unit == "Polda Jambi"
    assert table.polda.example and all(unit.example for unit in table.polres.values())
    assert table.polda.polda_bko > 0 and table.polda.brimob > 0
    assert all(unit.available > 0 for unit in table.polres.values())


def test_a_good_file_parses_and_a_real_source_is_not_an_example():
    table = parse_strength(text(*GOOD), UNITS)
    assert table.polres["Polres A"].available == 100 and table.polres["Polres A"].example
    assert not table.polres["Polres B"].example
    assert (table.polda.polda_bko, table.polda.brimob) == (30, 20)


@pytest.mark.parametrize(("lines", "says"), [
    (["unit,available", "Polres A,1"], "header must be"),
    ([*GOOD, "Polres A,polres,1,0,0,contoh"], "line 5: Polres A appears twice"),
    ([GOOD[0], GOOD[1], GOOD[2]], "exactly one row of kind polda, found 0"),
    ([*GOOD, "Polda Lain,polda,0,1,1,contoh"], "exactly one row of kind polda, found 2"),
    ([GOOD[0], GOOD[1], GOOD[3]], "no row for Polres B"),
    ([*GOOD, "Polres C,polres,1,0,0,contoh"], "Polres C is not a Polres of the context file"),
    ([GOOD[0], "Polres A,polsek,1,0,0,contoh", *GOOD[2:]], "line 2: kind 'polsek'"),
    ([GOOD[0], "Polres A,polres,-4,0,0,contoh", *GOOD[2:]], "line 2: available '-4' must be a whole number"),
    ([GOOD[0], "Polres A,polres,1.5,0,0,contoh", *GOOD[2:]], "available '1.5' must be a whole number"),
    ([GOOD[0], "Polres A,polres,10,5,0,contoh", *GOOD[2:]], "only the Polda row sends BKO and Brimob"),
    ([*GOOD[:3], "Polda Jambi,polda,7,30,20,contoh"], "write 0 for available"),
    ([GOOD[0], "Polres A,polres,10,0,0,", *GOOD[2:]], "line 2: source is empty"),
    ([GOOD[0], "Polres A,polres,10,0", *GOOD[2:]], "line 2: expected 6 fields"),
    ([GOOD[0], ",polres,10,0,0,contoh", *GOOD[2:]], "line 2: unit is empty"),
])
def test_a_bad_file_is_refused_naming_the_line_and_the_reason(lines, says):
    with pytest.raises(ValueError, match=says):
        parse_strength(text(*lines), UNITS)


@pytest.fixture(scope="module")
def shipped():
    config = assets.scoring_config()
    desa = tuple(region.code for region in assets.gazetteer().regions("desa"))
    return config, desa, count_desa(desa)


def test_a_polres_gap_is_its_plan_beyond_its_own_strength_and_polda_covers_the_sum(shipped):
    config, desa, counts = shipped
    plans = plan_personnel(desa, {}, config, counts, critical_stage=True)       # Kerinci's standing plan
    checks = check_strength(assets.strength(), plans, config.contexts, "15")
    kerinci = checks["Polres Kerinci"]
    assert kerinci.regions == ("15.01", "15.72")                                # one Polres, two kabupaten/kota
    assert kerinci.recommended == plans["15.01"].recommended + plans["15.72"].recommended
    assert kerinci.reinforcement == plans["15.01"].reinforcement + plans["15.72"].reinforcement > 0
    assert kerinci.gap == max(0, kerinci.recommended - kerinci.available)
    polda = checks["Polda Jambi"]
    polres = [check for check in checks.values() if check.kind == "polres"]
    assert polda.recommended == plans["15"].recommended == sum(check.recommended for check in polres)
    assert polda.needed == sum(check.gap for check in polres)
    assert polda.gap == max(0, polda.needed - polda.polda_bko - polda.brimob)
    assert polda.available == sum(check.available for check in polres)
    assert polda.example and kerinci.example and kerinci.estimate
    assert kerinci.to_dict()["regions"] == ["15.01", "15.72"]


def test_a_strength_short_of_the_plan_leaves_a_gap_for_polda_to_fill(shipped):
    config, desa, counts = shipped
    plans = plan_personnel(desa, {}, config, counts, critical_stage=True)
    units = {context.polres for context in config.contexts.values()}
    rows = [HEADER, *(f"{unit},polres,{10 if unit == 'Polres Kerinci' else 100000},0,0,contoh" for unit in units),
            "Polda Jambi,polda,0,5,5,Sprin/1"]
    checks = check_strength(parse_strength(text(*rows), units), plans, config.contexts, "15")
    assert checks["Polres Kerinci"].gap == checks["Polres Kerinci"].recommended - 10
    others = [check for check in checks.values() if check.kind == "polres" and check.unit != "Polres Kerinci"]
    assert all(check.gap == 0 for check in others)                              # a surplus does not move
    assert checks["Polda Jambi"].gap == checks["Polres Kerinci"].gap - 10
    assert checks["Polda Jambi"].example                                         # its Polres figures are examples

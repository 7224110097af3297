"""One incident, one alert: which regions hold an incident of their own (``kerawanan.incidents``),
the one rule of the alert engine and of the personnel plan."""
from __future__ import annotations

import pytest

from kerawanan import assets
from kerawanan.incidents import holds_incident, incident_below, region_spread, spread_regions
from kerawanan.personnel import count_desa, plan_personnel
from kerawanan.scoring_config import load_config

# Voting night 2024, 22:30 WIB, as the engine levels it (tests/server/test_scenario.py)
VOTING_NIGHT = {"15": "rawan", "15.72": "sangat_rawan", "15.72.02": "rawan", "15.72.02.2004": "rawan",
                "15.72.07": "sangat_rawan", "15.72.07.2001": "sangat_rawan", "15.72.07.2003": "rawan",
                "15.72.07.2004": "rawan"}


def test_voting_night_is_one_alert_per_hot_desa_and_none_above():
    spread = spread_regions(VOTING_NIGHT, 2)
    assert spread == set()
    holders = {code for code, level in VOTING_NIGHT.items() if holds_incident(code, level, spread)}
    assert holders == {"15.72.02.2004", "15.72.07.2001", "15.72.07.2003", "15.72.07.2004"}


def test_several_children_at_the_parents_level_make_it_spread():
    levels = {"15": "rawan", "15.01": "rawan", "15.01.01": "rawan", "15.01.02": "rawan", "15.01.04": "rawan",
              "15.01.01.2001": "rawan", "15.01.02.2001": "rawan", "15.01.04.2008": "rawan"}
    assert spread_regions(levels, 2) == {"15.01"}               # the province: one hot kabupaten
    assert spread_regions(levels, 3) == {"15.01"}
    assert spread_regions(levels, 4) == set()
    assert region_spread("15.01", "rawan", ["rawan"] * 3, 2)            # one region, its children given
    assert not region_spread("15", "rawan", ["rawan"], 2)                # its one hot child explains it
    assert not region_spread("15.01.01.2001", "rawan", [], 2)            # a desa is never spread


def test_a_parent_above_every_child_is_spread_and_a_cool_parent_never():
    levels = {"15.72.07": "sangat_rawan", "15.72.07.2001": "rawan", "15.72.07.2003": "rawan"}
    assert spread_regions(levels, 2) == {"15.72.07"}            # three rawan desa, a sangat rawan sum
    assert spread_regions({"15.72.07": "rawan"}, 2) == {"15.72.07"}     # lukewarm desa only
    assert spread_regions({"15.72.07": "kurang_rawan", "15.72.07.2001": "rawan"}, 2) == set()
    assert not holds_incident("15.72.07.2001", "kurang_rawan", set())
    with pytest.raises(ValueError):
        spread_regions(levels, 1)


def test_a_copy_is_merged_into_the_hottest_incident_below():
    alerts = {"15.72.07.2003": "rawan", "15.72.07.2001": "sangat_rawan", "15.72.02.2004": "sangat_rawan"}
    assert incident_below("15.72.07", alerts) == "15.72.07.2001"
    assert incident_below("15.72", alerts) == "15.72.02.2004"   # same level: the lowest code
    assert incident_below("15.71", alerts) is None


def test_the_personnel_plan_extends_a_spread_parents_level_by_the_same_rule():
    config = assets.scoring_config()
    desa = tuple(region.code for region in assets.gazetteer().regions("desa"))
    counts = count_desa(desa)
    two_hot = {"15.72.07": "rawan", "15.72.07.2001": "rawan", "15.72.07.2004": "rawan"}
    one_hot = {"15.72.07": "rawan", "15.72.07.2001": "rawan"}
    spread = plan_personnel(desa, two_hot, config, counts, critical_stage=False)
    explained = plan_personnel(desa, one_hot, config, counts, critical_stage=False)
    quiet = "15.72.07.2006"
    assert spread[quiet].reinforcement > 0 and explained[quiet].reinforcement == 0
    assert explained["15.72.07"].reinforcement == explained["15.72.07.2001"].reinforcement


def test_spread_children_is_read_from_scoring_toml_and_checked():
    text = assets.read_text("scoring.toml")
    assert load_config(text).spread_children == 2
    without = text[:text.index("[incidents]")]
    assert load_config(without).spread_children == 2                 # optional table, same default
    for bad in ("spread_children = 1", "spread_children = 2.5", "spread_children = 2\nchildren = 3"):
        with pytest.raises(ValueError, match="incidents"):
            load_config(f"{without}[incidents]\n{bad}\n")

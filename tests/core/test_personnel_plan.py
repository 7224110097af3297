"""The personnel plan: allocated at the lowest region that needs it, totals that add up, and
Polda's standing baseline for Kerinci and Sungai Penuh with or without reports."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kerawanan import assets
from kerawanan.personnel import count_desa, estimate_tps, plan_personnel
from kerawanan.vocab import LEVELS

KOTO_BARU_KEC = "15.72.07"
KOTO_BARU = "15.72.07.2001"
SUNGAI_PENUH = "15.72"
KERINCI = "15.01"


@pytest.fixture(scope="module")
def config():
    return assets.scoring_config()


@pytest.fixture(scope="module")
def desa():
    return tuple(region.code for region in assets.gazetteer().regions("desa"))


@pytest.fixture(scope="module")
def counts(desa):
    return count_desa(desa)


def plan(desa, counts, config, levels, *, critical=False):
    return plan_personnel(desa, levels, config, counts, critical_stage=critical)


def kabupaten_of(plans):
    return {code: value for code, value in plans.items() if code.count(".") == 1}


def test_nothing_hot_outside_the_critical_tahapan_asks_for_no_reinforcement(desa, counts, config):
    plans = plan(desa, counts, config, {})
    assert all(value.reinforcement == 0 for value in plans.values())
    assert plans["15"].recommended == plans["15"].baseline == sum(v.baseline for v in kabupaten_of(plans).values())


def test_one_hot_desa_reinforces_that_desa_not_the_whole_city(desa, counts, config):
    levels = {KOTO_BARU: "sangat_rawan", KOTO_BARU_KEC: "sangat_rawan", SUNGAI_PENUH: "rawan", "15": "rawan"}
    plans = plan(desa, counts, config, levels)
    tps = estimate_tps(KOTO_BARU, config, counts).tps
    hot = config.patterns["sangat_rawan"].headcount(tps) - config.patterns["kurang_rawan"].headcount(tps)
    assert plans[KOTO_BARU].reinforcement == hot > 0
    assert plans[KOTO_BARU_KEC].reinforcement == plans[SUNGAI_PENUH].reinforcement == plans["15"].reinforcement == hot
    assert plans[SUNGAI_PENUH].reinforced_tps == tps < plans[SUNGAI_PENUH].tps     # not "2:1 for 299 TPS"
    assert plans[SUNGAI_PENUH].from_reports == hot and plans[SUNGAI_PENUH].from_baseline == 0


def test_a_signal_spread_over_a_kecamatan_reinforces_all_its_desa(desa, counts, config):
    levels = {KOTO_BARU_KEC: "rawan"}                                     # no single desa explains it
    plans = plan(desa, counts, config, levels)
    in_kecamatan = [code for code in desa if code.startswith(KOTO_BARU_KEC + ".")]
    assert all(plans[code].reinforcement > 0 for code in in_kecamatan)
    assert plans[KOTO_BARU_KEC].reinforcement == sum(plans[code].reinforcement for code in in_kecamatan)


def test_kerinci_and_sungai_penuh_have_a_standing_plan_from_the_baseline_with_no_report(desa, counts, config):
    plans = plan(desa, counts, config, {}, critical=True)
    for code in (KERINCI, SUNGAI_PENUH):
        assert plans[code].reinforcement > 0 and plans[code].from_baseline == plans[code].reinforcement
        assert plans[code].to_dict()["standing"] is True
    quiet = [code for code, value in kabupaten_of(plans).items() if code not in (KERINCI, SUNGAI_PENUH)]
    assert quiet and all(plans[code].reinforcement == 0 for code in quiet)


def test_the_polda_total_is_the_sum_of_its_kabupaten_never_double_counted(desa, counts, config):
    levels = {KOTO_BARU: "sangat_rawan", KOTO_BARU_KEC: "sangat_rawan", SUNGAI_PENUH: "sangat_rawan",
              "15": "sangat_rawan", "15.71.01": "rawan"}
    plans = plan(desa, counts, config, levels, critical=True)
    kabupaten = kabupaten_of(plans).values()
    assert plans["15"].reinforcement == sum(value.reinforcement for value in kabupaten)
    assert plans["15"].recommended == sum(value.recommended for value in kabupaten)
    assert plans["15"].tps == sum(value.tps for value in kabupaten)


@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_every_parent_reinforcement_is_the_sum_of_its_children(desa, counts, config, data):
    codes = data.draw(st.lists(st.sampled_from(desa), max_size=12))
    parents = {code.rpartition(".")[0] for code in codes} | {code[:5] for code in codes}
    levels = {code: data.draw(st.sampled_from(LEVELS)) for code in [*codes, *parents]}
    plans = plan(desa, counts, config, levels, critical=data.draw(st.booleans()))
    for code, value in plans.items():
        children = [child for child in plans if child.rpartition(".")[0] == code]
        if children:
            assert value.reinforcement == sum(plans[child].reinforcement for child in children)
            assert value.from_reports == sum(plans[child].from_reports for child in children)
        assert value.recommended == value.baseline + value.reinforcement
        assert 0 <= value.from_reports <= value.reinforcement


def test_tps_add_up_exactly_from_desa_to_province(desa, config):
    from kerawanan.personnel import apportion_tps

    tps = apportion_tps(desa, config)
    for code, context in config.contexts.items():
        assert tps[code] == context.tps
        kecamatan = {c for c in tps if c.count(".") == 2 and c.startswith(code + ".")}
        assert sum(tps[c] for c in kecamatan) == context.tps
    assert tps["15"] == sum(context.tps for context in config.contexts.values())


def test_a_region_never_has_more_reinforced_tps_than_tps(desa, counts, config):
    plans = plan(desa, counts, config, {"15.01": "sangat_rawan", "15": "sangat_rawan"}, critical=True)
    assert all(value.reinforced_tps <= value.tps for value in plans.values())
    assert plans[KERINCI].reinforced_tps == plans[KERINCI].tps == config.context(KERINCI).tps

"""Laporan nihil ("situasi aman terkendali"): no threat stage, facts may be empty, every other
category still needs both (DESIGN, report wire format v1)."""
from __future__ import annotations

import pytest

from kerawanan import assets
from kerawanan.errors import InvalidReport
from kerawanan.vocab import CATEGORY_CODES, NIHIL, STAGELESS_CATEGORIES
from tests.core.builders import DROP, minimal_wire_report, parse, wire_report


def nihil_wire(**overrides):
    wire = minimal_wire_report(category="nihil", threat_stage=DROP, facts=DROP)
    wire.update(overrides)
    return {key: value for key, value in wire.items() if value is not DROP}


def reasons(data) -> dict[str, str]:
    with pytest.raises(InvalidReport) as caught:
        parse(data)
    return caught.value.reasons


def test_nihil_is_a_binding_category_with_its_words():
    assert NIHIL in CATEGORY_CODES and STAGELESS_CATEGORIES == ("nihil",)
    assert assets.vocabulary().category("nihil").label_id == "Laporan nihil: situasi aman terkendali"


@pytest.mark.parametrize("overrides", [{}, {"threat_stage": None}, {"facts": ""}, {"facts": "Aman terkendali."},
                                       {"threat_stage": None, "facts": None}])
def test_a_nihil_needs_no_threat_stage_and_no_facts(overrides):
    report = parse(nihil_wire(**overrides))
    assert report.category == "nihil" and report.threat_stage is None
    assert report.facts == (overrides.get("facts") or "")
    assert report.to_wire()["threat_stage"] is None


def test_a_nihil_round_trips_and_hashes_the_same():
    report = parse(nihil_wire())
    assert parse(report.to_wire()) == report
    assert parse(report.to_wire()).content_hash() == report.content_hash()


def test_a_nihil_with_a_threat_stage_is_a_client_bug():
    assert reasons(nihil_wire(threat_stage="PG")) == {"threat_stage": "not_allowed"}


def test_a_nihil_still_needs_its_desa_and_time():
    assert reasons(nihil_wire(desa_code=DROP)) == {"desa_code": "required"}
    assert reasons({k: v for k, v in nihil_wire().items() if k != "observed_at"}) == {"observed_at": "required"}


@pytest.mark.parametrize("category", [code for code in CATEGORY_CODES if code != "nihil"])
def test_every_other_category_still_needs_a_threat_stage_and_facts(category):
    found = reasons(wire_report(category=category, threat_stage=DROP, facts=""))
    assert found == {"threat_stage": "required", "facts": "empty"}
    assert reasons(wire_report(category=category, threat_stage=None))["threat_stage"] == "required"

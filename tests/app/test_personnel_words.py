"""What a supervisor reads of a personnel plan: reinforcement for X of Y TPS (perkiraan), the standing
plan, strength and shortfall for a Polres and Polda, examples marked."""
from __future__ import annotations

from field_app.i18n import Translator
from field_app.viewmodels.personnel_words import personnel_lines

PLAN = {"pattern": "2:1", "tps": 299, "recommended": 224, "baseline": 76, "reinforcement": 148, "estimate": True,
        "reinforced_tps": 276, "from_reports": 12, "from_baseline": 136, "standing": True, "strength": None}


def test_reinforcement_names_the_tps_it_is_for_and_says_estimate():
    lines = personnel_lines(PLAN, Translator("id"))
    assert lines[0] == "Penebalan +148 personel untuk 276 dari 299 TPS (perkiraan)"
    assert lines[1] == "dari laporan +12 · rencana tetap (baseline Polda) +136"
    assert lines[2].startswith("Kebutuhan 224 personel: dasar 76 + penebalan 148")


def test_no_reinforcement_and_no_standing_plan_says_so():
    quiet = {**PLAN, "reinforcement": 0, "reinforced_tps": 0, "from_reports": 0, "from_baseline": 0,
             "standing": False, "recommended": 76}
    lines = personnel_lines(quiet, Translator("id"))
    assert lines[0] == "Tanpa penebalan: pola kurang rawan untuk 299 TPS (perkiraan)"
    assert not any("rencana tetap" in line for line in lines)


def test_reinforced_tps_never_reads_above_the_region_tps():
    lines = personnel_lines({**PLAN, "reinforced_tps": 310}, Translator("id"))     # desa estimates rounded up
    assert lines[0] == "Penebalan +148 personel untuk 299 dari 299 TPS (perkiraan)"


def test_strength_of_a_polres_and_of_polda_with_the_gap_marked_as_examples():
    polres = {"unit": "Polres Kerinci", "kind": "polres", "needed": 1012, "available": 650, "gap": 362,
              "example": True}
    polda = {"unit": "Polda Jambi", "kind": "polda", "needed": 362, "polda_bko": 300, "brimob": 250, "gap": 0,
             "example": False}
    assert personnel_lines({**PLAN, "strength": polres}, Translator("id"))[-1] == (
        "Polres Kerinci: kebutuhan 1.012, tersedia 650, kekurangan 362 (angka kekuatan CONTOH, ditetapkan Polda)")
    assert personnel_lines({**PLAN, "strength": polda}, Translator("en"))[-1] == (
        "Polda Jambi: Polres shortfall 362, BKO 300 + Brimob 250, remaining shortfall 0")
    assert personnel_lines(None, Translator("id")) == []

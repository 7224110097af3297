"""Scoring: report weights, roll-up, levels with hysteresis, personnel, and the context file."""
import csv
import dataclasses
import io
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kerawanan.assets import read_text
from kerawanan.context import parse_context
from kerawanan.scoring import (
    REVIEWS,
    Observation,
    count_desa,
    counts,
    entries_for,
    estimate_tps,
    level_for,
    load_config,
    parse_grade,
    recommend_personnel,
    report_weight,
    score_regions,
    weigh_reports,
)
from kerawanan.tahapan import WIB, load_calendar
from kerawanan.vocab import CATEGORY_CODES, LEVELS, THREAT_STAGES

SCORING_TOML = read_text("scoring.toml")
CONTEXT_CSV = read_text("jambi_context.csv")
CONFIG = load_config(SCORING_TOML, CONTEXT_CSV)
CALENDAR = load_calendar(read_text("tahapan_pilkada_2024.toml"))
VOTING_NIGHT = datetime(2024, 11, 27, 21, 40, tzinfo=WIB)
DESA = "15.72.07.2004"              # Dujung Sakti, Kec. Koto Baru, Kota Sungai Penuh
TIER_NAMES = ("desa", "kecamatan", "kabupaten", "provinsi")


def observation(**changes) -> Observation:
    fields = {"id": "r1", "desa_code": DESA, "category": "bentrok", "threat_stage": "GN",
              "observed_at": VOTING_NIGHT, "officer": "80010001"}
    return Observation(**{**fields, **changes})


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def levels_at(observations, at, previous=None, config=CONFIG) -> dict[str, str]:
    previous = previous or {}
    return {code: level_for(region.score, region.tier, previous.get(code), config)
            for code, region in score_regions(observations, at, config).items()}


def follow_levels(observations, start, days, step_hours=1) -> list[tuple[float, dict[str, str]]]:
    """Evaluate every ``step_hours`` like the server does, carrying the previous levels."""
    levels = levels_at(observations, start)
    history = [(0.0, levels)]
    for step in range(1, int(days * 24 / step_hours) + 1):
        at = start + hours(step * step_hours)
        scores = score_regions(observations, at, CONFIG)
        levels = {code: level_for(scores[code].score, scores[code].tier, levels[code], CONFIG)
                  for code in levels}
        history.append((step * step_hours / 24, levels))
    return history


def first_day_all_quiet(history) -> float:
    return next(day for day, levels in history if set(levels.values()) == {"kurang_rawan"})


# --- calibration: the cases the thresholds were chosen for -----------------------------------


def test_one_latent_money_politics_report_stays_kurang_rawan():
    report = observation(category="politik_uang", threat_stage="PG", source_reliability="A",
                         info_credibility=1)
    assert set(levels_at([report], VOTING_NIGHT).values()) == {"kurang_rawan"}


def test_one_clash_graded_b2_makes_the_desa_rawan():
    report = observation(category="bentrok", threat_stage="GN", source_reliability="B", info_credibility=2)
    levels = levels_at([report], VOTING_NIGHT + hours(1))
    assert levels[DESA] == "rawan"
    assert levels["15.72"] == "kurang_rawan"


def burned_ballot_boxes() -> list[Observation]:
    """Voting night in Kota Sungai Penuh: three quick (ungraded) GN gangguan_tps reports, two officers."""
    return [observation(id=f"tps-{n}", category="gangguan_tps", threat_stage="GN", officer=officer,
                        observed_at=VOTING_NIGHT + timedelta(minutes=15 * n))
            for n, officer in enumerate(["80010001", "80010002", "80010001"])]


def test_burned_ballot_boxes_on_voting_night_are_sangat_rawan():
    reports = burned_ballot_boxes()
    assert {CALENDAR.stage_for(r.observed_at) for r in reports} == {"pemungutan_suara"}
    levels = levels_at(reports, VOTING_NIGHT + hours(1))
    assert levels[DESA] == "sangat_rawan"
    assert levels["15.72.07"] == "sangat_rawan"
    assert levels["15.72"] in ("rawan", "sangat_rawan")


def test_after_five_to_seven_quiet_days_the_levels_are_back_to_kurang_rawan():
    history = follow_levels(burned_ballot_boxes(), VOTING_NIGHT + hours(1), days=10)
    assert 5 <= first_day_all_quiet(history) <= 7
    still_high = dict(history)[2.0]
    assert still_high[DESA] in ("rawan", "sangat_rawan")


def test_a_single_clash_fades_within_a_week():
    report = observation(source_reliability="B", info_credibility=2)
    history = follow_levels([report], VOTING_NIGHT, days=8)
    assert 1 <= first_day_all_quiet(history) <= 7


def test_two_officers_warning_of_an_imminent_clash_make_it_rawan():
    reports = [observation(id=f"ag-{n}", threat_stage="AG", source_reliability="B", info_credibility=2,
                           officer=f"8001000{n}", observed_at=VOTING_NIGHT + hours(n)) for n in (1, 2)]
    assert levels_at(reports, VOTING_NIGHT + hours(2))[DESA] == "rawan"
    assert levels_at(reports[:1], VOTING_NIGHT + hours(2))[DESA] == "kurang_rawan"


# --- one report's weight ---------------------------------------------------------------------


def test_weight_is_the_product_of_its_parts():
    report = observation(source_reliability="B", info_credibility=2)
    parts = weigh_reports([report], VOTING_NIGHT + hours(72), CONFIG)["r1"]
    assert (parts.category_weight, parts.stage_weight, parts.corroboration) == (3.0, 9.0, 1.0)
    assert parts.credibility == pytest.approx(0.81)
    assert parts.decay == pytest.approx(0.5)
    assert parts.weight == pytest.approx(3 * 9 * 0.81 * 0.5)
    assert parts.grade == "B2" and parts.excluded is None
    assert parts.describe() == "3 × 9 × 0.81 (B2) × 0.50 (72.0 h) × 1 = 10.9"


def test_missing_grade_counts_as_cannot_be_judged_and_is_not_zero():
    ungraded = report_weight(observation(), VOTING_NIGHT, CONFIG)
    f6 = report_weight(observation(source_reliability="F", info_credibility=6), VOTING_NIGHT, CONFIG)
    b2 = report_weight(observation(source_reliability="B", info_credibility=2), VOTING_NIGHT, CONFIG)
    e5 = report_weight(observation(source_reliability="E", info_credibility=5), VOTING_NIGHT, CONFIG)
    assert ungraded == f6
    assert e5 < f6 < b2
    half_missing = report_weight(observation(source_reliability="B"), VOTING_NIGHT, CONFIG)
    assert half_missing == report_weight(observation(source_reliability="B", info_credibility=6),
                                         VOTING_NIGHT, CONFIG)


def test_peace_initiatives_are_counted_but_never_raise_a_score():
    peace = observation(category="inisiatif_damai", threat_stage="GN", source_reliability="A",
                        info_credibility=1)
    region = score_regions([peace], VOTING_NIGHT, CONFIG)[DESA]
    assert (region.score, region.report_count, region.top_categories) == (0.0, 1, {})


def test_general_information_weighs_least_of_the_weighing_categories():
    weights = CONFIG.category_weights
    assert set(weights) == set(CATEGORY_CODES)
    assert weights["inisiatif_damai"] == 0
    positive = {code: w for code, w in weights.items() if w > 0}
    assert min(positive, key=positive.get) == "informasi_umum"
    assert [CONFIG.stage_weights[s] for s in THREAT_STAGES] == [1, 3, 9]


@pytest.mark.parametrize("review", ["rejected", "duplicate"])
def test_rejected_and_duplicate_reports_weigh_nothing_and_are_not_counted(review):
    report = observation(review=review)
    parts = weigh_reports([report], VOTING_NIGHT, CONFIG)["r1"]
    assert (parts.weight, parts.excluded) == (0.0, review)
    assert parts.describe() == f"0 ({review})"
    assert score_regions([report], VOTING_NIGHT, CONFIG) == {}


def test_confirmed_and_pending_weigh_the_same():
    assert report_weight(observation(review="confirmed"), VOTING_NIGHT, CONFIG) == \
        report_weight(observation(review="pending"), VOTING_NIGHT, CONFIG)


def test_reports_after_the_evaluation_time_do_not_count():
    parts = weigh_reports([observation()], VOTING_NIGHT - timedelta(seconds=1), CONFIG)["r1"]
    assert (parts.weight, parts.excluded) == (0.0, "future")
    assert report_weight(observation(), VOTING_NIGHT, CONFIG) > 0


def test_reports_beyond_the_horizon_do_not_count():
    horizon = hours(CONFIG.horizon_hours)
    assert report_weight(observation(), VOTING_NIGHT + horizon, CONFIG) > 0
    parts = weigh_reports([observation()], VOTING_NIGHT + horizon + timedelta(seconds=1), CONFIG)["r1"]
    assert (parts.weight, parts.excluded) == (0.0, "expired")


def test_regrade_replaces_the_officers_grade():
    report = SimpleNamespace(id="r9", desa_code=DESA, category="bentrok", threat_stage="GN",
                             observed_at=VOTING_NIGHT, source_reliability="A", info_credibility=1)
    own = Observation.from_report(report, "80010001")
    regraded = Observation.from_report(report, "80010001", review="confirmed", grade="C3")
    assert (own.source_reliability, own.info_credibility, own.grade) == ("A", 1, "A1")
    assert (regraded.source_reliability, regraded.info_credibility, regraded.review) == ("C", 3, "confirmed")
    c3 = CONFIG.reliability_factors["C"] * CONFIG.credibility_factors[3]
    assert report_weight(regraded, VOTING_NIGHT, CONFIG) == pytest.approx(
        report_weight(own, VOTING_NIGHT, CONFIG) * c3)


@pytest.mark.parametrize("grade", ["G1", "B7", "B", "2B", "", "B22"])
def test_bad_grades_are_rejected(grade):
    with pytest.raises(ValueError):
        parse_grade(grade)
    assert parse_grade(" b2 ") == ("B", 2)


def test_observations_must_be_well_formed():
    with pytest.raises(ValueError, match="timezone-aware"):
        observation(observed_at=datetime(2024, 11, 27, 21, 40))
    with pytest.raises(ValueError, match="review"):
        observation(review="approved")
    with pytest.raises(ValueError, match="reliability"):
        observation(source_reliability="G")
    with pytest.raises(ValueError, match="unknown category"):
        report_weight(observation(category="kerusuhan"), VOTING_NIGHT, CONFIG)
    with pytest.raises(ValueError, match="timezone-aware"):
        score_regions([observation()], datetime(2024, 11, 28), CONFIG)
    with pytest.raises(ValueError, match="more than once"):
        score_regions([observation(), observation()], VOTING_NIGHT, CONFIG)


# --- corroboration ---------------------------------------------------------------------------


def pair(second_after: timedelta | None = None, **second) -> list[Observation]:
    first = observation(id="a", officer="80010001")
    when = VOTING_NIGHT + (hours(3) if second_after is None else second_after)
    fields = {"id": "b", "officer": "80010002", "observed_at": when, **second}
    return [first, observation(**fields)]


def corroboration_of(reports, at=None) -> dict[str, float]:
    at = at or VOTING_NIGHT + hours(60)
    return {key: parts.corroboration for key, parts in weigh_reports(reports, at, CONFIG).items()}


def test_two_officers_same_category_same_desa_corroborate_each_other():
    assert corroboration_of(pair()) == {"a": 1.5, "b": 1.5}
    assert corroboration_of(pair(second_after=hours(48))) == {"a": 1.5, "b": 1.5}


@pytest.mark.parametrize("second", [
    {"officer": "80010001"},                      # the same officer twice
    {"category": "intimidasi"},
    {"desa_code": "15.72.07.2003"},
    {"review": "rejected"},
    {"review": "duplicate"},
])
def test_what_does_not_corroborate(second):
    assert corroboration_of(pair(**second))["a"] == 1.0


def test_reports_more_than_the_window_apart_do_not_corroborate():
    assert corroboration_of(pair(second_after=hours(48) + timedelta(seconds=1))) == {"a": 1.0, "b": 1.0}


def test_a_report_from_the_future_does_not_corroborate_yet():
    reports = pair()
    assert corroboration_of(reports, at=VOTING_NIGHT + hours(1))["a"] == 1.0
    assert corroboration_of(reports, at=VOTING_NIGHT + hours(3))["a"] == 1.5


dense_rows = st.lists(st.tuples(st.sampled_from(["15.72.07.2004", "15.72.07.2003"]),
                                st.sampled_from(["bentrok", "intimidasi"]), st.integers(-60, 60 * 24 * 6),
                                st.sampled_from(["o1", "o2", "o3", "o4"]),
                                st.sampled_from(["pending", "pending", "rejected"])), max_size=30)


@settings(max_examples=80)
@given(dense_rows, st.sampled_from([2, 3]))
def test_corroboration_matches_its_definition(rows, needed):
    """Brute force: a counted report is corroborated when the reports of its desa and category that
    are not rejected/duplicate and not in the future, within 48 h either side, come from ≥ needed officers."""
    config = dataclasses.replace(CONFIG, corroboration_min_officers=needed)
    reports = [observation(id=f"r{n}", desa_code=desa, category=category, officer=officer, review=review,
                           observed_at=VOTING_NIGHT - timedelta(minutes=minutes))
               for n, (desa, category, minutes, officer, review) in enumerate(rows)]
    weighed = weigh_reports(reports, VOTING_NIGHT, config)
    alive = [r for r in reports if r.review == "pending" and r.observed_at <= VOTING_NIGHT]
    for report in reports:
        near = {other.officer for other in alive if (other.desa_code, other.category) == (
            report.desa_code, report.category) and abs(other.observed_at - report.observed_at) <= hours(48)}
        expected = weighed[report.id].excluded is None and report in alive and len(near) >= needed
        assert weighed[report.id].corroboration == (1.5 if expected else 1.0)


def test_corroboration_raises_the_score():
    together = score_regions(pair(), VOTING_NIGHT + hours(4), CONFIG)[DESA].score
    same_officer = score_regions(pair(officer="80010001"), VOTING_NIGHT + hours(4), CONFIG)[DESA].score
    assert together == pytest.approx(same_officer * 1.5)


# --- region scores and roll-up ---------------------------------------------------------------


def test_roll_up_reaches_every_level_by_code_prefix():
    reports = [observation(id="a", desa_code="15.72.07.2004"), observation(id="b", desa_code="15.72.07.2003"),
               observation(id="c", desa_code="15.01.01.2001", officer="80020001")]
    scores = score_regions(reports, VOTING_NIGHT + hours(1), CONFIG)
    assert set(scores) == {"15.72.07.2004", "15.72.07.2003", "15.72.07", "15.72", "15.01.01.2001", "15.01.01",
                           "15.01", "15"}
    assert [scores[c].tier for c in ("15.72.07.2004", "15.72.07", "15.72", "15")] == [
        "desa", "kecamatan", "kabupaten", "provinsi"]
    assert scores["15"].report_count == 3 and scores["15"].officer_count == 2
    assert scores["15.72"].officer_count == 1
    assert scores["15"].score == pytest.approx(3 * scores["15.72.07.2004"].score)


def test_region_score_records_first_last_and_top_categories():
    reports = [observation(id=str(n), category=category, observed_at=VOTING_NIGHT - hours(n),
                           officer="80010001" if n in (0, 1, 2, 5) else "80010002")   # within [limits]
               for n, category in enumerate(["bentrok", "politik_uang", "intimidasi", "hoaks_sara",
                                             "informasi_umum", "bentrok", "inisiatif_damai"])]
    region = score_regions(reports, VOTING_NIGHT, CONFIG)["15.72"]
    assert list(region.top_categories) == ["bentrok", "intimidasi", "hoaks_sara"]
    assert region.top_categories["bentrok"] == pytest.approx(
        report_weight(reports[0], VOTING_NIGHT, CONFIG) + report_weight(reports[5], VOTING_NIGHT, CONFIG))
    assert (region.first_observed_at, region.last_observed_at) == (VOTING_NIGHT - hours(6), VOTING_NIGHT)
    assert region.report_count == 7


def test_no_reports_no_scores():
    assert score_regions([], VOTING_NIGHT, CONFIG) == {}


observations_strategy = st.lists(
    st.builds(
        lambda *row: row,
        st.sampled_from(["15.72.07.2004", "15.72.07.2003", "15.72.01.2001", "15.01.01.2001",
                         "15.01.02.2001"]),
        st.one_of(st.sampled_from(["bentrok", "politik_uang"]), st.sampled_from(CATEGORY_CODES)),
        st.sampled_from(THREAT_STAGES),
        st.one_of(st.integers(-120, 60 * 24 * 3), st.integers(-120, 60 * 24 * 40)),   # dense, then sparse
        st.sampled_from(["o1", "o2", "o3"]),
        st.one_of(st.none(), st.sampled_from(["A1", "B2", "C3", "F6", "E5"])),
        st.sampled_from(["pending", "pending", "confirmed", "rejected", "duplicate"])),
    max_size=40)


def build(rows) -> list[Observation]:
    result = []
    for n, (desa, category, stage, minutes, officer, grade, review) in enumerate(rows):
        reliability, credibility = parse_grade(grade) if grade else (None, None)
        result.append(Observation(f"r{n}", desa, category, stage, VOTING_NIGHT - timedelta(minutes=minutes),
                                  officer, reliability, credibility, review))
    return result


@settings(max_examples=60)
@given(observations_strategy)
def test_every_region_score_is_the_sum_of_its_children(rows):
    scores = score_regions(build(rows), VOTING_NIGHT, CONFIG)
    for code, region in scores.items():
        children = [child for child_code, child in scores.items() if child_code.rpartition(".")[0] == code]
        if children:
            assert region.score == pytest.approx(sum(child.score for child in children))
            assert region.report_count == sum(child.report_count for child in children)
            assert region.officer_count <= sum(child.officer_count for child in children)


@settings(max_examples=60)
@given(observations_strategy)
def test_scores_are_the_weights_of_weigh_reports(rows):
    observations = build(rows)
    weights = weigh_reports(observations, VOTING_NIGHT, CONFIG)
    scores = score_regions(observations, VOTING_NIGHT, CONFIG)
    counted = [obs for obs in observations if weights[obs.id].excluded is None]
    assert sum(region.report_count for region in scores.values() if region.tier == "desa") == len(counted)
    for desa in {obs.desa_code for obs in counted}:
        in_desa = [weights[obs.id].weight for obs in counted if obs.desa_code == desa]
        assert scores[desa].score == pytest.approx(sum(in_desa), rel=1e-12)
    if counted:
        assert scores["15"].score == pytest.approx(sum(parts.weight for parts in weights.values()))


@settings(max_examples=40)
@given(observations_strategy)
def test_weighing_a_region_alone_gives_the_same_breakdowns(rows):
    """Corroboration only looks inside a desa, so an alert can explain itself from its own reports."""
    observations = build(rows)
    everything = weigh_reports(observations, VOTING_NIGHT, CONFIG)
    kerinci = [obs for obs in observations if obs.desa_code.startswith("15.01.")]
    assert weigh_reports(kerinci, VOTING_NIGHT, CONFIG) == {obs.id: everything[obs.id] for obs in kerinci}


# --- properties of a report's weight ---------------------------------------------------------

counted_reports = st.builds(
    lambda category, stage, grade, age_minutes: (observation(
        category=category, threat_stage=stage, source_reliability=grade[0] if grade else None,
        info_credibility=int(grade[1]) if grade else None), age_minutes),
    st.sampled_from(CATEGORY_CODES), st.sampled_from(THREAT_STAGES),
    st.one_of(st.none(), st.sampled_from(["A1", "B2", "C3", "D4", "E5", "F6", "A6", "F1"])),
    st.integers(0, 60 * 24 * 29))


@given(counted_reports, st.floats(0, 10), st.floats(0, 10))
def test_weight_grows_with_category_weight(case, w1, w2):
    report, age = case
    low, high = sorted((w1, w2))
    at = VOTING_NIGHT + timedelta(minutes=age)

    def weighed(weight):
        weights = {**CONFIG.category_weights, report.category: weight}
        config = dataclasses.replace(CONFIG, category_weights=weights)
        return report_weight(report, at, config)
    assert weighed(low) <= weighed(high)


@given(counted_reports)
def test_weight_grows_with_threat_stage(case):
    report, age = case
    at = VOTING_NIGHT + timedelta(minutes=age)
    weights = [report_weight(dataclasses.replace(report, threat_stage=s), at, CONFIG) for s in THREAT_STAGES]
    assert weights == sorted(weights)
    if CONFIG.category_weights[report.category] > 0:
        assert weights[0] < weights[1] < weights[2]


@given(counted_reports, st.integers(1, 60 * 24 * 5))
def test_weight_strictly_decays_with_age(case, later_minutes):
    report, age = case
    at = VOTING_NIGHT + timedelta(minutes=age)
    later = min(at + timedelta(minutes=later_minutes), VOTING_NIGHT + hours(CONFIG.horizon_hours))
    now_weight, later_weight = report_weight(report, at, CONFIG), report_weight(report, later, CONFIG)
    if CONFIG.category_weights[report.category] == 0:
        assert now_weight == later_weight == 0
    elif later > at:
        assert later_weight < now_weight


@given(counted_reports)
def test_weight_halves_at_the_half_life(case):
    report, age = case
    at = VOTING_NIGHT + timedelta(minutes=age)
    half_life = hours(CONFIG.half_life_hours)
    if at + half_life <= VOTING_NIGHT + hours(CONFIG.horizon_hours):
        halved = report_weight(report, at, CONFIG) / 2
        assert report_weight(report, at + half_life, CONFIG) == pytest.approx(halved)


@given(counted_reports, st.sampled_from(["rejected", "duplicate"]))
def test_rejected_or_duplicate_weighs_zero_whatever_else(case, review):
    report, age = case
    assert report_weight(dataclasses.replace(report, review=review),
                         VOTING_NIGHT + timedelta(minutes=age), CONFIG, corroborated=True) == 0


@given(counted_reports)
def test_corroboration_never_lowers_a_weight(case):
    report, age = case
    at = VOTING_NIGHT + timedelta(minutes=age)
    alone, backed = report_weight(report, at, CONFIG), report_weight(report, at, CONFIG, corroborated=True)
    assert backed == pytest.approx(alone * CONFIG.corroboration_factor)


# --- levels and hysteresis -------------------------------------------------------------------


@pytest.mark.parametrize("tier", TIER_NAMES)
def test_levels_rise_at_their_thresholds(tier):
    bounds = CONFIG.thresholds[tier]
    assert level_for(bounds["rawan"] - 0.01, tier, None, CONFIG) == "kurang_rawan"
    assert level_for(bounds["rawan"], tier, None, CONFIG) == "rawan"
    assert level_for(bounds["sangat_rawan"], tier, "kurang_rawan", CONFIG) == "sangat_rawan"


def test_kota_and_kelurahan_use_kabupaten_and_desa_thresholds():
    score = CONFIG.thresholds["desa"]["rawan"]
    assert level_for(score, "kelurahan", None, CONFIG) == level_for(score, "desa", None, CONFIG) == "rawan"
    assert level_for(score, "kota", None, CONFIG) == level_for(score, "kabupaten", None, CONFIG)
    with pytest.raises(ValueError, match="tier"):
        level_for(score, "rt", None, CONFIG)


@pytest.mark.parametrize("tier", TIER_NAMES)
def test_a_level_drops_only_below_threshold_times_exit_ratio(tier):
    rawan, ratio = CONFIG.thresholds[tier]["rawan"], CONFIG.exit_ratio
    assert level_for(rawan * ratio, tier, "rawan", CONFIG) == "rawan"
    assert level_for(rawan * ratio * 0.999, tier, "rawan", CONFIG) == "kurang_rawan"


@pytest.mark.parametrize("tier", TIER_NAMES)
def test_a_level_can_drop_more_than_one_step(tier):
    bounds = CONFIG.thresholds[tier]
    assert level_for(0.0, tier, "sangat_rawan", CONFIG) == "kurang_rawan"
    assert level_for(bounds["rawan"], tier, "sangat_rawan", CONFIG) == "rawan"
    held = bounds["sangat_rawan"] * CONFIG.exit_ratio
    assert level_for(held, tier, "sangat_rawan", CONFIG) == "sangat_rawan"


@given(st.sampled_from(TIER_NAMES), st.sampled_from(["rawan", "sangat_rawan"]),
       st.lists(st.floats(0.95, 1.05), min_size=1, max_size=50))
def test_a_score_hovering_around_a_threshold_does_not_flap(tier, level, factors):
    threshold = CONFIG.thresholds[tier][level]
    current = level_for(threshold, tier, None, CONFIG)
    for factor in factors:
        current = level_for(threshold * factor, tier, current, CONFIG)
        assert current == level
    assert level_for(threshold * factors[-1], tier, None, CONFIG) in (level, LEVELS[LEVELS.index(level) - 1])


@given(st.sampled_from(TIER_NAMES), st.sampled_from((None, *LEVELS)), st.floats(0, 500), st.floats(0, 500))
def test_levels_are_ordered_by_score(tier, previous, s1, s2):
    low, high = sorted((s1, s2))
    rank = LEVELS.index
    assert rank(level_for(low, tier, previous, CONFIG)) <= rank(level_for(high, tier, previous, CONFIG))


@given(st.sampled_from(TIER_NAMES), st.sampled_from(LEVELS), st.floats(0, 500))
def test_hysteresis_only_holds_a_level_never_invents_one(tier, previous, score):
    fresh = LEVELS.index(level_for(score, tier, None, CONFIG))
    held = LEVELS.index(level_for(score, tier, previous, CONFIG))
    assert fresh <= held <= max(fresh, LEVELS.index(previous))


def test_deadlines():
    assert (CONFIG.deadline_hours("sangat_rawan"), CONFIG.deadline_hours("rawan")) == (1, 6)
    assert CONFIG.deadline_hours("kurang_rawan") is None


# --- context: shown beside the score, never in it --------------------------------------------


def test_context_file_is_parsed():
    contexts = parse_context(CONTEXT_CSV)
    assert len(contexts) == 11
    sungai_penuh = contexts["15.72"]
    assert (sungai_penuh.polres, sungai_penuh.tps, sungai_penuh.polda_baseline) == (
        "Polres Kerinci", 299, "rawan")
    assert contexts["15.01"].polres == "Polres Kerinci"
    assert (contexts["15.03"].ikp_score, contexts["15.03"].ikp_category) == (26.05, "tinggi")
    assert {c.code for c in contexts.values() if c.polda_baseline == "rawan"} == {"15.01", "15.72"}


def test_config_finds_the_context_of_any_code_inside_a_kabupaten():
    assert CONFIG.context("15.72.07.2004").name == "Kota Sungai Penuh"
    assert CONFIG.context("15.72").code == "15.72"
    assert CONFIG.context("15") is None
    assert CONFIG.context("16.01") is None


def test_polda_baseline_holds_only_in_critical_stages():
    kerinci = CONFIG.context("15.01")
    assert kerinci.baseline_level(critical_stage=True) == "rawan"
    assert kerinci.baseline_level(critical_stage=False) == "kurang_rawan"


def swap_context(text: str) -> str:
    """Every baseline sangat_rawan, every IKP score 99 and category 'tinggi'."""
    rows = list(csv.DictReader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "polda_baseline_2024": "sangat_rawan", "ikp_pilkada_2024_score": "99",
                         "ikp_pilkada_2024_category": "tinggi"})
    return out.getvalue()


@settings(max_examples=25)
@given(observations_strategy)
def test_baseline_and_ikp_never_change_a_score(rows):
    other = load_config(SCORING_TOML, swap_context(CONTEXT_CSV))
    assert other.context("15.08").polda_baseline == "sangat_rawan"
    observations = build(rows)
    scores = score_regions(observations, VOTING_NIGHT, CONFIG)
    assert score_regions(observations, VOTING_NIGHT, other) == scores
    assert score_regions(observations, VOTING_NIGHT, load_config(SCORING_TOML)) == scores
    weights = weigh_reports(observations, VOTING_NIGHT, CONFIG)
    assert weigh_reports(observations, VOTING_NIGHT, other) == weights


@pytest.mark.parametrize(("change", "message"), [
    (("15.72,Kota Sungai Penuh", "15.72.01,Kota Sungai Penuh"), "not a kabupaten/kota code"),
    (("6.51,sedang,rawan", "6.51,sedang,waspada"), "polda baseline"),
    (("299,72598", "banyak,72598"), "tps_pemilu_2024"),
    (("299,72598", "-1,72598"), "negative"),
    (("code,name", "kode,name"), "header"),
])
def test_bad_context_files_are_rejected(change, message):
    with pytest.raises(ValueError, match=message):
        parse_context(CONTEXT_CSV.replace(*change))


# --- personnel -------------------------------------------------------------------------------


def test_personnel_patterns_and_reinforcement():
    rawan = recommend_personnel("rawan", 299, CONFIG, estimate=True)
    assert dataclasses.astuple(rawan) == ("2:2", 299, 300, 76, 224, True)   # 2 per 2 TPS vs 2 per 8 TPS
    sangat = recommend_personnel("sangat_rawan", 10, CONFIG, estimate=False)
    assert (sangat.pattern, sangat.recommended, sangat.baseline, sangat.reinforcement) == ("2:1", 20, 4, 16)
    calm = recommend_personnel("kurang_rawan", 10, CONFIG, estimate=False)
    assert (calm.pattern, calm.recommended, calm.reinforcement) == ("2:8", 4, 0)
    assert recommend_personnel("rawan", 0, CONFIG, estimate=True).recommended == 0
    assert calm.to_dict()["pattern"] == "2:8"


@given(st.integers(0, 5000))
def test_higher_levels_never_recommend_fewer_police(tps):
    counts = [recommend_personnel(level, tps, CONFIG, estimate=True).recommended for level in LEVELS]
    assert counts == sorted(counts)
    assert recommend_personnel("kurang_rawan", tps, CONFIG, estimate=True).reinforcement == 0


def test_personnel_rejects_bad_input():
    with pytest.raises(ValueError, match="level"):
        recommend_personnel("siaga", 10, CONFIG, estimate=True)
    with pytest.raises(ValueError, match="TPS"):
        recommend_personnel("rawan", -1, CONFIG, estimate=True)


def jambi_desa_counts() -> dict[str, int]:
    rows = csv.DictReader(io.StringIO(read_text("regions", "jambi_wilayah.csv")))
    return count_desa(row["code"] for row in rows if row["level"] in ("desa", "kelurahan"))


def test_count_desa():
    counts = count_desa(["15.72.07.2001", "15.72.07.2002", "15.72.01.2001"])
    assert counts == {"15.72.07": 2, "15.72.01": 1, "15.72": 3, "15": 3}
    assert jambi_desa_counts()["15"] == 1585


def test_tps_estimates():
    counts = jambi_desa_counts()
    assert tuple(estimate_tps("15.72", CONFIG, counts)) == (299, True)
    assert estimate_tps("15", CONFIG, counts) == (11363, True)
    in_kota = counts["15.72"]
    kecamatan = estimate_tps("15.72.07", CONFIG, counts)
    assert kecamatan.estimate and kecamatan.tps == round(299 * counts["15.72.07"] / in_kota)
    desa = estimate_tps(DESA, CONFIG, counts)
    assert desa.estimate and desa.tps == max(1, round(299 / in_kota))
    with pytest.raises(KeyError):
        estimate_tps("16.01", CONFIG, counts)
    with pytest.raises(ValueError, match="desa count"):
        estimate_tps("15.72.07", CONFIG, {})


# --- the config file -------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "message"), [
    (("bentrok = 3.0", ""), r"category_weights.*missing \['bentrok'\]"),
    (("bentrok = 3.0", "bentrok = -3.0"), "category_weights.bentrok"),
    (("GN = 9", "GN = 0"), "threat_stage_weights.GN"),
    (("F = 0.7", "F = 0"), "credibility.reliability.F"),
    (("exit_ratio = 0.7", "exit_ratio = 1.2"), "exit_ratio"),
    (("min_officers = 2", "min_officers = 1"), "min_officers"),
    (("[thresholds.desa]\nrawan = 18", "[thresholds.desa]\nrawan = 50"), "thresholds.desa"),
    (('rawan = "2:2"', 'rawan = "2 per 2"'), "personnel"),
    (('sangat_rawan = "2:1"', 'sangat_rawan = "2:9"'), "fewer police"),
    (("half_life_hours = 72", "half_life_hours = true"), "half_life_hours"),
    (("[coverage]", "[coverage]\ncolour = 1"), r"\[coverage\].*unknown \['colour'\]"),
    (("[decay]", "[decay]\n["), "not valid TOML"),
])
def test_bad_config_files_are_rejected(change, message):
    assert change[0] in SCORING_TOML
    with pytest.raises(ValueError, match=message):
        load_config(SCORING_TOML.replace(*change, 1))


def test_config_numbers():
    assert (CONFIG.half_life_hours, CONFIG.horizon_hours) == (72, 30 * 24)
    assert (CONFIG.corroboration_window_hours, CONFIG.corroboration_factor) == (48, 1.5)
    assert CONFIG.silence_hours == 24
    for tier in TIER_NAMES:
        assert 0 < CONFIG.thresholds[tier]["rawan"] < CONFIG.thresholds[tier]["sangat_rawan"]


@pytest.mark.parametrize("review", REVIEWS)
@pytest.mark.parametrize("superseded_by", [None, "r2"])
@pytest.mark.parametrize("threat_stage", ["GN", "", None])
def test_entries_for_counts_what_counts_says(review, superseded_by, threat_stage):
    """``entries_for`` inlines ``counts``: a stored row becomes an entry exactly when ``counts`` says so."""
    row = ("r1", "15.72.07.2001", "bentrok", threat_stage, 1_732_700_000.0, "nrp.a", "B", 2, review, None, None,
           "kampanye", superseded_by)
    entries, gone = entries_for([row], {"nrp.a": ("15.72.07",)}, {})
    assert (len(entries), gone) == ((1, []) if counts(review, superseded_by is not None, threat_stage) else (0, ["r1"]))

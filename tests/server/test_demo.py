"""The demo accounts and scenario: valid reports, a story in order, nothing in the future."""
from __future__ import annotations

import csv
import math
import re
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kerawanan import assets
from kerawanan.regions import in_scope
from kerawanan.report import WIRE_FIELDS, parse_report
from kerawanan.scoring import Observation, level_for, score_regions
from sync_server.demo import (
    DESA_POINTS,
    LATEST_OFFSET,
    SCENARIO_NAMESPACE,
    VOTING_NIGHT_2024,
    WIB,
    demo_accounts,
    demo_scenario,
)

ANCHOR_2026 = datetime(2026, 3, 14, 9, 17, 33, 123456, tzinfo=UTC)
ANCHORS = [VOTING_NIGHT_2024, ANCHOR_2026]
CLOCK_TIME = re.compile(r"\b\d{1,2}[.:]\d{2}\b")
STORY_ORDER = ("kampanye", "masa_tenang", "pemungutan_suara", "rekapitulasi")


@pytest.fixture(scope="module")
def gazetteer():
    return assets.gazetteer()


@pytest.fixture(scope="module")
def calendar():
    return assets.calendar()


@pytest.fixture(scope="module")
def csv_points():
    rows = csv.DictReader(assets.read_text("regions", "jambi_wilayah.csv").splitlines())
    return {row["code"]: (float(row["lat"]), float(row["lon"])) for row in rows if row["lat"]}


@pytest.fixture(scope="module")
def blank_spots():
    rows = csv.DictReader(assets.read_text("jambi_history.csv").splitlines())
    return {row["region_code"] for row in rows if row["kind"] == "blank_spot"}


def accounts_by_name() -> dict[str, dict]:
    return {account["username"]: account for account in demo_accounts()}


def reports(anchor: datetime = VOTING_NIGHT_2024) -> list[dict]:
    return [report for _, report in demo_scenario(anchor)]


def observed(report: dict) -> datetime:
    return datetime.fromisoformat(report["observed_at"])


def recorded(report: dict) -> datetime:
    return datetime.fromisoformat(report["recorded_at"])


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = (a[0] - b[0]) * 111_320
    dlon = (a[1] - b[1]) * 111_320 * math.cos(math.radians(a[0]))
    return math.hypot(dlat, dlon)


# --- the scenario is valid wire data ----------------------------------------------------------

@pytest.mark.parametrize("anchor", ANCHORS, ids=["2024", "2026"])
def test_every_report_parses_with_the_stage_of_its_date(anchor, gazetteer, calendar):
    now = anchor + timedelta(days=1)
    for index, (_, wire) in enumerate(demo_scenario(anchor)):
        report = parse_report(wire, now=now, gazetteer=gazetteer, calendar=calendar,
                              path=f"reports[{index}]")
        assert report.id == wire["id"]
        assert report.stage == calendar.stage_for(observed(wire))
        assert report.media == ()


def test_shifted_to_another_date_the_story_states_no_stage_the_calendar_would_contradict():
    """The server refuses a stated stage that contradicts observed_at; shifted, the calendar decides."""
    assert {report["stage"] for report in reports(ANCHOR_2026)} == {None}
    assert {report["stage"] for report in reports(VOTING_NIGHT_2024)} == set(STORY_ORDER)


def test_reports_carry_only_wire_fields_and_every_stage_explicitly():
    for report in reports():
        assert set(report) <= set(WIRE_FIELDS)
        assert report["stage"] in STORY_ORDER
        assert report["media"] == []


def test_scenario_size_is_a_demo_not_a_flood():
    assert 25 <= len(reports()) <= 45


def test_naive_anchor_is_refused():
    with pytest.raises(ValueError):
        demo_scenario(datetime(2024, 11, 27, 21, 40))


# --- ids ------------------------------------------------------------------------------------

def test_ids_are_unique_uuid5_of_the_scenario_namespace():
    ids = [report["id"] for report in reports()]
    assert len(set(ids)) == len(ids)
    for report_id in ids:
        parsed = uuid.UUID(report_id)
        assert parsed.version == 5 and str(parsed) == report_id
    assert str(SCENARIO_NAMESPACE) not in ids


def test_ids_do_not_depend_on_the_anchor_so_reseeding_never_duplicates():
    assert [r["id"] for r in reports(VOTING_NIGHT_2024)] == [r["id"] for r in reports(ANCHOR_2026)]
    assert demo_scenario(ANCHOR_2026) == demo_scenario(ANCHOR_2026)


# --- time -----------------------------------------------------------------------------------

@pytest.mark.parametrize("anchor", ANCHORS, ids=["2024", "2026"])
def test_reports_are_in_chronological_order(anchor):
    moments = [observed(report) for report in reports(anchor)]
    assert moments == sorted(moments)


@settings(max_examples=40, deadline=None)
@given(anchor=st.datetimes(min_value=datetime(2024, 6, 1), max_value=datetime(2035, 1, 1),
                           timezones=st.sampled_from([UTC, WIB, timezone(timedelta(hours=-5))])))
def test_nothing_is_observed_or_recorded_after_anchor_plus_20h(anchor):
    for report in reports(anchor):
        assert observed(report) <= anchor + LATEST_OFFSET
        assert recorded(report) <= anchor + LATEST_OFFSET
        assert observed(report) <= recorded(report)


def test_the_scenario_shifts_as_a_whole_with_the_anchor():
    shift = ANCHOR_2026.replace(microsecond=0) - VOTING_NIGHT_2024
    for old, new in zip(reports(VOTING_NIGHT_2024), reports(ANCHOR_2026), strict=True):
        assert observed(new) - observed(old) == shift
        assert recorded(new) - observed(new) == recorded(old) - observed(old)


def test_the_latest_reports_are_live_recapitulation():
    latest = reports()[-3:]
    assert {report["stage"] for report in latest} == {"rekapitulasi"}
    assert observed(latest[-1]) >= VOTING_NIGHT_2024 + timedelta(hours=19)


def test_replayed_in_2024_the_stages_agree_with_the_calendar(calendar):
    for report in reports(VOTING_NIGHT_2024):
        assert calendar.stage_for(observed(report)) == report["stage"], report["id"]


def test_stages_follow_the_story_order():
    stages = [report["stage"] for report in reports()]
    ranks = [STORY_ORDER.index(stage) for stage in stages]
    assert ranks == sorted(ranks)
    assert list(dict.fromkeys(stages)) == list(STORY_ORDER)


# --- places ---------------------------------------------------------------------------------

def test_every_report_is_about_a_desa_of_the_gazetteer(gazetteer):
    for report in reports():
        assert gazetteer.is_desa(report["desa_code"])


def test_locations_are_near_their_desa_point_from_the_gazetteer_csv(csv_points):
    located = [report for report in reports() if report["location"] is not None]
    assert len(located) >= len(reports()) - 3
    for report in located:
        point = (report["location"]["lat"], report["location"]["lon"])
        assert distance_m(point, csv_points[report["desa_code"]]) < 60
        assert 0 < report["location"]["accuracy_m"] <= 30


def test_hard_coded_desa_points_are_the_gazetteer_csv_points(csv_points):
    for code, point in DESA_POINTS.items():
        assert point == csv_points[code], code


def test_a_phone_fix_resolves_to_the_desa_of_the_report(gazetteer):
    for report in reports():
        if report["location"] is not None:
            found = gazetteer.locate_desa(report["location"]["lat"], report["location"]["lon"])
            assert found.desa_code == report["desa_code"], report["id"]


# --- accounts -------------------------------------------------------------------------------

def test_usernames_are_unique_and_passwords_are_documented_demo_passwords():
    accounts = demo_accounts()
    assert len({account["username"] for account in accounts}) == len(accounts)
    for account in accounts:
        assert set(account) == {"username", "name", "role", "scope", "password", "title"}
        assert account["password"].startswith("demo-") and len(account["password"]) >= 10
        assert account["name"] and account["title"] and account["scope"]


def test_officers_have_an_nrp_and_serve_desa(gazetteer):
    officers = [a for a in demo_accounts() if a["role"] == "officer"]
    assert len(officers) >= 6
    for officer in officers:
        assert len(officer["username"]) == 8 and officer["username"].isdigit()
        assert all(gazetteer.is_desa(code) for code in officer["scope"])


def test_supervisor_and_admin_scopes_are_regions_above_the_desa(gazetteer):
    for account in demo_accounts():
        if account["role"] != "officer":
            for code in account["scope"]:
                assert code in gazetteer and not gazetteer.is_desa(code), code


def test_the_chain_of_command_of_the_issue():
    accounts = accounts_by_name()
    roles = Counter(account["role"] for account in accounts.values())
    assert roles["admin"] >= 1 and roles["supervisor"] >= 3
    assert any(a["role"] == "admin" and a["scope"] == ["15"] for a in accounts.values())
    assert accounts["polres.kerinci"]["scope"] == ["15.01", "15.72"]
    assert accounts["polresta.jambi"]["scope"] == ["15.71"]
    polsek = accounts["polsek.pesisirbukit"]["scope"]
    assert 1 <= len(polsek) <= 2 and all(code.startswith("15.72.") and code.count(".") == 2 for code in polsek)


def test_officers_cover_the_places_of_the_story(blank_spots):
    scopes = [a["scope"] for a in demo_accounts() if a["role"] == "officer"]
    served = {code for scope in scopes for code in scope}
    assert served & blank_spots & {"15.01.01.2005", "15.01.11.2010"}
    assert {"15.72.07.2001", "15.72.05.2007"} <= served
    assert sum(1 for scope in scopes if in_scope(scope[0], ["15.72"])) >= 2
    assert any(in_scope(scope[0], ["15.71"]) for scope in scopes)


def test_every_reporting_officer_is_a_demo_officer():
    accounts = accounts_by_name()
    for officer, _ in demo_scenario(VOTING_NIGHT_2024):
        assert accounts[officer]["role"] == "officer"


def test_demo_accounts_are_fresh_copies():
    first = demo_accounts()
    first[0]["scope"].append("15.99")
    assert demo_accounts()[0]["scope"] != first[0]["scope"]


# --- the story ------------------------------------------------------------------------------

def pairs_where(**wanted) -> list[tuple[str, dict]]:
    return [(officer, report) for officer, report in demo_scenario(VOTING_NIGHT_2024)
            if all(report[key] == value for key, value in wanted.items())]


def test_campaign_clash_in_koto_baru_goes_pg_gn_ag_reported_by_two_officers():
    clash = pairs_where(stage="kampanye", category="bentrok", desa_code="15.72.07.2001")
    threat = [report["threat_stage"] for _, report in clash]
    assert threat.index("PG") < threat.index("GN") < threat.index("AG")
    assert len({officer for officer, report in clash if report["threat_stage"] == "GN"}) >= 2
    assert pairs_where(stage="kampanye", category="pelanggaran_kampanye")


def test_money_politics_in_the_quiet_days_in_kerinci_and_sungai_penuh():
    quiet = pairs_where(stage="masa_tenang", category="politik_uang")
    regions = {report["desa_code"][:5] for _, report in quiet}
    assert {"15.01", "15.72"} <= regions
    for _, report in quiet:
        assert timedelta(days=-3) <= observed(report) - VOTING_NIGHT_2024 <= timedelta(days=-1)


def test_ballot_boxes_burn_on_voting_night_reported_by_two_officers_in_sungai_penuh():
    burning = [(officer, report) for officer, report in pairs_where(stage="pemungutan_suara",
                                                                     category="gangguan_tps",
                                                                     threat_stage="GN")
               if in_scope(report["desa_code"], ["15.72"])]
    assert len(burning) >= 3
    assert len({officer for officer, _ in burning}) >= 2
    assert len({report["desa_code"][:8] for _, report in burning}) <= 2
    for _, report in burning:
        assert abs(observed(report) - VOTING_NIGHT_2024) <= timedelta(hours=1)
        assert report["tps"] and report["people_count"]


def test_recapitulation_blockade_goes_gn_then_ag_then_the_suspects_village():
    window = (VOTING_NIGHT_2024 + timedelta(hours=12), VOTING_NIGHT_2024 + LATEST_OFFSET)
    blockade = [report for _, report in pairs_where(stage="rekapitulasi", category="pengerahan_massa")
                if in_scope(report["desa_code"], ["15.72"])]
    threat = [report["threat_stage"] for report in blockade]
    assert threat.index("GN") < threat.index("AG")
    assert all(window[0] <= observed(report) <= window[1] for report in blockade)
    assert any(report["desa_code"] == "15.72.05.2007" for report in blockade)


def test_background_noise_elsewhere_on_the_map():
    categories = {report["category"] for report in reports()
                  if not in_scope(report["desa_code"], ["15.72"])}
    assert {"hoaks_sara", "netralitas", "logistik", "bencana", "inisiatif_damai"} <= categories
    assert any(in_scope(report["desa_code"], ["15.71"]) for report in reports())


def test_a_blank_spot_village_writes_its_report_hours_late(blank_spots):
    late = [report for report in reports()
            if report["desa_code"] in blank_spots and recorded(report) - observed(report) >= timedelta(hours=6)]
    assert late


def test_texts_carry_no_clock_time_that_would_not_shift_with_the_anchor():
    for report in reports():
        for text in (report["facts"], report["opinion"] or ""):
            assert not CLOCK_TIME.search(text) and "pukul" not in text.lower(), text


def test_seeded_now_the_story_shows_live_alerts_in_sungai_penuh(gazetteer, calendar):
    """seed-demo anchors voting night about 20 h ago: its alerts must still be open then."""
    config = assets.scoring_config()
    now = VOTING_NIGHT_2024 + LATEST_OFFSET
    observations = [
        Observation.from_report(parse_report(wire, now=now, gazetteer=gazetteer, calendar=calendar), officer)
        for officer, wire in demo_scenario(VOTING_NIGHT_2024)
    ]
    scores = score_regions(observations, now, config)

    def level(code: str) -> str:
        return level_for(scores[code].score, scores[code].tier, None, config)

    assert level("15.72.07") == "sangat_rawan"
    assert level("15.72.02") in {"rawan", "sangat_rawan"}
    assert level("15.72") in {"rawan", "sangat_rawan"}

"""The report wire format v1: every validation rule fails and passes, paths, round trips, fuzz."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kerawanan.errors import InvalidReport
from kerawanan.messages import MESSAGES, message
from kerawanan.report import REASONS, WIRE_FIELDS, GeoPoint, Report, parse_report
from tests.core.builders import (
    DESA,
    DROP,
    KECAMATAN,
    KELURAHAN,
    NOW,
    PHOTO,
    REPORT_ID,
    gazetteer,
    json_values,
    minimal_wire_report,
    mutated_wire_reports,
    parse,
    photo_for,
    reports,
    uuid_for,
    wire_report,
)


def rejection(data: object, path: str = "") -> InvalidReport:
    with pytest.raises(InvalidReport) as caught:
        parse(data, path=path)
    return caught.value


# --- every rule fails ---------------------------------------------------------------------------

FAILING = [
    # (overrides, error path, reason)
    ({"extra": 1}, "extra", "unknown_field"),
    ({"officer": "84011234"}, "officer", "unknown_field"),
    ({"id": DROP}, "id", "required"),
    ({"id": None}, "id", "required"),
    ({"id": 12345}, "id", "bad_type"),
    ({"id": "not-a-uuid"}, "id", "bad_format"),
    ({"id": "6f1c2b9e4a574c1e9d0b2f3a8e7c1d55"}, "id", "bad_format"),
    ({"id": "{6f1c2b9e-4a57-4c1e-9d0b-2f3a8e7c1d55}"}, "id", "bad_format"),
    ({"id": "6f1c2b9e-4a57-4c1e-9d0b-2f3a8e7c1d5g"}, "id", "bad_format"),
    ({"id": "6f1c2b9e-4a574-c1e-9d0b-2f3a8e7c1d55"}, "id", "bad_format"),
    ({"observed_at": DROP}, "observed_at", "required"),
    ({"observed_at": "2024-11-27T21:40:00"}, "observed_at", "bad_format"),
    ({"observed_at": "2024-11-27"}, "observed_at", "bad_format"),
    ({"observed_at": "kemarin malam"}, "observed_at", "bad_format"),
    ({"observed_at": "2024-11-27T21:40:00+07:00:30"}, "observed_at", "bad_format"),
    ({"observed_at": "2024-11-27T21:40:00+07:00\x00"}, "observed_at", "bad_format"),
    ({"observed_at": 1732718400}, "observed_at", "bad_type"),
    ({"observed_at": "2024-11-28T08:10:01+07:00"}, "observed_at", "in_future"),
    ({"observed_at": "2024-11-28T01:10:00.000001Z"}, "observed_at", "in_future"),
    ({"observed_at": "2023-12-31T23:59:59+07:00"}, "observed_at", "too_early"),
    ({"observed_at": "2023-12-31T16:59:59Z"}, "observed_at", "too_early"),
    ({"recorded_at": "2024-11-27T21:52:13"}, "recorded_at", "bad_format"),
    ({"recorded_at": 5}, "recorded_at", "bad_type"),
    # issue 11: a time that cannot be converted to UTC once broke every read that rendered it
    ({"recorded_at": "0001-01-01T00:00:00+14:00"}, "recorded_at", "too_early"),
    ({"recorded_at": "9999-12-31T23:59:59-14:00"}, "recorded_at", "in_future"),
    ({"recorded_at": "0001-01-01T06:00:00+07:00"}, "recorded_at", "too_early"),
    ({"recorded_at": "2023-12-31T23:59:59+07:00"}, "recorded_at", "too_early"),
    ({"recorded_at": "2024-11-28T08:10:01+07:00"}, "recorded_at", "in_future"),
    ({"recorded_at": "2024-11-27T21:52:13+14:01"}, "recorded_at", "bad_offset"),
    ({"recorded_at": "2024-11-27T21:52:13-23:59"}, "recorded_at", "bad_offset"),
    ({"observed_at": "2024-11-27T21:40:00+23:00"}, "observed_at", "bad_offset"),
    ({"observed_at": "0001-01-01T00:00:00+14:00"}, "observed_at", "too_early"),
    ({"observed_at": "9999-12-31T23:59:59-14:00"}, "observed_at", "in_future"),
    ({"stage": "kampanye"}, "stage", "stage_mismatch"),
    ({"observed_at": "2024-11-26T23:59:00+07:00", "stage": "pemungutan_suara"}, "stage", "stage_mismatch"),
    ({"category": DROP}, "category", "required"),
    ({"category": "politik uang"}, "category", "bad_choice"),
    ({"category": "Politik_Uang"}, "category", "bad_choice"),
    ({"category": 3}, "category", "bad_type"),
    ({"threat_stage": DROP}, "threat_stage", "required"),
    ({"threat_stage": "pg"}, "threat_stage", "bad_choice"),
    ({"threat_stage": ["GN"]}, "threat_stage", "bad_type"),
    ({"threat_stage": "GN\x00"}, "threat_stage", "bad_format"),
    ({"desa_code": DROP}, "desa_code", "required"),
    ({"desa_code": KECAMATAN}, "desa_code", "not_desa"),
    ({"desa_code": "15.72"}, "desa_code", "not_desa"),
    ({"desa_code": "99.99.99.9999"}, "desa_code", "not_desa"),
    ({"desa_code": 1572072004}, "desa_code", "bad_type"),
    ({"desa_code": DESA + "\x00"}, "desa_code", "bad_format"),
    ({"facts": DROP}, "facts", "required"),
    ({"facts": ""}, "facts", "empty"),
    ({"facts": " \n\t "}, "facts", "empty"),
    ({"facts": "x" * 4001}, "facts", "too_long"),
    ({"facts": 42}, "facts", "bad_type"),
    ({"facts": "massa\x00berkumpul"}, "facts", "bad_format"),
    ({"facts": "massa \ud800 berkumpul"}, "facts", "bad_format"),
    ({"opinion": "x" * 2001}, "opinion", "too_long"),
    ({"opinion": {"text": "x"}}, "opinion", "bad_type"),
    ({"opinion": "a\x00"}, "opinion", "bad_format"),
    ({"people_count": -1}, "people_count", "out_of_range"),
    ({"people_count": 100_001}, "people_count", "out_of_range"),
    ({"people_count": True}, "people_count", "bad_type"),
    ({"people_count": 40.0}, "people_count", "bad_type"),
    ({"people_count": "40"}, "people_count", "bad_type"),
    ({"source_reliability": "G"}, "source_reliability", "bad_choice"),
    ({"source_reliability": "b"}, "source_reliability", "bad_choice"),
    ({"source_reliability": 2}, "source_reliability", "bad_type"),
    ({"info_credibility": 0}, "info_credibility", "bad_choice"),
    ({"info_credibility": 7}, "info_credibility", "bad_choice"),
    ({"info_credibility": "2"}, "info_credibility", "bad_type"),
    ({"info_credibility": True}, "info_credibility", "bad_type"),
    ({"info_credibility": 2.0}, "info_credibility", "bad_type"),
    ({"tps": "x" * 17}, "tps", "too_long"),
    ({"tps": 3}, "tps", "bad_type"),
    ({"media": "abc"}, "media", "bad_type"),
    ({"media": {"0": PHOTO}}, "media", "bad_type"),
    ({"media": [photo_for(n) for n in range(6)]}, "media", "too_many"),
    ({"media": [PHOTO.upper()]}, "media[0]", "bad_format"),
    ({"media": [PHOTO[:-1]]}, "media[0]", "bad_format"),
    ({"media": [PHOTO + "0"]}, "media[0]", "bad_format"),
    ({"media": [PHOTO, 7]}, "media[1]", "bad_type"),
    ({"media": [PHOTO, photo_for(1), PHOTO]}, "media[2]", "duplicate_item"),
    ({"supersedes": REPORT_ID}, "supersedes", "self_reference"),
    ({"supersedes": REPORT_ID.upper()}, "supersedes", "self_reference"),
    ({"supersedes": "laporan-lama"}, "supersedes", "bad_format"),
    ({"supersedes": 1}, "supersedes", "bad_type"),
    ({"stage": "kampanye_akbar"}, "stage", "bad_choice"),
    ({"stage": 3}, "stage", "bad_type"),
    ({"location": "-2.03,101.39"}, "location", "bad_type"),
    ({"location": [-2.03, 101.39]}, "location", "bad_type"),
    ({"location": {"lat": -2.03}}, "location.lon", "required"),
    ({"location": {"lon": 101.39}}, "location.lat", "required"),
    ({"location": {"lat": -2.03, "lon": None}}, "location.lon", "required"),
    ({"location": {"lat": -2.03, "lon": 101.39, "alt": 800}}, "location.alt", "unknown_field"),
    ({"location": {"lat": 6.6, "lon": 101.39}}, "location.lat", "out_of_bounds"),
    ({"location": {"lat": -11.6, "lon": 101.39}}, "location.lat", "out_of_bounds"),
    ({"location": {"lat": -2.03, "lon": 94.4}}, "location.lon", "out_of_bounds"),
    ({"location": {"lat": -2.03, "lon": 141.6}}, "location.lon", "out_of_bounds"),
    ({"location": {"lat": -2.03, "lon": 10**400}}, "location.lon", "bad_type"),
    ({"location": {"lat": True, "lon": 101.39}}, "location.lat", "bad_type"),
    ({"location": {"lat": "-2.03", "lon": 101.39}}, "location.lat", "bad_type"),
    ({"location": {"lat": float("nan"), "lon": 101.39}}, "location.lat", "bad_type"),
    ({"location": {"lat": -2.03, "lon": float("inf")}}, "location.lon", "bad_type"),
    ({"location": {"lat": -2.03, "lon": 101.39, "accuracy_m": -1}}, "location.accuracy_m", "out_of_range"),
    ({"location": {"lat": -2.03, "lon": 101.39, "accuracy_m": "12"}}, "location.accuracy_m", "bad_type"),
    ({"location": {"lat": -2.03, "lon": 101.39, "accuracy_m": float("inf")}}, "location.accuracy_m",
     "bad_type"),
]


@pytest.mark.parametrize(("overrides", "where", "reason"), FAILING,
                         ids=[f"{where}:{reason}:{i}" for i, (_, where, reason) in enumerate(FAILING)])
def test_each_rule_rejects(overrides, where, reason):
    error = rejection(wire_report(**overrides))
    assert error.reasons == {where: reason}
    assert error.fields[where] and error.fields_en[where]
    assert error.status == 422 and error.code == "report.invalid"


@pytest.mark.parametrize("body", [None, [], "laporan", 7, [wire_report()]])
def test_body_must_be_an_object(body):
    assert rejection(body).reasons == {"$": "bad_type"}
    assert rejection(body, path="reports[0]").reasons == {"reports[0]": "bad_type"}


def test_non_text_keys_are_unknown_fields_not_crashes():
    data = wire_report()
    data[1] = "x"
    data[None] = "y"
    assert rejection(data).reasons == {"1": "unknown_field", "None": "unknown_field"}


def test_unknown_keys_are_named_printably_and_briefly():
    error = rejection(wire_report(**{"x\ud800": 1, "k" * 1000: 2}))
    assert set(error.reasons) == {"x\\ud800", "k" * 64 + "…"}
    json.dumps(error.to_dict(), ensure_ascii=False).encode("utf-8")


# --- every rule passes --------------------------------------------------------------------------

PASSING = [
    ({"id": REPORT_ID.upper()}, "id", REPORT_ID),
    ({"observed_at": "2024-11-27T14:40:00Z"}, "observed_at", datetime(2024, 11, 27, 14, 40, tzinfo=UTC)),
    ({"observed_at": "2024-11-28T08:10:00+07:00", "stage": DROP}, "observed_at", NOW + timedelta(minutes=10)),
    ({"observed_at": "2024-01-01T00:00:00+07:00", "stage": DROP}, "observed_at",
     datetime(2023, 12, 31, 17, 0, tzinfo=UTC)),
    ({"observed_at": "2024-11-27T21:40:00.250+07:00"}, "observed_at",
     datetime(2024, 11, 27, 14, 40, 0, 250000, tzinfo=UTC)),
    ({"recorded_at": DROP}, "recorded_at", None),
    ({"recorded_at": None}, "recorded_at", None),
    ({"recorded_at": "2024-01-01T00:00:00+07:00"}, "recorded_at", datetime(2023, 12, 31, 17, 0, tzinfo=UTC)),
    ({"recorded_at": "2024-11-28T08:10:00+07:00"}, "recorded_at", NOW + timedelta(minutes=10)),
    ({"recorded_at": "2024-11-28T15:00:00+14:00"}, "recorded_at", datetime(2024, 11, 28, 1, 0, tzinfo=UTC)),
    ({"recorded_at": "2024-11-27T10:00:00-14:00"}, "recorded_at", datetime(2024, 11, 28, 0, 0, tzinfo=UTC)),
    ({"observed_at": "2024-11-28T04:40:00+14:00"}, "stage", "pemungutan_suara"),
    ({"category": "politik_uang"}, "category", "politik_uang"),
    ({"threat_stage": "PG"}, "threat_stage", "PG"),
    ({"desa_code": KELURAHAN}, "desa_code", KELURAHAN),
    ({"facts": "x" * 4000}, "facts", "x" * 4000),
    ({"facts": "  Ada ribut di TPS 03  "}, "facts", "  Ada ribut di TPS 03  "),
    ({"facts": "Warga Sungai Penuh — «tenang» ✓"}, "facts", "Warga Sungai Penuh — «tenang» ✓"),
    ({"opinion": "x" * 2000}, "opinion", "x" * 2000),
    ({"opinion": None}, "opinion", None),
    ({"opinion": ""}, "opinion", ""),
    ({"people_count": 0}, "people_count", 0),
    ({"people_count": 100_000}, "people_count", 100_000),
    ({"people_count": None}, "people_count", None),
    ({"source_reliability": "F"}, "source_reliability", "F"),
    ({"source_reliability": None}, "source_reliability", None),
    ({"info_credibility": 1}, "info_credibility", 1),
    ({"info_credibility": 6}, "info_credibility", 6),
    ({"tps": "x" * 16}, "tps", "x" * 16),
    ({"tps": None}, "tps", None),
    ({"media": []}, "media", ()),
    ({"media": None}, "media", ()),
    ({"media": DROP}, "media", ()),
    ({"media": [photo_for(n) for n in range(5)]}, "media", tuple(photo_for(n) for n in range(5))),
    ({"supersedes": uuid_for(1).upper()}, "supersedes", uuid_for(1)),
    ({"observed_at": "2024-10-01T10:00:00+07:00", "stage": "kampanye"}, "stage", "kampanye"),
    ({"observed_at": "2024-11-27T23:59:59+07:00", "stage": "pemungutan_suara"}, "stage", "pemungutan_suara"),
    ({"stage": DROP}, "stage", "pemungutan_suara"),
    ({"stage": None}, "stage", "pemungutan_suara"),
    ({"observed_at": "2024-11-26T23:59:00+07:00", "stage": DROP}, "stage", "masa_tenang"),
    ({"observed_at": "2024-11-26T17:00:00Z", "stage": DROP}, "stage", "pemungutan_suara"),
    ({"location": None}, "location", None),
    ({"location": {"lat": -2, "lon": 101}}, "location", GeoPoint(-2.0, 101.0, None)),
    ({"location": {"lat": -11.5, "lon": 94.5, "accuracy_m": 0}}, "location", GeoPoint(-11.5, 94.5, 0.0)),
    ({"location": {"lat": 6.5, "lon": 141.5, "accuracy_m": None}}, "location", GeoPoint(6.5, 141.5)),
]


@pytest.mark.parametrize(("overrides", "field", "expected"), PASSING,
                         ids=[f"{field}:{i}" for i, (_, field, expected) in enumerate(PASSING)])
def test_each_rule_accepts(overrides, field, expected):
    assert getattr(parse(wire_report(**overrides)), field) == expected


def test_the_design_example_parses_to_the_expected_report():
    parsed = parse(wire_report())
    assert parsed.id == REPORT_ID and parsed.desa_code == DESA and parsed.media == (PHOTO,)
    assert parsed.observed_at == datetime(2024, 11, 27, 21, 40, tzinfo=timezone(timedelta(hours=7)))
    assert parsed.location == GeoPoint(-2.0339, 101.3922, 12.0)
    assert parsed.info_credibility == 2 and parsed.people_count == 40


def test_only_the_required_fields_are_enough():
    parsed = parse(minimal_wire_report())
    assert parsed.stage == "pemungutan_suara"
    assert (parsed.location, parsed.recorded_at, parsed.media, parsed.supersedes) == (None, None, (), None)


def test_now_is_the_server_clock():
    wire = wire_report(observed_at="2024-11-28T09:00:00+07:00", stage=DROP)
    assert rejection(wire).reasons == {"observed_at": "in_future"}
    assert parse(wire, now=NOW + timedelta(hours=1)).observed_at.hour == 9


# --- all problems at once, with paths ------------------------------------------------------------

def test_every_problem_is_reported_not_only_the_first():
    wire = wire_report(category="x", facts="", media=[PHOTO, PHOTO], extra=True,
                       location={"lat": 99, "lon": 101.39}, desa_code=KECAMATAN, id=DROP)
    assert rejection(wire).reasons == {
        "category": "bad_choice", "facts": "empty", "media[1]": "duplicate_item", "extra": "unknown_field",
        "location.lat": "out_of_bounds", "desa_code": "not_desa", "id": "required"}


def test_paths_carry_the_batch_prefix():
    wire = wire_report(desa_code="15.99", location={"lat": 90, "lon": 101.39},
                       media=[PHOTO, photo_for(1), "bukan-hash"])
    error = rejection(wire, path="reports[3]")
    assert error.reasons == {"reports[3].desa_code": "not_desa", "reports[3].location.lat": "out_of_bounds",
                             "reports[3].media[2]": "bad_format"}
    assert set(error.fields) == set(error.fields_en) == set(error.reasons)


def test_error_messages_are_indonesian_first_with_english_alongside():
    error = rejection(wire_report(facts="x" * 4001, people_count=-5), path="reports[0]")
    assert error.fields["reports[0].facts"] == "Terlalu panjang: paling banyak 4.000 karakter."
    assert error.fields_en["reports[0].facts"] == "Too long: at most 4,000 characters."
    assert error.fields["reports[0].people_count"] == "Harus antara 0 dan 100.000."
    body = error.to_dict("en")["error"]
    assert body["code"] == "report.invalid" and body["message"] == "Invalid report: 2 field(s) need fixing."
    assert body["details"]["fields"] == error.fields_en
    assert error.to_dict()["error"]["details"]["reasons"] == error.reasons
    assert error.to_dict()["error"]["message"] == "Laporan tidak valid: 2 isian perlu diperbaiki."


def test_messages_fill_their_parameters_in_each_language():
    assert message("too_long", "en", max=4000) == "Too long: at most 4,000 characters."
    assert message("too_long", "id", max=4000) == "Terlalu panjang: paling banyak 4.000 karakter."
    assert message("out_of_range", "id", min=0) == "Tidak boleh kurang dari 0."
    assert message("bad_choice", "en", choices=("PG", "AG")) == "Unknown choice; must be one of: PG, AG."
    assert message("bad_type", "id", expected="integer") == "Jenis isian salah: harus berupa bilangan bulat."
    assert message("required", "jv") == message("required", "id") == "Wajib diisi."
    assert message("bad_type", "en") == "Wrong type: must be …."   # a missing parameter never raises
    assert message("no_such_reason", "en") == "no_such_reason"


def test_every_reason_has_both_messages():
    assert set(REASONS) <= set(MESSAGES)
    for reason in REASONS:
        indonesian, english = MESSAGES[reason]
        assert indonesian and english and indonesian != english


def test_a_calendar_that_cannot_place_the_moment_asks_for_the_stage():
    class NarrowCalendar:
        codes = ("kampanye",)

        def stage_for(self, moment):
            raise ValueError("outside the calendar")

    with pytest.raises(InvalidReport) as caught:
        parse_report(wire_report(stage=DROP), now=NOW, gazetteer=gazetteer(), calendar=NarrowCalendar())
    assert caught.value.reasons == {"stage": "required"}
    explicit = parse_report(wire_report(stage="kampanye"), now=NOW, gazetteer=gazetteer(),
                            calendar=NarrowCalendar())
    assert explicit.stage == "kampanye"


def test_a_calendar_without_codes_is_checked_against_the_design_tahapan():
    class BareCalendar:
        def stage_for(self, moment):
            return "kampanye"

    def parse_bare(wire):
        return parse_report(wire, now=NOW, gazetteer=gazetteer(), calendar=BareCalendar())

    assert parse_bare(wire_report(stage=DROP)).stage == "kampanye"
    assert parse_bare(wire_report(stage="kampanye")).stage == "kampanye"
    with pytest.raises(InvalidReport) as caught:
        parse_bare(wire_report(stage="sengketa"))          # the calendar places the moment in kampanye
    assert caught.value.reasons == {"stage": "stage_mismatch"}
    with pytest.raises(InvalidReport) as caught:
        parse_bare(wire_report(stage="pemilu_2029"))
    assert caught.value.reasons == {"stage": "bad_choice"}
    assert "pasca_pilkada" in caught.value.fields["stage"]


# --- the wire form ------------------------------------------------------------------------------

def test_to_wire_has_every_field_in_wire_order():
    wire = parse(minimal_wire_report()).to_wire()
    assert tuple(wire) == WIRE_FIELDS
    assert wire["location"] is None and wire["media"] == [] and wire["recorded_at"] is None


def test_to_wire_keeps_the_offset_and_drops_zero_microseconds():
    assert parse(wire_report()).to_wire()["observed_at"] == "2024-11-27T21:40:00+07:00"
    wire = parse(wire_report(observed_at="2024-11-27T14:40:00.5Z")).to_wire()
    assert wire["observed_at"] == "2024-11-27T14:40:00.500000+00:00"
    assert wire["location"] == {"lat": -2.0339, "lon": 101.3922, "accuracy_m": 12.0}


def test_z_and_plus_zero_hash_the_same():
    with_z = parse(wire_report(observed_at="2024-11-27T14:40:00Z", recorded_at="2024-11-27T14:52:13Z"))
    with_offset = parse(wire_report(observed_at="2024-11-27T14:40:00+00:00",
                                    recorded_at="2024-11-27T14:52:13+00:00"))
    assert with_z.content_hash() == with_offset.content_hash()


def test_the_hash_sees_every_content_change():
    base = parse(wire_report()).content_hash()
    assert parse(wire_report(facts="Massa membakar kotak suara di TPS 04.")).content_hash() != base
    assert parse(wire_report(media=[])).content_hash() != base
    assert parse(wire_report(location=None)).content_hash() != base


def test_same_content_in_other_spelling_hashes_the_same():
    original = parse(wire_report())
    respelled = parse(wire_report(id=REPORT_ID.upper(), stage=DROP, media=(PHOTO,),
                                  location={"accuracy_m": 12, "lon": 101.3922, "lat": -2.0339}))
    assert respelled == original and respelled.content_hash() == original.content_hash()


def test_canonical_json_is_sorted_compact_utf8():
    text = parse(wire_report(facts="Kerusuhan — «TPS 03»")).canonical_json()
    assert text.startswith('{"category":"gangguan_tps","desa_code":"15.72.07.2004",')
    assert "«TPS 03»" in text and '": ' not in text and '", "' not in text
    assert json.loads(text) == parse(wire_report(facts="Kerusuhan — «TPS 03»")).to_wire()


# --- properties ---------------------------------------------------------------------------------

@given(reports())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_parse_of_to_wire_gives_back_the_report(report: Report):
    again = parse(report.to_wire())
    assert again == report
    assert again.to_wire() == report.to_wire()
    assert again.content_hash() == report.content_hash()


@given(reports(), st.randoms(use_true_random=False))
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_hash_is_stable_across_json_and_key_order(report: Report, random):
    items = list(json.loads(report.canonical_json()).items())
    random.shuffle(items)
    shuffled = parse(dict(items))
    assert shuffled.content_hash() == report.content_hash()
    assert parse(shuffled.to_wire()).content_hash() == report.content_hash()


@given(st.one_of(mutated_wire_reports(), json_values))
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_any_input_gives_a_report_or_invalid_report(data):
    try:
        result = parse(data, path="reports[7]")
    except InvalidReport as error:
        assert error.reasons and set(error.reasons) == set(error.fields) == set(error.fields_en)
        assert set(error.reasons.values()) <= set(REASONS)
        assert all(key.startswith("reports[7]") for key in error.reasons)
        json.dumps(error.to_dict("id"), ensure_ascii=False).encode("utf-8")
    else:
        assert isinstance(result, Report)
        assert parse(result.to_wire()) == result

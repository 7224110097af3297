"""The tahapan calendar: WIB days, every boundary in any offset, and a strict loader."""
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kerawanan.assets import read_text
from kerawanan.tahapan import WIB, load_calendar, wib_day

CALENDAR = load_calendar(read_text("tahapan_pilkada_2024.toml"))
DESIGN_TABLE = [  # DESIGN.md, "Tahapan"
    ("pra_pencalonan", None, date(2024, 8, 26)),
    ("pencalonan", date(2024, 8, 27), date(2024, 9, 24)),
    ("kampanye", date(2024, 9, 25), date(2024, 11, 23)),
    ("masa_tenang", date(2024, 11, 24), date(2024, 11, 26)),
    ("pemungutan_suara", date(2024, 11, 27), date(2024, 11, 27)),
    ("rekapitulasi", date(2024, 11, 28), date(2024, 12, 16)),
    ("sengketa", date(2024, 12, 17), date(2025, 2, 24)),
    ("pasca_pilkada", date(2025, 2, 25), None),
]
OFFSETS = [UTC, WIB, timezone(timedelta(hours=8)), timezone(timedelta(hours=9)),
           timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]
BOUNDARIES = [(before[0], after[0], after[1])
              for before, after in zip(DESIGN_TABLE, DESIGN_TABLE[1:], strict=False)]


def wib(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=WIB)


def stage_toml(*stages: tuple[str, str | None, str | None]) -> str:
    """A calendar file with the given (code, from, to) stages."""
    blocks = []
    for code, start, end in stages:
        lines = ["[[stage]]", f'code = "{code}"', f'label_id = "{code} id"', f'label_en = "{code} en"']
        lines += [f"from = {start}"] if start else []
        lines += [f"to = {end}"] if end else []
        blocks.append("\n".join(lines))
    return 'election = "test"\n\n' + "\n\n".join(blocks) + "\n"


def test_shipped_calendar_is_the_design_table():
    assert [(s.code, s.start, s.end) for s in CALENDAR.stages] == DESIGN_TABLE
    assert CALENDAR.codes == tuple(code for code, _, _ in DESIGN_TABLE)
    assert CALENDAR.election == "pilkada_2024"
    assert CALENDAR.name_id and CALENDAR.name_en


def test_critical_stages_run_from_campaign_to_recapitulation():
    critical = [code for code in CALENDAR.codes if CALENDAR.is_critical(code)]
    assert critical == ["kampanye", "masa_tenang", "pemungutan_suara", "rekapitulasi"]


def test_labels_in_both_languages():
    stage = CALENDAR.get("masa_tenang")
    assert (stage.label("id"), stage.label("en")) == ("Masa tenang", "Quiet period")
    assert all(s.label_id and s.label_en for s in CALENDAR.stages)


@pytest.mark.parametrize(("before", "after", "first_day"), BOUNDARIES)
@pytest.mark.parametrize("offset", OFFSETS, ids=str)
def test_every_boundary_in_any_offset(before, after, first_day, offset):
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=WIB)
    last_second = start - timedelta(seconds=1)
    last_instant = start - timedelta(microseconds=1)
    assert CALENDAR.stage_for(last_second.astimezone(offset)) == before
    assert CALENDAR.stage_for(last_instant.astimezone(offset)) == before
    assert CALENDAR.stage_for(start.astimezone(offset)) == after
    assert CALENDAR.stage_for((start + timedelta(seconds=1)).astimezone(offset)) == after


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-11-26T17:00:00Z", "pemungutan_suara"),         # 2024-11-27 00:00 WIB
    ("2024-11-26T16:59:59Z", "masa_tenang"),              # 2024-11-26 23:59:59 WIB
    ("2024-11-27T23:59:59+07:00", "pemungutan_suara"),
    ("2024-11-28T00:00:00+07:00", "rekapitulasi"),
    ("2024-11-28T00:30:00+08:00", "pemungutan_suara"),    # 23:30 WIB on voting day
    ("2024-11-27T11:59:59-05:00", "pemungutan_suara"),    # 2024-11-27 23:59:59 WIB
    ("2024-11-27T12:00:00-05:00", "rekapitulasi"),        # 2024-11-28 00:00 WIB
    ("2024-09-24T17:00:00Z", "kampanye"),
    ("2025-02-24T16:59:59.999999Z", "sengketa"),
    ("2025-02-24T17:00:00Z", "pasca_pilkada"),
])
def test_known_moments(text, expected):
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert CALENDAR.stage_for(moment) == expected


def test_open_ended_first_and_last_stage():
    assert CALENDAR.stage_for(datetime(1990, 1, 1, tzinfo=UTC)) == "pra_pencalonan"
    assert CALENDAR.stage_for(datetime(2100, 1, 1, tzinfo=UTC)) == "pasca_pilkada"


def test_naive_datetime_is_rejected():
    with pytest.raises(ValueError, match="naive"):
        CALENDAR.stage_for(datetime(2024, 11, 27, 10, 0))
    with pytest.raises(ValueError, match="naive"):
        wib_day(datetime(2024, 11, 27))


def test_a_plain_date_is_not_a_moment():
    with pytest.raises(TypeError):
        CALENDAR.stage_for(date(2024, 11, 27))


def test_unknown_code():
    assert "kampanye" in CALENDAR and "siaga" not in CALENDAR
    with pytest.raises(KeyError, match="siaga"):
        CALENDAR.get("siaga")


@given(st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2026, 1, 1),
                    timezones=st.sampled_from(OFFSETS)))
def test_stage_is_the_one_holding_the_wib_day(moment):
    day = moment.astimezone(WIB).date()
    holding = [code for code, start, end in DESIGN_TABLE
               if (start is None or start <= day) and (end is None or day <= end)]
    assert [CALENDAR.stage_for(moment)] == holding


@given(st.datetimes(min_value=datetime(2024, 6, 1), max_value=datetime(2025, 6, 1), timezones=st.just(WIB)),
       st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=120)))
def test_stages_never_go_backwards(moment, later):
    codes = CALENDAR.codes
    assert codes.index(CALENDAR.stage_for(moment)) <= codes.index(CALENDAR.stage_for(moment + later))


# --- the loader ------------------------------------------------------------------------------


def test_a_small_valid_calendar():
    calendar = load_calendar(stage_toml(("a", None, "2024-01-10"), ("b", "2024-01-11", "2024-01-11"),
                                        ("c", "2024-01-12", None)))
    assert calendar.codes == ("a", "b", "c")
    assert calendar.stage_for(wib(2024, 1, 11, 23, 59, 59)) == "b"
    assert not calendar.is_critical("b")


@pytest.mark.parametrize(("stages", "message"), [
    ((("a", None, "2024-01-10"), ("b", "2024-01-12", None)), "gap between 'a'.*2024-01-11"),
    ((("a", None, "2024-01-10"), ("b", "2024-01-10", None)), "'b'.*overlaps"),
    ((("a", None, "2024-01-10"), ("b", "2024-01-05", None)), "'b'.*overlaps"),
    ((("a", None, "2024-01-10"), ("b", "2024-01-11", "2024-01-09"), ("c", "2024-01-12", None)),
     "'b' ends .* before it starts"),
    ((("a", None, "2024-01-10"), ("b", None, "2024-01-20"), ("c", "2024-01-21", None)), "'b' needs a 'from'"),
    ((("a", None, None), ("b", "2024-01-21", None)), "'a' needs a 'to'"),
    ((("a", None, "2024-01-10"), ("a", "2024-01-11", None)), "'a' appears twice"),
    ((("Kampanye", None, None),), "lowercase slug"),
])
def test_loader_rejects_bad_calendars(stages, message):
    with pytest.raises(ValueError, match=message):
        load_calendar(stage_toml(*stages))


@pytest.mark.parametrize(("text", "message"), [
    ("election = 'x'\n", "no \\[\\[stage\\]\\]"),
    ("[[stage]\n", "not valid TOML"),
    ("colour = 'red'\n[[stage]]\ncode = 'a'\nlabel_id = 'a'\nlabel_en = 'a'\n", "unknown keys"),
    ("[[stage]]\ncode = 'a'\nlabel_id = 'a'\nlabel_en = 'a'\nto = 2024-01-01T00:00:00\n", "plain date"),
    ("[[stage]]\ncode = 'a'\nlabel_id = 'a'\nlabel_en = 'a'\ncritical = 'yes'\n", "true or false"),
    ("[[stage]]\ncode = 'a'\nlabel_id = ''\nlabel_en = 'a'\n", "label_id"),
    ("[[stage]]\ncode = 'a'\nlabel_id = 'a'\nlabel_en = 'a'\nkritis = true\n", "unknown keys"),
])
def test_loader_rejects_bad_files(text, message):
    with pytest.raises(ValueError, match=message):
        load_calendar(text)


def test_moments_outside_a_closed_calendar_are_rejected():
    calendar = load_calendar(stage_toml(("a", "2024-01-01", "2024-01-10"), ("b", "2024-01-11", "2024-01-20")))
    assert calendar.stage_for(wib(2024, 1, 1)) == "a"
    assert calendar.stage_for(wib(2024, 1, 20, 23, 59)) == "b"
    with pytest.raises(ValueError, match="outside the calendar"):
        calendar.stage_for(wib(2023, 12, 31, 23, 59))
    with pytest.raises(ValueError, match="outside the calendar"):
        calendar.stage_for(wib(2024, 1, 21))

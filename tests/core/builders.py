"""Small data builders for tests: valid wire reports, parsed reports, Hypothesis strategies.

Defaults describe one real observation: voting night (27 Nov 2024, 21:40 WIB) in Desa Dujung
Sakti (15.72.07.2004), Kec. Koto Baru, Kota Sungai Penuh. ``NOW`` is the next morning.
The gazetteer and calendar are the real shipped ones (``kerawanan.assets``).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from hypothesis import strategies as st

from kerawanan import assets
from kerawanan.report import GeoPoint, Report, parse_report
from kerawanan.vocab import CATEGORY_CODES, CREDIBILITY, RELIABILITY, STAGELESS_CATEGORIES, THREAT_STAGES

WIB = timezone(timedelta(hours=7))
NOW = datetime(2024, 11, 28, 8, 0, tzinfo=WIB)
DESA = "15.72.07.2004"          # Dujung Sakti, Koto Baru, Kota Sungai Penuh
KELURAHAN = "15.01.01.1004"     # Lempur Tengah, Gunung Raya, Kabupaten Kerinci
KECAMATAN = "15.72.07"          # Koto Baru: a region, but not a desa
REPORT_ID = "6f1c2b9e-4a57-4c1e-9d0b-2f3a8e7c1d55"
PHOTO = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"   # sha256 of b"test"
DROP = object()   # pass as an override to leave the field out entirely


def uuid_for(number: int) -> str:
    """A distinct, valid, lowercase UUID per number (handy for batches)."""
    return f"00000000-0000-4000-8000-{number:012x}"


def photo_for(number: int) -> str:
    """A distinct, valid sha256 hex per number."""
    return f"{number:064x}"


def wire_report(**overrides: Any) -> dict[str, Any]:
    """A valid wire-format v1 report (the example of DESIGN.md); ``field=DROP`` removes a field."""
    wire: dict[str, Any] = {
        "id": REPORT_ID,
        "observed_at": "2024-11-27T21:40:00+07:00",
        "recorded_at": "2024-11-27T21:52:13+07:00",
        "category": "gangguan_tps",
        "threat_stage": "GN",
        "desa_code": DESA,
        "location": {"lat": -2.0339, "lon": 101.3922, "accuracy_m": 12.0},
        "stage": "pemungutan_suara",
        "people_count": 40,
        "source_reliability": "B",
        "info_credibility": 2,
        "facts": "Massa membakar kotak suara di TPS 03 setelah penghitungan suara dihentikan.",
        "opinion": "Berpotensi meluas ke desa tetangga malam ini.",
        "tps": "03",
        "media": [PHOTO],
        "supersedes": None,
    }
    for key, value in overrides.items():
        if value is DROP:
            wire.pop(key, None)
        else:
            wire[key] = value
    return wire


def minimal_wire_report(**overrides: Any) -> dict[str, Any]:
    """Only the required fields."""
    wire = {key: wire_report()[key] for key in
            ("id", "observed_at", "category", "threat_stage", "desa_code", "facts")}
    wire.update(overrides)
    return wire


@lru_cache(maxsize=1)
def desa_codes() -> tuple[str, ...]:
    """Every desa/kelurahan code of the shipped gazetteer, in code order."""
    return tuple(region.code for region in gazetteer().regions("desa"))


def gazetteer():
    return assets.gazetteer()


def calendar():
    return assets.calendar()


def parse(data: object, *, now: datetime = NOW, path: str = "") -> Report:
    """``parse_report`` with the shipped gazetteer and calendar and the test clock."""
    return parse_report(data, now=now, gazetteer=gazetteer(), calendar=calendar(), path=path)


def report(**overrides: Any) -> Report:
    """A parsed, valid ``Report``; overrides are wire fields."""
    return parse(wire_report(**overrides))


# --- Hypothesis strategies ---------------------------------------------------------------------

OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))  # ±14:00
SAFE_TEXT = st.characters(codec="utf-8", exclude_characters="\x00")


def moments(min_value: datetime = datetime(2024, 1, 2), max_value: datetime = datetime(2024, 11, 27)):
    """Aware datetimes with any whole-minute offset (bounds are wall-clock, kept a day inside)."""
    return st.datetimes(min_value=min_value, max_value=max_value, timezones=OFFSETS)


def texts(min_size: int = 0, max_size: int = 50):
    return st.text(SAFE_TEXT, min_size=min_size, max_size=max_size)


def coordinates(low: float, high: float):
    return st.floats(low, high, allow_nan=False).map(lambda value: value + 0.0)


@st.composite
def reports(draw) -> Report:
    """Valid reports (as ``parse_report`` would return them) over the real gazetteer and calendar."""
    report_id = str(draw(st.uuids()))
    location = draw(st.none() | st.builds(
        GeoPoint, coordinates(-11.5, 6.5), coordinates(94.5, 141.5),
        st.none() | st.floats(0, 1e6, allow_nan=False).map(lambda value: value + 0.0)))
    observed_at = draw(moments())
    return Report(
        id=report_id,
        observed_at=observed_at,
        category=(category := draw(st.sampled_from(CATEGORY_CODES))),
        threat_stage=None if category in STAGELESS_CATEGORIES else draw(st.sampled_from(THREAT_STAGES)),
        desa_code=draw(st.sampled_from(desa_codes())),
        facts=draw(texts(1, 200).filter(lambda text: not text.isspace())),
        stage=calendar().stage_for(observed_at),
        recorded_at=draw(st.none() | moments()),
        location=location,
        people_count=draw(st.none() | st.integers(0, 100_000)),
        source_reliability=draw(st.none() | st.sampled_from(RELIABILITY)),
        info_credibility=draw(st.none() | st.sampled_from(CREDIBILITY)),
        opinion=draw(st.none() | texts(0, 100)),
        tps=draw(st.none() | texts(0, 16)),
        media=tuple(draw(st.lists(st.text("0123456789abcdef", min_size=64, max_size=64),
                                  max_size=5, unique=True))),
        supersedes=draw(st.none() | st.uuids().map(str).filter(lambda other: other != report_id)),
    )


# Anything ``json.loads`` can give (lone surrogates, NaN and huge numbers included), plus
# non-text keys, which in-process callers could pass.
any_chars = st.characters(exclude_categories=())
json_scalars = (st.none() | st.booleans() | st.integers() | st.floats()
                | st.integers(min_value=10**300) | st.text(any_chars, max_size=20))
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=6)
    | st.dictionaries(st.text(any_chars, max_size=12) | st.integers(), children, max_size=6),
    max_leaves=25,
)


@st.composite
def mutated_wire_reports(draw) -> dict[str, Any]:
    """A valid wire report with some fields replaced by arbitrary values, dropped or added."""
    wire = wire_report()
    for key in draw(st.lists(st.sampled_from(sorted(wire)), max_size=6, unique=True)):
        wire[key] = draw(json_values)
    for key in draw(st.lists(st.sampled_from(sorted(wire)), max_size=3, unique=True)):
        wire.pop(key)
    extra_keys = st.text(any_chars, max_size=8) | st.integers()
    wire.update(draw(st.dictionaries(extra_keys, json_values, max_size=2)))
    if isinstance(wire.get("location"), dict):
        wire["location"] = {**wire["location"], **draw(st.dictionaries(
            st.sampled_from(["lat", "lon", "accuracy_m", "alt"]), json_values, max_size=3))}
    return wire

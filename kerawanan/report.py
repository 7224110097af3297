"""A report: the wire format v1 of DESIGN.md, its validation and its canonical form.

``parse_report`` turns a decoded JSON object into a ``Report`` or raises one ``InvalidReport``
that lists every bad field by JSON path (never the first only, never another exception).
``Report.to_wire`` gives the object back; ``parse_report(r.to_wire()) == r``. Two reports are
the same report when their ``content_hash`` (SHA-256 of the canonical JSON) is equal.

Validation is a table of small checkers over the fields, plus the checks that need the clock,
the gazetteer or the calendar. It runs on every synced report, so the hot path avoids regular
expressions and exceptions.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kerawanan.errors import InvalidReport
from kerawanan.messages import message
from kerawanan.moments import EARLIEST, offset_problem, range_problem
from kerawanan.vocab import CATEGORY_CODES, CREDIBILITY, RELIABILITY, STAGELESS_CATEGORIES, THREAT_STAGES

WIRE_FIELDS: tuple[str, ...] = (
    "id", "observed_at", "recorded_at", "category", "threat_stage", "desa_code", "location",
    "stage", "people_count", "source_reliability", "info_credibility", "facts", "opinion",
    "tps", "media", "supersedes",
)
REQUIRED_FIELDS: tuple[str, ...] = ("id", "observed_at", "category", "threat_stage", "desa_code", "facts")
# A laporan nihil (``vocab.STAGELESS_CATEGORIES``) has no threat stage and may have empty or no facts.
STAGELESS_REQUIRED: tuple[str, ...] = ("id", "observed_at", "category", "desa_code")
LOCATION_FIELDS: tuple[str, ...] = ("lat", "lon", "accuracy_m")
# The tahapan of DESIGN.md, used when the calendar given does not list its own codes.
TAHAPAN_CODES: tuple[str, ...] = (
    "pra_pencalonan", "pencalonan", "kampanye", "masa_tenang", "pemungutan_suara",
    "rekapitulasi", "sengketa", "pasca_pilkada",
)

# Every reason code ``InvalidReport.reasons`` can hold (stable: clients and tests compare them).
REASONS: tuple[str, ...] = (
    "required", "unknown_field", "bad_type", "bad_format", "bad_choice", "too_long", "empty",
    "out_of_range", "too_many", "duplicate_item", "not_desa", "out_of_bounds", "in_future",
    "too_early", "self_reference", "bad_offset", "stage_mismatch",
    "not_allowed",
)

MAX_FACTS = 4000
MAX_OPINION = 2000
MAX_TPS = 16
MAX_MEDIA = 5
MAX_PEOPLE = 100_000
EARLIEST_OBSERVED = EARLIEST      # the sane range of a report's times: kerawanan.moments
LAT_BOUNDS = (-11.5, 6.5)   # Indonesia, generously
LON_BOUNDS = (94.5, 141.5)


@dataclass(frozen=True, slots=True)
class GeoPoint:
    lat: float
    lon: float
    accuracy_m: float | None = None


# Sorted keys, no spaces, UTF-8 text as is: the form the content hash is taken of. One encoder
# made once (``json.dumps`` with options builds a new one per call, a third of the time).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Report:
    id: str                      # lowercase canonical UUID text
    observed_at: datetime        # timezone-aware, with the offset the device sent
    category: str
    threat_stage: str | None     # None only for a laporan nihil
    desa_code: str
    facts: str                   # "" allowed only for a laporan nihil
    stage: str                   # always filled: derived from observed_at when the device sent none
    recorded_at: datetime | None = None
    location: GeoPoint | None = None
    people_count: int | None = None
    source_reliability: str | None = None
    info_credibility: int | None = None
    opinion: str | None = None
    tps: str | None = None
    media: tuple[str, ...] = ()
    supersedes: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """Every wire field, ``None`` when absent; times ISO-8601 with their original offset."""
        location = self.location
        return {
            "id": self.id,
            "observed_at": self.observed_at.isoformat(),
            "recorded_at": None if self.recorded_at is None else self.recorded_at.isoformat(),
            "category": self.category,
            "threat_stage": self.threat_stage,
            "desa_code": self.desa_code,
            "location": None if location is None else {
                "lat": location.lat, "lon": location.lon, "accuracy_m": location.accuracy_m},
            "stage": self.stage,
            "people_count": self.people_count,
            "source_reliability": self.source_reliability,
            "info_credibility": self.info_credibility,
            "facts": self.facts,
            "opinion": self.opinion,
            "tps": self.tps,
            "media": list(self.media),
            "supersedes": self.supersedes,
        }

    def canonical_json(self) -> str:
        return _CANONICAL.encode(self.to_wire())

    def content_hash(self) -> str:
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


def parse_report(data: object, *, now: datetime, gazetteer: Any, calendar: Any, path: str = "") -> Report:
    """Validate a decoded wire object. ``now`` must be timezone-aware.

    ``gazetteer`` needs ``is_desa(code)``; ``calendar`` needs ``stage_for(datetime)`` and may
    offer ``codes``. ``path`` prefixes every error key, e.g. ``"reports[3]"``.
    """
    problems: Problems = {}
    if not isinstance(data, dict):
        _fail(problems, "", "bad_type", expected="object")
        raise _invalid(problems, path)
    values = _check_fields(data, problems)
    if data.get("category") in STAGELESS_CATEGORIES:
        _check_stageless(values)
    _check_context(values, problems, now, gazetteer, calendar)
    if problems:
        raise _invalid(problems, path)
    if "stage" not in values:
        values["stage"] = _derive_stage(values["observed_at"], calendar, path)
    return Report(**values)


def _derive_stage(observed_at: datetime, calendar: Any, path: str) -> str:
    try:
        return calendar.stage_for(observed_at)
    except ValueError:  # a calendar that does not cover this moment: the device must say
        raise _invalid({"stage": ("required", {})}, path) from None


# --- collecting problems -----------------------------------------------------------------------

class _Bad:
    """Marker returned by a checker that recorded a problem."""


_BAD = _Bad()
Problems = dict[str, tuple[str, dict[str, Any]]]


def _fail(problems: Problems, key: str, reason: str, **params: Any) -> _Bad:
    problems.setdefault(key, (reason, params))
    return _BAD


def _join(path: str, key: str) -> str:
    if not key:
        return path or "$"
    return f"{path}.{key}" if path else key


def _key_name(key: object) -> str:
    """An unknown key as it goes into an error path: printable as UTF-8 and not huge."""
    name = key if isinstance(key, str) else str(key)
    if not name.isascii():
        name = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return name if len(name) <= 64 else name[:64] + "…"


def _invalid(problems: Problems, path: str) -> InvalidReport:
    fields, fields_en, reasons = {}, {}, {}
    for key, (reason, params) in problems.items():
        where = _join(path, key)
        reasons[where] = reason
        fields[where] = message(reason, "id", **params)
        fields_en[where] = message(reason, "en", **params)
    count = len(problems)
    return InvalidReport(message("report_invalid", "id", count=count), fields=fields, reasons=reasons,
                         fields_en=fields_en, message_en=message("report_invalid", "en", count=count))


# --- field checkers: (value, key, problems) -> clean value or _BAD -------------------------------

_HEX = frozenset("0123456789abcdef")
_UUID_CHARS = _HEX | {"-"}
_CREDIBILITY = frozenset(CREDIBILITY)
_LOCATION_KEYS = frozenset(LOCATION_FIELDS)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unencodable(text: str) -> bool:
    """Lone surrogates (valid in a decoded JSON string) cannot be stored or hashed as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_uuid(value: object, key: str, problems: Problems) -> str | _Bad:
    if not isinstance(value, str):
        return _fail(problems, key, "bad_type", expected="text")
    text = value.lower()
    if (len(text) != 36 or not text.isascii() or text[8] != "-" or text[13] != "-" or text[18] != "-" or text[23] != "-"
            or text.count("-") != 4 or not _UUID_CHARS.issuperset(text)):
        return _fail(problems, key, "bad_format", expected="uuid")
    return text


def _check_moment(value: object, key: str, problems: Problems) -> datetime | _Bad:
    if not isinstance(value, str):
        return _fail(problems, key, "bad_type", expected="text")
    if "\x00" in value:
        return _fail(problems, key, "bad_format", expected="datetime")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return _fail(problems, key, "bad_format", expected="datetime")
    problem = offset_problem(moment)
    if problem == "bad_format":
        return _fail(problems, key, "bad_format", expected="datetime")
    if problem == "bad_offset":
        return _fail(problems, key, "bad_offset")
    return moment      # one that cannot be converted to UTC is out of the sane range: _check_times


def _text(max_len: int, *, allow_blank: bool) -> Callable[[object, str, Problems], str | _Bad]:
    def check(value: object, key: str, problems: Problems) -> str | _Bad:
        if not isinstance(value, str):
            return _fail(problems, key, "bad_type", expected="text")
        if "\x00" in value or (not value.isascii() and _unencodable(value)):
            return _fail(problems, key, "bad_format", expected="text_chars")
        if not allow_blank and (not value or value.isspace()):
            return _fail(problems, key, "empty")
        if len(value) > max_len:
            return _fail(problems, key, "too_long", max=max_len)
        return str(value)
    return check


def _choice(choices: tuple[str, ...]) -> Callable[[object, str, Problems], str | _Bad]:
    allowed = frozenset(choices)

    def check(value: object, key: str, problems: Problems) -> str | _Bad:
        if not isinstance(value, str):
            return _fail(problems, key, "bad_type", expected="text")
        if value not in allowed:
            if "\x00" in value:
                return _fail(problems, key, "bad_format", expected="text_chars")
            return _fail(problems, key, "bad_choice", choices=choices)
        return str(value)
    return check


def _check_credibility(value: object, key: str, problems: Problems) -> int | _Bad:
    if not _is_int(value):
        return _fail(problems, key, "bad_type", expected="integer")
    if value not in _CREDIBILITY:
        return _fail(problems, key, "bad_choice", choices=CREDIBILITY)
    return int(value)


def _check_people(value: object, key: str, problems: Problems) -> int | _Bad:
    if not _is_int(value):
        return _fail(problems, key, "bad_type", expected="integer")
    if not 0 <= value <= MAX_PEOPLE:
        return _fail(problems, key, "out_of_range", min=0, max=MAX_PEOPLE)
    return int(value)


def _check_code_text(value: object, key: str, problems: Problems) -> str | _Bad:
    """A code looked up later against the gazetteer or calendar: text without NUL."""
    if not isinstance(value, str):
        return _fail(problems, key, "bad_type", expected="text")
    if "\x00" in value:
        return _fail(problems, key, "bad_format", expected="text_chars")
    return str(value)


def _check_media(value: object, key: str, problems: Problems) -> tuple[str, ...] | _Bad:
    if not isinstance(value, (list, tuple)):
        return _fail(problems, key, "bad_type", expected="list")
    if len(value) > MAX_MEDIA:
        _fail(problems, key, "too_many", max=MAX_MEDIA)
    clean: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            _fail(problems, f"{key}[{index}]", "bad_type", expected="text")
        elif len(item) != 64 or not _HEX.issuperset(item):
            _fail(problems, f"{key}[{index}]", "bad_format", expected="sha256")
        elif item in clean:
            _fail(problems, f"{key}[{index}]", "duplicate_item")
        else:
            clean.append(str(item))
    if len(value) > MAX_MEDIA or len(clean) != len(value):
        return _BAD
    return tuple(clean)


def _number(value: object) -> float | None:
    """A finite JSON number as a float (``-0.0`` becomes ``0.0``), else ``None``."""
    if isinstance(value, float):
        return value + 0.0 if math.isfinite(value) else None
    if _is_int(value):
        return float(value) if -1e300 < value < 1e300 else None
    return None


def _check_coordinate(location: dict, key: str, name: str, bounds: tuple[float, float],
                      problems: Problems) -> float | _Bad:
    raw = location.get(name)
    if raw is None:
        return _fail(problems, f"{key}.{name}", "required")
    number = _number(raw)
    if number is None:
        return _fail(problems, f"{key}.{name}", "bad_type", expected="number")
    if not bounds[0] <= number <= bounds[1]:
        return _fail(problems, f"{key}.{name}", "out_of_bounds")
    return number


def _check_accuracy(location: dict, key: str, problems: Problems) -> float | None | _Bad:
    raw = location.get("accuracy_m")
    if raw is None:
        return None
    number = _number(raw)
    if number is None:
        return _fail(problems, f"{key}.accuracy_m", "bad_type", expected="number")
    if number < 0:
        return _fail(problems, f"{key}.accuracy_m", "out_of_range", min=0)
    return number


def _check_location(value: object, key: str, problems: Problems) -> GeoPoint | _Bad:
    if not isinstance(value, dict):
        return _fail(problems, key, "bad_type", expected="object")
    unknown = [] if _LOCATION_KEYS.issuperset(value) else [n for n in value if n not in _LOCATION_KEYS]
    for name in unknown:
        _fail(problems, f"{key}.{_key_name(name)}", "unknown_field")
    lat = _check_coordinate(value, key, "lat", LAT_BOUNDS, problems)
    lon = _check_coordinate(value, key, "lon", LON_BOUNDS, problems)
    accuracy = _check_accuracy(value, key, problems)
    if unknown or lat is _BAD or lon is _BAD or accuracy is _BAD:
        return _BAD
    return GeoPoint(lat, lon, accuracy)


_CHECKERS: dict[str, Callable[[object, str, Problems], Any]] = {
    "id": _check_uuid,
    "observed_at": _check_moment,
    "recorded_at": _check_moment,
    "category": _choice(CATEGORY_CODES),
    "threat_stage": _choice(THREAT_STAGES),
    "desa_code": _check_code_text,
    "location": _check_location,
    "stage": _check_code_text,
    "people_count": _check_people,
    "source_reliability": _choice(RELIABILITY),
    "info_credibility": _check_credibility,
    "facts": _text(MAX_FACTS, allow_blank=False),
    "opinion": _text(MAX_OPINION, allow_blank=True),
    "tps": _text(MAX_TPS, allow_blank=True),
    "media": _check_media,
    "supersedes": _check_uuid,
}
assert tuple(_CHECKERS) == WIRE_FIELDS


def _check_fields(data: dict, problems: Problems) -> dict[str, Any]:
    """Check each field on its own; absent and null optional fields are left out."""
    values: dict[str, Any] = {}
    stageless = data.get("category") in STAGELESS_CATEGORIES
    required = STAGELESS_REQUIRED if stageless else REQUIRED_FIELDS
    checkers = _STAGELESS_CHECKERS if stageless else _CHECKERS
    for key, value in data.items():
        checker = checkers.get(key)  # None for unknown and for non-text keys
        if checker is None:
            _fail(problems, _key_name(key), "unknown_field")
        elif value is None:
            if key in required:
                _fail(problems, key, "required")
        else:
            checked = checker(value, key, problems)
            if checked is not _BAD:
                values[key] = checked
    for key in required:
        if key not in data:
            _fail(problems, key, "required")
    return values


def _refuse_stage(value: object, key: str, problems: Problems) -> _Bad:
    return _fail(problems, key, "not_allowed", category="nihil")


# A laporan nihil: a threat stage is a client bug (refused, not dropped); blank facts are fine.
_STAGELESS_CHECKERS = {**_CHECKERS, "threat_stage": _refuse_stage, "facts": _text(MAX_FACTS, allow_blank=True)}


def _check_stageless(values: dict[str, Any]) -> None:
    """A laporan nihil carries ``threat_stage`` None, and ``facts`` "" when absent."""
    values.setdefault("threat_stage", None)
    values.setdefault("facts", "")


def _check_context(values: dict[str, Any], problems: Problems, now: datetime, gazetteer: Any,
                   calendar: Any) -> None:
    """The checks that need the clock, the gazetteer, the calendar or two fields at once."""
    _check_times(values, problems, now)
    desa_code = values.get("desa_code")
    if desa_code is not None and not gazetteer.is_desa(desa_code):
        _fail(problems, "desa_code", "not_desa")
    stage = values.get("stage")
    if stage is not None:
        codes = _stage_codes(calendar)
        if stage not in codes:
            _fail(problems, "stage", "bad_choice", choices=codes)
        elif "observed_at" in values and "observed_at" not in problems:
            _check_stage_matches(stage, values["observed_at"], calendar, problems)
    supersedes = values.get("supersedes")
    if supersedes is not None and supersedes == values.get("id"):
        _fail(problems, "supersedes", "self_reference")


def _check_times(values: dict[str, Any], problems: Problems, now: datetime) -> None:
    """Both report times in the sane range of ``kerawanan.moments`` (one rule for both)."""
    for key in ("observed_at", "recorded_at"):
        moment = values.get(key)
        problem = None if moment is None else range_problem(moment, now)
        if problem is not None:
            reason, params = problem
            _fail(problems, key, reason, **params)


def _check_stage_matches(stage: str, observed: datetime, calendar: Any, problems: Problems) -> None:
    """An officer's ``stage`` is the tahapan of ``observed_at`` (by its WIB day); a calendar that
    cannot place the moment leaves the officer's word standing."""
    try:
        expected = calendar.stage_for(observed)
    except ValueError:
        return
    if expected != stage:
        _fail(problems, "stage", "stage_mismatch", expected=expected)


_last_stage_codes: tuple[Any, tuple[str, ...]] = (None, TAHAPAN_CODES)


def _stage_codes(calendar: Any) -> tuple[str, ...]:
    """The calendar's codes (DESIGN's tahapan when it has none), remembered for the last calendar."""
    global _last_stage_codes
    remembered, codes = _last_stage_codes
    if remembered is calendar:
        return codes
    codes = getattr(calendar, "codes", None)
    if callable(codes):
        codes = codes()
    codes = tuple(codes) if codes else TAHAPAN_CODES
    _last_stage_codes = (calendar, codes)
    return codes

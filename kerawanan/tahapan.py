"""The tahapan (stage) calendar of an election, and which stage a moment falls in.

The calendar is data (``assets/tahapan_pilkada_2024.toml``). Its days are WIB (UTC+7) calendar
days, both ends inclusive; a moment is judged by the WIB day it falls on, whatever offset it was
given in. The first stage may be open-ended into the past and the last into the future.
"""
from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")
STAGE_KEYS = frozenset({"code", "label_id", "label_en", "from", "to", "critical"})
TOP_KEYS = frozenset({"election", "name_id", "name_en", "source", "stage"})
CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]*\Z")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage; ``start``/``end`` are inclusive WIB days, ``None`` where open-ended."""

    code: str
    label_id: str
    label_en: str
    start: date | None
    end: date | None
    critical: bool

    def label(self, lang: str = "id") -> str:
        return self.label_en if lang == "en" else self.label_id

    def contains(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class Calendar:
    """Stages in order, contiguous and non-overlapping (checked by ``load_calendar``)."""

    def __init__(self, stages: tuple[Stage, ...], *, election: str = "", name_id: str = "",
                 name_en: str = "", source: str = ""):
        self.stages = stages
        self.election = election
        self.name_id = name_id
        self.name_en = name_en
        self.source = source
        self._by_code = {stage.code: stage for stage in stages}
        # Stage i+1 starts on _starts[i]; bisect on a WIB day gives the index of its stage.
        self._starts = [stage.start for stage in stages[1:]]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(stage.code for stage in self.stages)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Stage:
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"unknown tahapan {code!r}; known: {', '.join(self.codes)}") from None

    def is_critical(self, code: str) -> bool:
        return self.get(code).critical

    def stage_at(self, moment: datetime) -> Stage:
        """The stage holding ``moment`` (an aware datetime), judged by its WIB day."""
        day = wib_day(moment)
        stage = self.stages[bisect.bisect_right(self._starts, day)]
        if not stage.contains(day):
            raise ValueError(f"{moment.isoformat()} ({day} WIB) is outside the calendar "
                             f"{self.stages[0].start} … {self.stages[-1].end}")
        return stage

    def stage_for(self, moment: datetime) -> str:
        """The code of the stage holding ``moment``; ``ValueError`` for a naive datetime."""
        return self.stage_at(moment).code


def wib_day(moment: datetime) -> date:
    """The WIB calendar day of an aware datetime; ``ValueError`` when it is naive."""
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: a timezone offset is required")
    return moment.astimezone(WIB).date()


def load_calendar(toml_text: str) -> Calendar:
    """Parse a tahapan TOML file; ``ValueError`` saying what is wrong when it is not valid."""
    try:
        document = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"tahapan: not valid TOML: {exc}") from exc
    unknown = sorted(set(document) - TOP_KEYS)
    if unknown:
        raise ValueError(f"tahapan: unknown keys {unknown}")
    entries = document.get("stage")
    if not isinstance(entries, list) or not entries:
        raise ValueError("tahapan: no [[stage]] entries")
    stages = tuple(_read_stage(index, entry) for index, entry in enumerate(entries))
    _check_order(stages)
    names = {key: _text(document, key, "tahapan", required=False)
             for key in ("election", "name_id", "name_en", "source")}
    return Calendar(stages, **names)


def _read_stage(index: int, entry: object) -> Stage:
    where = f"tahapan: stage #{index + 1}"
    if not isinstance(entry, dict):
        raise ValueError(f"{where} must be a table")
    unknown = sorted(set(entry) - STAGE_KEYS)
    if unknown:
        raise ValueError(f"{where} has unknown keys {unknown}")
    code = _text(entry, "code", where)
    if not CODE_PATTERN.match(code):
        raise ValueError(f"{where}: code {code!r} must be a lowercase slug")
    where = f"tahapan: stage {code!r}"
    start, end = _day(entry, "from", where), _day(entry, "to", where)
    if start is not None and end is not None and end < start:
        raise ValueError(f"{where} ends ({end}) before it starts ({start})")
    critical = entry.get("critical", False)
    if not isinstance(critical, bool):
        raise ValueError(f"{where}: critical must be true or false")
    return Stage(code, _text(entry, "label_id", where), _text(entry, "label_en", where),
                 start, end, critical)


def _check_order(stages: tuple[Stage, ...]) -> None:
    seen: set[str] = set()
    for index, stage in enumerate(stages):
        if stage.code in seen:
            raise ValueError(f"tahapan: stage {stage.code!r} appears twice")
        seen.add(stage.code)
        if stage.start is None and index > 0:
            raise ValueError(f"tahapan: stage {stage.code!r} needs a 'from' day (only the first "
                             "stage may be open-ended into the past)")
        if stage.end is None and index < len(stages) - 1:
            raise ValueError(f"tahapan: stage {stage.code!r} needs a 'to' day (only the last "
                             "stage may be open-ended into the future)")
    for before, after in zip(stages, stages[1:], strict=False):
        expected = before.end + ONE_DAY
        if after.start > expected:
            raise ValueError(f"tahapan: gap between {before.code!r} (ends {before.end}) and "
                             f"{after.code!r} (starts {after.start}): {expected} belongs to no stage")
        if after.start < expected:
            raise ValueError(f"tahapan: {after.code!r} (starts {after.start}) overlaps or comes "
                             f"before {before.code!r} (ends {before.end}); it must start on {expected}")


def _day(entry: dict, key: str, where: str) -> date | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{where}: '{key}' must be a plain date like 2024-11-27 (WIB day)")
    return value


def _text(entry: dict, key: str, where: str, *, required: bool = True) -> str:
    value = entry.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: '{key}' must be non-empty text")
    return value.strip()

"""The one rule for a moment the system is given: what every report time and time parameter obeys.

A moment is an aware datetime whose UTC offset is whole minutes and at most ±14:00 (the widest
offset in use on Earth, Kiribati's +14:00), and which can be converted to UTC. ISO-8601 and
Python accept more — ``0001-01-01T00:00:00+14:00`` parses, yet it lies before year 1 in UTC and
every conversion of it raises ``OverflowError``: such a value is refused where it comes in, never
stored, so no reader ever meets it.

A report's times (``observed_at``, ``recorded_at``) must also fall in the sane range: not before
2024-01-01 WIB and not more than ``FUTURE_TOLERANCE`` after the server clock (``now``, an argument:
the core reads no clock). Answers are reason codes of ``kerawanan.messages``; no exceptions on
the hot path.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

MAX_OFFSET = timedelta(hours=14)
FUTURE_TOLERANCE = timedelta(minutes=10)
EARLIEST = datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=7)))   # 2024-01-01 WIB
EARLIEST_DAY: date = EARLIEST.date()


def parse_moment(text: object) -> datetime | None:
    """An ISO-8601 text with a UTC offset that obeys the rule, as an aware datetime; else ``None``."""
    if not isinstance(text, str) or "\x00" in text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if offset_problem(moment) is None else None


def offset_problem(moment: datetime) -> str | None:
    """``None`` when ``moment`` keeps the rule; ``bad_format`` without a whole-minute offset,
    ``bad_offset`` beyond ±14:00, ``out_of_range`` when it cannot be converted to UTC."""
    offset = moment.utcoffset()
    if offset is None or offset.seconds % 60 or offset.microseconds:
        return "bad_format"
    if abs(offset) > MAX_OFFSET:
        return "bad_offset"
    if to_utc(moment) is None:
        return "out_of_range"
    return None


def to_utc(moment: datetime) -> datetime | None:
    """``moment`` in UTC, or ``None`` when that falls outside year 1…9999 (or it is naive)."""
    if moment.utcoffset() is None:
        return None
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def range_problem(moment: datetime, now: datetime) -> tuple[str, dict[str, object]] | None:
    """The sane range of a report's time: ``(reason, message params)`` when outside, else ``None``."""
    if moment > now + FUTURE_TOLERANCE:
        return "in_future", {"minutes": int(FUTURE_TOLERANCE.total_seconds() // 60)}
    if moment < EARLIEST:
        return "too_early", {"since": EARLIEST_DAY.isoformat()}
    return None

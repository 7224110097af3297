"""Words and times as the exports print them: WIB clock times, Indonesian dates, labels of codes.

Times arrive as aware datetimes or ISO-8601 text (the API's ``...Z`` form); both are shown in
WIB (UTC+7). Labels come from ``assets/vocabulary.toml`` and the tahapan calendar; an unknown
code is printed as itself rather than failing an export.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from kerawanan import assets
from kerawanan.tahapan import WIB

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
             "Oktober", "November", "Desember")
DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
STATUS_ID = {"open": "Terbuka", "acknowledged": "Diterima", "in_progress": "Ditangani",
             "resolved": "Selesai"}


def as_datetime(value: Any) -> datetime | None:
    """An aware datetime from a datetime or ISO-8601 text; ``None`` for empty, naive or unreadable."""
    if isinstance(value, str) and value.strip():
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        return None
    return value


def as_wib(value: Any) -> datetime | None:
    """``as_datetime`` in WIB; ``None`` also when it has no WIB time (beyond year 1…9999)."""
    moment = as_datetime(value)
    try:
        return None if moment is None else moment.astimezone(WIB)
    except (OverflowError, ValueError):
        return None


def wib_text(value: Any) -> str:
    """The moment in WIB to the second, e.g. ``2024-11-27 21:40:00``; ``""`` when there is none."""
    moment = as_wib(value)
    if moment is None:
        return ""
    return moment.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")


def long_date(day: date) -> str:
    """``Rabu, 27 November 2024``."""
    return f"{DAYS_ID[day.weekday()]}, {day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def short_moment(value: Any) -> str:
    """``27 Nov 21:40 WIB``; ``""`` when there is none."""
    local = as_wib(value)
    if local is None:
        return ""
    return f"{local.day} {MONTHS_ID[local.month - 1][:3]} {local:%H:%M} WIB"


def category_label(code: Any) -> str:
    try:
        return assets.vocabulary().category(code).label_id
    except (KeyError, TypeError):
        return "" if code is None else str(code)


def level_label(code: Any) -> str:
    try:
        return assets.vocabulary().level(code).label_id
    except (KeyError, TypeError):
        return "" if code is None else str(code)


def stage_label(code: Any) -> str:
    try:
        return assets.calendar().get(code).label_id
    except (KeyError, TypeError):
        return "" if code is None else str(code)


def stage_order() -> tuple[str, ...]:
    return assets.calendar().codes


def status_label(code: Any) -> str:
    return STATUS_ID.get(code, "" if code is None else str(code))

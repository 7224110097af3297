"""Words for the officer: one catalogue (``strings.py``), Bahasa Indonesia by default, English on request.

``translate(key, lang, **params)`` never raises: a missing placeholder shows as an ellipsis and a
missing key shows as the key itself (a test makes sure no code uses a missing key). Times are
shown in WIB, the officers' own clock, whatever the phone's timezone.
"""
from __future__ import annotations

from datetime import datetime

from field_app.strings import MONTHS, STRINGS
from kerawanan.tahapan import WIB

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return "…"


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    texts = STRINGS.get(key)
    if texts is None:
        return key
    text = texts[1] if lang == "en" else texts[0]
    return text.format_map(_Params({name: _word(value, lang) for name, value in params.items()}))


def has_key(key: str) -> bool:
    return key in STRINGS


def _word(value: object, lang: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        grouped = f"{value:,}"
        return grouped if lang == "en" else grouped.replace(",", ".")
    return str(value)


def format_time(moment: datetime, lang: str = DEFAULT_LANGUAGE, *, now: datetime | None = None) -> str:
    """``27 Nov 2024 21:52 WIB``; ``hari ini 21:52 WIB`` when ``now`` is the same WIB day."""
    local = moment.astimezone(WIB)
    clock = f"{local:%H:%M} WIB"
    if now is not None and now.astimezone(WIB).date() == local.date():
        return translate("time.today", lang, time=clock)
    month = MONTHS["en" if lang == "en" else "id"][local.month - 1]
    return f"{local.day} {month} {local.year} {clock}"


def format_duration(seconds: float, lang: str = DEFAULT_LANGUAGE) -> str:
    """Rounded up to what a person would say: ``45 detik``, ``3 menit``, ``1 jam``."""
    seconds = max(0, int(seconds + 0.999))
    if seconds < 60:
        return translate("duration.seconds", lang, n=seconds)
    if seconds < 3600:
        return translate("duration.minutes", lang, n=(seconds + 59) // 60)
    return translate("duration.hours", lang, n=(seconds + 3599) // 3600)


class Translator:
    """The current language of a session; view-models hold one and ask it for words."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE):
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    def set_language(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}; choose one of {LANGUAGES}")
        self.lang = lang

    def __call__(self, key: str, **params: object) -> str:
        return translate(key, self.lang, **params)

    def time(self, moment: datetime, *, now: datetime | None = None) -> str:
        return format_time(moment, self.lang, now=now)

    def duration(self, seconds: float) -> str:
        return format_duration(seconds, self.lang)

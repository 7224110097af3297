"""One catalogue, two languages, no missing words."""
from __future__ import annotations

import pathlib
import re
import string
from datetime import UTC, datetime

import pytest

from field_app.i18n import Translator, format_duration, format_time, has_key, translate
from field_app.inbox import KINDS
from field_app.outbox import STATES
from field_app.strings import STRINGS
from field_app.viewmodels.report_form import REQUIRED

ROOT = pathlib.Path(__file__).resolve().parents[2] / "field_app"


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_string_has_both_languages_with_the_same_placeholders():
    broken = [key for key, (indonesian, english) in STRINGS.items()
              if not (indonesian.strip() and english.strip())
              or _placeholders(indonesian) != _placeholders(english)]
    assert len(STRINGS) > 100 and broken == []


def test_every_literal_key_the_code_asks_for_exists():
    pattern = re.compile(r"""(?:self\.t|translate|\bt)\(\s*["']([a-z_][a-z0-9_.]*)["']""")
    used = {key for path in ROOT.rglob("*.py") for key in pattern.findall(path.read_text())}
    assert len(used) > 20
    assert sorted(key for key in used if not has_key(key)) == []


def test_every_key_built_from_a_code_exists():
    built = ([f"form.required.{name}" for name in REQUIRED] + [f"outbox.state.{s}" for s in STATES]
             + [f"feedback.kind.{k}" for k in KINDS] + [f"enroll.required.{n}" for n in ("server_url", "nrp", "code")]
             + [f"feedback.alert.status.{s}" for s in ("open", "acknowledged", "in_progress", "resolved")]
             + [f"feedback.verdict.{v}" for v in ("pending", "confirmed", "rejected", "duplicate")]
             + [f"sync.{code}" for code in ("sync.offline", "sync.server_unavailable", "rate_limited",
                                                     "sync.internal")]
             + ["pin.format", "pin.weak"])
    assert [key for key in built if not has_key(key)] == []


def test_indonesian_is_the_default_and_english_is_available():
    assert translate("outbox.state.waiting") == "Menunggu sinyal"
    assert translate("outbox.state.waiting", "en") == "Waiting for signal"
    words = Translator()
    words.set_language("en")
    assert words("outbox.pending", count=3) == "3 report(s) not sent yet"
    with pytest.raises(ValueError):
        words.set_language("fr")


def test_numbers_use_the_languages_grouping_and_missing_params_never_crash():
    assert translate("outbox.pending", count=12000) == "12.000 laporan belum terkirim"
    assert translate("outbox.pending", "en", count=12000) == "12,000 report(s) not sent yet"
    assert translate("outbox.pending") == "… laporan belum terkirim"
    assert translate("no.such.key") == "no.such.key"


def test_times_are_shown_in_wib():
    moment = datetime(2024, 11, 27, 14, 52, tzinfo=UTC)
    assert format_time(moment) == "27 Nov 2024 21:52 WIB"
    assert format_time(datetime(2024, 8, 17, 3, 0, tzinfo=UTC), "id") == "17 Agu 2024 10:00 WIB"
    assert format_time(datetime(2024, 8, 17, 3, 0, tzinfo=UTC), "en") == "17 Aug 2024 10:00 WIB"
    assert format_time(moment, now=datetime(2024, 11, 27, 16, 0, tzinfo=UTC)) == "hari ini 21:52 WIB"


def test_durations_read_like_people_say_them():
    assert [format_duration(s) for s in (1, 30, 61, 3600, 5400)] == [
        "1 detik", "30 detik", "2 menit", "1 jam", "2 jam"]
    assert format_duration(90, "en") == "2 minutes"

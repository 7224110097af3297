"""The full report form: plain data and intent methods, validated by the core, saved to the outbox.

The form mints the report id when it opens, so a double tap on "Simpan" saves one report, not two.
Messages next to each field are Bahasa Indonesia (or English) from the catalogue, keyed by the
field and the core's reason code; the core's own words are the fallback.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from field_app.errors import PhotoUnreadable
from field_app.i18n import Translator, has_key
from field_app.outbox import Outbox
from field_app.photos import shrink_photo
from field_app.viewmodels.base import Clock, ViewModel, utc_now
from kerawanan import assets
from kerawanan.errors import Conflict, InvalidReport
from kerawanan.report import MAX_FACTS, MAX_MEDIA, MAX_OPINION, GeoPoint, Report, parse_report
from kerawanan.tahapan import WIB
from kerawanan.vocab import CATEGORY_CODES, CREDIBILITY, RELIABILITY, STAGELESS_CATEGORIES, THREAT_STAGES

REQUIRED = ("category", "threat_stage", "desa_code", "facts")
DRAFT_KEY = "draft"
DRAFT_FIELDS = ("report_id", "category", "threat_stage", "desa_code", "desa_how", "facts", "opinion",
                "people_count_text", "tps", "source_reliability", "info_credibility", "photos", "supersedes")
TEXT_LIMITS = {"facts": MAX_FACTS, "opinion": MAX_OPINION}


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a picker, in the session's language."""

    code: str | int
    label: str
    hint: str = ""


@dataclass(frozen=True, slots=True)
class DesaChoice:
    code: str
    name: str         # "Desa Dujung Sakti"
    area: str         # "Kec. Sungai Bungkal, Kota Sungai Penuh"


class ReportForm(ViewModel):
    """One report being written by ``officer``. ``reset()`` starts the next one."""

    def __init__(self, outbox: Outbox, officer: str, *, clock: Clock = utc_now,
                 translator: Translator | None = None, gazetteer: Any = None, calendar: Any = None,
                 vocabulary: Any = None, new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
                 on_saved: Callable[[str], None] | None = None):
        super().__init__(clock=clock, translator=translator)
        self.outbox, self.officer = outbox, officer
        self.gazetteer = gazetteer or assets.gazetteer()
        self.calendar = calendar or assets.calendar()
        self.vocabulary = vocabulary or assets.vocabulary()
        self.new_id, self.on_saved = new_id, on_saved
        self.reset()

    def reset(self) -> None:
        self.report_id: str = self.new_id()
        self.category: str | None = None
        self.threat_stage: str | None = None
        self.desa_code: str | None = None
        self.desa_how: str | None = None      # how the desa was found, in words
        self.location: GeoPoint | None = None
        self.observed_at: datetime = self.clock()
        self.facts = ""
        self.opinion = ""
        self.people_count_text = ""
        self.tps = ""
        self.source_reliability: str | None = None
        self.info_credibility: int | None = None
        self.photos: list[str] = []
        self.supersedes: str | None = None
        self.errors: dict[str, str] = {}
        self.message: str | None = None
        self.saved_id: str | None = None
        self.changed()

    # ------------------------------------------------------------ choices in words

    @property
    def category_choices(self) -> list[Choice]:
        lang = self.t.lang
        return [Choice(code, self.vocabulary.category(code).label(lang), self.vocabulary.category(code).hint(lang))
                for code in CATEGORY_CODES if code not in STAGELESS_CATEGORIES]   # nihil: its own button

    @property
    def threat_stage_choices(self) -> list[Choice]:
        terms = [self.vocabulary.threat_stage(code) for code in THREAT_STAGES]
        return [Choice(t.code, f"{t.code} — {t.label(self.t.lang)}", t.hint(self.t.lang)) for t in terms]

    @property
    def reliability_choices(self) -> list[Choice]:
        terms = [self.vocabulary.reliability(code) for code in RELIABILITY]
        return [Choice(t.code, t.label(self.t.lang), t.hint(self.t.lang)) for t in terms]

    @property
    def credibility_choices(self) -> list[Choice]:
        terms = [self.vocabulary.credibility(number) for number in CREDIBILITY]
        return [Choice(t.code, t.label(self.t.lang), t.hint(self.t.lang)) for t in terms]

    @property
    def category_hint(self) -> str | None:
        return self.vocabulary.category(self.category).hint(self.t.lang) if self.category else None

    @property
    def desa_name(self) -> str | None:
        region = self.gazetteer.find(self.desa_code) if self.desa_code else None
        return region.title if region else None

    @property
    def stage_label(self) -> str | None:
        """The tahapan of the time observed, filled from the calendar."""
        try:
            return self.calendar.get(self.calendar.stage_for(self.observed_at)).label(self.t.lang)
        except (ValueError, KeyError):
            return None

    # ------------------------------------------------------------ intents

    def choose_category(self, code: str) -> None:
        self._set("category", code if code in CATEGORY_CODES else None)

    def choose_threat_stage(self, code: str) -> None:
        self._set("threat_stage", code if code in THREAT_STAGES else None)

    def choose_source_reliability(self, letter: str | None) -> None:
        self._set("source_reliability", letter if letter in RELIABILITY else None)

    def choose_info_credibility(self, number: int | None) -> None:
        self._set("info_credibility", number if number in CREDIBILITY else None)

    def set_facts(self, text: str) -> None:
        self._set("facts", text or "")

    def set_opinion(self, text: str) -> None:
        self._set("opinion", text or "")

    def set_tps(self, text: str) -> None:
        self._set("tps", (text or "").strip())

    def set_people_count(self, value: str | int | None) -> None:
        self._set("people_count_text", "" if value is None else str(value).strip())

    def set_observed_at(self, moment: datetime | None) -> None:
        """``None`` means "now"; a naive time is read as WIB (what the officer's watch says)."""
        if moment is None:
            moment = self.clock()
        elif moment.tzinfo is None:
            moment = moment.replace(tzinfo=WIB)
        self._set("observed_at", moment)

    def set_desa(self, code: str) -> None:
        """Picked from the searchable list."""
        self.desa_code = code if self.gazetteer.is_desa(code) else None
        self.desa_how = self.t("gps.picked") if self.desa_code else None
        self.errors.pop("desa_code", None)
        self.changed()

    def desa_choice(self, code: str | None) -> DesaChoice | None:
        """A desa in words (name and area), or None when ``code`` is not a desa of the gazetteer."""
        region = self.gazetteer.find(code) if code and self.gazetteer.is_desa(code) else None
        return self._desa_choice(region) if region else None

    def search_desa(self, query: str, limit: int = 20) -> list[DesaChoice]:
        return [self._desa_choice(region) for region in self.gazetteer.search(query, limit=limit, tiers=("desa",))]

    def use_gps(self, lat: float, lon: float, accuracy: float | None = None) -> None:
        """A GPS fix: keep it as the report's location and find its desa offline."""
        self.location = GeoPoint(float(lat), float(lon), None if accuracy is None else float(accuracy))
        located = self.gazetteer.locate_desa(lat, lon)
        if located.found:
            self.desa_code = located.desa_code
        self.desa_how = self._gps_words(located, accuracy)
        self.errors.pop("desa_code", None)
        self.errors.pop("location", None)
        self.changed()

    def gps_unavailable(self) -> None:
        """The phone gave no fix (no permission, no sky, timeout): say so and ask for the list."""
        self.desa_how = self.t("gps.failed")
        self.changed()

    def clear_location(self) -> None:
        self._set("location", None)

    def add_photo(self, raw: bytes) -> str | None:
        """Shrink and keep a photo (slow on big photos: run it off the UI thread). Returns its SHA-256."""
        if len(self.photos) >= MAX_MEDIA:
            self.errors["media"] = self.t("form.media.too_many", max=MAX_MEDIA)
            self.changed()
            return None
        try:
            photo = shrink_photo(raw)
        except PhotoUnreadable:
            self.errors["media"] = self.t("form.photo.unreadable")
            self.changed()
            return None
        self.outbox.store_photo(photo.data, photo.sha256)
        if photo.sha256 not in self.photos:
            self.photos.append(photo.sha256)
        self.errors.pop("media", None)
        self.changed()
        return photo.sha256

    def remove_photo(self, sha256: str) -> None:
        self._set("photos", [sha for sha in self.photos if sha != sha256])

    def photo_path(self, sha256: str) -> str:
        return str(self.outbox.photo_path(sha256))

    # ------------------------------------------------------------ validate and save

    def validate(self, now: datetime) -> Report | None:
        """The report, or None with ``errors`` (field -> words) and a summary ``message``."""
        errors = self._local_errors()
        report = None
        if not errors:
            try:
                report = parse_report(self.to_wire(now), now=now, gazetteer=self.gazetteer, calendar=self.calendar)
            except InvalidReport as exc:
                errors = self._core_errors(exc)
        self.errors = errors
        self.message = self.t("form.invalid", count=len(errors)) if errors else None
        self.changed()
        return report

    def submit(self, now: datetime) -> str | None:
        """Validate and commit to the outbox; returns the saved id (None when the form has errors)."""
        report = self.validate(now)
        if report is None:
            return None
        try:
            self.saved_id = self.outbox.save(report, officer=self.officer, now=now)
        except Conflict:        # same id already saved with other content (edited after a save)
            self.report_id = self.new_id()
            return self.submit(now)
        self.discard_draft()
        self.message = self.t("form.saved")
        self.changed()
        if self.on_saved is not None:
            self.on_saved(self.saved_id)
        return self.saved_id

    # ------------------------------------------------------------ drafts (survive the app being killed)

    def save_draft(self) -> None:
        """Keep what was typed so far; the UI calls this when the app goes to the background."""
        draft = {name: getattr(self, name) for name in DRAFT_FIELDS}
        draft["observed_at"] = self.observed_at.isoformat()
        location = self.location
        draft["location"] = None if location is None else [location.lat, location.lon, location.accuracy_m]
        self.outbox.meta.set(self.officer, DRAFT_KEY, draft)

    def restore_draft(self) -> bool:
        """Reopen the officer's unsaved report, if there is one."""
        draft = self.outbox.meta.get(self.officer, DRAFT_KEY)
        if not draft:
            return False
        for name in DRAFT_FIELDS:
            setattr(self, name, draft.get(name, getattr(self, name)))
        self.observed_at = datetime.fromisoformat(draft["observed_at"])
        self.location = GeoPoint(*draft["location"]) if draft.get("location") else None
        self.changed()
        return True

    def discard_draft(self) -> None:
        self.outbox.meta.delete(self.officer, DRAFT_KEY)

    def to_wire(self, now: datetime) -> dict[str, Any]:
        location = self.location
        return {
            "id": self.report_id,
            "observed_at": self.observed_at.astimezone(WIB).isoformat(timespec="seconds"),
            "recorded_at": now.astimezone(WIB).isoformat(timespec="seconds"),
            "category": self.category, "threat_stage": self.threat_stage, "desa_code": self.desa_code,
            "location": None if location is None else
            {"lat": location.lat, "lon": location.lon, "accuracy_m": location.accuracy_m},
            "people_count": _int_or_none(self.people_count_text),
            "source_reliability": self.source_reliability, "info_credibility": self.info_credibility,
            "facts": self.facts.strip(), "opinion": self.opinion.strip() or None, "tps": self.tps or None,
            "media": list(self.photos), "supersedes": self.supersedes,
        }

    # ------------------------------------------------------------ helpers

    def _set(self, name: str, value: Any) -> None:
        setattr(self, name, value)
        self.errors.pop("people_count" if name == "people_count_text" else name, None)
        self.changed()

    def _local_errors(self) -> dict[str, str]:
        """What the officer can fix without the core's help, said the way an officer would."""
        errors = {name: self.t(f"form.required.{name}") for name in REQUIRED
                  if not (getattr(self, name) or "").strip()}
        for name, limit in TEXT_LIMITS.items():
            text = getattr(self, name).strip()
            if len(text) > limit:
                errors[name] = self.t("form.too_long", max=limit, count=len(text))
        if self.people_count_text and _int_or_none(self.people_count_text) is None:
            errors["people_count"] = self.t("form.people_count.number")
        return errors

    def _core_errors(self, exc: InvalidReport) -> dict[str, str]:
        errors: dict[str, str] = {}
        core_words = exc.fields_en if self.t.lang == "en" else exc.fields
        for path, reason in exc.reasons.items():
            name = path.split(".")[0].split("[")[0] or "id"
            errors.setdefault(name, self._words_for(name, reason, core_words.get(path, reason)))
        return errors

    def _words_for(self, name: str, reason: str, fallback: str) -> str:
        if reason in ("required", "empty") and name in REQUIRED:
            return self.t(f"form.required.{name}")
        if reason == "out_of_range" and name == "people_count":
            return self.t("form.people_count.range")
        key = f"form.{name}.{reason}"
        return self.t(key, max=MAX_MEDIA) if has_key(key) else fallback

    def _gps_words(self, located: Any, accuracy: float | None) -> str:
        if located.method == "polygon":
            if accuracy is None:
                return self.t("gps.polygon.no_accuracy")
            return self.t("gps.polygon", accuracy=round(accuracy))
        if located.method == "nearest":
            return self.t("gps.nearest", distance=round(located.distance_m or 0))
        if located.method == "kecamatan":
            region = self.gazetteer.find(located.kecamatan_code)
            return self.t("gps.kecamatan", kecamatan=region.name if region else located.kecamatan_code)
        return self.t("gps.none")

    def _desa_choice(self, region: Any) -> DesaChoice:
        area = [r.title for r in self.gazetteer.ancestors(region.code) if r.tier in ("kecamatan", "kabupaten")]
        return DesaChoice(region.code, region.title, ", ".join(area))


def _int_or_none(text: str) -> int | None:
    text = text.strip().replace(".", "").replace(",", "") if text else ""
    if not text or not (text.isdigit() and text.isascii()):
        return None
    return int(text)

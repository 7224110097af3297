"""The tahapan timeline (``GET /timeline``) in words, and the map's "as of" choice (``GET /regions?as_of=``).

Stages come in calendar order from the server, with empty ones as zeros: the screen shows each, says
"kosong" for an empty one, and never reorders them by size. Days are WIB.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from field_app.errors import Offline, ServerRejected
from field_app.strings import MONTHS
from field_app.viewmodels.base import ViewModel
from field_app.viewmodels.supervisor_board import LEVEL_RANK, parse_time

DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
TIERS = ("kabupaten", "kecamatan", "desa")
PAST_COVERAGE = {"state": "past"}       # a region's coverage at a past moment: not assessed
LIVE = "now"                    # the picker's value for the live map


@dataclass(frozen=True)
class StageLine:
    code: str
    label: str
    dates: str
    state: str                  # past | now | future
    critical: bool
    counts: str                 # reports and alerts in words, or "kosong"
    levels: str                 # regions at each level at its end (or now), "" for a stage to come
    empty: bool
    share: float                # reports of the stage / the busiest stage (0..1): the bar's length
    hot: bool = False           # some region was rawan or sangat rawan at its end


def day_words(text: str | None, lang: str = "id") -> str:
    if not text:
        return "…"
    day = date.fromisoformat(text)
    return f"{day.day} {MONTHS['en' if lang == 'en' else 'id'][day.month - 1]} {day.year}"


class Timeline(ViewModel):
    def __init__(self, client: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.client = client
        self.body: dict[str, Any] | None = None
        self.problem: str | None = None

    def refresh(self) -> bool:
        try:
            self.body = self.client.get_timeline()
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected as exc:
            return self._fail(exc.message)
        self.problem = None
        self.changed()
        return True

    def headline(self) -> list[str]:
        """"Sekarang: Rekapitulasi", then the countdown to voting and to the recapitulation."""
        if not self.body:
            return []
        lang = self.t.lang
        labels = {stage["code"]: stage["label_en" if lang == "en" else "label"] for stage in self.body["stages"]}
        lines = [self.t("sv.timeline.now", stage=labels.get(self.body["current"], self.body["current"]))]
        for code, countdown in (self.body.get("countdown") or {}).items():
            lines.append(self.t("sv.timeline.countdown", stage=labels.get(code, code), label=countdown["label"],
                                day=day_words(countdown["day"], lang)))
        return lines

    def lines(self) -> list[StageLine]:
        if not self.body:
            return []
        stages, lang = self.body["stages"], self.t.lang
        busiest = max((stage["reports"] for stage in stages), default=0) or 1
        return [self._line(stage, busiest, lang) for stage in stages]

    def _line(self, stage: dict[str, Any], busiest: int, lang: str) -> StageLine:
        alerts = stage["alerts"]
        empty = not stage["reports"] and not alerts["opened"]
        counts = self.t("sv.timeline.empty") if empty else self.t(
            "sv.timeline.counts", reports=stage["reports"], alerts=alerts["opened"], rawan=alerts["rawan"],
            sangat=alerts["sangat_rawan"])
        levels, hot = "", False
        if stage["levels_at_end"] is not None:
            at_end = stage["levels_at_end"]
            key = "sv.timeline.levels.now" if stage["state"] == "now" else "sv.timeline.levels"
            levels = self.t(key, sangat=at_end["sangat_rawan"], rawan=at_end["rawan"], regions=self.body["regions"])
            hot = bool(at_end["rawan"] or at_end["sangat_rawan"])
        dates = f"{day_words(stage['from'], lang)} – {day_words(stage['to'], lang)}"
        return StageLine(stage["code"], stage["label_en" if lang == "en" else "label"], dates, stage["state"],
                         bool(stage["critical"]), counts, levels, empty, stage["reports"] / busiest, hot)

    def as_of_choices(self) -> list[tuple[str, str]]:
        """("now", "Sekarang") then each tahapan that has begun, latest first: the map's picker."""
        choices = [(LIVE, self.t("sv.asof.now"))]
        if self.body:
            begun = [stage for stage in self.body["stages"] if stage["state"] != "future"]
            choices += [(stage["code"], self.t("sv.asof.stage", stage=stage["label_en" if self.t.lang == "en"
                                                                             else "label"]))
                        for stage in reversed(begun)]
        return choices

    def _fail(self, message: str) -> bool:
        self.problem = message
        self.changed()
        return False


class AsOfLevels(ViewModel):
    """The map's levels as of a tahapan or a WIB day, for every tier (so drilling needs no new call)."""

    def __init__(self, client: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.client = client
        self.choice = ""                       # "": now (live); else a tahapan code or YYYY-MM-DD
        self.levels: dict[str, str] = {}
        self.scores: dict[str, float] = {}
        self.when = ""
        self.stage_label = ""
        self.problem: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.choice)

    def choose(self, value: str) -> bool:
        value = (value or "").strip()
        value = "" if value == LIVE else value
        if value and not value.isidentifier() and not DAY.match(value):
            return self._fail(self.t("sv.asof.bad_date"))
        if not value:
            self.choice, self.levels, self.scores, self.problem = "", {}, {}, None
            self.changed()
            return True
        levels: dict[str, str] = {}
        scores: dict[str, float] = {}
        try:
            for tier in TIERS:
                body = self.client.regions_as_of(value, tier)
                for item in body.get("items") or []:
                    levels[item["code"]] = item["level"]
                    scores[item["code"]] = item.get("score") or 0.0
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected as exc:
            return self._fail(exc.message)
        self.choice, self.levels, self.scores, self.problem = value, levels, scores, None
        moment = parse_time(body.get("as_of"))
        self.when = self.t.time(moment) if moment else ""
        self.stage_label = str(body.get("stage_label") or "")
        self.changed()
        return True

    def level_of(self, code: str, live: str | None) -> str | None:
        """The level to draw: as of the choice when one is made (a region outside scope stays None)."""
        if not self.active or live is None:
            return live
        return self.levels.get(code, "kurang_rawan")

    def rows(self, live: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The map's list as of the choice: each region's level and score then, most serious first, and
        no coverage of today's. A kurang rawan of then carries ``PAST_COVERAGE`` (drawn grey, "kabar tak
        dinilai", as on the map): whether its desa were heard from then is not known, so never safe."""
        if not self.active:
            return live
        rows = []
        for row in live:
            code = str(row.get("code"))
            level = self.level_of(code, row.get("level"))
            rows.append({**row, "level": level, "score": round(self.scores.get(code, 0.0), 2),
                         "coverage": PAST_COVERAGE if level == "kurang_rawan" else None})
        return sorted(rows, key=lambda r: (LEVEL_RANK.get(str(r["level"]), 9), -float(r["score"]), str(r["code"])))

    def caption(self) -> str:
        return self.t("sv.asof.showing", when=self.when, stage=self.stage_label) if self.active else ""

    def _fail(self, message: str) -> bool:
        self.problem = message
        self.changed()
        return False


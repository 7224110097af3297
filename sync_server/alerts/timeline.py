"""The tahapan timeline of a scope, and region levels as of a past instant (issue 13.2).

Levels "as of" an instant come from the core's scorer (``kerawanan.scorebook.ScoreBook`` through
the engine's ``ReportFeed``, then ``kerawanan.scoring.region_score`` and ``level_for``): the book is
filled with every stored report and evaluated at the instant, so only reports observed by then
count, with their decay at that instant. Two things differ from the live map, both said in the
answer: a report's review is today's (a report rejected later does not count then either), and the
level has no hysteresis memory (``level_for`` with no previous level).

Days are WIB calendar days (``kerawanan.tahapan``); an "as of" a day or a tahapan is the end of its
last WIB day, or now when that is still to come.
"""
from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from kerawanan.moments import EARLIEST_DAY
from kerawanan.regions import in_scope
from kerawanan.scoring import level_for, region_score
from kerawanan.tahapan import WIB, wib_day
from kerawanan.vocab import LEVELS
from sync_server.alerts.scorebook import ReportFeed, caught_up, loaded_feed
from sync_server.render import iso_z
from sync_server.storage.base import AlertQuery
from sync_server.validation import invalid_parameter

END_OF_DAY = time(23, 59, 59, 999999)
ANCHORS = ("pemungutan_suara", "rekapitulasi")     # H-n is counted to the first day of these
PAGE = 500


def day_end(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, WIB)


def resolve_as_of(text: str, calendar: Any, now: datetime) -> tuple[datetime, str, str | None]:
    """``(instant, kind, stage code)`` of ``as_of``: a tahapan code (its end), a WIB day
    ``YYYY-MM-DD`` (its end) — capped to now — else 422; a moment still to come is 422 ``future``."""
    text = text.strip()
    if text in calendar:
        stage = calendar.get(text)
        if stage.start is not None and stage.start > wib_day(now):
            raise invalid_parameter("as_of", "Tahapan itu belum dimulai.", "That tahapan has not begun.", "future")
        end = day_end(stage.end) if stage.end is not None else now
        return min(end, now), "stage", stage.code
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise invalid_parameter("as_of", "Kode tahapan (mis. masa_tenang) atau tanggal YYYY-MM-DD (WIB).",
                                "A tahapan code (e.g. masa_tenang) or a date YYYY-MM-DD (WIB).")
    if day > wib_day(now):
        raise invalid_parameter("as_of", "Tanggal belum terjadi.", "The date is in the future.", "future")
    if day < EARLIEST_DAY:
        raise invalid_parameter("as_of", f"Paling awal {EARLIEST_DAY.isoformat()}.",
                                f"Not before {EARLIEST_DAY.isoformat()}.", "too_early")
    at = min(day_end(day), now)
    return at, "date", calendar.stage_for(at)


class LevelsAsOf:
    """Region levels at past instants, from this process's own book of every stored report (filled once,
    then caught up with each change since, like the engine's; the engine's own book is never moved
    back in time)."""

    def __init__(self, storage: Any, config: Any):
        self.storage = storage
        self.config = config
        self._lock = threading.Lock()
        self._feed: ReportFeed | None = None

    def levels(self, instants: list[datetime]) -> list[dict[str, tuple[str, float]]]:
        """For each instant (any order), ``code -> (level, score)`` of every region that had a report
        counting then; a region absent is kurang_rawan with score 0."""
        order = sorted(range(len(instants)), key=lambda index: instants[index])
        found: list[dict[str, tuple[str, float]]] = [{} for _ in instants]
        with self._lock:
            feed = self._fresh_feed()
            for index in order:
                epoch = instants[index].timestamp()
                tallies = feed.book.tallies_at(epoch)
                found[index] = {code: self._level(code, tally, epoch) for code, tally in tallies.items()
                                if tally.count}
        return found

    def _level(self, code: str, tally: Any, epoch: float) -> tuple[str, float]:
        score = region_score(code, tally, epoch, self.config)
        return (level_for(score.score, score.tier, None, self.config, corroborated=score.corroborated),
                round(score.score, 2))

    def _fresh_feed(self) -> ReportFeed:
        """The book, caught up with the reports stored or reviewed since it was filled (as the engine does)."""
        if self._feed is None:
            self._feed = loaded_feed(self.storage, self.config)     # the full read, as the engine's
        return caught_up(self._feed, self.storage)

def regions_as_of(service: Any, principal: Any, levels: LevelsAsOf, tier: str, at: datetime) -> list[dict]:
    """Every region of ``tier`` in scope with its level and score as of ``at``."""
    found = levels.levels([at])[0]
    rows = []
    for region in service.gazetteer.regions(tier):
        if in_scope(region.code, principal.scope):
            level, score = found.get(region.code, (LEVELS[0], 0.0))
            rows.append({"code": region.code, "name": region.title, "tier": region.tier,
                         "level": level, "score": score})
    return rows


def timeline(service: Any, principal: Any, levels: LevelsAsOf, tier: str, now: datetime) -> dict[str, Any]:
    """The calendar in order: which tahapan is now, H-n to voting and to the recapitulation, and per
    tahapan its reports, alerts (by peak level) and the levels of the ``tier`` regions at its end."""
    calendar, today = service.calendar, wib_day(now)
    current = calendar.stage_at(now)
    _, by_stage = service.storage.report_counts(principal.scope, datetime(2000, 1, 1, tzinfo=WIB),
                                                now + timedelta(seconds=1))
    alerts = _alerts_by_stage(service.storage, calendar, principal.scope)
    regions = [region.code for region in service.gazetteer.regions(tier) if in_scope(region.code, principal.scope)]
    begun = [stage for stage in calendar.stages if stage.start is None or stage.start <= today]
    ends = [min(day_end(stage.end), now) if stage.end is not None else now for stage in begun]
    at_end = dict(zip([stage.code for stage in begun], levels.levels(ends) if ends else [], strict=True))
    stages = []
    for stage in calendar.stages:
        found = at_end.get(stage.code)
        counts = None if found is None else Counter(found.get(code, (LEVELS[0], 0.0))[0] for code in regions)
        stages.append({
            "code": stage.code, "label": stage.label_id, "label_en": stage.label_en,
            "from": stage.start.isoformat() if stage.start else None,
            "to": stage.end.isoformat() if stage.end else None, "critical": stage.critical,
            "state": "now" if stage.code == current.code else ("past" if found is not None else "future"),
            "reports": by_stage.get(stage.code, 0),
            "alerts": alerts.get(stage.code, {"opened": 0, **{level: 0 for level in LEVELS[1:]}}),
            "levels_at_end": None if counts is None else {level: counts.get(level, 0) for level in LEVELS},
            "as_of": iso_z(ends[begun.index(stage)]) if found is not None else None})
    return {"now": iso_z(now), "today": today.isoformat(), "current": current.code,
            "current_label": current.label_id, "tier": tier, "regions": len(regions),
            "countdown": {code: _countdown(calendar, code, today) for code in ANCHORS if code in calendar},
            "stages": stages}


def _countdown(calendar: Any, code: str, today: date) -> dict[str, Any]:
    """Days from today to the first day of ``code``: H-3 is ``days`` 3, the day itself 0, after it < 0."""
    stage = calendar.get(code)
    days = (stage.start - today).days
    label = f"H-{days}" if days > 0 else ("Hari H" if days == 0 else f"H+{-days}")
    return {"day": stage.start.isoformat(), "days": days, "label": label}


def _alerts_by_stage(storage: Any, calendar: Any, scope: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Alerts opened in scope, by the tahapan of the WIB day they opened, counted by their peak level."""
    counts: dict[str, dict[str, int]] = {}
    before = None
    while True:
        items, before = storage.list_alerts(AlertQuery(subtrees=scope, before=before, limit=PAGE))
        for alert in items:
            row = counts.setdefault(calendar.stage_for(alert.opened_at), {"opened": 0, **{level: 0 for level in LEVELS[1:]}})
            row["opened"] += 1
            if alert.peak_level in row:
                row[alert.peak_level] += 1
        if before is None:
            return counts

"""Silence is not safety: when each desa was last heard from, and which desa are coverage gaps.

A desa is heard from when a report about it is observed, or when one of ITS officers (an officer
whose scope holds it) syncs or pushes. During a critical tahapan a desa not heard from for
``[coverage] silence_hours`` (24 h) — or never — is a coverage gap (``find_coverage_gaps``). A
region above a desa is "tidak ada kabar" (no news) when it is kurang_rawan and any desa in it is
a gap: it is never shown as safe.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from kerawanan.regions import in_scope
from kerawanan.tahapan import find_coverage_gaps
from sync_server.storage.base import Activity, User

NO_NEWS = "tidak_ada_kabar"
NO_NEWS_LABEL = ("Tidak ada kabar", "No news")


@dataclass(frozen=True)
class Coverage:
    """Last heard per desa at one time, and the gaps among them."""

    at: datetime
    stage: str
    critical: bool
    silence_hours: float
    heard: dict[str, datetime | None]
    gaps: frozenset[str]

    def under(self, code: str) -> list[str]:
        """The desa in (or equal to) ``code``."""
        return [desa for desa in self.heard if in_scope(desa, (code,))]

    def summary(self, code: str) -> dict:
        """``{"gap", "desa", "silent_desa", "last_heard"}`` of a region."""
        desa = self.under(code)
        silent = sum(1 for item in desa if item in self.gaps)
        heard = [self.heard[item] for item in desa if self.heard[item] is not None]
        return {"gap": silent > 0, "desa": len(desa), "silent_desa": silent,
                "last_heard": max(heard) if heard else None}


def last_heard(desa_codes: Iterable[str], activity: Activity, officers: Iterable[User]) -> dict[str, datetime | None]:
    """Per desa: the newest of its last observed report and its officers' last sync or push."""
    heard: dict[str, datetime | None] = {code: activity.desa_observed.get(code) for code in desa_codes}
    for officer in officers:
        moment = activity.officer_heard.get(officer.username)
        if moment is None:
            continue
        for code in officer.scope:
            if code in heard and (heard[code] is None or heard[code] < moment):
                heard[code] = moment
    return heard


def assess(desa_codes: Iterable[str], activity: Activity, officers: Iterable[User], at: datetime, calendar,
           silence_hours: float) -> Coverage:
    heard = last_heard(desa_codes, activity, officers)
    stage = calendar.stage_at(at)
    gaps = find_coverage_gaps(heard, at, calendar, silence_hours=silence_hours)
    return Coverage(at=at, stage=stage.code, critical=stage.critical, silence_hours=silence_hours, heard=heard,
                    gaps=frozenset(gaps))


def summary_level(level: str, gap: bool) -> str:
    """What a person is shown: the level, except a quiet region with silent desa is "no news"."""
    return NO_NEWS if gap and level == "kurang_rawan" else level

"""Silence is not safety: when each desa was last heard from, and its coverage state.

The one definition (DESIGN "Aggregation", docs/api.md "Coverage"):

- A desa is heard from when a report about it is observed — a laporan nihil included — or when one
  of ITS officers (an officer whose scope holds it) syncs or pushes.
- ``reporting``: heard from within ``[coverage] silence_hours`` (24 h, in every tahapan: a Bhabin's
  laporan nihil is daily) of the evaluation time.
- ``unassigned``: not reporting, and no officer's scope covers the desa ("belum ada Bhabin").
- ``silent``: not reporting although an officer covers it ("tanpa kabar").

A parent region (kecamatan, kabupaten/kota, provinsi) is ``reporting`` only when every desa in it is;
otherwise ``silent`` when any desa in it is silent, else ``unassigned``. It carries the counts, so a
kabupaten with one silent desa of 200 reads "tanpa kabar: 1 dari 200 desa", never "aman".
During a critical tahapan the non-reporting desa are coverage gaps (``critical_stage``): screens
highlight them instead of greying them out. A region that is not ``reporting`` is never shown as safe:
a ``kurang_rawan`` one is summarised as ``tidak_ada_kabar``.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sync_server.render import iso_z
from sync_server.storage.base import Activity, User

REPORTING, SILENT, UNASSIGNED = "reporting", "silent", "unassigned"
STATES = (REPORTING, SILENT, UNASSIGNED)
STATE_LABELS = {REPORTING: ("Ada kabar", "Reporting"), SILENT: ("Tanpa kabar", "No news"),
                UNASSIGNED: ("Belum ada Bhabin", "No officer assigned")}
NO_NEWS = "tidak_ada_kabar"
NO_NEWS_LABEL = ("Tidak ada kabar", "No news")


@dataclass(frozen=True)
class Coverage:
    """Last heard and coverage state per desa at one time."""

    at: datetime
    stage: str
    critical: bool
    silence_hours: float
    heard: dict[str, datetime | None]
    assigned: frozenset[str]                 # desa some officer's scope covers
    gaps: frozenset[str]                     # desa that are not reporting (silent or unassigned)

    def under(self, code: str) -> list[str]:
        """The desa in (or equal to) ``code``, from an index built once per Coverage (an alert list
        asks for every alert's region: one scan of all desa each was ~3 ms an alert)."""
        return self._desa_under.get(code, [])

    @functools.cached_property
    def _desa_under(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for desa in self.heard:
            region: str | None = desa
            while region:
                index.setdefault(region, []).append(desa)
                region = region.rpartition(".")[0] or None
        return index

    def state_of(self, desa: str) -> str:
        if desa not in self.gaps:
            return REPORTING
        return SILENT if desa in self.assigned else UNASSIGNED

    def summary(self, code: str) -> dict[str, Any]:
        """``{"state", "gap", "desa", "reporting_desa", "silent_desa", "unassigned_desa", "last_heard"}``.

        ``silent_desa`` counts every desa without news (silent or unassigned); ``unassigned_desa`` the
        part of them no officer covers."""
        desa = self.under(code)
        quiet = [item for item in desa if item in self.gaps]
        unassigned = sum(1 for item in quiet if item not in self.assigned)
        heard = [self.heard[item] for item in desa if self.heard[item] is not None]
        state = REPORTING if not quiet else UNASSIGNED if unassigned == len(quiet) else SILENT
        return {"state": state, "gap": bool(quiet), "desa": len(desa), "reporting_desa": len(desa) - len(quiet),
                "silent_desa": len(quiet), "unassigned_desa": unassigned,
                "last_heard": max(heard) if heard else None}

    def json(self, code: str) -> dict[str, Any]:
        """The ``coverage`` object of a region or alert in the API."""
        own = self.summary(code)
        label_id, label_en = STATE_LABELS[own["state"]]
        return {"state": own["state"], "last_heard_at": iso_z(own["last_heard"]), "label": label_id,
                "label_en": label_en, "critical_stage": self.critical, "desa": own["desa"],
                "reporting_desa": own["reporting_desa"], "silent_desa": own["silent_desa"],
                "unassigned_desa": own["unassigned_desa"]}


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


def assigned_desa(desa_codes: Iterable[str], officers: Iterable[User]) -> frozenset[str]:
    """The desa some officer's scope holds (an officer scoped to a kecamatan covers its desa)."""
    scopes = {code for officer in officers for code in officer.scope}
    return frozenset(code for code in desa_codes if not scopes.isdisjoint(_self_and_ancestors(code)))


def _self_and_ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts) + 1)]


def assess(desa_codes: Iterable[str], activity: Activity, officers: Iterable[User], at: datetime, calendar,
           silence_hours: float) -> Coverage:
    codes, officers = list(desa_codes), list(officers)
    heard = last_heard(codes, activity, officers)
    stage = calendar.stage_at(at)
    limit = at - timedelta(hours=silence_hours)
    quiet = frozenset(code for code, moment in heard.items() if moment is None or moment < limit)
    return Coverage(at=at, stage=stage.code, critical=stage.critical, silence_hours=silence_hours, heard=heard,
                    assigned=assigned_desa(codes, officers), gaps=quiet)


def summary_level(level: str, gap: bool) -> str:
    """What a person is shown: the level, except a quiet region with silent desa is "no news"."""
    return NO_NEWS if gap and level == "kurang_rawan" else level

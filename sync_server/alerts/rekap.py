"""Rekap berjenjang: how each unit one level below the commander is acting, in one table.

``GET /api/v1/rekap?unit=&date=&days=`` (docs/api.md "Rekap"). The unit is a scope: one or more
region codes (default: the caller's scope). Its rows are the units one level down:

- a province → one row per Polres: its kabupaten/kota grouped by the context file's ``polres``
  (Polres Kerinci = 15.01 + 15.72 in one row);
- kabupaten/kota codes → one row per kecamatan (a Polsek's area);
- kecamatan codes → one row per desa, with its Bhabin;
- desa codes → no rows (the bottom).

The figures of a row (and of ``total``, the whole unit, computed the same way — never averaged
from the rows):

| key | what |
|---|---|
| ``open`` | unresolved alerts (open, acknowledged, in progress) now |
| ``overdue`` | status ``open`` (nobody acknowledged) at rawan or above, past its deadline or with no one left above |
| ``escalated`` | unresolved alerts that escalated at least once |
| ``unacknowledged`` | of the alerts opened in the window, those nobody has acknowledged yet |
| ``opened`` | alerts opened in the window (``days`` WIB days ending with ``date``) |
| ``ack_minutes`` | median minutes from opening to the first person's acknowledge / assign / respond / resolve (window alerts that had one) |
| ``action_minutes`` | median minutes from opening to the first assign or respond |
| ``resolved_without_action`` | window alerts resolved with no assign, respond or task report before |
| ``deadlines_missed`` | escalation or overdue events in the window (each names who let it pass: ``missed_by``) |
| ``bhabin`` / ``bhabin_reported`` / ``bhabin_share`` | officers covering a desa of the row; those who sent a report or a laporan nihil observed on ``date`` (WIB); their share (null without officers) |
| ``desa`` / ``silent_desa`` / ``unassigned_desa`` | coverage now (``alerts/coverage.py``): desa; desa without news (silent or without a Bhabin); the part of them without a Bhabin |

``own`` has the alert figures of the unit's own regions (a Polres's kabupaten alert), which no row
holds: ``total`` counts = the rows' + ``own``. A row's ``unit`` is what to pass as ``unit`` to go down one level; ``drill`` says whether there is
a level below.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from kerawanan.regions import in_scope
from kerawanan.tahapan import WIB
from sync_server.alerts.coverage import REPORTING, SILENT, Coverage
from sync_server.render import iso_z
from sync_server.storage.base import Alert, AlertEvent, AlertQuery, ReportQuery, User

ACKNOWLEDGING = {"acknowledge", "assign", "respond", "resolve"}
ACTING = {"assign", "respond"}
DOING = {"assign", "respond", "task_report"}
MISSED = {"escalated", "overdue"}
TIER_BELOW = {1: "polres", 2: "kecamatan", 3: "desa"}
PAGE = 1000
ALERT_KEYS = ("open", "overdue", "escalated", "unacknowledged", "opened", "ack_minutes", "action_minutes",
              "resolved_without_action", "deadlines_missed")


@dataclass(frozen=True, slots=True)
class Unit:
    codes: tuple[str, ...]
    name: str
    tier: str                       # provinsi | polres | kabupaten | kecamatan | desa

    @property
    def key(self) -> str:
        return ",".join(self.codes)

    def holds(self, code: str) -> bool:
        return in_scope(code, self.codes)


@dataclass(frozen=True, slots=True)
class Window:
    day: date
    days: int
    start: datetime
    end: datetime
    now: datetime

    @classmethod
    def of(cls, day: date, days: int, now: datetime) -> Window:
        end = datetime.combine(day + timedelta(days=1), time(), WIB)
        return cls(day, days, end - timedelta(days=days), end, now)

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


@dataclass
class Facts:
    """What the figures are computed from, gathered once for a rekap."""

    alerts: list[Alert]
    events: dict[str, list[AlertEvent]]       # per alert, oldest first (from the window's start)
    coverage: Coverage
    officers: list[User]
    reported: set[str]                        # officers with a report observed on the day


# ------------------------------------------------------------------------- units


def units_below(unit: Unit, gazetteer: Any, config: Any) -> list[Unit]:
    """The rows of ``unit``: one level down (Polres groups at the province level)."""
    rows: list[Unit] = []
    for code in unit.codes:
        depth = code.count(".") + 1
        children = gazetteer.children(code) if depth < 4 else []
        if depth == 1:
            rows.extend(_polres_units(children, config))
        else:
            rows.extend(Unit((child.code,), child.title, TIER_BELOW.get(depth, "desa")) for child in children)
    return rows


def _polres_units(kabupaten: Iterable[Any], config: Any) -> list[Unit]:
    groups: dict[str, list[str]] = {}
    for region in kabupaten:
        context = config.context(region.code)
        groups.setdefault(context.polres if context else "Polres " + region.name, []).append(region.code)
    return [Unit(tuple(codes), name, "polres") for name, codes in groups.items()]


def unit_named(codes: Sequence[str], gazetteer: Any, config: Any) -> Unit:
    """The unit a set of codes is, named as a commander says it."""
    depth = min(code.count(".") + 1 for code in codes)
    if depth == 2 and all(code.count(".") == 1 for code in codes):
        names = list(dict.fromkeys(_polres_name(code, gazetteer, config) for code in codes))
        return Unit(tuple(codes), ", ".join(names), "polres")
    titles = [gazetteer.find(code).title for code in codes]
    tier = gazetteer.find(codes[0]).tier
    return Unit(tuple(codes), " & ".join(titles), tier)


def _polres_name(code: str, gazetteer: Any, config: Any) -> str:
    context = config.context(code)
    return context.polres if context else "Polres " + gazetteer.find(code).name


# ------------------------------------------------------------------------- figures


def figures(unit: Unit, facts: Facts, window: Window, alerts: list[Alert] | None = None) -> dict[str, Any]:
    """A row's figures (``alerts``: those to count, default every alert in the unit)."""
    if alerts is None:
        alerts = [alert for alert in facts.alerts if unit.holds(alert.region_code)]
    active = [alert for alert in alerts if alert.status != "resolved"]
    recent = [alert for alert in alerts if window.holds(alert.opened_at)]
    ack, act, bare = [], [], 0
    for alert in recent:
        events = facts.events.get(alert.id, [])
        acknowledged = _first(events, ACKNOWLEDGING)
        acted = _first(events, ACTING)
        if acknowledged is not None:
            ack.append((acknowledged - alert.opened_at).total_seconds() / 60)
        if acted is not None:
            act.append((acted - alert.opened_at).total_seconds() / 60)
        if alert.status == "resolved" and not any(event.event in DOING for event in events):
            bare += 1
    missed = sum(1 for alert in alerts for event in facts.events.get(alert.id, [])
                 if event.event in MISSED and window.holds(event.at))
    return {"open": len(active), "overdue": sum(1 for alert in active if _overdue(alert, window.now)),
            "escalated": sum(1 for alert in active if alert.escalations > 0),
            "unacknowledged": sum(1 for alert in recent if alert.status == "open"),
            "opened": len(recent), "ack_minutes": _median(ack), "action_minutes": _median(act),
            "resolved_without_action": bare, "deadlines_missed": missed,
            **_bhabin(unit, facts), **_coverage(unit, facts.coverage)}


def _overdue(alert: Alert, now: datetime) -> bool:
    if alert.status != "open" or alert.level == "kurang_rawan":
        return False
    return alert.deadline_at is None or alert.deadline_at <= now


def _first(events: list[AlertEvent], kinds: set[str]) -> datetime | None:
    return next((event.at for event in events if event.event in kinds and event.actor != "system"), None)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _bhabin(unit: Unit, facts: Facts) -> dict[str, Any]:
    covering = [officer.username for officer in facts.officers if _covers(officer, unit)]
    reported = sum(1 for username in covering if username in facts.reported)
    return {"bhabin": len(covering), "bhabin_reported": reported,
            "bhabin_share": round(reported / len(covering), 3) if covering else None}


def _covers(officer: User, unit: Unit) -> bool:
    """An officer scoped to a desa in the unit, or to a region holding the unit."""
    return any(unit.holds(code) or any(in_scope(mine, (code,)) for mine in unit.codes) for code in officer.scope)


def _coverage(unit: Unit, coverage: Coverage) -> dict[str, int]:
    """As ``Coverage.summary``: ``silent_desa`` every desa without news, ``unassigned_desa`` the part of
    them no Bhabin covers (so "tanpa kabar" is never read as safe for want of an officer)."""
    states = [coverage.state_of(code) for code in coverage.heard if unit.holds(code)]
    return {"desa": len(states), "silent_desa": sum(1 for state in states if state != REPORTING),
            "unassigned_desa": sum(1 for state in states if state not in (SILENT, REPORTING))}


# ------------------------------------------------------------------------- the whole table


def gather(service: Any, unit: Unit, window: Window) -> Facts:
    """Alerts of the unit (all statuses), their events since the window's start, coverage,
    officers and the officers who reported on the day."""
    storage = service.storage
    alerts, before = [], None
    while True:
        page, before = storage.list_alerts(AlertQuery(subtrees=unit.codes, before=before, limit=PAGE))
        alerts.extend(page)
        if before is None:
            break
    ids = {alert.id for alert in alerts}
    events: dict[str, list[AlertEvent]] = defaultdict(list)
    for event in storage.audit_trail(window.start):
        if event.alert_id in ids:
            events[event.alert_id].append(event)
    officers = storage.users_with_role("officer")
    return Facts(alerts, dict(events), service.coverage(window.now), officers,
                 _reported(storage, window))


def _reported(storage: Any, window: Window) -> set[str]:
    """Officers who sent anything (a laporan nihil included) observed on the window's last day."""
    day_start = window.end - timedelta(days=1)
    found: set[str] = set()
    before = None
    while True:
        page, before = storage.list_reports(ReportQuery(since=day_start, before_seq=before, limit=PAGE))
        found.update(report.officer for report in page if day_start <= report.observed_at < window.end)
        if before is None:
            return found


def rekap(service: Any, unit: Unit, window: Window, label: Callable[[str], str | None]) -> dict[str, Any]:
    """The table of ``unit``; ``label`` renders a person (``people.People.name``)."""
    facts = gather(service, unit, window)
    rows = units_below(unit, service.gazetteer, service.config)
    body_rows = []
    for row in rows:
        line = {"unit": row.key, "name": row.name, "tier": row.tier, "codes": list(row.codes),
                "drill": row.tier != "desa", **figures(row, facts, window)}
        if row.tier == "desa":
            line["officers"] = [{"username": officer.username, "name": label(officer.username)}
                                for officer in facts.officers if _covers(officer, row)]
        body_rows.append(line)
    return {"unit": {"unit": unit.key, "name": unit.name, "tier": unit.tier, "codes": list(unit.codes)},
            "level_below": rows[0].tier if rows else None, "date": window.day.isoformat(), "days": window.days,
            "window": {"from": iso_z(window.start), "to": iso_z(window.end)}, "at": iso_z(window.now),
            "rows": body_rows, "own": _alert_figures(unit, facts, window, rows), "total": figures(unit, facts, window)}


def _alert_figures(unit: Unit, facts: Facts, window: Window, rows: list[Unit]) -> dict[str, Any]:
    """The alerts of the unit's own regions (a kabupaten's, a kecamatan's), held by no row."""
    alerts = [alert for alert in facts.alerts if unit.holds(alert.region_code)
              and not any(row.holds(alert.region_code) for row in rows)]
    found = figures(unit, facts, window, alerts)
    return {key: found[key] for key in ALERT_KEYS}


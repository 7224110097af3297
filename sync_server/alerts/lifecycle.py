"""What an evaluation does to one region: its new level (hysteresis on the stored level) and its alert.

- An alert OPENS when a region's level rises to ``rawan`` or higher (``opens_alert``) and the region
  has no unresolved alert (one unresolved alert per region at a time) — and only at a region that
  holds the incident (the engine asks ``kerawanan.incidents``: one incident, one alert; parents
  show it). A region that stays rawan after its alert was resolved opens no new one until its
  level rises again.
- Every level change is recorded in the alert's history and bumps its version. A RISE re-opens
  the deadline (a fresh ``[deadlines_hours]`` from now) and asks for a fresh acknowledgement
  (status back to ``open``). A drop keeps the deadline; a drop to ``kurang_rawan`` clears it.
- An alert whose region decays to ``kurang_rawan`` stays until a supervisor resolves it: a
  quiet score is not the same as a situation handled ("silence is not safety").
- The score, counts, top categories and tahapan follow every evaluation without a version bump.
"""
from __future__ import annotations

import operator
import uuid
from dataclasses import fields, replace
from datetime import datetime
from typing import NamedTuple

from kerawanan.scoring import ScoringConfig, level_for
from kerawanan.vocab import LEVELS
from sync_server.alerts.escalation import SYSTEM, deadline_after
from sync_server.storage.base import Alert, AlertEvent, AlertNumbers, RegionState

RANK = {level: index for index, level in enumerate(LEVELS)}
ALERTING = LEVELS[1]                          # rawan


class Scored(NamedTuple):
    """A region's numbers at one evaluation (a named tuple: a pass makes one per region)."""

    code: str
    tier: str
    score: float
    report_count: int
    officer_count: int
    top_categories: tuple[tuple[str, float], ...]
    first_report_at: datetime | None
    last_report_at: datetime | None
    corroborated: bool = True                 # sangat_rawan may stand (kerawanan.scorebook.Tally.corroborated)


def next_state(scored: Scored, previous: RegionState | None, at: datetime, config: ScoringConfig) -> RegionState:
    """The region's state at ``at``: ``level_for`` with the stored level as ``previous``."""
    level = level_for(scored.score, scored.tier, previous.level if previous else None, config,
                      corroborated=scored.corroborated)
    return RegionState(scored.code, scored.tier, level, scored.score, scored.report_count, scored.officer_count,
                       scored.top_categories, scored.first_report_at, scored.last_report_at, at)


def opens_alert(state: RegionState, previous: RegionState | None) -> bool:
    """The level reached rawan or higher by rising (from nothing, or from a lower level)."""
    before = RANK[previous.level] if previous else 0
    return RANK[state.level] >= RANK[ALERTING] and RANK[state.level] > before


def open_alert(state: RegionState, at: datetime, stage: str | None, owner: str | None,
               config: ScoringConfig) -> tuple[Alert, list[AlertEvent]]:
    alert = Alert(id=str(uuid.uuid4()), region_code=state.code, level=state.level, peak_level=state.level,
                  score=state.score, stage=stage, status="open", owner=owner,
                  deadline_at=deadline_after(at, state.level, config), escalations=0,
                  report_count=state.report_count, officer_count=state.officer_count,
                  top_categories=state.top_categories, first_report_at=state.first_report_at,
                  last_report_at=state.last_report_at, scored_at=at, opened_at=at, updated_at=at, version=1)
    return alert, [_event(alert, at, "opened")]


def numbers_of(alert_id: str, scored: RegionState | Alert, stage: str | None, at: datetime) -> AlertNumbers:
    """The numbers an alert takes from its region's evaluation (or keeps, from ``scored`` an alert)."""
    return AlertNumbers(alert_id, scored.score, stage, scored.report_count, scored.officer_count,
                        scored.top_categories, scored.first_report_at, scored.last_report_at, at)


def only_numbers_move(alert: Alert, state: RegionState, stage: str | None) -> bool:
    """Whether following ``state`` moves nothing but the alert's numbers (``numbers_of``): no
    history line, the same tahapan."""
    return state.level == alert.level and stage == alert.stage


def follow_state(alert: Alert, state: RegionState, at: datetime, stage: str | None,
                 config: ScoringConfig) -> tuple[Alert, list[AlertEvent]]:
    """The alert after its region's evaluation: new numbers always, a history line on a level change."""
    alert = _with_numbers(alert, state, stage, at)
    if state.level == alert.level:
        return alert, []
    previous = alert.level
    changes: dict = {"level": state.level, "version": alert.version + 1, "updated_at": at,
                     "peak_level": max(alert.peak_level, state.level, key=RANK.__getitem__)}
    if RANK[state.level] > RANK[previous]:
        changes["deadline_at"] = deadline_after(at, state.level, config)
        if alert.status in ("acknowledged", "in_progress"):
            changes["status"] = "open"
    elif state.level == LEVELS[0]:
        changes["deadline_at"] = None
    alert = replace(alert, **changes)
    return alert, [_event(alert, at, "level", previous_level=previous)]


_ALERT_FIELDS = tuple(field.name for field in fields(Alert))
_ALERT_VALUES = operator.attrgetter(*_ALERT_FIELDS)
_SCORE, _STAGE, _COUNT, _OFFICERS, _TOP, _FIRST, _LAST, _SCORED = map(_ALERT_FIELDS.index, (
    "score", "stage", "report_count", "officer_count", "top_categories", "first_report_at", "last_report_at",
    "scored_at"))


def _with_numbers(alert: Alert, state: RegionState, stage: str | None, at: datetime) -> Alert:
    """``replace(alert, score=state.score, stage=stage, …, scored_at=at)``, built from the field values
    (twice as fast: a pass follows a hundred alerts)."""
    values = list(_ALERT_VALUES(alert))
    values[_SCORE], values[_STAGE], values[_COUNT], values[_OFFICERS] = (
        state.score, stage, state.report_count, state.officer_count)
    values[_TOP], values[_FIRST], values[_LAST], values[_SCORED] = (
        state.top_categories, state.first_report_at, state.last_report_at, at)
    return Alert(*values)


def _event(alert: Alert, at: datetime, kind: str, previous_level: str | None = None) -> AlertEvent:
    return AlertEvent(alert_id=alert.id, version=alert.version, at=at, actor=SYSTEM, event=kind,
                      level=alert.level, previous_level=previous_level, score=alert.score, status=alert.status,
                      owner=alert.owner)

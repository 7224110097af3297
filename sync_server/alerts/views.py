"""Alerts and regions as the API sends them (DESIGN "HTTP API v1", alert object), with the
personnel plan (``alerts.personnel``: one plan of the province per change of the live levels) and the
kabupaten context computed at rendering time."""
from __future__ import annotations

from typing import Any

from kerawanan import assets
from kerawanan.scoring import ScoringConfig
from sync_server.alerts.coverage import Coverage
from sync_server.alerts.escalation import SYSTEM
from sync_server.alerts.personnel import PersonnelPlanner, PlanSet, Reader
from sync_server.render import iso_z
from sync_server.storage.base import Alert, AlertEvent, RegionState

SCORE_DIGITS = 2


def score_out(score: float | None) -> float | None:
    return None if score is None else round(score, SCORE_DIGITS)


class Views:
    """Everything rendering needs: the gazetteer, the scoring config, the calendar, labels."""

    def __init__(self, gazetteer: Any, config: ScoringConfig, calendar: Any, planner: PersonnelPlanner):
        self.gazetteer = gazetteer
        self.config = config
        self.calendar = calendar
        self.vocabulary = assets.vocabulary()
        self.planner = planner

    # ---- pieces
    def region_name(self, code: str) -> str:
        region = self.gazetteer.find(code)
        return region.title if region else code

    def top_categories(self, top: tuple[tuple[str, float], ...]) -> list[dict[str, Any]]:
        return [{"category": code, "label": self.vocabulary.category(code).label("id"),
                 "label_en": self.vocabulary.category(code).label("en"), "score": score_out(score)}
                for code, score in top]

    def personnel(self, code: str, reader: Reader | None = None,
                  plan: PlanSet | None = None) -> dict[str, Any] | None:
        """The region's share of the province's plan (``PlanSet.personnel``); ``reader`` gets ``strength``."""
        return (plan or self.planner.current()).personnel(code, reader)

    def context(self, code: str, stage: str | None) -> dict[str, Any]:
        kabupaten = self.config.context(code)
        if kabupaten is None:
            return {"ikp_category": None, "polda_baseline": None, "ikp_score": None, "polres": None,
                    "kabupaten_code": None}
        critical = stage in self.calendar and self.calendar.is_critical(stage)
        return {"ikp_category": kabupaten.ikp_category,
                "polda_baseline": kabupaten.baseline_level(critical_stage=critical),
                "ikp_score": kabupaten.ikp_score, "polres": kabupaten.polres, "kabupaten_code": kabupaten.code}

    # ---- objects
    def alert(self, alert: Alert, coverage: Coverage | None = None, *, internal: bool = False,
              reader: Reader | None = None, plan: PlanSet | None = None) -> dict[str, Any]:
        """The alert object (``personnel``: its share of ``plan``, default the current one; with ``reader``
        its ``strength``); ``internal`` (supervisors, admins) shows a response not marked for the field;
        ``coverage`` (the service's ``coverage()``) fills ``coverage``, else null (the pull feed)."""
        region = self.gazetteer.find(alert.region_code)
        return {
            "id": alert.id, "region_code": alert.region_code, "region_name": self.region_name(alert.region_code),
            "region_level": region.tier if region else None, "region_kind": region.level if region else None,
            "level": alert.level, "score": score_out(alert.score), "stage": alert.stage, "status": alert.status,
            "owner": alert.owner, "deadline_at": iso_z(alert.deadline_at), "escalations": alert.escalations,
            "opened_at": iso_z(alert.opened_at), "updated_at": iso_z(alert.updated_at), "version": alert.version,
            "report_count": alert.report_count, "officer_count": alert.officer_count,
            "top_categories": self.top_categories(alert.top_categories),
            "personnel": self.personnel(alert.region_code, reader, plan),
            "context": self.context(alert.region_code, alert.stage),
            "first_report_at": iso_z(alert.first_report_at), "last_report_at": iso_z(alert.last_report_at),
            "scored_at": iso_z(alert.scored_at), "peak_level": alert.peak_level, "assignee": alert.assignee,
            "response": alert.response if internal or alert.response_for_field else None,
            "response_for_field": alert.response_for_field, "resolved_at": iso_z(alert.resolved_at),
            "coverage": None if coverage is None else coverage.json(alert.region_code),
        }

    def event(self, event: AlertEvent, *, internal: bool = False) -> dict[str, Any]:
        """A history line; without ``internal`` (officers, the pull feed) a supervisor's note and
        response are left out unless the action was marked ``for_field``."""
        note, data = event.note, event.data
        if not internal and event.actor != SYSTEM and not (data or {}).get("for_field"):
            note, data = None, None if data is None else {k: v for k, v in data.items() if k != "response"}
        return {"version": event.version, "at": iso_z(event.at), "actor": event.actor, "event": event.event,
                "level": event.level, "previous_level": event.previous_level, "score": score_out(event.score),
                "status": event.status, "owner": event.owner, "note": note, "data": data}

    def alert_change(self, alert: Alert, events: list[AlertEvent]) -> dict[str, Any]:
        """The ``data`` of an ``alert`` change on the pull feed: the alert and what just happened, as
        everyone in the region's area may read them (no internal note or response)."""
        body = self.alert(alert, plan=self.planner.latest())       # inside a pass: the plan before it
        body["event"] = events[-1].event if events else None
        body["events"] = [self.event(event) for event in events]
        return body

    def state(self, state: RegionState | None, code: str) -> dict[str, Any]:
        """A region's numbers; a never-evaluated region is kurang_rawan with score 0."""
        if state is None:
            return {"level": "kurang_rawan", "score": 0.0, "report_count": 0, "officer_count": 0,
                    "top_categories": [], "first_report_at": None, "last_report_at": None,
                    "evaluated_at": None}
        return {"level": state.level, "score": score_out(state.score), "report_count": state.report_count,
                "officer_count": state.officer_count, "top_categories": self.top_categories(state.top_categories),
                "first_report_at": iso_z(state.first_report_at), "last_report_at": iso_z(state.last_report_at),
                "evaluated_at": iso_z(state.evaluated_at)}

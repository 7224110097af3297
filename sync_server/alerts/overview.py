"""What the regions route and the exports show, gathered strictly inside the caller's scope.

Nothing outside scope enters any row, feature, count or total: every region, alert, report and
coverage count below is filtered by ``Principal.can_read_region`` (or the report scope) first.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from kerawanan.regions import in_scope
from kerawanan.scorebook import ancestors
from kerawanan.tahapan import WIB, wib_day
from kerawanan.vocab import NIHIL
from sync_server.alerts.coverage import NO_NEWS, NO_NEWS_LABEL, Coverage, summary_level
from sync_server.alerts.personnel import scope_rows, strength_reader, strength_rows
from sync_server.render import iso_z, report_json
from sync_server.scope import Principal, hidden
from sync_server.storage.base import Alert, RegionState, ReportQuery

if TYPE_CHECKING:
    from sync_server.alerts.service import AlertService

EXPORT_PAGE = 1000
LEVEL_LABELS = {"kurang_rawan": ("Kurang rawan", "Less vulnerable"), "rawan": ("Rawan", "Vulnerable"),
                "sangat_rawan": ("Sangat rawan", "Highly vulnerable"), NO_NEWS: NO_NEWS_LABEL}


def region_overview(service: AlertService, principal: Principal, code: str, now: datetime) -> dict[str, Any]:
    """``GET /regions/{code}``: level, score, open alerts, last heard, children, coverage."""
    region = service.gazetteer.find(code)
    if region is None or not principal.can_read_region(code):
        raise hidden("region")
    children = [child for child in service.gazetteer.children(code) if principal.can_read_region(child.code)]
    states = service.storage.region_states([code, *(child.code for child in children)])
    alerts = [alert for alert in service.storage.unresolved_alerts_under([code])
              if principal.can_read_region(alert.region_code)]
    coverage = service.coverage(now)
    body = {"code": code, "name": region.title, "region_level": region.tier, "region_kind": region.level,
            "parent_code": region.parent_code, **_summary(service, states.get(code), code, coverage)}
    body["open_alerts"] = [service.views.alert(alert, coverage, internal=principal.reads_internal_notes())
                           for alert in alerts]
    body.update(_incidents(code, alerts))
    body["children"] = [_child(service, child, states.get(child.code), alerts, coverage) for child in children]
    body["coverage"] = {**body.pop("_coverage"), **coverage.json(code), "stage": coverage.stage,
                        "silence_hours": coverage.silence_hours,
                        "gaps": [{"code": desa, "name": service.views.region_name(desa),
                                  "state": coverage.state_of(desa), "last_heard": iso_z(coverage.heard[desa])}
                                 for desa in sorted(coverage.gaps) if in_scope(desa, (code,))
                                 and principal.can_read_region(desa)],
                        "officers": _officer_rows(service, principal, code, coverage)}
    body["context"] = service.views.context(code, coverage.stage)
    body["personnel"] = service.views.personnel(code, strength_reader(principal))
    return body


def _incidents(code: str, alerts: list[Alert]) -> dict[str, Any]:
    """The region's own alert and the roll-up of the incidents below it (one incident, one alert:
    a parent shows its children's alerts instead of opening copies)."""
    own = next((alert for alert in alerts if alert.region_code == code), None)
    below = [alert.level for alert in alerts if alert.region_code != code]
    counts = {level: below.count(level) for level in ("sangat_rawan", "rawan", "kurang_rawan")}
    highest = next((level for level, count in counts.items() if count), None)
    return {"open_alert": None if own is None else {"id": own.id, "level": own.level, "status": own.status,
                                                     "owner": own.owner},
            "alerts_below": {"count": len(below), **counts, "highest_level": highest}}


def _summary(service: AlertService, state: RegionState | None, code: str, coverage: Coverage) -> dict[str, Any]:
    numbers = service.views.state(state, code)
    own = coverage.summary(code)
    summary = summary_level(numbers["level"], own["gap"])
    label_id, label_en = LEVEL_LABELS[summary]
    return {**numbers, "summary": summary, "summary_label": label_id, "summary_label_en": label_en,
            "coverage_gap": own["gap"], "last_heard": iso_z(own["last_heard"]), "coverage": coverage.json(code),
            "_coverage": {"gap": own["gap"], "desa": own["desa"], "silent_desa": own["silent_desa"]}}


def _child(service: AlertService, child: Any, state: RegionState | None, alerts: list[Alert],
           coverage: Coverage) -> dict[str, Any]:
    body = {"code": child.code, "name": child.title, **_summary(service, state, child.code, coverage)}
    numbers = body.pop("_coverage")
    body.update(desa=numbers["desa"], silent_desa=numbers["silent_desa"])
    own = next((alert for alert in alerts if alert.region_code == child.code), None)
    body["open_alert"] = None if own is None else {"id": own.id, "level": own.level, "status": own.status}
    body["open_alerts_below"] = sum(1 for alert in alerts if in_scope(alert.region_code, (child.code,)))
    return {key: body[key] for key in ("code", "name", "level", "score", "summary", "summary_label",
                                       "coverage_gap", "coverage", "desa", "silent_desa", "last_heard", "open_alert",
                                       "open_alerts_below", "report_count", "evaluated_at")}


# ---- exports

def report_rows(service: AlertService, principal: Principal) -> Iterator[dict[str, Any]]:
    """Every report in the caller's scope as the API sends it, newest first, page by page."""
    before, people = None, service.people()
    while True:
        items, before = service.storage.list_reports(
            ReportQuery(scopes=principal.report_scopes(), before_seq=before, limit=EXPORT_PAGE))
        yield from (people.report(report_json(item)) for item in items)
        if before is None:
            return


def export_tier(scope: tuple[str, ...]) -> str:
    """Desa for a Polsek (kecamatan scopes), kecamatan for wider scopes."""
    return "desa" if all(code.count(".") >= 2 for code in scope) else "kecamatan"


def region_rows(service: AlertService, principal: Principal, tier: str, coverage: Coverage) -> list[dict]:
    """Every region of ``tier`` in scope with its level, score, open alert and coverage flag."""
    regions = [region for region in service.gazetteer.regions(tier) if in_scope(region.code, principal.scope)]
    states = {state.code: state for state in service.storage.region_states_under(principal.scope)}
    alerts = {alert.region_code: alert for alert in service.storage.unresolved_alerts_under(principal.scope)}
    below: dict[str, int] = {}                         # unresolved alerts strictly below each region
    for alert_code in alerts:
        for ancestor in ancestors(alert_code):
            below[ancestor] = below.get(ancestor, 0) + 1
    rows = []
    for region in regions:
        state, alert = states.get(region.code), alerts.get(region.code)
        summary = coverage.summary(region.code)
        rows.append({"code": region.code, "name": region.title, "tier": region.tier,
                     "level": state.level if state else "kurang_rawan",
                     "score": round(state.score, 2) if state else 0.0,
                     "alert_id": alert.id if alert else None, "status": alert.status if alert else None,
                     "owner": alert.owner if alert else None,
                     "deadline_at": alert.deadline_at if alert else None, "alerts_below": below.get(region.code, 0),
                     "coverage_gap": summary["gap"],
                     "coverage_state": summary["state"], "silent_desa": summary["silent_desa"],
                     "unassigned_desa": summary["unassigned_desa"], "desa": summary["desa"],
                     "last_heard": summary["last_heard"], "critical_stage": coverage.critical})
    return rows


def sitrep_parts(service: AlertService, principal: Principal, day: date, now: datetime) -> dict[str, Any]:
    """The plain data of the daily situation report (levels and open alerts as of ``now``)."""
    coverage = service.coverage(now)
    tier = export_tier(principal.scope)
    people = service.people()
    alerts = [people.alert(service.views.alert(alert, coverage))
              for alert in service.storage.unresolved_alerts_under(principal.scope)]
    start = datetime.combine(day, time(0), WIB)
    plan = service.personnel.current(now)
    by_category, by_stage = service.storage.report_counts(principal.scope, start, start + timedelta(days=1))
    return {"stage": service.calendar.stage_for(start + timedelta(hours=12)),
            "regions": region_rows(service, principal, tier, coverage)
            + (region_rows(service, principal, "kabupaten", coverage) if tier == "kecamatan" else []),
            "alerts": alerts,
            "personnel": scope_rows(plan, principal.scope, service.gazetteer),
            "strength": strength_rows(plan, principal.can_read_region),
            "gaps": _gap_rows(service, principal, tier, coverage),
            "reports_by_category": by_category, "reports_by_stage": by_stage}


def _gap_rows(service: AlertService, principal: Principal, tier: str, coverage: Coverage) -> list[dict]:
    """Silent desa (Polsek) or the kecamatan holding silent desa, with the oldest last-heard."""
    gaps = [desa for desa in sorted(coverage.gaps) if in_scope(desa, principal.scope)]
    groups: dict[str, list[str]] = {}
    for desa in gaps:
        groups.setdefault(desa if tier == "desa" else desa.rpartition(".")[0], []).append(desa)
    rows = []
    for code, members in groups.items():
        heard = [coverage.heard[desa] for desa in members]
        rows.append({"region_code": code, "region_name": service.views.region_name(code),
                     "last_heard": None if None in heard else min(heard), "silent_desa": len(members),
                     "unassigned_desa": sum(1 for desa in members if coverage.state_of(desa) == "unassigned")})
    return rows


def _officer_rows(service: AlertService, principal: Principal, code: str, coverage: Coverage) -> list[dict]:
    """The officers covering desa of ``code`` (in the caller's scope): who sent today's laporan nihil
    (WIB day of the evaluation time) and when each was last heard; those without a nihil first."""
    if principal.role == "officer":
        return []
    nihil = _nihil_today(service, code, coverage.at)
    activity = service.storage.activity().officer_heard
    under = set(coverage.under(code))
    rows = []
    for officer in service.storage.users_with_role("officer"):
        desa = sorted(item for scope in officer.scope for item in
                      ([scope] if scope in under else [d for d in under if d.startswith(scope + ".")]))
        if not desa or not principal.can_read_region(desa[0]):
            continue
        rows.append({"username": officer.username, "name": officer.name, "desa": desa,
                     "desa_names": [service.views.region_name(item) for item in desa],
                     "nihil_today_at": iso_z(nihil.get(officer.username)),
                     "last_heard_at": iso_z(activity.get(officer.username))})
    return sorted(rows, key=lambda row: (row["nihil_today_at"] is not None, row["name"]))


def _nihil_today(service: AlertService, code: str, at: datetime) -> dict[str, datetime]:
    """Per officer, the newest laporan nihil in ``code`` observed on the WIB day of ``at``."""
    today = wib_day(at)
    found: dict[str, datetime] = {}
    before = None
    while True:
        items, before = service.storage.list_reports(ReportQuery(
            scopes=(code,), category=NIHIL, since=datetime.combine(today, time(0), WIB), before_seq=before,
            limit=EXPORT_PAGE))
        for item in items:
            if wib_day(item.observed_at) == today and item.review.status not in ("rejected", "duplicate"):
                found[item.officer] = max(found.get(item.officer, item.observed_at), item.observed_at)
        if before is None:
            return found

"""Every alert explains itself: its contributing reports and the arithmetic of its score.

The heaviest ``SHOWN`` counted reports of the region at the alert's evaluation time are weighed by
the core (``kerawanan.scoring.weigh_reports`` over each of their desa, so corroboration is exact)
and shown with ``WeightBreakdown.describe()``; the rest are summed into one line. The sum of all
counted weights equals the alert's score (the score is computed in factored form, so the two may
differ in the last digits only).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from kerawanan.scoring import Observation, ScoringConfig, WeightBreakdown, parse_grade, weigh_reports
from sync_server.alerts.scorebook import ScoreBook
from sync_server.render import iso_z, report_json
from sync_server.storage.base import Alert, Storage, StoredReport

SHOWN = 50


def observation_of(report: StoredReport) -> Observation:
    """The core's view of a stored report, a supervisor's regrade replacing the officer's grade."""
    reliability = report.wire.get("source_reliability")
    credibility = report.wire.get("info_credibility")
    if report.review.grade:
        reliability, credibility = parse_grade(report.review.grade)
    return Observation(report.id, report.desa_code, report.category, report.threat_stage,
                       datetime.fromisoformat(report.wire["observed_at"]).astimezone(UTC), report.officer,
                       reliability, credibility, report.review.status)


def explain(alert: Alert, book: ScoreBook, storage: Storage, config: ScoringConfig) -> dict[str, Any]:
    """``{"explanation": …, "reports": […]}`` of the alert's region at ``alert.scored_at``."""
    at = alert.scored_at
    weights = [(weight, report_id, desa) for desa in book.desa_under(alert.region_code)
               for report_id, weight in book.weights_at(desa, at.timestamp())]
    weights.sort(key=lambda item: (-item[0], item[1]))
    shown, rest = weights[:SHOWN], weights[SHOWN:]
    reports = {report.id: report for report in storage.reports_in_desa({desa for _, _, desa in shown})}
    breakdowns = _breakdowns(reports.values(), at, config)
    items = [_item(reports[report_id], breakdowns[report_id]) for _, report_id, _ in shown
             if report_id in reports]
    total = math.fsum(weight for weight, _, _ in weights)
    rest_weight = math.fsum(weight for weight, _, _ in rest)
    terms = [f"{item['weight']:.1f}" for item in items]
    if rest:
        terms.append(f"{rest_weight:.1f} ({len(rest)} laporan lain)")
    arithmetic = f"{' + '.join(terms) or '0'} = {total:.1f}"
    return {"explanation": {
        "at": iso_z(at), "score": round(alert.score, 2), "sum": round(total, 2), "count": len(weights),
        "shown": len(items), "rest": {"count": len(rest), "weight": round(rest_weight, 2)},
        "arithmetic": arithmetic,
        "formula": "bobot kategori × bobot tahap ancaman × kredibilitas × peluruhan × koroborasi",
        "formula_en": "category weight × threat-stage weight × credibility × decay × corroboration",
        "items": items,
    }, "reports": [report_json(reports[item["report_id"]]) for item in items]}


def _breakdowns(reports: Sequence[StoredReport] | Any, at: datetime, config: ScoringConfig
                ) -> dict[str, WeightBreakdown]:
    by_desa: dict[str, list[Observation]] = {}
    for report in reports:
        by_desa.setdefault(report.desa_code, []).append(observation_of(report))
    found: dict[str, WeightBreakdown] = {}
    for observations in by_desa.values():
        found.update(weigh_reports(observations, at, config))
    return found


def _item(report: StoredReport, breakdown: WeightBreakdown) -> dict[str, Any]:
    return {"report_id": report.id, "desa_code": report.desa_code, "category": report.category,
            "threat_stage": report.threat_stage, "observed_at": iso_z(report.observed_at),
            "officer": report.officer, "grade": breakdown.grade, "review": report.review.status,
            "category_weight": breakdown.category_weight, "stage_weight": breakdown.stage_weight,
            "credibility": round(breakdown.credibility, 4), "decay": round(breakdown.decay, 4),
            "age_hours": round(breakdown.age_hours, 2), "corroboration": breakdown.corroboration,
            "weight": round(breakdown.weight, 3), "describe": breakdown.describe()}

"""Every alert explains itself: its contributing reports and the arithmetic of its score.

The lines are the core's own breakdowns (``kerawanan.scorebook.ScoreBook.breakdowns``): the very
terms the region's tally summed, each with its factors and, when it counts less, why (a reason code
with Indonesian and English text). The heaviest ``SHOWN`` are listed and the rest summed into one
line. Shown to two decimals, the lines are apportioned (largest remainder) so that they add up
exactly to the alert's score as shown; ``weight_exact`` keeps each line's unrounded value.
"""
from __future__ import annotations

import math
from typing import Any

from kerawanan.regions import tier_of
from kerawanan.scorebook import REASONS, ScoreBook, WeightBreakdown
from kerawanan.scoring import ScoringConfig, level_for
from sync_server.render import iso_z, report_json
from sync_server.storage.base import Alert, StoredReport
from sync_server.storage.ports import Storage

SHOWN = 50


def explain(alert: Alert, book: ScoreBook, storage: Storage, config: ScoringConfig) -> dict[str, Any]:
    """``{"explanation": …, "reports": […]}`` of the alert's region at ``alert.scored_at``."""
    at, epoch = alert.scored_at, alert.scored_at.timestamp()
    lines = [(weight, entry.id, entry.desa) for desa in book.desa_under(alert.region_code)
             for entry, weight in book.weights(desa, epoch)]
    lines.sort(key=lambda line: (-line[0], line[1]))
    shown, rest = lines[:SHOWN], lines[SHOWN:]
    ids = {line[1] for line in shown}
    breakdowns = {entry.id: breakdown for desa in {line[2] for line in shown}
                  for entry, breakdown in book.breakdowns(desa, epoch, ids)}
    reports = {report.id: report for report in storage.reports_in_desa({line[2] for line in shown})}
    rest_weight = math.fsum(line[0] for line in rest)
    cents = apportion([line[0] for line in shown] + ([rest_weight] if rest else []), alert.score)
    items = [_item(reports[report_id], breakdowns[report_id], cents[index]) for index, (_, report_id, _)
             in enumerate(shown) if report_id in reports]
    terms = [f"{cent / 100:.2f}" for cent in cents[:len(shown)]]
    if rest:
        terms.append(f"{cents[-1] / 100:.2f} ({len(rest)} laporan lain)")
    total = sum(cents)
    return {"explanation": {
        "at": iso_z(at), "score": round(alert.score, 2), "sum": total / 100, "count": len(lines),
        "shown": len(items), "rest": {"count": len(rest), "weight": cents[-1] / 100 if rest else 0.0},
        "arithmetic": f"{' + '.join(terms) or '0'} = {total / 100:.2f}",
        "formula": "bobot kategori × bobot tahap ancaman × kredibilitas × peluruhan × koroborasi × wilayah × batas",
        "formula_en": "category weight × threat-stage weight × credibility × decay × corroboration × area × limit",
        "notes": _notes(alert, book, config),
        "items": items,
    }, "reports": [report_json(reports[item["report_id"]]) for item in items]}


def apportion(weights: list[float], score: float) -> list[int]:
    """The weights in hundredths, rounded so that they add up to the score in hundredths (largest
    remainder); plain rounding if the weights are not the score's (they always are, but a report
    stored after the evaluation must not make the explanation lie)."""
    target = round(score * 100)
    exact = [weight * 100 for weight in weights]
    floors = [math.floor(value) for value in exact]
    missing = target - sum(floors)
    if not 0 <= missing <= len(exact) or abs(sum(exact) - score * 100) > 0.5 + 1e-6 * abs(score * 100):
        return [round(value) for value in exact]
    order = sorted(range(len(exact)), key=lambda i: (floors[i] - exact[i], i))[:missing]
    for index in order:
        floors[index] += 1
    return floors


def _notes(alert: Alert, book: ScoreBook, config: ScoringConfig) -> list[dict[str, str]]:
    """Why the region's level is lower than its score alone would make it."""
    tally = book.tally(alert.region_code)
    if tally is None or tally.corroborated(config.corroboration_min_officers):
        return []
    tier = tier_of(alert.region_code)
    if level_for(alert.score, tier, None, config) == level_for(alert.score, tier, None, config, corroborated=False):
        return []
    return [_reason("awaiting_corroboration")]


def _reason(code: str) -> dict[str, str]:
    text, text_en = REASONS[code]
    return {"code": code, "text": text, "text_en": text_en}


def _item(report: StoredReport, breakdown: WeightBreakdown, cents: int) -> dict[str, Any]:
    return {"report_id": report.id, "desa_code": report.desa_code, "category": report.category,
            "threat_stage": report.threat_stage, "observed_at": iso_z(report.observed_at),
            "officer": report.officer, "device_id": report.device_id, "grade": breakdown.grade,
            "review": report.review.status,
            "category_weight": breakdown.category_weight, "stage_weight": breakdown.stage_weight,
            "credibility": round(breakdown.credibility, 4), "decay": round(breakdown.decay, 4),
            "age_hours": round(breakdown.age_hours, 2), "corroboration": breakdown.corroboration,
            "area": breakdown.area, "limit": breakdown.limit,
            "reasons": [_reason(code) for code in breakdown.reasons],
            "weight": cents / 100, "weight_exact": breakdown.weight, "describe": breakdown.describe()}

"""Trends: reports per day by category and per tahapan, and a region's score over time.

The API has no time-series route. Reports per day come from ``GET /reports`` (in scope); a
region's score over time is read from the ``history`` of its alerts (each entry records the score
at that moment), so it starts when the region's first alert opened.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from field_app.errors import Offline, ServerRejected
from field_app.viewmodels.base import ViewModel
from field_app.viewmodels.supervisor_board import parse_time
from kerawanan.tahapan import WIB

MAX_REPORTS = 5000


class Trends(ViewModel):
    def __init__(self, client: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.client = client
        self.reports: list[dict[str, Any]] = []
        self.score_points: list[tuple[str, float]] = []
        self.score_region: str | None = None
        self.problem: str | None = None

    def refresh(self, days: int = 14) -> bool:
        since = (self.clock() - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
        found, cursor = [], None
        try:
            while len(found) < MAX_REPORTS:
                page = self.client.list_reports(since=since, limit=1000, cursor=cursor)
                found.extend(page.get("items") or [])
                cursor = page.get("next_cursor")
                if not cursor:
                    break
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected as exc:
            return self._fail(exc.message)
        self.reports, self.problem = found, None
        self.changed()
        return True

    def load_score_history(self, alert_ids: list[str], region_name: str) -> bool:
        """The score at each recorded change of the given alerts (one region), oldest first."""
        points: list[tuple[str, float]] = []
        try:
            for alert_id in alert_ids:
                for entry in self.client.get_alert(alert_id).get("history") or []:
                    if entry.get("score") is not None and entry.get("at"):
                        points.append((str(entry["at"]), float(entry["score"])))
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected as exc:
            return self._fail(exc.message)
        self.score_points, self.score_region = sorted(points), region_name
        self.changed()
        return True

    def per_day_by_category(self) -> tuple[list[str], dict[str, list[int]]]:
        """Days (WIB, oldest first) and, per category, the count on each day."""
        counts: dict[str, Counter] = defaultdict(Counter)
        for report in self.reports:
            moment = parse_time(report.get("observed_at"))
            if moment is not None:
                counts[str(report.get("category"))][moment.astimezone(WIB).date().isoformat()] += 1
        days = sorted({day for per_day in counts.values() for day in per_day})
        return days, {category: [per_day[d] for d in days] for category, per_day in sorted(counts.items())}

    def per_stage(self) -> list[tuple[str, int]]:
        return Counter(str(r.get("stage") or "?") for r in self.reports).most_common()

    def _fail(self, message: str) -> bool:
        self.problem = message
        self.changed()
        return False

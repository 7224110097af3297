"""The review queue: pending reports in scope; confirm, reject, duplicate of another, regrade, note back.

Each report reads by names (desa, officer by rank and name), its grade or "belum dinilai"; the open one
shows its photos, the opinion and where it was sent from."""
from __future__ import annotations

from typing import Any

from field_app.errors import Offline, ServerRejected
from field_app.viewmodels.base import ViewModel
from field_app.viewmodels.supervisor_alert import grade_words, person

RELIABILITY = ("A", "B", "C", "D", "E", "F")
CREDIBILITY = ("1", "2", "3", "4", "5", "6")
VERDICTS = ("confirm", "reject", "duplicate")


class ReviewQueue(ViewModel):
    def __init__(self, client: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.client = client
        self.reports: list[dict[str, Any]] = []
        self.selected_id: str | None = None
        self.grade: dict[str, str | None] = {"reliability": None, "credibility": None}
        self.duplicate_of: str | None = None
        self.note = ""
        self.problem: str | None = None
        self.done: str | None = None
        self.photos: dict[str, bytes] = {}

    @property
    def selected(self) -> dict[str, Any] | None:
        return next((r for r in self.reports if r.get("id") == self.selected_id), None)

    def refresh(self) -> bool:
        try:
            page = self.client.list_reports(review="pending", limit=200)
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected as exc:
            return self._fail(exc.message)
        self.reports = sorted(page.get("items") or [], key=lambda r: str(r.get("observed_at") or ""), reverse=True)
        if self.selected is None:
            self.selected_id = None
        self.problem = None
        self.changed()
        return True

    def choose(self, report_id: str | None) -> None:
        self.selected_id = report_id
        report = self.selected or {}
        self.grade = {"reliability": report.get("source_reliability"),
                      "credibility": str(report["info_credibility"]) if report.get("info_credibility") else None}
        self.duplicate_of, self.note, self.done, self.problem = None, "", None, None
        self.changed()

    def set_grade(self, part: str, value: str | None) -> None:
        self.grade[part] = value or None
        self.changed()

    def set_duplicate_of(self, report_id: str | None) -> None:
        self.duplicate_of = report_id or None
        self.changed()

    def set_note(self, note: str) -> None:
        self.note = note

    def duplicate_choices(self) -> list[dict[str, Any]]:
        """Other reports of the same desa first, then the rest: what this one may duplicate."""
        report = self.selected or {}
        others = [r for r in self.reports if r.get("id") != self.selected_id]
        return sorted(others, key=lambda r: (r.get("desa_code") != report.get("desa_code"),
                                             r.get("category") != report.get("category")))

    def submit(self, verdict: str) -> bool:
        report = self.selected
        if verdict not in VERDICTS or report is None:
            raise ValueError(verdict)
        if verdict == "duplicate" and not self.duplicate_of:
            return self._fail(self.t("sv.review.need_duplicate"))
        grade = self._grade_if_changed(report)
        try:
            self.client.review_report(report["id"], verdict, grade=grade,
                                      duplicate_of=self.duplicate_of if verdict == "duplicate" else None,
                                      note=self.note.strip() or None)
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected as exc:
            return self._fail(exc.message)
        self.reports = [r for r in self.reports if r.get("id") != report["id"]]
        self.selected_id, self.note, self.duplicate_of = None, "", None
        self.done, self.problem = self.t(f"sv.review.done.{verdict}"), None
        self.changed()
        return True

    def _grade_if_changed(self, report: dict[str, Any]) -> str | None:
        reliability, credibility = self.grade["reliability"], self.grade["credibility"]
        if not reliability or not credibility:
            return None
        grade = f"{reliability}{credibility}"
        original = f"{report.get('source_reliability')}{report.get('info_credibility')}"
        return None if grade == original else grade

    def line(self, report: dict[str, Any], category: str, time: str) -> str:
        """ "Desa Dujung Sakti · Bentrok antar pendukung GN · belum dinilai · oleh Brigpol Reza Pratama,
        Bhabin Desa Dujung Sakti · 7 Des 03:50" — names, not codes; never "??"."""
        return self.t("sv.review.line", desa=report.get("desa_name") or report.get("desa_code"),
                      category=category, threat=report.get("threat_stage") or "",
                      grade=grade_words(self.t, report), officer=person(report, "officer"), time=time)

    def location(self, report: dict[str, Any]) -> tuple[float, float] | None:
        where = report.get("location") or {}
        try:
            return float(where["lat"]), float(where["lon"])
        except (KeyError, TypeError, ValueError):
            return None

    def location_words(self, report: dict[str, Any]) -> str:
        point, where = self.location(report), report.get("location") or {}
        if point is None:
            return self.t("sv.review.no_location")
        return self.t("sv.review.location", lat=f"{point[0]:.5f}", lon=f"{point[1]:.5f}",
                      accuracy=round(float(where.get("accuracy_m") or 0)))

    def fetch_photo(self, sha256: str) -> bytes | None:
        if sha256 not in self.photos:
            try:
                self.photos[sha256] = self.client.get_media(sha256)
            except (Offline, ServerRejected):
                return None
        return self.photos[sha256]

    def _fail(self, message: str) -> bool:
        self.problem, self.done = message, None
        self.changed()
        return False

"""The review queue: pending reports in scope; confirm, reject, duplicate of another, regrade, note back."""
from __future__ import annotations

from typing import Any

from field_app.errors import Offline, ServerRejected
from field_app.viewmodels.base import ViewModel

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

    def _fail(self, message: str) -> bool:
        self.problem, self.done = message, None
        self.changed()
        return False

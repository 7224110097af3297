"""A supervisor's verdict on a report: confirm, reject or mark duplicate, optionally regrade.

The verdict is stored on the report, kept in its (append-only) review history, and published on
the officer's pull feed as a ``review`` change — in one transaction. Then the regions of the
report are re-evaluated at once: a rejection lowers their score before the call returns.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sync_server.render import review_json
from sync_server.scope import Principal, readable_report
from sync_server.storage.base import NewChange, Review, StoredReport
from sync_server.validation import UUID_RE, Fields

if TYPE_CHECKING:
    from sync_server.services import Services

VERDICTS = {"confirm": "confirmed", "reject": "rejected", "duplicate": "duplicate"}
GRADE_RE = re.compile(r"[A-F][1-6]")
MAX_NOTE = 1000


def apply_review(services: Services, principal: Principal, report_id: str, body: object) -> StoredReport:
    fields = Fields(body, required=("verdict",), optional=("grade", "duplicate_of", "note"))
    verdict = fields.choice("verdict", VERDICTS)
    grade = fields.text("grade", max_length=2, pattern=GRADE_RE)
    duplicate_of = fields.text("duplicate_of", max_length=36, pattern=UUID_RE)
    note = fields.text("note", min_length=0, max_length=MAX_NOTE)
    if verdict == "duplicate" and fields.body.get("duplicate_of") is None:
        fields.fail("duplicate_of", "required", "Wajib diisi untuk verdict duplicate.",
                    "Required with verdict duplicate.")
    elif verdict in ("confirm", "reject") and fields.body.get("duplicate_of") is not None:
        fields.fail("duplicate_of", "unexpected", "Hanya untuk verdict duplicate.",
                    "Only with verdict duplicate.")
    fields.raise_if_invalid()
    report = readable_report(principal, services.storage.get_report(report_id))
    if duplicate_of is not None:
        _check_original(services, principal, fields, report, duplicate_of)
    verdict_at = services.clock()
    stored = Review(status=VERDICTS[verdict], grade=grade, duplicate_of=duplicate_of, note=note,
                    by=principal.username, at=verdict_at)
    change = NewChange(kind="review", recipient=report.officer, region_code=report.desa_code,
                       ref=report.id, data={"report_id": report.id, "review": review_json(stored)})
    reviewed = services.storage.review_report(report.id, stored, change)
    if services.alerts is not None:
        services.alerts.on_report_reviewed(verdict_at)
    return reviewed


def _check_original(services: Services, principal: Principal, fields: Fields, report: StoredReport,
                    duplicate_of: str) -> None:
    original = services.storage.get_report(duplicate_of)
    if duplicate_of == report.id:
        fields.fail("duplicate_of", "self", "Laporan tidak bisa duplikat dirinya sendiri.",
                    "A report cannot duplicate itself.")
    elif original is None or not principal.can_read_report(original):
        fields.fail("duplicate_of", "unknown", "Laporan asli tidak ditemukan.", "Original report not found.")
    fields.raise_if_invalid()

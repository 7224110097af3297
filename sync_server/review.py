"""A supervisor's verdict on a report: confirm, reject or mark duplicate, optionally regrade —
or one verdict on everything an officer or a device sent since a time (bulk rejection of abuse).

The verdict is stored on the report, kept in its (append-only) review history, and published on
the officer's pull feed as a ``review`` change — in one transaction. Then the regions of the
report are re-evaluated at once: a rejection lowers their score before the call returns.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kerawanan.moments import parse_moment
from sync_server.render import iso_z, review_json
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


BULK_VERDICTS = {"reject": "rejected", "rejected": "rejected"}


def apply_bulk_review(services: Services, principal: Principal, body: object) -> dict:
    """Reject everything an officer (or a device) sent since a time, in the supervisor's scope, in
    one transaction; each report's officer is told by a ``review`` change; the score drops at once."""
    fields = Fields(body, required=("verdict", "since"), optional=("officer", "device_id", "note"))
    verdict = fields.choice("verdict", BULK_VERDICTS)
    officer = fields.text("officer", max_length=64)
    device_id = fields.text("device_id", max_length=64)
    note = fields.text("note", min_length=0, max_length=MAX_NOTE)
    since = parse_moment(fields.body.get("since"))
    if fields.body.get("since") is not None and since is None:
        fields.fail("since", "format", "Harus waktu ISO-8601 dengan zona waktu, mis. 2024-11-27T21:40:00+07:00.",
                    "Must be an ISO-8601 time with a UTC offset, e.g. 2024-11-27T21:40:00+07:00.")
    if (fields.body.get("officer") is None) == (fields.body.get("device_id") is None):
        fields.fail("officer", "one_of", "Isi tepat satu: officer atau device_id.",
                    "Give exactly one of officer and device_id.")
    fields.raise_if_invalid()
    at = services.clock()
    review = Review(status=BULK_VERDICTS[verdict], grade=None, duplicate_of=None, note=note,
                    by=principal.username, at=at)
    ids = services.storage.review_since(officer=officer, device_id=device_id, since=since,
                                        scopes=tuple(principal.scope), review=review, review_data=review_json(review))
    if ids and services.alerts is not None:
        services.alerts.on_report_reviewed(at)
    return {"verdict": review.status, "officer": officer, "device_id": device_id, "since": iso_z(since),
            "count": len(ids), "report_ids": ids, "review": review_json(review)}


def _check_original(services: Services, principal: Principal, fields: Fields, report: StoredReport,
                    duplicate_of: str) -> None:
    original = services.storage.get_report(duplicate_of)
    if duplicate_of == report.id:
        fields.fail("duplicate_of", "self", "Laporan tidak bisa duplikat dirinya sendiri.",
                    "A report cannot duplicate itself.")
    elif original is None or not principal.can_read_report(original):
        fields.fail("duplicate_of", "unknown", "Laporan asli tidak ditemukan.", "Original report not found.")
    fields.raise_if_invalid()

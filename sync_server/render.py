"""Objects as the API sends them. Every timestamp out is UTC ISO-8601 with ``Z``."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sync_server.storage.base import Change, Review, StoredReport, User

WIRE_TIMES = ("observed_at", "recorded_at")


def iso_z(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is not UTC:             # stored times already are UTC: skip the conversion
        moment = moment.astimezone(UTC)
    return moment.isoformat()[:-6] + "Z"     # "+00:00" -> "Z"


def _iso_z_text(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return iso_z(datetime.fromisoformat(text))
    except ValueError:
        return text


def user_json(user: User) -> dict[str, Any]:
    return {"username": user.username, "name": user.name, "role": user.role, "scope": list(user.scope)}


def review_json(review: Review) -> dict[str, Any]:
    return {"status": review.status, "grade": review.grade, "duplicate_of": review.duplicate_of,
            "note": review.note, "by": review.by, "at": iso_z(review.at)}


def report_json(report: StoredReport) -> dict[str, Any]:
    """The wire form plus ``officer``, ``received_at``, ``seq`` and ``review``."""
    body = dict(report.wire)
    for name in WIRE_TIMES:
        if name in body:
            body[name] = _iso_z_text(body[name])
    body.update(officer=report.officer, received_at=iso_z(report.received_at), seq=report.seq,
                review=review_json(report.review))
    return body


def change_json(change: Change) -> dict[str, Any]:
    data = report_json(change.report) if change.report is not None else change.data
    return {"seq": change.seq, "kind": change.kind, "data": data, "created_at": iso_z(change.created_at)}

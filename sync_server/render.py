"""Objects as the API sends them. Every timestamp out is UTC ISO-8601 with ``Z``."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync_server.storage.base import (
        Change,
        Device,
        Review,
        StoredChange,
        StoredChangePage,
        StoredReport,
        User,
    )

WIRE_TIMES = ("observed_at", "recorded_at")
_dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode  # as JSONResponse


def iso_z(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is not UTC:             # stored times already are UTC: skip the conversion
        moment = moment.astimezone(UTC)
    return moment.isoformat()[:-6] + "Z"     # "+00:00" -> "Z"


def _iso_z_text(text: Any) -> Any:
    """A stored wire time as ``iso_z``; one that cannot be read or converted to UTC (stored before
    ``kerawanan.moments`` refused it) is sent as the stored text: a renderer never raises on data."""
    if not isinstance(text, str):
        return text
    try:
        return iso_z(datetime.fromisoformat(text))
    except (ValueError, OverflowError):
        return text


def user_json(user: User) -> dict[str, Any]:
    return {"username": user.username, "name": user.name, "role": user.role, "scope": list(user.scope)}


def device_json(device: Device) -> dict[str, Any]:
    return {"id": device.id, "name": device.name, "enrolled_at": iso_z(device.created_at),
            "last_sync_at": iso_z(device.last_sync_at), "revoked_at": iso_z(device.revoked_at)}


def review_json(review: Review) -> dict[str, Any]:
    return {"status": review.status, "grade": review.grade, "duplicate_of": review.duplicate_of,
            "note": review.note, "by": review.by, "at": iso_z(review.at)}


def report_json(report: StoredReport) -> dict[str, Any]:
    """The wire form plus ``officer``, ``received_at``, ``seq``, ``review`` and ``superseded_by``."""
    body = dict(report.wire)
    for name in WIRE_TIMES:
        if name in body:
            body[name] = _iso_z_text(body[name])
    body.update(officer=report.officer, received_at=iso_z(report.received_at), seq=report.seq,
                review=review_json(report.review), superseded_by=report.superseded_by)
    return body


def change_json(change: Change) -> dict[str, Any]:
    data = report_json(change.report) if change.report is not None else change.data
    return {"seq": change.seq, "kind": change.kind, "data": data, "created_at": iso_z(change.created_at)}


# ---- the same JSON as text, from stored text (pull pages: no decode and re-encode of the reports)


def stored_time_z(text: str | None) -> str | None:
    """``iso_z`` of a stored time (``connection.to_db`` text, ``…SS.ffffffZ``) without parsing it."""
    if text is None:
        return None
    if len(text) == 27 and text[19] == "." and text[26] == "Z":
        return text[:19] + "Z" if text[20:26] == "000000" else text
    return _iso_z_text(text)


def _wire_time_z(wire: str, name: str, utc: str | None = None) -> str:
    """Rewrite the time ``name`` of canonical wire text as ``report_json`` does (``utc``: its known
    ``iso_z``). String contents hold no bare quote, so the first ``"name":"`` is the key (the only
    nested object, location, has no times)."""
    key = f'"{name}":"'
    start = wire.find(key)
    if start < 0:
        return wire
    start += len(key)
    end = wire.index('"', start)
    value = wire[start:end]
    if "\\" in value:                    # an escaped string is no ISO time: report_json keeps it too
        return wire
    return wire[:start] + (utc or _iso_z_text(value)) + wire[end:]


@lru_cache(maxsize=4096)
def _json_text(value: Any) -> str:
    """Small repeated values of a page (usernames, kinds): encoded once."""
    return _dumps(value)


@lru_cache(maxsize=4096)
def _review_text(status: str, grade: str | None, duplicate_of: str | None, note: str | None, by: str | None,
                 at: str | None) -> str:
    """Most reports of a page are pending: their review is one text."""
    return _dumps({"status": status, "grade": grade, "duplicate_of": duplicate_of, "note": note, "by": by,
                   "at": stored_time_z(at)})


def _time_text(text: str | None) -> str:
    moment = stored_time_z(text)
    return "null" if moment is None else f'"{moment}"'   # digits, "-", ":", ".", "T" and "Z" only


def report_json_text(wire: str, officer: str, observed_at: str | None, received_at: str, seq: int,
                     review: Sequence[Any], superseded_by: str | None = None) -> str:
    """``report_json`` as text, from the stored canonical wire (sorted keys, compact, not ASCII-escaped)
    and the columns; ``review`` is (status, grade, duplicate_of, note, by, at as stored text).

    ``observed_at`` is the stored column (``to_db`` of the very time the wire holds with its offset):
    its ``iso_z`` is the wire time's, without parsing it. None parses the wire's.
    """
    wire = _wire_time_z(wire, "observed_at", stored_time_z(observed_at))
    wire = _wire_time_z(wire, "recorded_at")
    return (f'{wire[:-1]},"officer":{_json_text(officer)},"received_at":{_time_text(received_at)},'
            f'"seq":{seq},"review":{_review_text(*review)},"superseded_by":{_dumps(superseded_by)}}}')


def change_json_text(seq: int, kind: str, data: str | None, created_at: str, report: str | None) -> str:
    """``change_json`` as text: ``report`` is a ``report_json_text``, ``data`` the stored JSON text."""
    body = report if report is not None else "null" if data is None else _stored_json_text(data)
    return f'{{"seq":{seq},"kind":{_json_text(kind)},"data":{body},"created_at":{_time_text(created_at)}}}'


def _stored_json_text(data: str) -> str:
    """Stored change JSON re-encoded as the API sends JSON; stored text that is not strict JSON
    (NaN, broken) goes out as a JSON string of that text: a pull page never raises on stored data."""
    try:
        return _dumps(json.loads(data))
    except ValueError:
        return _dumps(data)


def stored_change_text(change: StoredChange) -> str:
    """``change_json`` of a stored change, as text, without decoding its report."""
    report = change.report
    body = None if report is None else report_json_text(
        report.wire, report.officer, report.observed_at, report.received_at, report.seq,
        (report.review_status, report.review_grade, report.review_duplicate_of, report.review_note, report.review_by,
         report.review_at), report.superseded_by)
    return change_json_text(change.seq, change.kind, change.data, change.created_at, body)


def changes_text(page: StoredChangePage) -> str:
    """The JSON array of a stored page's changes, as ``change_json`` would give them."""
    return "[" + ",".join(stored_change_text(change) for change in page.changes) + "]"


def change_page_text(page: StoredChangePage) -> str:
    """The body of ``GET /sync/pull`` from a stored page (``Storage.pull_stored``)."""
    return f'{{"changes":{changes_text(page)},"cursor":{page.cursor},"more":{"true" if page.more else "false"}}}'

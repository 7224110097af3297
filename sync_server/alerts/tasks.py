"""The assigned officer's side of a task: "Diterima" and what was done, in the alert's history.

``POST /api/v1/alerts/{id}/task`` ``{"id": <uuid minted by the phone>, "action": "acknowledge" |
"report", "note"?, "media"?}`` — officers only, and only the alert's assignee. The answer is one
line of the append-only ``alert_history`` (event ``task_acknowledge`` or ``task_report``, actor the
officer, ``data.task_id`` the phone's id), so the supervisor sees "Diterima oleh … 21:58" and the
officer's words on the alert detail. Exactly once: the same id again is a receipt (``duplicate``),
the same id with other content is 409 ``task.conflict``. A second acknowledgement (another id) is
also a receipt: the first one counts. The line bumps the alert's version (an ``If-Match`` taken
before it is stale) and publishes an ``alert`` change; the status does not move.

The time to acknowledge is ``task_times(history)["acknowledged_at"]`` minus its ``assigned_at`` —
kept in the history, so a rekap over ``storage.audit_trail(since)`` counts it
(``acknowledgement_delays``).
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kerawanan.errors import Conflict, Forbidden
from sync_server.render import iso_z
from sync_server.scope import Principal
from sync_server.storage.base import Alert, AlertEvent, NewChange
from sync_server.validation import Fields

if TYPE_CHECKING:
    from sync_server.alerts.service import AlertService

TASK_EVENTS = {"acknowledge": "task_acknowledge", "report": "task_report"}
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
SHA256_RE = re.compile(r"[0-9a-f]{64}")
MAX_NOTE = 1000
MAX_MEDIA = 4
ATTEMPTS = 5                     # compare-and-set retries when a supervisor acts at the same moment


def parse_answer(body: object) -> dict[str, Any]:
    fields = Fields(body, required=("id", "action"), optional=("note", "media"))
    answer_id = fields.text("id", max_length=36, pattern=UUID_RE)
    action = fields.choice("action", tuple(TASK_EVENTS))
    note = fields.text("note", min_length=0, max_length=MAX_NOTE)
    media = fields.text_list("media", max_items=MAX_MEDIA, pattern=SHA256_RE) or []
    if action == "report" and not (note or "").strip() and not media:
        fields.fail("note", "required", "Tuliskan apa yang sudah dilakukan.", "Write what was done.")
    fields.raise_if_invalid()
    return {"id": str(answer_id).lower(), "action": action, "note": (note or "").strip() or None,
            "media": media}


def answer(service: AlertService, principal: Principal, alert_id: str, body: object,
           now: datetime) -> dict[str, Any]:
    """Record the assignee's answer once; returns ``{"status": "created"|"duplicate", "alert_id",
    "event", "at"}``."""
    principal.require_role("officer")
    request = parse_answer(body)
    for _ in range(ATTEMPTS):
        alert = service.readable(principal, alert_id)
        if alert.assignee != principal.username:
            raise Forbidden("Tugas ini tidak diberikan kepada Anda.", code="task.not_assignee",
                            message_en="This task was not assigned to you.")
        history = service.storage.alert_history(alert.id)
        earlier = _earlier(history, request, principal.username)
        if earlier is not None:
            return _receipt("duplicate", alert, earlier)
        event = _event(alert, request, principal, now)
        updated = replace(alert, version=alert.version + 1, updated_at=now)
        change = NewChange(kind="alert", data=service.views.alert_change(updated, [event]),
                           region_code=alert.region_code, ref=alert.id)
        if service.storage.update_alert(updated, alert.version, event, [change]):
            return _receipt("created", updated, event)
    raise Conflict("Peringatan sedang diubah; coba lagi.", code="alert.busy",
                   message_en="The alert is being changed; try again.")


def _earlier(history: list[AlertEvent], request: dict[str, Any], username: str) -> AlertEvent | None:
    """The line this answer already is (same id), or the first acknowledgement (a second is a receipt)."""
    for event in history:
        data = event.data or {}
        if data.get("task_id") == request["id"]:
            if event.event != TASK_EVENTS[request["action"]] or event.note != request["note"] \
                    or list(data.get("media") or []) != request["media"]:
                raise Conflict("ID jawaban ini sudah dipakai dengan isi berbeda.", code="task.conflict",
                               message_en="This answer id was already used with other content.",
                               details={"id": request["id"]})
            return event
    if request["action"] == "acknowledge":
        return next((event for event in history
                     if event.event == "task_acknowledge" and event.actor == username), None)
    return None


def _event(alert: Alert, request: dict[str, Any], principal: Principal, now: datetime) -> AlertEvent:
    data: dict[str, Any] = {"task_id": request["id"], "by_name": principal.name}
    if request["media"]:
        data["media"] = request["media"]
    return AlertEvent(alert_id=alert.id, version=alert.version + 1, at=now, actor=principal.username,
                      event=TASK_EVENTS[request["action"]], level=alert.level, score=alert.score,
                      status=alert.status, owner=alert.owner, note=request["note"], data=data)


def _receipt(status: str, alert: Alert, event: AlertEvent) -> dict[str, Any]:
    return {"status": status, "alert_id": alert.id, "event": event.event, "at": iso_z(event.at),
            "version": alert.version}


# ---------------------------------------------------------------- reading it back (detail, rekap)


def task_times(history: list[AlertEvent]) -> dict[str, Any] | None:
    """The current task of an alert from its history: who, when assigned, acknowledged, answered."""
    task: dict[str, Any] | None = None
    for event in history:
        if event.event == "assign":
            task = {"assignee": (event.data or {}).get("assignee"), "assigned_at": iso_z(event.at),
                    "assigned_by": event.actor, "acknowledged_at": None, "reported_at": None, "answers": 0}
        elif task is not None and event.actor == task["assignee"] and event.event in TASK_EVENTS.values():
            if event.event == "task_acknowledge" and task["acknowledged_at"] is None:
                task["acknowledged_at"] = iso_z(event.at)
            if event.event == "task_report":
                task["reported_at"] = iso_z(event.at)
                task["answers"] += 1
    return task


def acknowledgement_delays(events: list[AlertEvent]) -> dict[str, float | None]:
    """Per alert (events of many alerts in history order, e.g. ``storage.audit_trail(since)``): the
    seconds from its last assignment to the assignee's first acknowledgement; None while unacknowledged."""
    assigned: dict[str, tuple[str | None, datetime]] = {}
    delays: dict[str, float | None] = {}
    for event in events:
        if event.event == "assign":
            assigned[event.alert_id] = ((event.data or {}).get("assignee"), event.at)
            delays[event.alert_id] = None
        elif event.event == "task_acknowledge" and event.alert_id in assigned:
            assignee, at = assigned[event.alert_id]
            if event.actor == assignee and delays.get(event.alert_id) is None:
                delays[event.alert_id] = (event.at - at).total_seconds()
    return delays

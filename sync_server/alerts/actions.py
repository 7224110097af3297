"""A supervisor's actions on an alert, with optimistic concurrency (``If-Match: "<version>"``).

| action | from | to | also |
|---|---|---|---|
| ``acknowledge`` | open | acknowledged | the deadline stops (no more escalation) |
| ``assign`` | open, acknowledged, in_progress | in_progress | ``assignee``: an officer the caller manages whose area holds the region; a ``task`` change for them |
| ``respond`` | open, acknowledged, in_progress | in_progress | ``response``: what was done (≤ 2000) |
| ``resolve`` | open, acknowledged, in_progress | resolved | ``response``: the outcome (required, ≤ 2000); the deadline stops |
| ``reopen`` | resolved | open | a new deadline; 409 when the region has another unresolved alert |

Every action needs ``If-Match``: missing → 428 ``precondition.required``; another version → 412
``precondition.stale`` with the CURRENT alert in ``details.current`` and nothing changed. A
success bumps the version, appends to the append-only history (who, when, note) and publishes an
``alert`` change to the region's area.

``note`` and ``response`` are internal to the supervisors' chain: officers of the area read them
only when the action says ``"for_field": true`` (an extension; ``views.py`` applies it). The note
of an ``assign`` always reaches the assigned officer in their ``task``.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kerawanan.errors import Conflict, InvalidInput, KerawananError, StaleVersion
from sync_server.alerts.escalation import deadline_after
from sync_server.scope import Principal
from sync_server.storage.base import Alert, AlertEvent, AlertQuery, NewChange
from sync_server.validation import Fields

if TYPE_CHECKING:
    from sync_server.alerts.service import AlertService

STATUS_AFTER = {"acknowledge": "acknowledged", "assign": "in_progress", "respond": "in_progress",
                "resolve": "resolved", "reopen": "open"}
ALLOWED_FROM = {"acknowledge": {"open"}, "assign": {"open", "acknowledged", "in_progress"},
                "respond": {"open", "acknowledged", "in_progress"},
                "resolve": {"open", "acknowledged", "in_progress"}, "reopen": {"resolved"}}
IF_MATCH = re.compile(r'\s*(?:W/)?"?(\d{1,12})"?\s*')
MAX_NOTE = 1000
MAX_RESPONSE = 2000
RESOLVE_NEEDS_OUTCOME = ("Wajib diisi: hasil penanganan (apa yang dilakukan dan hasilnya) sebelum peringatan "
                         "diselesaikan.", "Required: the outcome (what was done and its result) before resolving.")


class PreconditionRequired(KerawananError):
    status, code = 428, "precondition.required"


def expected_version(header: str | None) -> int | None:
    """The version an ``If-Match`` names; 428 when it is missing; None when it names no version."""
    if header is None or not header.strip():
        raise PreconditionRequired("Header If-Match wajib diisi dengan versi peringatan, mis. \"3\".",
                                   message_en='The If-Match header is required: the alert version, e.g. "3".')
    match = IF_MATCH.fullmatch(header)
    return int(match[1]) if match else None


def parse_action(body: object) -> dict[str, Any]:
    fields = Fields(body, required=("action",), optional=("note", "assignee", "response", "for_field"))
    action = fields.choice("action", tuple(STATUS_AFTER))
    note = fields.text("note", min_length=0, max_length=MAX_NOTE)
    assignee = fields.text("assignee", max_length=64)
    response = fields.text("response", max_length=MAX_RESPONSE)
    if action == "assign" and assignee is None and "assignee" not in fields.fields:
        fields.fail("assignee", "required", "Wajib diisi untuk action assign.", "Required with action assign.")
    if action == "respond" and response is None and "response" not in fields.fields:
        fields.fail("response", "required", "Wajib diisi untuk action respond.", "Required with action respond.")
    if action == "resolve" and not (response or "").strip() and "response" not in fields.fields:
        fields.fail("response", "required", RESOLVE_NEEDS_OUTCOME[0], RESOLVE_NEEDS_OUTCOME[1])
    for name, allowed in (("assignee", ("assign",)), ("response", ("respond", "resolve"))):
        if fields.body.get(name) is not None and action is not None and action not in allowed:
            fields.fail(name, "unexpected", f"Hanya untuk action {' / '.join(allowed)}.",
                        f"Only with action {' / '.join(allowed)}.")
    for_field = fields.body.get("for_field")
    if for_field is not None and not isinstance(for_field, bool):
        fields.fail("for_field", "type", "Harus true atau false.", "Must be true or false.")
    fields.raise_if_invalid()
    return {"action": action, "note": note, "assignee": assignee, "response": response,
            "for_field": for_field is True}


def act(service: AlertService, principal: Principal, alert: Alert, body: object, if_match: str | None,
        now: datetime) -> Alert:
    """Apply one action to ``alert`` (already checked readable and in the caller's scope)."""
    version = expected_version(if_match)
    request = parse_action(body)
    if version != alert.version:
        raise stale(service, alert)
    _check_transition(service, alert, request["action"])
    if request["assignee"] is not None:
        _check_assignee(service, principal, alert, request["assignee"])
    updated = _updated(service, alert, request, now)
    event = AlertEvent(alert_id=alert.id, version=updated.version, at=now, actor=principal.username,
                       event=request["action"], level=updated.level, score=updated.score, status=updated.status,
                       owner=updated.owner, note=request["note"],
                       data={key: request[key] for key in ("assignee", "response", "for_field") if request[key]})
    changes = [NewChange(kind="alert", data=service.views.alert_change(updated, [event]),
                         region_code=alert.region_code, ref=alert.id)]
    if request["action"] == "assign":
        changes.append(NewChange(kind="task", recipient=request["assignee"], ref=alert.id,
                                 data=_task(service, updated, event, principal)))
    if not service.storage.update_alert(updated, alert.version, event, changes):
        raise stale(service, service.storage.get_alert(alert.id) or alert)
    return updated


def stale(service: AlertService, current: Alert) -> StaleVersion:
    return StaleVersion("Peringatan sudah berubah; muat ulang lalu ulangi tindakan.",
                        message_en="The alert has changed; reload it and repeat the action.",
                        details={"current": service.people().alert(
                            service.views.alert(current, service.coverage(), internal=True)),
                                 "version": current.version})


def _check_transition(service: AlertService, alert: Alert, action: str) -> None:
    if alert.status not in ALLOWED_FROM[action]:
        raise Conflict(f"Tindakan {action} tidak bisa untuk peringatan berstatus {alert.status}.",
                       code="alert.invalid_transition",
                       message_en=f"Action {action} is not possible on an alert that is {alert.status}.",
                       details={"status": alert.status, "action": action})
    if action == "reopen":
        others, _ = service.storage.list_alerts(AlertQuery(exact=(alert.region_code,), status="active", limit=1))
        if others:
            raise Conflict("Wilayah ini sudah punya peringatan yang belum selesai.", code="alert.conflict",
                           message_en="This region already has an unresolved alert.",
                           details={"alert_id": others[0].id})


def _check_assignee(service: AlertService, principal: Principal, alert: Alert, username: str) -> None:
    user = service.storage.get_user(username)
    fits = (user is not None and user.role == "officer" and principal.can_manage(user)
            and Principal(user.username, user.role, user.scope).can_read_region(alert.region_code))
    if not fits:
        raise InvalidInput("Isian tidak valid.", message_en="Invalid input.",
                           fields={"assignee": "Petugas tidak ditemukan di wilayah peringatan ini."},
                           fields_en={"assignee": "No such officer in this alert's area."},
                           reasons={"assignee": "unknown"})


def _updated(service: AlertService, alert: Alert, request: dict[str, Any], now: datetime) -> Alert:
    action = request["action"]
    changes: dict[str, Any] = {"status": STATUS_AFTER[action], "version": alert.version + 1, "updated_at": now}
    if action in ("acknowledge", "resolve"):
        changes["deadline_at"] = None
    if action == "resolve":
        changes["resolved_at"] = now
    if action == "reopen":
        changes.update(resolved_at=None, deadline_at=deadline_after(now, alert.level, service.config))
    if action == "assign":
        changes["assignee"] = request["assignee"]
    if action in ("respond", "resolve"):
        changes.update(response=request["response"], response_for_field=request["for_field"])
    if action in ("assign", "respond") and alert.status == "open":
        changes["deadline_at"] = None                  # someone is on it: it counts as acknowledged
    return replace(alert, **changes)


def _task(service: AlertService, alert: Alert, event: AlertEvent, principal: Principal) -> dict[str, Any]:
    return {"alert_id": alert.id, "region_code": alert.region_code,
            "region_name": service.views.region_name(alert.region_code), "level": alert.level,
            "note": event.note, "by": principal.username, "by_name": principal.name,
            "at": service.views.alert(alert)["updated_at"], "alert": service.views.alert(alert)}

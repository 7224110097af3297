"""``/api/v1/sms``: the gateway's door in (a shared secret, no user token) and the admin's views.

``POST /sms/inbound`` takes ``{"messages": [{"number", "text"}]}`` (what ``on_receive.py`` posts for
Gammu SMSD) or an Android SMS-gateway app's webhook ``{"event": "sms:received", "payload":
{"phoneNumber", "message"}}``, with header ``X-SMS-Secret: $PETA_SMS_SECRET`` (404 ``sms.disabled``
when the server has none, 401 ``sms.bad_secret`` when it differs).
"""
from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kerawanan.errors import NotFound, Unauthorized
from sync_server.body import read_json
from sync_server.render import iso_z
from sync_server.scope import managed_user
from sync_server.services import PrincipalDep, ServicesDep
from sync_server.sms.contacts import contact_json, parse_contact
from sync_server.validation import Fields

router = APIRouter(prefix="/api/v1/sms", tags=["sms"])
MAX_MESSAGES = 50
MAX_TEXT = 2000


def _sms(request: Request) -> Any:
    """The app's ``SmsService`` (``app.state.sms``), 404 ``sms.disabled`` when there is none."""
    sms = getattr(request.app.state, "sms", None)
    if sms is None:
        raise NotFound("SMS tidak diaktifkan di server ini.", code="sms.disabled",
                       message_en="SMS is not enabled on this server.")
    return sms


@router.post("/inbound", summary="Messages received by the SMS gateway (shared secret)")
async def inbound(request: Request, services: ServicesDep) -> JSONResponse:
    sms = _sms(request)
    secret = sms.settings.secret
    if not secret:
        raise NotFound("SMS tidak diaktifkan di server ini.", code="sms.disabled",
                       message_en="SMS is not enabled on this server.")
    given = request.headers.get("x-sms-secret", "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        raise Unauthorized("Rahasia gateway SMS salah.", code="sms.bad_secret",
                           message_en="Wrong SMS gateway secret.")
    limits = services.settings.limits
    messages = _messages(await read_json(request, limit=limits.json_bytes, max_depth=limits.json_depth))
    results = []
    for number, text in messages:
        received = await run_in_threadpool(sms.receive, number, text)
        results.append({"state": received.state, "reason": received.reason, "report_id": received.report_id,
                        "status": received.status})
    return JSONResponse({"results": results})


def _messages(body: object) -> list[tuple[str, str]]:
    if isinstance(body, dict) and isinstance(body.get("payload"), dict):       # Android gateway webhook
        payload = body["payload"]
        body = {"messages": [{"number": payload.get("phoneNumber"), "text": payload.get("message")}]}
    fields = Fields(body, required=("messages",))
    items = fields.body.get("messages")
    if items is not None and (not isinstance(items, list) or not 1 <= len(items) <= MAX_MESSAGES):
        fields.fail("messages", "type", f"Harus daftar 1–{MAX_MESSAGES} pesan.",
                    f"Must be a list of 1-{MAX_MESSAGES} messages.")
    found = []
    for index, item in enumerate(items if fields.ok() else []):
        one = Fields(item, required=("number", "text"))
        number, text = one.text("number", max_length=40), one.text("text", max_length=MAX_TEXT, min_length=0)
        for path, message in one.fields.items():
            fields.fail(f"messages[{index}].{path}".rstrip(".$"), one.reasons[path], message, one.fields_en[path])
        found.append((number, text))
    fields.raise_if_invalid()
    return found


@router.get("/log", summary="Every SMS in and out, newest first (admin)")
def sms_log(request: Request, principal: PrincipalDep,
            direction: Annotated[str | None, Query(pattern="^(in|out)$")] = None,
            cursor: Annotated[int | None, Query(ge=1, le=2**62)] = None,
            limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> JSONResponse:
    principal.require_role("admin")
    entries = _sms(request).store.entries(direction=direction, before=cursor, limit=limit)
    items = [{"id": e.id, "at": iso_z(e.at), "direction": e.direction, "number": e.number,
              "username": e.username, "kind": e.kind, "text": e.text, "state": e.state, "reason": e.reason,
              "ref": e.ref} for e in entries]
    next_cursor = str(entries[-1].id) if len(entries) == limit else None
    return JSONResponse({"items": items, "next_cursor": next_cursor})


@router.get("/refusals", summary="Refused incoming messages counted by reason (admin)")
def refusals(request: Request, principal: PrincipalDep) -> JSONResponse:
    principal.require_role("admin")
    counts = _sms(request).store.refusals()
    return JSONResponse({"refusals": counts, "total": sum(counts.values())})


@router.get("/contacts", summary="Users' SMS numbers and preferences (admin)")
def contacts(request: Request, principal: PrincipalDep) -> JSONResponse:
    principal.require_role("admin")
    found = _sms(request).store.contacts()
    return JSONResponse({"items": [contact_json(found[name]) for name in sorted(found)], "next_cursor": None})


@router.put("/contacts/{username}", summary="Set a user's SMS number, events and quiet hours (admin)")
async def set_contact(username: str, request: Request, principal: PrincipalDep,
                      services: ServicesDep) -> JSONResponse:
    principal.require_role("admin")
    sms = _sms(request)
    user = managed_user(principal, services.storage.get_user(username))
    limits = services.settings.limits
    contact = parse_contact(user.username, await read_json(request, limit=limits.json_bytes,
                                                           max_depth=limits.json_depth))
    await run_in_threadpool(sms.store.set_contact, contact, services.clock())
    return JSONResponse(contact_json(contact))

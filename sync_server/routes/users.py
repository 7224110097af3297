"""Users, enrollment codes, devices and credentials (administration), and the account audit.

Who may do what: admins act on the users inside their scope; supervisors on the officers inside
theirs (issue codes, list phones, reset a password, end sessions). Disabling/enabling a user and
revoking a phone are for admins. A user outside what the caller manages is a 404, like a missing one.
"""
from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kerawanan.errors import Forbidden
from sync_server import accounts
from sync_server.body import read_json
from sync_server.render import device_json, iso_z, user_json
from sync_server.routes import schemas
from sync_server.scope import Principal, managed_user
from sync_server.services import PrincipalDep, ServicesDep
from sync_server.storage.base import AccountEvent, User
from sync_server.validation import invalid_parameter

AUDIT_PAGE = 100

router = APIRouter(prefix="/api/v1", tags=["users"])


@router.post("/users", status_code=201, summary="Create an officer, supervisor or admin",
             openapi_extra=schemas.json_body(schemas.NEW_USER))
async def create_user(request: Request, principal: PrincipalDep, services: ServicesDep) -> JSONResponse:
    principal.require_role("admin")
    limits = services.settings.limits
    body = await read_json(request, limit=limits.json_bytes, max_depth=limits.json_depth)
    new_user, password = accounts.parse_new_user(body, services.gazetteer)
    if not principal.covers(new_user.scope):
        raise Forbidden("Wilayah pengguna baru di luar wilayah Anda.",
                        message_en="The new user's scope lies outside yours.")
    user = await run_in_threadpool(accounts.create_user, services.storage, new_user, password,
                                   services.clock(), actor=principal.username)
    return JSONResponse(user_json(user), status_code=201)


@router.post("/users/{username}/enrollment-codes", status_code=201,
             summary="Issue a one-time enrollment code for an officer")
def issue_enrollment_code(username: str, principal: PrincipalDep, services: ServicesDep) -> JSONResponse:
    principal.require_role("admin", "supervisor")
    officer = managed_user(principal, services.storage.get_user(username))
    accounts.require_officer(officer)
    code, expires_at = services.auth.issue_enrollment_code(officer, by=principal.username)
    return JSONResponse({"code": code, "expires_at": iso_z(expires_at)}, status_code=201)


@router.get("/users/{username}/devices", summary="An officer's phones: which to revoke when one is lost")
def list_devices(username: str, principal: PrincipalDep, services: ServicesDep) -> JSONResponse:
    principal.require_role("admin", "supervisor")
    officer = managed_user(principal, services.storage.get_user(username))
    return JSONResponse({"items": [device_json(device) for device in services.storage.devices_of(officer.username)]})


@router.delete("/devices/{device_id}", status_code=204, summary="Revoke a device and its token")
def revoke_device(device_id: str, principal: PrincipalDep, services: ServicesDep) -> Response:
    principal.require_role("admin")
    device = services.storage.get_device(device_id)
    owner = services.storage.get_user(device.username) if device else None
    managed_user(principal, owner, kind="device")
    services.storage.revoke_device(device_id, services.clock(), actor=principal.username)
    return Response(status_code=204)


def account_json(user: User) -> dict:
    return {**user_json(user), "disabled_at": iso_z(user.disabled_at),
            "password_change_required": user.must_change_password}


def _managed(principal: Principal, services, username: str, *roles: str) -> User:
    principal.require_role(*roles)
    return managed_user(principal, services.storage.get_user(username))


@router.get("/users/{username}", summary="A user and the state of their account")
def get_user(username: str, principal: PrincipalDep, services: ServicesDep) -> JSONResponse:
    return JSONResponse(account_json(_managed(principal, services, username, "admin", "supervisor")))


@router.post("/users/{username}/password-reset", status_code=201,
             summary="A one-time password; the user must change it at the next login")
def reset_password(username: str, principal: PrincipalDep, services: ServicesDep) -> JSONResponse:
    user = _managed(principal, services, username, "admin", "supervisor")
    temporary, expires_at = accounts.reset_password(services.storage, user, services.clock(), actor=principal.username,
                                                    hours=services.settings.enrollment_code_hours)
    return JSONResponse({"username": user.username, "temporary_password": temporary,
                         "expires_at": iso_z(expires_at)}, status_code=201)


@router.post("/users/{username}/disable", summary="Disable a user: every token, phone and the password stop")
def disable_user(username: str, principal: PrincipalDep, services: ServicesDep) -> JSONResponse:
    return _set_disabled(username, True, principal, services)


@router.post("/users/{username}/enable", summary="Enable a disabled user (phones not revoked work again)")
def enable_user(username: str, principal: PrincipalDep, services: ServicesDep) -> JSONResponse:
    return _set_disabled(username, False, principal, services)


def _set_disabled(username: str, disabled: bool, principal: Principal, services) -> JSONResponse:
    user = _managed(principal, services, username, "admin")
    accounts.set_disabled(services.storage, user, disabled, services.clock(), actor=principal.username)
    return JSONResponse(account_json(services.storage.get_user(user.username)))


@router.delete("/users/{username}/sessions", summary="End every login session of a user (phones keep working)")
def revoke_sessions(username: str, principal: PrincipalDep, services: ServicesDep) -> JSONResponse:
    user = _managed(principal, services, username, "admin", "supervisor")
    count = services.storage.revoke_sessions(user.username, services.clock(), actor=principal.username)
    return JSONResponse({"username": user.username, "revoked": count})


@router.get("/account-events", summary="The account audit: who changed which account's credentials, newest first")
def account_events(principal: PrincipalDep, services: ServicesDep, before: int | None = None,
                   limit: int = 50) -> JSONResponse:
    principal.require_role("admin")
    if not 1 <= limit <= AUDIT_PAGE or (before is not None and not 1 <= before <= 2 ** 62):
        raise invalid_parameter("limit", f"limit 1..{AUDIT_PAGE}; before >= 1.", f"limit 1..{AUDIT_PAGE}; before >= 1.")
    items, cursor, more = [], before, True
    while more and len(items) < limit:
        page = services.storage.account_events(cursor, AUDIT_PAGE)
        more = len(page) == AUDIT_PAGE
        for event in page:
            cursor = event.id
            if _audit_visible(principal, services, event):
                items.append(event)
                if len(items) == limit:
                    break
    return JSONResponse({"items": [_event_json(e) for e in items],
                         "next": items[-1].id if len(items) == limit else None})


def _audit_visible(principal: Principal, services, event: AccountEvent) -> bool:
    if event.actor == principal.username or event.username == principal.username:
        return True
    user = services.storage.get_user(event.username)
    return user is not None and principal.can_manage(user)


def _event_json(event: AccountEvent) -> dict:
    return {"id": event.id, "at": iso_z(event.at), "actor": event.actor, "action": event.action,
            "username": event.username, "detail": event.detail or {}}

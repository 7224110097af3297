"""Login, device enrollment, logout, who am I, changing one's own password, and who is being guessed."""
from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from kerawanan.errors import InvalidInput
from sync_server import accounts
from sync_server.body import read_json
from sync_server.render import iso_z, user_json
from sync_server.routes import schemas
from sync_server.scope import Principal
from sync_server.services import PrincipalDep, ServicesDep, bearer, client_address
from sync_server.validation import Fields

router = APIRouter(prefix="/api/v1", tags=["auth"])
CHANGE_PASSWORD = schemas.obj(["old_password", "new_password"],
                              old_password={"type": "string", "minLength": 1, "maxLength": 256},
                              new_password={"type": "string", "minLength": 10, "maxLength": 256})


async def pending_principal(request: Request, services: ServicesDep,
                            _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
                            ) -> Principal:
    """The caller, also while their temporary password still has to be changed."""
    return services.auth.principal(request.headers.get("authorization"), pending_ok=True)


PendingPrincipalDep = Annotated[Principal, Depends(pending_principal)]


@router.post("/auth/login", summary="Log in with username and password",
             openapi_extra=schemas.json_body(schemas.LOGIN))
async def login(request: Request, services: ServicesDep) -> JSONResponse:
    limits = services.settings.limits
    fields = Fields(await read_json(request, limit=limits.json_bytes, max_depth=limits.json_depth),
                    required=("username", "password"))
    username = fields.text("username", max_length=64)
    password = fields.text("password", max_length=256)
    fields.raise_if_invalid()
    session = await run_in_threadpool(services.auth.login, username, password, client_address(request))
    return JSONResponse({"token": session.token, "expires_at": iso_z(session.expires_at),
                         "user": user_json(session.user),
                         "password_change_required": session.password_change_required})


@router.post("/auth/enroll", status_code=201, summary="Enroll a device with NRP and one-time code",
             openapi_extra=schemas.json_body(schemas.ENROLL))
async def enroll(request: Request, services: ServicesDep) -> JSONResponse:
    limits = services.settings.limits
    fields = Fields(await read_json(request, limit=limits.json_bytes, max_depth=limits.json_depth),
                    required=("nrp", "code", "device_name"))
    nrp = fields.text("nrp", max_length=64)
    code = fields.text("code", max_length=32)
    device_name = fields.text("device_name", max_length=100)
    fields.raise_if_invalid()
    session = await run_in_threadpool(services.auth.enroll, nrp, code, device_name, client_address(request))
    answer = {"token": session.token, "device_id": session.device_id, "user": user_json(session.user)}
    sms = getattr(request.app.state, "sms", None)
    if sms is not None:       # the phone's SMS signing key and the gateway's number (sync_server/sms)
        answer |= await run_in_threadpool(sms.issue_key, session.device_id)
    return JSONResponse(answer, status_code=201)


@router.post("/auth/logout", status_code=204, summary="Revoke the calling token")
def logout(principal: PendingPrincipalDep, services: ServicesDep) -> Response:
    services.auth.logout(principal)
    return Response(status_code=204)


@router.get("/me", summary="The calling user")
def me(principal: PendingPrincipalDep) -> JSONResponse:
    return JSONResponse(user_json(principal.user()))


@router.post("/me/password", status_code=204, summary="Change one's own password (old + new)",
             openapi_extra=schemas.json_body(CHANGE_PASSWORD))
async def change_password(request: Request, principal: PendingPrincipalDep, services: ServicesDep) -> Response:
    limits = services.settings.limits
    fields = Fields(await read_json(request, limit=limits.json_bytes, max_depth=limits.json_depth),
                    required=("old_password", "new_password"))
    old = fields.text("old_password", max_length=256)
    new = fields.text("new_password", max_length=256)
    fields.raise_if_invalid()
    await run_in_threadpool(_change_password, services, principal, old, new, client_address(request))
    return Response(status_code=204)


def _change_password(services, principal: Principal, old: str, new: str, address: str) -> None:
    accounts.check_new_password(new, principal.username)
    if not services.auth.check_password(principal.username, old, address):
        raise InvalidInput("Kata sandi lama salah.", code="password.old_wrong", message_en="The old password is wrong.",
                           fields={"old_password": "Salah."}, fields_en={"old_password": "Wrong."},
                           reasons={"old_password": "wrong"})
    accounts.set_password(services.storage, principal.username, new, services.clock(), actor=principal.username,
                          keep_token=principal.token_id)


@router.get("/auth/failures", summary="Who is being guessed: recent failed logins per account and address")
def failures(principal: PrincipalDep, services: ServicesDep) -> JSONResponse:
    principal.require_role("admin")
    now = services.clock()
    since = now - timedelta(seconds=services.settings.failure_window_seconds)
    items = []
    for key, state in services.storage.login_limits(since):
        if key.kind != "address":
            user = services.storage.get_user(key.account)
            if user is None or not principal.can_manage(user):
                continue
        items.append({"kind": key.kind, "account": key.account or None, "address": key.address,
                      "failures": state.failures, "last_at": iso_z(state.last_at),
                      "blocked_until": iso_z(state.blocked_until) if state.blocked_until and
                      state.blocked_until > now else None})
    return JSONResponse({"items": items, "since": iso_z(since)})

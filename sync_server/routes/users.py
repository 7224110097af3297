"""Users, enrollment codes and devices (administration)."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kerawanan.errors import Forbidden
from sync_server import accounts
from sync_server.body import read_json
from sync_server.render import device_json, iso_z, user_json
from sync_server.routes import schemas
from sync_server.scope import managed_user
from sync_server.services import PrincipalDep, ServicesDep

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
                                   services.clock())
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
    services.storage.revoke_device(device_id, services.clock())
    return Response(status_code=204)

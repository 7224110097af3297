"""Login, device enrollment, logout, and who am I."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sync_server.body import read_json
from sync_server.render import iso_z, user_json
from sync_server.routes import schemas
from sync_server.services import PrincipalDep, ServicesDep, client_address
from sync_server.validation import Fields

router = APIRouter(prefix="/api/v1", tags=["auth"])


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
                         "user": user_json(session.user)})


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
    return JSONResponse({"token": session.token, "device_id": session.device_id,
                         "user": user_json(session.user)}, status_code=201)


@router.post("/auth/logout", status_code=204, summary="Revoke the calling token")
def logout(principal: PrincipalDep, services: ServicesDep) -> Response:
    services.auth.logout(principal)
    return Response(status_code=204)


@router.get("/me", summary="The calling user")
def me(principal: PrincipalDep) -> JSONResponse:
    return JSONResponse(user_json(principal.user()))

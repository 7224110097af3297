"""``GET /healthz``: liveness plus a database round trip."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from sync_server.services import ServicesDep
from sync_server.version import VERSION

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness and database check")
def health(services: ServicesDep) -> JSONResponse:
    services.storage.ping()
    return JSONResponse({"status": "ok", "version": VERSION})

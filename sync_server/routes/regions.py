"""``GET /regions/{code}``: a region's level, score, open alerts, last heard, children, coverage."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from sync_server.alerts.overview import region_overview
from sync_server.services import AlertsSettled, PrincipalDep, ServicesDep

router = APIRouter(prefix="/api/v1/regions", tags=["regions"], dependencies=[AlertsSettled])


@router.get("/{code}", summary="A region's level, score, open alerts, last heard and children (in scope)")
def get_region(code: str, principal: PrincipalDep, services: ServicesDep) -> JSONResponse:
    return JSONResponse(region_overview(services.alerts, principal, code, services.clock()))

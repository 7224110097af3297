"""The tahapan timeline and the map at any tahapan (issue 13.2): ``GET /timeline`` and
``GET /regions?as_of=`` (arithmetic in ``alerts/timeline.py``)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sync_server.alerts import timeline
from sync_server.render import iso_z
from sync_server.services import AlertsSettled, PrincipalDep, Services, ServicesDep
from sync_server.validation import invalid_parameter

router = APIRouter(prefix="/api/v1", tags=["timeline"], dependencies=[AlertsSettled])
TIERS = ("kabupaten", "kecamatan", "desa")


@router.get("/timeline", summary="The tahapan timeline: now, H-n, and per tahapan its reports, alerts and levels")
async def get_timeline(request: Request, principal: PrincipalDep, services: ServicesDep,
                       tier: Annotated[str | None, Query(max_length=20, description="kabupaten|kecamatan|desa")] = None
                       ) -> JSONResponse:
    principal.require_role("supervisor", "admin")
    chosen = _tier(tier, principal.scope)
    body = await run_in_threadpool(timeline.timeline, services.alerts, principal, _levels(request, services),
                                   chosen, services.clock())
    return JSONResponse(body)


@router.get("/regions", summary="Regions in scope with their level as of a tahapan or a WIB day")
async def regions_as_of(request: Request, principal: PrincipalDep, services: ServicesDep,
                        as_of: Annotated[str, Query(max_length=40, description="tahapan code or YYYY-MM-DD (WIB)")],
                        tier: Annotated[str | None, Query(max_length=20, description="kabupaten|kecamatan|desa")] = None
                        ) -> JSONResponse:
    principal.require_role("supervisor", "admin")
    chosen = _tier(tier, principal.scope)
    at, kind, stage = timeline.resolve_as_of(as_of, services.calendar, services.clock())
    items = await run_in_threadpool(timeline.regions_as_of, services.alerts, principal, _levels(request, services),
                                    chosen, at)
    label = services.calendar.get(stage).label_id if stage else None
    return JSONResponse({"as_of": iso_z(at), "as_of_kind": kind, "stage": stage, "stage_label": label,
                         "tier": chosen, "hysteresis": False, "review": "current", "items": items})


def default_tier(scope: tuple[str, ...]) -> str:
    """One tier below the widest code of the scope (a Polsek sees desa)."""
    depth = min((code.count(".") + 1 for code in scope), default=1)
    return TIERS[min(depth, 3) - 1]


def _tier(text: str | None, scope: tuple[str, ...]) -> str:
    if text is None:
        return default_tier(scope)
    if text not in TIERS:
        raise invalid_parameter("tier", "Pilihan: " + ", ".join(TIERS), "One of: " + ", ".join(TIERS), "choice")
    return text


def _levels(request: Request, services: Services) -> timeline.LevelsAsOf:
    state = request.app.state
    if getattr(state, "levels_as_of", None) is None:
        state.levels_as_of = timeline.LevelsAsOf(services.storage, services.alerts.config)
    return state.levels_as_of

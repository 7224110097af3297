"""Rencana penebalan (issue 13.4): ``GET/POST /plans``, a saved version, the PDF annex, and the
strength figures an admin sets (``GET /strength``, ``PUT /strength/{unit}``)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from kerawanan.errors import NotFound
from sync_server.body import read_json
from sync_server.exports.plan_annex import render_plan_annex_pdf
from sync_server.plans.service import PlanService, unit_key
from sync_server.render import iso_z
from sync_server.routes.exports import unit_title
from sync_server.scope import Principal, hidden
from sync_server.services import AlertsSettled, PrincipalDep, Services, ServicesDep
from sync_server.validation import REGION_CODE_RE, invalid_parameter

router = APIRouter(prefix="/api/v1", tags=["plans"], dependencies=[AlertsSettled])
UnitQuery = Annotated[str | None, Query(max_length=200, description="region codes, comma-separated")]


@router.get("/plans", summary="Rencana penebalan: strength, the proposal by risk, and the saved decision")
async def get_plan(principal: PrincipalDep, services: ServicesDep, request: Request, unit: UnitQuery = None
                   ) -> JSONResponse:
    principal.require_role("supervisor", "admin")
    codes, name = unit_of(principal, services, unit)
    plans = plan_service(request, services)
    proposal = await run_in_threadpool(plans.proposal, codes, name)
    key = unit_key(codes)
    return JSONResponse({"proposal": proposal, "saved": _plain(plans.store.plan_version(key)),
                         "versions": [_plain(item) for item in plans.store.plan_history(key)]})


@router.post("/plans", summary="Save the commander's allocation as a new version of the unit's plan", status_code=201)
async def save_plan(principal: PrincipalDep, services: ServicesDep, request: Request, unit: UnitQuery = None
                    ) -> JSONResponse:
    principal.require_role("supervisor")
    codes, name = unit_of(principal, services, unit)
    limits = services.settings.limits
    body = await read_json(request, limit=limits.json_bytes, max_depth=limits.json_depth)
    if not isinstance(body, dict) or set(body) - {"rows", "note", "base_version"}:
        raise invalid_parameter("body", "Objek {rows, note, base_version}.", "An object {rows, note, base_version}.")
    saved = await run_in_threadpool(plan_service(request, services).save, codes, name, body, principal.username)
    return JSONResponse(_plain(saved), status_code=201)


@router.get("/plans/versions/{version}", summary="One saved version of the unit's plan")
def plan_version(version: Annotated[int, Path(ge=1, le=1_000_000)], principal: PrincipalDep, services: ServicesDep, request: Request,
                 unit: UnitQuery = None) -> JSONResponse:
    principal.require_role("supervisor", "admin")
    codes, _ = unit_of(principal, services, unit)
    saved = plan_service(request, services).store.plan_version(unit_key(codes), version)
    if saved is None:
        raise NotFound("Versi rencana tidak ada.", message_en="No such plan version.")
    return JSONResponse(_plain(saved))


@router.get("/plans/annex.pdf", summary="The saved plan as the sitrep's annex (PDF)")
async def plan_annex(principal: PrincipalDep, services: ServicesDep, request: Request, unit: UnitQuery = None
                     ) -> Response:
    principal.require_role("supervisor", "admin")
    codes, _ = unit_of(principal, services, unit)
    saved = plan_service(request, services).store.plan_version(unit_key(codes))
    pdf = await run_in_threadpool(render_plan_annex_pdf, _plain(saved), services.clock(),
                                  replay=services.settings.replay is not None)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="rencana-penebalan.pdf"'})


@router.get("/strength", summary="Strength figures per Polres and Polda (shipped examples or an admin's)")
def get_strength(principal: PrincipalDep, services: ServicesDep, request: Request) -> JSONResponse:
    principal.require_role("supervisor", "admin")
    plans = plan_service(request, services)
    table, stored = plans.strength(), plans.store.strength_figures()
    units = [{"unit": unit.unit, "kind": unit.kind, "available": unit.available, "polda_bko": unit.polda_bko,
              "brimob": unit.brimob, "source": unit.source, "example": unit.example,
              "set_by": stored.get(unit.unit, {}).get("updated_by"),
              "set_at": iso_z(stored.get(unit.unit, {}).get("updated_at"))}
             for unit in [*sorted(table.polres.values(), key=lambda u: u.unit), table.polda]]
    history = ([{**item, "at": iso_z(item["at"])} for item in plans.store.strength_history()]
               if principal.role == "admin" else None)
    return JSONResponse({"units": units, "history": history})


@router.put("/strength/{unit}", summary="An admin sets a unit's strength figures (audited)")
async def put_strength(unit: str, principal: PrincipalDep, services: ServicesDep, request: Request) -> JSONResponse:
    principal.require_role("admin")
    limits = services.settings.limits
    body = await read_json(request, limit=limits.json_bytes, max_depth=limits.json_depth)
    figures = await run_in_threadpool(plan_service(request, services).set_strength, unit, body, principal.username)
    return JSONResponse({"unit": unit, **figures})


def unit_of(principal: Principal, services: Services, unit: str | None) -> tuple[tuple[str, ...], str]:
    """The chosen unit's codes (default the caller's scope, each readable by the caller) and its name."""
    if unit is None or not unit.strip():
        codes = tuple(principal.scope)
    else:
        codes = tuple(dict.fromkeys(part.strip() for part in unit.split(",") if part.strip()))
        if not codes or len(codes) > 12 or not all(REGION_CODE_RE.fullmatch(code) for code in codes):
            raise invalid_parameter("unit", "Kode wilayah dipisah koma, mis. 15.01,15.72.",
                                    "Region codes, comma-separated, e.g. 15.01,15.72.")
        for code in codes:
            if services.gazetteer.find(code) is None or not principal.can_read_region(code):
                raise hidden("region")
    return codes, unit_title(codes, services.alerts.config, services.gazetteer)


def plan_service(request: Request, services: Services) -> PlanService:
    state = request.app.state
    if getattr(state, "plans", None) is None:
        state.plans = PlanService(services.storage.plans, services.alerts, services.gazetteer, services.clock)
    return state.plans


def _plain(saved: dict | None) -> dict | None:
    if saved is None:
        return None
    return {key: iso_z(value) if isinstance(value, datetime) else value for key, value in saved.items()}

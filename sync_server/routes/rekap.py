"""The command view: ``GET /rekap`` (rekap berjenjang, ``alerts/rekap.py``) and
``GET /regions/{code}/officers`` (whom an alert can be assigned to, with their last sync)."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kerawanan.regions import in_scope
from kerawanan.tahapan import wib_day
from sync_server.alerts import rekap
from sync_server.people import People
from sync_server.render import iso_z
from sync_server.scope import Principal, hidden
from sync_server.services import AlertsSettled, PrincipalDep, Services, ServicesDep
from sync_server.validation import REGION_CODE_RE, invalid_parameter

router = APIRouter(prefix="/api/v1", tags=["rekap"], dependencies=[AlertsSettled])
MAX_UNIT_CODES = 12
MAX_DAYS = 31


@router.get("/rekap", summary="Rekap berjenjang: per unit one level below, how alerts are handled and who reported")
async def get_rekap(principal: PrincipalDep, services: ServicesDep,
                    unit: Annotated[str | None, Query(max_length=200, description="codes, comma-separated")] = None,
                    day: Annotated[str | None, Query(alias="date", max_length=10, description="YYYY-MM-DD (WIB)")] = None,
                    days: Annotated[int, Query(ge=1, le=MAX_DAYS)] = 7) -> JSONResponse:
    principal.require_role("supervisor", "admin")
    codes = _unit_codes(principal, services, unit)
    now = services.clock()
    window = rekap.Window.of(_day(day) or wib_day(now), days, now)
    people = People.of(services.storage, services.gazetteer, services.alerts.config)
    chosen = rekap.unit_named(codes, services.gazetteer, services.alerts.config)
    body = await run_in_threadpool(rekap.rekap, services.alerts, chosen, window, people.name)
    return JSONResponse(body)


@router.get("/regions/{code}/officers", summary="The officers serving in a region, with their last sync")
def region_officers(code: str, principal: PrincipalDep, services: ServicesDep) -> JSONResponse:
    principal.require_role("supervisor", "admin")
    region = services.gazetteer.find(code) if REGION_CODE_RE.fullmatch(code) else None
    if region is None or not principal.can_read_region(region.code):
        raise hidden("region")
    people = People.of(services.storage, services.gazetteer, services.alerts.config)
    heard = services.storage.activity().officer_heard
    officers = [user for user in services.storage.users_with_role("officer")
                if user.disabled_at is None and principal.can_manage(user) and _serves(user.scope, region.code)]
    items = [people.officer(user, iso_z(heard.get(user.username)))
             for user in sorted(officers, key=lambda user: (user.scope[:1], user.name))]
    return JSONResponse({"items": items, "next_cursor": None})


def _serves(scope: tuple[str, ...], code: str) -> bool:
    """Serves a desa in the region, or a region that holds it."""
    return any(in_scope(mine, (code,)) or in_scope(code, (mine,)) for mine in scope)


def _unit_codes(principal: Principal, services: Services, unit: str | None) -> tuple[str, ...]:
    if unit is None or not unit.strip():
        return principal.scope
    codes = tuple(dict.fromkeys(part.strip() for part in unit.split(",") if part.strip()))
    if not codes or len(codes) > MAX_UNIT_CODES or not all(REGION_CODE_RE.fullmatch(code) for code in codes):
        raise invalid_parameter("unit", "Kode wilayah dipisah koma, mis. 15.01,15.72.",
                                "Region codes, comma-separated, e.g. 15.01,15.72.")
    for code in codes:
        if services.gazetteer.find(code) is None or not principal.can_read_region(code):
            raise hidden("region")
    return codes


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise invalid_parameter("date", "Tanggal YYYY-MM-DD (WIB).", "A date, YYYY-MM-DD (WIB).") from None

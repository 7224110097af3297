"""The sitreps kept by the schedule (issue 13.7): ``GET /sitreps`` and ``GET /sitreps/{slot}.pdf``."""
from __future__ import annotations

import os
import re
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from kerawanan.errors import NotFound
from sync_server.plans.store import PlanStore
from sync_server.render import iso_z
from sync_server.scope import Principal
from sync_server.services import PrincipalDep, Services, ServicesDep
from sync_server.sitrep_schedule import DEFAULT_TIMES, parse_times

router = APIRouter(prefix="/api/v1/sitreps", tags=["exports"])
SLOT_RE = re.compile(r"\d{8}-\d{4}\Z")


@router.get("", summary="Sitreps produced on the schedule, newest first (units wholly in scope)")
def list_sitreps(principal: PrincipalDep, services: ServicesDep) -> JSONResponse:
    principal.require_role("supervisor", "admin")
    items = [{**item, "produced_at": iso_z(item["produced_at"]),
              "path": f"/api/v1/sitreps/{item['slot']}.pdf?unit={item['unit']}"}
             for item in _store(services).sitreps() if _reads(principal, item["unit"])]
    times = [moment.strftime("%H:%M") for moment in parse_times(os.environ.get("PETA_SITREP_TIMES") or DEFAULT_TIMES)]
    return JSONResponse({"items": items, "times_wib": times, "next_cursor": None})


@router.get("/{slot}.pdf", summary="One kept sitrep (PDF)")
def get_sitrep(slot: str, principal: PrincipalDep, services: ServicesDep,
               unit: Annotated[str, Query(max_length=200, description="the unit key, e.g. 15.01,15.72")]) -> Response:
    principal.require_role("supervisor", "admin")
    if not SLOT_RE.fullmatch(slot) or not _reads(principal, unit):
        raise _missing()
    pdf = _store(services).sitrep_pdf(unit, slot)
    if pdf is None:
        raise _missing()
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="sitrep-{slot}.pdf"'})


def _reads(principal: Principal, unit: str) -> bool:
    return all(principal.can_read_region(code) for code in unit.split(",") if code)


def _store(services: Services) -> PlanStore:
    return services.storage.plans


def _missing() -> NotFound:
    return NotFound("Sitrep tidak ditemukan.", message_en="Sitrep not found.")

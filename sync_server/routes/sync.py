"""``POST /sync/push`` (officers send reports) and ``GET /sync/pull`` (everyone pages changes)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sync_server.body import read_json
from sync_server.intake import accept_reports, reports_in
from sync_server.render import change_json
from sync_server.routes import schemas
from sync_server.services import Lang, PrincipalDep, ServicesDep

router = APIRouter(prefix="/api/v1/sync", tags=["sync"])
MAX_CURSOR = 2**62


@router.post("/push", summary="Send a batch of reports (idempotent per report id)",
             openapi_extra=schemas.json_body(schemas.PUSH))
async def push(request: Request, principal: PrincipalDep, services: ServicesDep, lang: Lang) -> JSONResponse:
    principal.require_role("officer")
    limits = services.settings.limits
    body = await read_json(request, limit=limits.push_bytes, max_depth=limits.json_depth)
    items = reports_in(body, max_reports=limits.push_reports)
    result = await run_in_threadpool(
        accept_reports, services.storage, principal.username, principal.device_id, items,
        now=services.clock(), gazetteer=services.gazetteer, calendar=services.calendar, lang=lang)
    return JSONResponse(result)


@router.get("/pull", summary="Changes after a cursor within the caller's area")
def pull(principal: PrincipalDep, services: ServicesDep,
         cursor: Annotated[int, Query(ge=0, le=MAX_CURSOR, description="0 = from the beginning")] = 0,
         limit: Annotated[int | None, Query(ge=1, le=1000)] = None) -> JSONResponse:
    limit = limit or services.settings.limits.page_default
    page = services.storage.pull(principal.username, principal.area(), cursor, limit)
    if principal.role == "officer":
        services.storage.record_sync(principal.username, principal.device_id, services.clock())
    return JSONResponse({"changes": [change_json(change) for change in page.changes],
                         "cursor": page.cursor, "more": page.more})

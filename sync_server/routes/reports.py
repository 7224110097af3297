"""Reading reports (``GET /reports``, ``GET /reports/{id}``) and reviewing them."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sync_server import filters
from sync_server.body import read_json
from sync_server.render import report_json
from sync_server.review import apply_bulk_review, apply_review
from sync_server.routes import schemas
from sync_server.scope import readable_report
from sync_server.services import PrincipalDep, ServicesDep

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get("", summary="Reports in the caller's scope, newest first")
def list_reports(
        principal: PrincipalDep, services: ServicesDep,
        region: Annotated[str | None, Query(max_length=20)] = None,
        category: Annotated[str | None, Query(max_length=40)] = None,
        stage: Annotated[str | None, Query(max_length=40)] = None,
        review: Annotated[str | None, Query(max_length=20)] = None,
        since: Annotated[str | None, Query(max_length=40, description="received_at ≥ since (ISO-8601)")] = None,
        limit: Annotated[int | None, Query(ge=1, le=1000)] = None,
        cursor: Annotated[str | None, Query(max_length=20)] = None) -> JSONResponse:
    principal.require_role("supervisor", "admin")
    query = filters.report_query(principal, services, region=region, category=category, stage=stage,
                                 review=review, since=since, limit=limit, cursor=cursor)
    items, next_seq = services.storage.list_reports(query)
    people = services.alerts.people()
    return JSONResponse({"items": [people.report(report_json(item)) for item in items],
                         "next_cursor": None if next_seq is None else str(next_seq)})


@router.post("/bulk-review", summary="Reject everything an officer or a device sent since a time (in scope)",
             openapi_extra=schemas.json_body(schemas.BULK_REVIEW))
async def bulk_review(request: Request, principal: PrincipalDep, services: ServicesDep) -> JSONResponse:
    principal.require_role("supervisor", "admin")
    limits = services.settings.limits
    body = await read_json(request, limit=limits.json_bytes, max_depth=limits.json_depth)
    return JSONResponse(await run_in_threadpool(apply_bulk_review, services, principal, body))


@router.get("/{report_id}", summary="One report (its officer, or a reader of its desa)")
def get_report(report_id: str, principal: PrincipalDep, services: ServicesDep) -> JSONResponse:
    report = readable_report(principal, services.storage.get_report(report_id.lower()))
    return JSONResponse(report_json(report))


@router.post("/{report_id}/review", summary="Confirm, reject or mark a report duplicate; regrade",
             openapi_extra=schemas.json_body(schemas.REVIEW))
async def review_report(report_id: str, request: Request, principal: PrincipalDep,
                        services: ServicesDep) -> JSONResponse:
    principal.require_role("supervisor", "admin")
    limits = services.settings.limits
    body = await read_json(request, limit=limits.json_bytes, max_depth=limits.json_depth)
    report = await run_in_threadpool(apply_review, services, principal, report_id.lower(), body)
    return JSONResponse(report_json(report))

"""Alerts: the list, one alert with its explanation and history, and supervisors' actions."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kerawanan.vocab import LEVELS
from sync_server.alerts import tasks
from sync_server.body import read_json
from sync_server.filters import parse_cursor
from sync_server.routes import schemas
from sync_server.routes.media import MIMES, SHA256_RE
from sync_server.scope import hidden
from sync_server.services import AlertsSettled, PrincipalDep, ServicesDep
from sync_server.storage.base import ALERT_STATUSES
from sync_server.validation import REGION_CODE_RE, invalid_parameter

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"], dependencies=[AlertsSettled])
STATUS_FILTERS = (*ALERT_STATUSES, "active")


@router.get("", summary="Alerts in the caller's scope (officers: their area), newest first")
def list_alerts(
        principal: PrincipalDep, services: ServicesDep,
        level: Annotated[str | None, Query(max_length=20)] = None,
        status: Annotated[str | None, Query(max_length=20, description="a status, or active (unresolved)")] = None,
        region: Annotated[str | None, Query(max_length=20)] = None,
        limit: Annotated[int | None, Query(ge=1, le=1000)] = None,
        cursor: Annotated[str | None, Query(max_length=20)] = None) -> JSONResponse:
    _require_choice("level", level, LEVELS)
    _require_choice("status", status, STATUS_FILTERS)
    if region is not None and (not REGION_CODE_RE.fullmatch(region) or services.gazetteer.find(region) is None):
        raise invalid_parameter("region", "Kode wilayah tidak dikenal.", "Unknown region code.", "unknown")
    query = services.alerts.query(principal, level=level, status=status, region=region,
                                  before=parse_cursor(cursor), limit=limit or services.settings.limits.page_default)
    items, before = services.storage.list_alerts(query)
    coverage = services.alerts.coverage() if items else None
    people = services.alerts.people()
    return JSONResponse({"items": [people.alert(services.alerts.views.alert(item, coverage,
                                                                            internal=principal.reads_internal_notes()))
                                   for item in items],
                         "next_cursor": None if before is None else str(before)})


@router.get("/{alert_id}", summary="One alert: contributing reports, the arithmetic of its score, history")
def get_alert(alert_id: str, principal: PrincipalDep, services: ServicesDep) -> JSONResponse:
    alert, body = services.alerts.detail(principal, alert_id.lower())
    body["task"] = tasks.task_times(services.storage.alert_history(alert.id))
    return JSONResponse(body, headers={"ETag": f'"{alert.version}"'})


@router.post("/{alert_id}/actions", summary="acknowledge, assign, respond, resolve or reopen (If-Match)",
             openapi_extra=schemas.json_body(schemas.ALERT_ACTION))
async def act_on_alert(alert_id: str, request: Request, principal: PrincipalDep, services: ServicesDep,
                       if_match: Annotated[str | None, Header(description='"<version>" from the ETag')] = None
                       ) -> JSONResponse:
    principal.require_role("supervisor")
    limits = services.settings.limits
    body = await read_json(request, limit=limits.json_bytes, max_depth=limits.json_depth)
    alert = await run_in_threadpool(services.alerts.act, principal, alert_id.lower(), body, if_match)
    body = services.alerts.people().alert(services.alerts.views.alert(alert, services.alerts.coverage(), internal=True))
    return JSONResponse(body, headers={"ETag": f'"{alert.version}"'})


@router.post("/{alert_id}/task", summary="The assignee officer: acknowledge the task, or report what was done")
async def answer_task(alert_id: str, request: Request, principal: PrincipalDep, services: ServicesDep) -> JSONResponse:
    principal.require_role("officer")
    limits = services.settings.limits
    body = await read_json(request, limit=limits.json_bytes, max_depth=limits.json_depth)
    receipt = await run_in_threadpool(tasks.answer, services.alerts, principal, alert_id.lower(), body,
                                      services.clock())
    return JSONResponse(receipt, status_code=201 if receipt["status"] == "created" else 200)


@router.api_route("/{alert_id}/media/{sha256}", methods=["GET", "HEAD"], response_class=Response,
                  summary="A photo of the assignee's answer to this alert's task",
                  responses={200: {"content": {mime: {} for mime in MIMES}}})
def get_answer_photo(alert_id: str, sha256: str, request: Request, principal: PrincipalDep,
                     services: ServicesDep) -> Response:
    """Readers of the alert see a photo its assignee cited in a ``task_report`` line and uploaded
    themselves (citing someone else's hash grants nothing); an officer only their own."""
    alert = services.alerts.readable(principal, alert_id.lower())
    storage = services.storage
    info = storage.get_media(sha256) if SHA256_RE.fullmatch(sha256) else None
    uploaders = storage.media_uploaders(sha256) if info is not None else set()
    cited = any(event.event == "task_report" and event.actor in uploaders
                and sha256 in ((event.data or {}).get("media") or ()) for event in storage.alert_history(alert.id))
    mine = principal.role != "officer" or principal.username in uploaders
    if not (cited and mine and services.media.exists(sha256)):
        raise hidden("media")
    headers = {"ETag": f'"{sha256}"', "Cache-Control": "private, max-age=31536000, immutable",
               "X-Content-Type-Options": "nosniff"}
    if request.method == "HEAD":
        return Response(status_code=200, media_type=info.mime, headers={**headers, "Content-Length": str(info.size)})
    return Response(services.media.read(sha256), media_type=info.mime, headers=headers)


def _require_choice(name: str, value: str | None, options: tuple[str, ...]) -> None:
    if value is not None and value not in options:
        raise invalid_parameter(name, "Pilihan tidak dikenal: " + ", ".join(options),
                                "Unknown choice; one of: " + ", ".join(options), "choice")

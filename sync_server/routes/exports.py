"""Exports in the caller's scope (supervisors, admins): reports CSV, alerts GeoJSON, daily sitrep PDF.

The routes gather plain data strictly inside the scope (``alerts.overview``) and hand it to the
pure renderers of ``sync_server.exports``.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from kerawanan.moments import EARLIEST_DAY
from kerawanan.tahapan import WIB
from sync_server.alerts.overview import export_tier, region_rows, report_rows, sitrep_parts
from sync_server.exports import SitrepData, render_alerts_geojson, render_reports_csv, render_sitrep_pdf
from sync_server.scope import Principal
from sync_server.services import AlertsSettled, PrincipalDep, ServicesDep
from sync_server.validation import invalid_parameter

router = APIRouter(prefix="/api/v1/export", tags=["exports"], dependencies=[AlertsSettled])
TIERS = ("kabupaten", "kecamatan", "desa")


@router.get("/reports.csv", summary="Reports in scope as CSV (UTF-8 with BOM, for Excel)")
def reports_csv(principal: PrincipalDep, services: ServicesDep) -> StreamingResponse:
    principal.require_role("supervisor", "admin")
    stamp = services.clock().astimezone(WIB).strftime("%Y%m%d-%H%M")
    return StreamingResponse(render_reports_csv(report_rows(services.alerts, principal)),
                             media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="laporan-{stamp}.csv"'})


@router.get("/alerts.geojson", summary="Regions in scope with level, score, open alert (GeoJSON)")
def alerts_geojson(principal: PrincipalDep, services: ServicesDep,
                   tier: Annotated[str | None, Query(max_length=20, description="kabupaten|kecamatan|desa")] = None
                   ) -> JSONResponse:
    principal.require_role("supervisor", "admin")
    if tier is not None and tier not in TIERS:
        raise invalid_parameter("tier", "Pilihan: " + ", ".join(TIERS), "One of: " + ", ".join(TIERS), "choice")
    coverage = services.alerts.coverage(services.clock())
    rows = region_rows(services.alerts, principal, tier or export_tier(principal.scope), coverage)
    plan = services.alerts.personnel.current()
    rows = [{**row, "personnel": plan.personnel(row["code"])} for row in rows]
    return JSONResponse(render_alerts_geojson(rows, services.gazetteer), media_type="application/geo+json")


@router.get("/sitrep.pdf", summary="The daily situation report (PDF, Bahasa Indonesia)")
async def sitrep_pdf(principal: PrincipalDep, services: ServicesDep,
                     day: Annotated[str | None, Query(alias="date", max_length=10,
                                                      description="YYYY-MM-DD (WIB); default today")] = None
                     ) -> Response:
    principal.require_role("supervisor", "admin")
    now = services.clock()
    report_day = _day(day, now)
    pdf = await run_in_threadpool(_render_sitrep, services, principal, report_day, now)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="sitrep-{report_day.isoformat()}.pdf"'})


def _day(text: str | None, now: datetime) -> date:
    today = now.astimezone(WIB).date()
    if text is None:
        return today
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or len(text) != 10:
        raise invalid_parameter("date", "Harus tanggal YYYY-MM-DD.", "Must be a date YYYY-MM-DD.")
    if day > today:
        raise invalid_parameter("date", "Tanggal belum terjadi.", "The date is in the future.", "future")
    if day < EARLIEST_DAY:
        raise invalid_parameter("date", f"Paling awal {EARLIEST_DAY.isoformat()}.",
                                f"Not before {EARLIEST_DAY.isoformat()}.", "too_early")
    return day


def _render_sitrep(services, principal: Principal, day: date, now: datetime) -> bytes:
    parts = sitrep_parts(services.alerts, principal, day, now)
    title = unit_title(principal.scope, services.alerts.config, services.gazetteer)
    return render_sitrep_pdf(SitrepData(date=day, scope_codes=principal.scope, scope_title=title,
                                        generated_at=now, replay=services.settings.replay is not None, **parts))


def unit_title(scope: tuple[str, ...], config, gazetteer) -> str:
    """"Polda Jambi", "Polres Kerinci", "Polsek Pesisir Bukit, Koto Baru": the unit of a scope."""
    depths = {code.count(".") + 1 for code in scope}
    if depths == {1}:
        return "Polda Jambi"
    if depths == {2}:
        names = [config.context(code).polres if config.context(code) else gazetteer.get(code).title
                 for code in scope]
        return ", ".join(dict.fromkeys(names))
    names = [gazetteer.get(code).name for code in scope]
    return ("Polsek " if depths == {3} else "Wilayah ") + ", ".join(names)

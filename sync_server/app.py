"""``create_app(settings, *, clock=None)``: the FastAPI application of the sync server."""
from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import RedirectResponse
from starlette.staticfiles import StaticFiles

from kerawanan import assets
from sync_server.alerts.service import AlertService
from sync_server.auth import Authenticator
from sync_server.coordination import coordination_for
from sync_server.errors import NulPathNotFound, install_error_handlers
from sync_server.photos import open_photo_store
from sync_server.plans import routes as plan_routes
from sync_server.routes import alerts, auth, docs, exports, health, media, regions, reports, sync, users
from sync_server.routes import rekap as rekap_routes
from sync_server.routes import sitreps as sitrep_routes
from sync_server.routes import timeline as timeline_routes
from sync_server.services import Services
from sync_server.settings import Settings
from sync_server.sitrep_schedule import DEFAULT_SECONDS, SitrepScheduler
from sync_server.sms import routes as sms_routes
from sync_server.sms.service import SmsService, runs_notifications
from sync_server.storage import open_storage
from sync_server.storage.ports import Storage
from sync_server.sweeper import sweep_periodically
from sync_server.version import VERSION

ROUTERS = (health.router, auth.router, users.router, sync.router, media.router, reports.router,
           alerts.router, regions.router, rekap_routes.router, timeline_routes.router, plan_routes.router,
           sitrep_routes.router, exports.router, docs.router, sms_routes.router)
# The officer's offline web app (``make web-offline``), served under /app/ when it has been published.
WEB_APP_PATH = "/app"
WEB_APP_DIR = Path(__file__).resolve().parents[1] / "build" / "web-offline" / "app"
DESCRIPTION = """Peta Rawan sync server, API v1. Every error answers
`{"error": {"code", "message", "details"}}`; see docs/api.md for routes, roles, scope and limits."""


def create_app(settings: Settings, *, clock: Callable[[], datetime] | None = None,
               storage: Storage | None = None) -> FastAPI:
    """The app over ``settings.db_path`` (which must be initialised: ``python -m sync_server init``).

    ``clock`` returns an aware UTC datetime (default: ``settings.clock()``, the real time unless
    ``PETA_CLOCK_FILE`` is set); ``storage`` replaces the one ``settings.db_path`` opens (tests).
    While the app runs, a background task evaluates alerts every ``settings.evaluate_seconds``
    (0: never). The storage is closed when the app shuts down.
    """
    clock = clock or settings.clock()
    storage = storage or open_storage(settings.db_path)
    gazetteer, calendar = assets.gazetteer(), assets.calendar()
    coordination = coordination_for(storage)         # which node runs the engine and the background tasks
    services = Services(settings=settings, storage=storage, clock=clock,
                        auth=Authenticator(storage, settings, clock), media=open_photo_store(settings, storage),
                        gazetteer=gazetteer, calendar=calendar,
                        alerts=AlertService(storage, assets.scoring_config(), calendar, gazetteer, clock,
                                            interval=settings.alert_interval, coordination=coordination),
                        intake=ThreadPoolExecutor(settings.intake_threads, thread_name_prefix="peta-intake"))

    sms = SmsService(storage, settings.sms, settings.quotas, clock, gazetteer, calendar, alerts=services.alerts)

    # sitreps at 06.00/18.00 WIB (PETA_SITREP_TIMES), made by the node that leads
    scheduler = SitrepScheduler.from_env(services, leads=coordination.leads)
    sitrep_seconds = float(os.environ.get("PETA_SITREP_SECONDS") or DEFAULT_SECONDS)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop, task = asyncio.Event(), None
        await asyncio.to_thread(services.alerts.start)   # PostgreSQL: join the other nodes
        if settings.evaluate_seconds > 0:
            task = asyncio.create_task(services.alerts.run_periodically(settings.evaluate_seconds, stop))
        sweeper = (asyncio.create_task(sweep_periodically(services, settings.sweep_seconds, stop,
                                                          leads=coordination.leads))
                   if settings.sweep_seconds > 0 else None)
        sms_task = (asyncio.create_task(sms.run_periodically(settings.sms.poll_seconds, stop))
                    if runs_notifications(settings.sms, several_nodes=coordination.several_nodes) else None)
        sitreps = (asyncio.create_task(scheduler.run_periodically(sitrep_seconds, stop))
                   if scheduler is not None and sitrep_seconds > 0 else None)
        yield
        stop.set()
        if task is not None:
            await task
        if sweeper is not None:
            await sweeper
        if sms_task is not None:
            await sms_task
        if sitreps is not None:
            await sitreps
        services.intake.shutdown(wait=True)
        await asyncio.to_thread(services.alerts.close)
        storage.close()

    app = FastAPI(title="Peta Rawan API", version=VERSION, description=DESCRIPTION,
                  openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None,  # docs: routes/docs.py
                  lifespan=lifespan, redirect_slashes=False)   # "/x/": 404, not a redirect to Host
    app.state.services = services
    app.state.sms = sms
    install_error_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    app.add_middleware(NulPathNotFound)
    for router in ROUTERS:
        app.include_router(router)
    web_app = web_app_dir()
    if web_app is not None:
        app.add_route(WEB_APP_PATH, lambda _request: RedirectResponse(f"{WEB_APP_PATH}/"), include_in_schema=False)
        app.mount(WEB_APP_PATH, StaticFiles(directory=web_app, html=True), name="web-app")
    return app


def web_app_dir() -> Path | None:
    """The published offline web app (``PETA_WEB_APP_DIR``, default build/web-offline/app), if there is one."""
    folder = Path(os.environ.get("PETA_WEB_APP_DIR") or WEB_APP_DIR)
    return folder if (folder / "index.html").is_file() else None


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` and ``serve --workers N``: settings from the environment."""
    return create_app(Settings.from_env())

"""``create_app(settings, *, clock=None)``: the FastAPI application of the sync server."""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from kerawanan import assets
from sync_server.auth import Authenticator
from sync_server.clock import utc_now
from sync_server.errors import install_error_handlers
from sync_server.routes import auth, health, media, reports, sync, users
from sync_server.services import Services
from sync_server.settings import Settings
from sync_server.storage import open_storage
from sync_server.storage.base import Storage
from sync_server.storage.files import MediaFiles
from sync_server.version import VERSION

ROUTERS = (health.router, auth.router, users.router, sync.router, media.router, reports.router)
DESCRIPTION = """Peta Rawan sync server, API v1. Every error answers
`{"error": {"code", "message", "details"}}`; see docs/api.md for routes, roles, scope and limits."""


def create_app(settings: Settings, *, clock: Callable[[], datetime] | None = None,
               storage: Storage | None = None) -> FastAPI:
    """The app over ``settings.db_path`` (which must be initialised: ``python -m sync_server init``).

    ``clock`` returns an aware UTC datetime (default: real time); ``storage`` replaces the SQLite
    backend (tests, other backends). The storage is closed when the app shuts down.
    """
    clock = clock or utc_now
    storage = storage or open_storage(settings.db_path)
    services = Services(settings=settings, storage=storage, clock=clock,
                        auth=Authenticator(storage, settings, clock), media=MediaFiles(settings.media_path),
                        gazetteer=assets.gazetteer(), calendar=assets.calendar())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        storage.close()

    app = FastAPI(title="Peta Rawan API", version=VERSION, description=DESCRIPTION,
                  openapi_url="/api/v1/openapi.json", docs_url="/api/v1/docs", redoc_url=None,
                  lifespan=lifespan)
    app.state.services = services
    install_error_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    for router in ROUTERS:
        app.include_router(router)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` and ``serve --workers N``: settings from the environment."""
    return create_app(Settings.from_env())

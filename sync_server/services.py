"""What every route needs — settings, storage, clock, authenticator, photo store, core data, the
alert service — gathered once by ``create_app``, plus the FastAPI dependencies that hand them out."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sync_server.auth import Authenticator
from sync_server.errors import language
from sync_server.photos import PhotoStore
from sync_server.scope import Principal
from sync_server.settings import Settings
from sync_server.storage.ports import Storage

bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <token>` from login or enroll")


@dataclass(frozen=True)
class Services:
    settings: Settings
    storage: Storage
    clock: Callable[[], datetime]
    auth: Authenticator
    media: PhotoStore               # where photo bytes live (PETA_MEDIA_STORE: directory or database)
    gazetteer: Any
    calendar: Any
    alerts: Any = None              # sync_server.alerts.service.AlertService
    intake: Executor | None = None  # the threads that validate and store pushes (Settings.intake_threads)


async def get_services(request: Request) -> Services:
    return request.app.state.services


async def get_language(request: Request) -> str:
    return language(request)


async def get_principal(request: Request, services: Annotated[Services, Depends(get_services)],
                        _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    """The authenticated caller (401 otherwise); ``_credentials`` only declares the scheme in OpenAPI.

    Runs on the event loop on purpose: the lookup is a SHA-256 and one indexed read (WAL readers
    never wait for the writer), cheaper than a hop to the thread pool.
    """
    return services.auth.principal(request.headers.get("authorization"))


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


ServicesDep = Annotated[Services, Depends(get_services)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
Lang = Annotated[str, Depends(get_language)]


async def settled_alerts(_principal: PrincipalDep, services: ServicesDep) -> None:
    """Router dependency of every alert reader: once the caller is known, wait (off the event loop)
    for the alert pass covering every push answered so far (one indexed read when none is due)."""
    alerts = services.alerts
    if alerts is not None and (alerts.pump.pending() or alerts.behind()):
        await asyncio.to_thread(alerts.settle)


AlertsSettled = Depends(settled_alerts)

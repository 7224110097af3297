"""``GET /healthz``: liveness plus a database round trip, and the server's clock.

``now`` is the server's time (UTC, ``Z``); ``replay`` is null on the real clock, else the replay
(``{"replayed_at", "real_at"}``) that every screen labels — the demo of ``make run`` replays Pilkada
2024; ``database`` is the backend the check reached (``sqlite`` or ``postgresql``). They extend
DESIGN's ``{"status", "version"}``.
"""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from sync_server.services import ServicesDep
from sync_server.version import VERSION

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness and database check")
def health(services: ServicesDep) -> JSONResponse:
    services.storage.ping()
    replay = services.settings.replay
    return JSONResponse({
        "status": "ok", "version": VERSION, "database": getattr(services.storage, "backend", None),
        "now": services.clock().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "replay": None if replay is None else {"replayed_at": replay.replayed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                               "real_at": replay.real_at.strftime("%Y-%m-%dT%H:%M:%SZ")},
    })

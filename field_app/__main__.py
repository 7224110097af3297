"""``python -m field_app``: the app in web mode, with no CDN (web client, CanvasKit and fonts served locally).

Flet's web app (``flet_web.fastapi``) runs under uvicorn behind ``field_app.web_client``, which
serves the Flutter client's big files precompressed (gzip) and cached by version (issue 14.4), and
``field_app.web_index``, which puts the lost-link banner into the page (issue 14.2).

Environment: PETA_APP_HOST (127.0.0.1), PETA_APP_PORT (8550), PETA_SERVER_URL (the sync server
offered at enrolment), FLET_APP_STORAGE_DATA (the data folder; default ./var/app), PETA_WEB_CACHE
(where the gzipped client is kept; default ./var/web-client), PETA_LINK_PROBE_SECONDS (how often the
page asks whether this server still answers; default 10).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import flet as ft

from field_app.device import AppConfig, shared_device
from field_app.main import main

ASSETS = Path(__file__).resolve().parent.parent / "assets"


def web_app():
    """The ASGI app: Flet's web app (WebSocket, patched index, the app's assets) behind the compressed client."""
    import flet_web.fastapi as flet_fastapi

    from field_app.web_client import CompressedClient
    from field_app.web_index import LinkBanner

    app = flet_fastapi.FastAPI()                     # its lifespan starts and stops Flet's session manager
    app.mount("/", flet_fastapi.app(main, assets_dir=str(ASSETS), no_cdn=True,
                                    web_renderer=ft.WebRenderer.CANVAS_KIT))
    return CompressedClient(LinkBanner(app))


def run() -> None:
    import uvicorn

    logging.basicConfig(level=os.environ.get("PETA_LOG_LEVEL", "WARNING"))
    host = os.environ.get("PETA_APP_HOST", "127.0.0.1")
    port = int(os.environ.get("PETA_APP_PORT", "8550"))
    shared_device(AppConfig.from_env())      # open the outbox before the first browser arrives
    uvicorn.run(web_app(), host=host, port=port, ws="websockets-sansio", log_level="warning")


if __name__ == "__main__":
    run()

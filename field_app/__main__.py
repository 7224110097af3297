"""``python -m field_app``: the app in web mode, with no CDN (web client, CanvasKit and fonts served locally).

Environment: PETA_APP_HOST (127.0.0.1), PETA_APP_PORT (8550), PETA_SERVER_URL (the sync server
offered at enrolment), FLET_APP_STORAGE_DATA (the data folder; default ./var/app).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import flet as ft

from field_app.device import AppConfig, shared_device
from field_app.main import main

ASSETS = Path(__file__).resolve().parent.parent / "assets"


def run() -> None:
    logging.basicConfig(level=os.environ.get("PETA_LOG_LEVEL", "WARNING"))
    host = os.environ.get("PETA_APP_HOST", "127.0.0.1")
    port = int(os.environ.get("PETA_APP_PORT", "8550"))
    shared_device(AppConfig.from_env())      # open the outbox before the first browser arrives
    os.environ.setdefault("BROWSER", "true")  # never try to open a browser on the serving host
    ft.run(main, view=ft.AppView.WEB_BROWSER, host=host, port=port, assets_dir=str(ASSETS), no_cdn=True,
           web_renderer=ft.WebRenderer.CANVAS_KIT)


if __name__ == "__main__":
    run()

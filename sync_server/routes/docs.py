"""``GET /api/v1/docs``: Swagger UI served from the installed package ``swagger-ui-bundle-v2``
(pinned in requirements.lock), never from a CDN — the page loads nothing from another host."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from swagger_ui_bundle import swagger_ui_path

from kerawanan.errors import NotFound

router = APIRouter(tags=["docs"])
DOCS = "/api/v1/docs"
OPENAPI = "/api/v1/openapi.json"
ASSETS = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8",
          "swagger-ui.css": "text/css; charset=utf-8",
          "favicon-32x32.png": "image/png"}


@router.api_route(DOCS, methods=["GET", "HEAD"], include_in_schema=False)
def docs_page() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url=OPENAPI, title="Peta Rawan API — docs",
                               swagger_js_url=f"{DOCS}/swagger-ui-bundle.js",
                               swagger_css_url=f"{DOCS}/swagger-ui.css",
                               swagger_favicon_url=f"{DOCS}/favicon-32x32.png")


@router.api_route(DOCS + "/{asset}", methods=["GET", "HEAD"], include_in_schema=False)
def docs_asset(asset: str) -> FileResponse:
    """One of the three files the page loads; anything else is 404 (no path is built from input)."""
    if asset not in ASSETS:
        raise NotFound("Berkas tidak ditemukan.", message_en="File not found.")
    return FileResponse(str(swagger_ui_path / asset), media_type=ASSETS[asset],
                        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})

"""Issue 11 §4: the API docs page loads Swagger UI from the server itself, never from a CDN."""
from __future__ import annotations

import re

from tests.server.helpers import assert_error

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def test_the_docs_page_references_no_external_host(api):
    page = api.get("/api/v1/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "SwaggerUIBundle" in page.text
    assert not EXTERNAL.search(page.text), page.text
    assert "cdn." not in page.text and "https://" not in page.text
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page.text)
    assert sorted(assets) == ["/api/v1/docs/favicon-32x32.png", "/api/v1/docs/swagger-ui-bundle.js",
                              "/api/v1/docs/swagger-ui.css"]
    for path in assets:
        asset = api.get(path)
        assert asset.status_code == 200 and len(asset.content) > 500, path
        assert asset.headers["x-content-type-options"] == "nosniff"


def test_the_bundle_is_swagger_ui_5_which_renders_openapi_3_1(api):
    bundle = api.get("/api/v1/docs/swagger-ui-bundle.js").text
    assert api.get("/api/v1/openapi.json").json()["openapi"].startswith("3.1")
    assert "openapi_3_1" in bundle.lower() or "OpenAPI31" in bundle or "3.1.0" in bundle


def test_only_the_three_assets_are_served(api):
    for name in ("index.html", "swagger-ui.js.map", "..%2F__init__.py", "swagger-initializer.js"):
        assert_error(api.get(f"/api/v1/docs/{name}"), 404)

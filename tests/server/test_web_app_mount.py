"""The offline officer app (``make web-offline``) is served under /app/ by the real server, and only then."""
from __future__ import annotations

import httpx
import pytest

from tests.server.helpers import ServerProcess


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web-app")
    (folder / "index.html").write_text("<!doctype html><title>Peta Rawan</title>", encoding="utf-8")
    (folder / "pyodide").mkdir()
    (folder / "pyodide" / "pyodide.mjs").write_text("export const x = 1;\n" * 100, encoding="utf-8")
    server = ServerProcess(tmp_path_factory.mktemp("server"), env={"PETA_WEB_APP_DIR": str(folder)})
    yield server
    server.stop()


def test_the_app_shares_the_api_origin(published):
    page = httpx.get(f"{published.url}/app/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Peta Rawan" in page.text
    module = httpx.get(f"{published.url}/app/pyodide/pyodide.mjs", headers={"Accept-Encoding": "gzip"})
    assert module.headers["content-type"].startswith("text/javascript")      # a module worker insists
    assert module.headers["content-encoding"] == "gzip"
    assert httpx.get(f"{published.url}/healthz").json()["status"] == "ok"


def test_app_without_the_slash_redirects_and_nothing_outside_the_folder_is_served(published):
    bare = httpx.get(f"{published.url}/app")
    assert bare.status_code == 307 and bare.headers["location"] == "/app/"
    for path in ("/app/missing.js", "/app/..%2fpeta.db", "/app/%2e%2e/peta.db"):
        answer = httpx.get(f"{published.url}{path}")
        assert answer.status_code == 404, path
        assert answer.json()["error"]["code"] == "not_found", path


def test_no_published_folder_no_app(tmp_path):
    server = ServerProcess(tmp_path, env={"PETA_WEB_APP_DIR": str(tmp_path / "nothing-here")})
    try:
        answer = httpx.get(f"{server.url}/app/")
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"
    finally:
        server.stop()

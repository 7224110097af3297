"""The one error shape, its languages, the last-resort 500, /healthz, OpenAPI and gzip."""
from __future__ import annotations

import re

import pytest

from sync_server.app import create_app
from sync_server.settings import Settings
from sync_server.storage import open_storage
from tests.server.helpers import Api, ThreadServer, assert_error


def test_error_shape_is_pinned(api):
    response = api.post("/api/v1/auth/login", json={"username": 5})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error": {
        "code": "request.invalid",
        "message": "Isian tidak valid.",
        "details": {"fields": {"username": "Harus teks.", "password": "Wajib diisi."},
                    "reasons": {"username": "type", "password": "required"}},
    }}


@pytest.mark.parametrize("accept, expected", [
    (None, "Tidak ditemukan."), ("id-ID,id;q=0.9", "Tidak ditemukan."), ("en-US,en;q=0.8", "Not found."),
    ("EN", "Not found."), ("fr, en;q=0.5", "Tidak ditemukan."),
])
def test_messages_are_indonesian_unless_english_comes_first(api, accept, expected):
    headers = {"Accept-Language": accept} if accept else {}
    assert assert_error(api.get("/no/such/route", headers=headers), 404)["message"] == expected


def test_english_validation_fields(api):
    error = assert_error(api.post("/api/v1/auth/login", json={}, headers={"Accept-Language": "en"}), 422)
    assert error["details"]["fields"] == {"username": "Required.", "password": "Required."}


def test_healthz(api):
    body = api.get("/healthz").json()
    assert {key: body[key] for key in ("status", "version", "replay")} == {"status": "ok", "version": "0.1.0",
                                                                           "replay": None}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["now"])


def test_responses_are_gzipped_when_accepted(api, world):
    response = api.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["openapi"].startswith("3.")


def test_openapi_declares_request_bodies_and_bearer_auth(api):
    spec = api.get("/api/v1/openapi.json").json()
    push = spec["paths"]["/api/v1/sync/push"]["post"]
    schema = push["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["reports"]["maxItems"] == 500
    assert "application/json" in spec["paths"]["/api/v1/reports/{report_id}/review"]["post"]["requestBody"]["content"]
    assert "image/jpeg" in spec["paths"]["/api/v1/media/{sha256}"]["put"]["requestBody"]["content"]
    assert any(s.get("scheme") == "bearer" for s in spec["components"]["securitySchemes"].values())


@pytest.fixture
def local(tmp_path):
    """An in-process app (served by uvicorn in a thread) over a fresh database."""
    db = tmp_path / "local.db"
    open_storage(db, migrate=True).close()
    app = create_app(Settings(db_path=db, media_dir=tmp_path / "media"))
    server = ThreadServer(app)
    yield app, Api(server.url)
    server.stop()


def test_unexpected_errors_are_500_in_the_same_shape(local):
    app, client = local

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    error = assert_error(client.get("/boom"), 500, "internal")
    assert "kaboom" not in error["message"]


def test_healthz_is_503_when_the_database_is_unreachable(local):
    app, client = local
    assert client.get("/healthz").status_code == 200
    app.state.services.storage.close()
    response = client.get("/healthz")
    assert_error(response, 503, "unavailable")
    assert response.headers["Retry-After"] == "5"          # a client knows when to try again

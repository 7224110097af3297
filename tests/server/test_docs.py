"""docs/api.md documents every route and every error code the server can answer."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

import kerawanan.errors
import sync_server.errors
import sync_server.storage.sqlite
from sync_server.app import ROUTERS
from tests.server.helpers import ROOT

DOC = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
SOURCES = [path for path in (ROOT / "sync_server").rglob("*.py") if path.name != "demo.py"]


def routes() -> list[str]:
    found = ["GET /api/v1/openapi.json"]
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            found += [f"{method} {route.path}" for method in sorted(route.methods)]
    return found


def error_codes() -> set[str]:
    codes = set()
    for module in (kerawanan.errors, sync_server.errors, sync_server.storage.sqlite):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, kerawanan.errors.KerawananError):
                codes.add(cls.code)
    for path in SOURCES:
        codes.update(re.findall(r'code="([a-z_.]+)"', path.read_text(encoding="utf-8")))
        codes.update(re.findall(r'"code": "([a-z_]+\.[a-z_.]+)"', path.read_text(encoding="utf-8")))
    return codes


def test_the_lists_are_not_empty():
    assert len(routes()) >= 16
    assert {"report.invalid", "report.conflict", "media.hash_mismatch", "rate_limited"} <= error_codes()


@pytest.mark.parametrize("route", routes())
def test_every_route_is_documented(route):
    assert f"`{route}" in DOC


@pytest.mark.parametrize("code", sorted(error_codes()))
def test_every_error_code_is_documented(code):
    assert f"`{code}`" in DOC


def test_every_status_of_the_error_table_is_documented():
    for status in (400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 429, 500, 503):
        assert re.search(rf"^\| {status} \| `", DOC, re.MULTILINE), status


def test_doc_links_to_files_that_exist():
    for name in re.findall(r"`(tests/server/[a-z_]+\.py)`", DOC):
        assert (ROOT / name).exists(), name
    assert Path(ROOT / "docs" / "api.md").exists()

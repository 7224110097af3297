"""Bad request bodies get the documented 4xx in the one error shape — never a 500."""
from __future__ import annotations

import gzip
import json

import pytest

from tests.server.helpers import assert_error, report

PUSH = "/api/v1/sync/push"
JSON = {"Content-Type": "application/json"}
MiB = 1024 * 1024


def send(api, token, content: bytes, headers=None, path=PUSH):
    return api.post(path, token=token, content=content, headers={**JSON, **(headers or {})})


@pytest.fixture(scope="module")
def officer(world):
    return world.officer()


@pytest.mark.parametrize("content, reason", [
    (b'{"reports": [', "json"),
    (b"", "json"),
    (b'{"reports": [NaN]}', "json"),
    (b'{"reports": [Infinity]}', "json"),
    (b"\xff\xfe{}", "encoding"),
    (b'{"reports": ["\\ud800"]}', "encoding"),
    (b"[" * 100_000 + b"]" * 100_000, "depth"),
    (b'{"reports": ' + b"[" * 40 + b"]" * 40 + b"}", "depth"),
    (b'{"reports": [1' + b"0" * 5000 + b"]}", "json"),
])
def test_malformed_bodies_are_400(api, officer, content, reason):
    error = assert_error(send(api, officer.token, content), 400, "request.malformed")
    assert error["details"]["reason"] == reason


@pytest.mark.parametrize("headers", [
    {"Content-Type": "text/plain"},
    {"Content-Type": "application/x-www-form-urlencoded"},
    {"Content-Type": ""},
    {"Content-Type": "application/json; charset=latin-1"},
    {"Content-Encoding": "br"},
])
def test_wrong_content_type_or_encoding_is_415(api, officer, headers):
    response = send(api, officer.token, json.dumps({"reports": []}).encode(), headers=headers)
    assert_error(response, 415, "request.media_type")


def test_charset_utf8_is_fine(api, officer):
    response = send(api, officer.token, b'{"reports": []}', {"Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 200


@pytest.mark.parametrize("body, field", [
    ([], "$"),
    ({}, "reports"),
    ({"reports": {}}, "reports"),
    ({"reports": None}, "reports"),
    ({"reports": [], "extra": True}, "extra"),
])
def test_wrong_envelope_is_422(api, officer, body, field):
    error = assert_error(send(api, officer.token, json.dumps(body).encode()), 422, "request.invalid")
    assert field in error["details"]["fields"]


def test_501_reports_is_413(api, officer):
    body = {"reports": [{"id": str(i)} for i in range(501)]}
    error = assert_error(send(api, officer.token, json.dumps(body).encode()), 413, "request.too_large")
    assert error["details"]["limit_reports"] == 500


def test_over_2_mib_is_413_plain_and_gzipped(api, officer):
    big = json.dumps({"reports": [report(facts="x" * 3 * MiB)]}).encode()
    assert_error(send(api, officer.token, big), 413, "request.too_large")
    assert_error(send(api, officer.token, gzip.compress(big), {"Content-Encoding": "gzip"}), 413)


def test_gzip_bomb_is_refused(api, officer):
    bomb = gzip.compress(b'{"reports": ["' + b"A" * (200 * MiB) + b'"]}', compresslevel=9)
    assert len(bomb) < MiB
    assert_error(send(api, officer.token, bomb, {"Content-Encoding": "gzip"}), 413, "request.too_large")


@pytest.mark.parametrize("content", [b"not gzip at all", gzip.compress(b'{"reports": []}')[:-6],
                                     gzip.compress(b'{"reports": []}') + b"trailing"])
def test_broken_gzip_is_400(api, officer, content):
    error = assert_error(send(api, officer.token, content, {"Content-Encoding": "gzip"}), 400, "request.malformed")
    assert error["details"]["reason"] == "gzip"


def test_huge_strings_and_wrong_types_inside_reports_are_invalid_results(api, officer):
    reports = [report(facts="x" * 5000), report(opinion=["list"]), report(people_count=10**30),
               report(location={"lat": "x", "lon": 1e308}), report(id="not-a-uuid"), report(media="abc"),
               {"id": None}, 17, None]
    body = api.push(officer.token, reports)
    assert [r["status"] for r in body["results"]] == ["invalid"] * len(reports)
    assert all(r["error"]["fields"] for r in body["results"])


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/auth/enroll", "/api/v1/users"])
def test_other_json_routes_have_a_smaller_cap(api, world, path):
    body = json.dumps({"username": "x" * (100 * 1024)}).encode()
    assert_error(send(api, world.admin.token, body, path=path), 413, "request.too_large")
    assert_error(send(api, world.admin.token, b"{", path=path), 400, "request.malformed")
    assert_error(send(api, world.admin.token, b"{}", {"Content-Type": "text/plain"}, path=path), 415)


def test_unknown_route_and_method(api, world):
    assert_error(api.get("/api/v1/nothing-here", token=world.admin.token), 404, "not_found")
    assert_error(api.request("DELETE", "/api/v1/me", token=world.admin.token), 405, "request.method_not_allowed")

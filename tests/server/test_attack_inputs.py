"""Oversized and malformed inputs not covered by test_bodies.py: headers, query strings, invalid
UTF-8 and duplicate keys on every JSON route, numbers JSON parsers disagree on (``1e999``, huge
integers, ``-0``), wrong top-level types. Always a 4xx in the one error shape (or a push result
``invalid``), never a 500; the server stays up.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.server.helpers import PASSWORD, assert_error, fresh_kecamatan, raw_http, report

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def scene(api, world):
    kecamatan, desa = fresh_kecamatan()
    officer, supervisor = world.officer(desa[0]), world.supervisor(kecamatan)
    sent = report(
        desa_code=desa[0],
        category="bentrok",
        source_reliability="A",
        info_credibility=1,
        observed_at=datetime.now(UTC).isoformat(),
    )
    assert api.push(officer.token, [sent])["results"][0]["status"] == "created"
    alerts = api.get("/api/v1/alerts", token=supervisor.token, params={"region": desa[0]}).json()["items"]
    assert alerts, "a GN clash graded A1 opens an alert"
    return {
        "officer": officer,
        "supervisor": supervisor,
        "admin": world.admin,
        "desa": desa[0],
        "report_id": sent["id"],
        "alert_id": alerts[0]["id"],
    }


def json_routes(scene) -> list[tuple[str, str | None, dict]]:
    """(path, token, a valid body) of every route that reads a JSON body."""
    return [
        ("/api/v1/auth/login", None, {"username": scene["officer"].username, "password": PASSWORD}),
        (
            "/api/v1/auth/enroll",
            None,
            {"nrp": scene["officer"].username, "code": "AAAA-AAAA", "device_name": "HP"},
        ),
        (
            "/api/v1/users",
            scene["admin"].token,
            {
                "username": "calon",
                "name": "Calon",
                "role": "officer",
                "scope": [scene["desa"]],
                "password": PASSWORD,
            },
        ),
        (
            f"/api/v1/reports/{scene['report_id']}/review",
            scene["supervisor"].token,
            {"verdict": "confirm", "grade": "B2", "note": "catatan"},
        ),
        (
            f"/api/v1/alerts/{scene['alert_id']}/actions",
            scene["supervisor"].token,
            {"action": "acknowledge", "note": "catatan"},
        ),
        ("/api/v1/sync/push", scene["officer"].token, {"reports": [report(desa_code=scene["desa"])]}),
    ]


def post(api, path, token, content: bytes, headers=None):
    return api.post(
        path, token=token, content=content, headers={**JSON, "If-Match": '"1"', **(headers or {})}
    )


@pytest.mark.parametrize("size", [8 * 1024, 256 * 1024, 4 * 1024 * 1024])
def test_oversized_headers_never_break_the_server(server, scene, size):
    """uvicorn's httptools parser sets no header size limit (see docs/reliability.md "Attacks"):
    a huge header is carried to the app, which answers normally; a huge token is a plain 401."""
    token = scene["officer"].token
    big = raw_http(
        server.url, "GET", b"/api/v1/me", {"Authorization": f"Bearer {token}", "X-Pad": "a" * size}
    )
    assert big.status == 200 and big.json()["username"] == scene["officer"].username
    huge_token = raw_http(server.url, "GET", b"/api/v1/me", {"Authorization": "Bearer " + "a" * size})
    assert huge_token.status == 401 and huge_token.json()["error"]["code"] == "auth.unauthorized"
    language = raw_http(server.url, "GET", b"/nope", {"Accept-Language": "en," * (size // 3)})
    assert language.status == 404 and language.json()["error"]["code"] == "not_found"


def test_many_headers_and_repeated_auth_headers(server, scene):
    token = scene["officer"].token
    many = {f"X-H{i}": "v" for i in range(3000)}
    assert (
        raw_http(server.url, "GET", b"/api/v1/me", {"Authorization": f"Bearer {token}", **many}).status == 200
    )
    # Two Authorization headers, a bad one first: refused — a valid second one is not looked for.
    response = raw_http(
        server.url, "GET", b"/api/v1/me", {"Authorization": "Bearer nope", "authorization": f"Bearer {token}"}
    )
    assert response.status == 401 and response.json()["error"]["code"] == "auth.unauthorized"


@pytest.mark.parametrize(
    "path, params",
    [
        ("/api/v1/reports", {"region": "1" * 60_000}),
        ("/api/v1/reports", {"since": "2024-" + "9" * 60_000}),
        ("/api/v1/alerts", {"cursor": "9" * 60_000}),
        ("/api/v1/sync/pull", {"cursor": "9" * 60_000}),
        ("/api/v1/export/alerts.geojson", {"tier": "x" * 60_000}),
        ("/api/v1/export/sitrep.pdf", {"date": "2024-11-27" + "0" * 60_000}),
        ("/api/v1/alerts", {f"p{i}": "1" for i in range(5000)}),
        ("/api/v1/reports", [("limit", str(i)) for i in range(1, 3000)]),
        ("/api/v1/sync/pull", [("cursor", "-1"), ("cursor", "0")] * 1000),
        ("/api/v1/reports", {"region": "\ufffd\u0000\u202e", "category": "%00", "since": "\x00"}),
    ],
)
def test_long_and_many_query_parameters_are_4xx_or_ignored(api, scene, path, params):
    response = api.get(path, token=scene["admin"].token, params=params)
    assert response.status_code in (200, 422), response.text[:300]
    if response.status_code == 422:
        assert_error(response, 422, "request.invalid")


def test_a_request_line_over_64_kib_is_refused_by_the_parser(server, scene):
    response = raw_http(
        server.url,
        "GET",
        b"/api/v1/reports?region=" + b"1" * 70_000,
        {"Authorization": f"Bearer {scene['admin'].token}"},
    )
    assert response.status == 400 and response.body == b"Invalid HTTP request received."
    assert raw_http(server.url, "GET", b"/healthz").status == 200


def test_invalid_percent_encoding_in_the_query_is_not_a_500(server, scene):
    for query in (b"region=%ff%fe", b"region=%", b"region=%zz", b"limit=%00", b"cursor=%c0%80", b"%ff=1"):
        response = raw_http(
            server.url,
            "GET",
            b"/api/v1/reports?" + query,
            {"Authorization": f"Bearer {scene['admin'].token}"},
        )
        assert response.status in (200, 422), (query, response.body[:200])


@pytest.mark.parametrize(
    "content",
    [
        b'{"username": "\xc3\x28", "password": "x"}',  # invalid 2-byte sequence
        b'{"username": "\xed\xa0\x80", "password": "x"}',  # an encoded surrogate
        b'{"username": "\xf8\x88\x80\x80\x80"}',  # 5-byte form
        b'\xef\xbb\xbf{"username": "a", "password": "b"}',  # UTF-8 BOM
        b'{"username": "a\x00", "password": "b"}',  # raw control character inside a string
    ],
)
def test_invalid_utf8_and_raw_control_bytes_are_400_on_every_json_route(api, scene, content):
    for path, token, _ in json_routes(scene):
        error = assert_error(post(api, path, token, content), 400, "request.malformed")
        assert error["details"]["reason"] in ("encoding", "json")


def duplicated(body: dict) -> bytes:
    """``body`` as JSON with its first key written twice (the second time with a decoy value)."""
    key = next(iter(body))
    text = json.dumps(body)
    return ("{" + json.dumps(key) + ": " + json.dumps("admin") + ", " + text[1:]).encode()


def test_duplicate_keys_are_400_on_every_json_route(api, scene):
    """Which of two values a parser keeps differs between parsers (a proxy may check one and the
    server use the other): an object naming a key twice is refused."""
    for path, token, body in json_routes(scene):
        error = assert_error(post(api, path, token, duplicated(body)), 400, "request.malformed")
        assert error["details"]["reason"] == "json"
    nested = {"reports": [{**report(desa_code=scene["desa"])}]}
    text = json.dumps(nested).replace('"facts": ', '"facts": "pertama", "facts": ', 1)
    assert_error(
        post(api, "/api/v1/sync/push", scene["officer"].token, text.encode()), 400, "request.malformed"
    )
    sneaky = b'{"username": "tidak-ada", "password": "x", "username": "admin"}'
    assert_error(post(api, "/api/v1/auth/login", None, sneaky), 400, "request.malformed")


NUMBERS = [
    b"1e999",
    b"-1e999",
    b"1e-999",
    b"-0",
    b"1" + b"0" * 400,
    b"-" + b"9" * 400,
    b"1.5e308",
    b"0.1e-320",
]


@pytest.mark.parametrize("number", NUMBERS, ids=lambda n: n[:12].decode())
def test_extreme_numbers_in_every_field_are_4xx(api, scene, number):
    for path, token, body in json_routes(scene):
        if path.endswith("/sync/push"):
            continue
        for key in body:
            text = json.dumps({**body, key: "__N__"}).replace('"__N__"', number.decode()).encode()
            response = post(api, path, token, text)
            assert 400 <= response.status_code < 500, (path, key, number, response.text[:300])
            assert_error(response, response.status_code)


@pytest.mark.parametrize("number", NUMBERS, ids=lambda n: n[:12].decode())
def test_extreme_numbers_in_reports_are_invalid_results_and_read_back_fine(api, scene, number):
    fields = [
        "id",
        "observed_at",
        "category",
        "threat_stage",
        "desa_code",
        "facts",
        "people_count",
        "info_credibility",
        "source_reliability",
        "tps",
        "lat",
        "lon",
        "accuracy_m",
        "supersedes",
    ]
    reports, sent = [], []
    for key in fields:
        base = report(desa_code=scene["desa"], location={"lat": -2.03, "lon": 101.39, "accuracy_m": 12.0})
        sent.append(base["id"])
        if key in ("lat", "lon", "accuracy_m"):
            base["location"][key] = "__N__"
        else:
            base[key] = "__N__"
        reports.append(base)
    text = json.dumps({"reports": reports}).replace('"__N__"', number.decode()).encode()
    response = post(api, "/api/v1/sync/push", scene["officer"].token, text)
    assert response.status_code == 200, response.text[:300]
    results = response.json()["results"]
    assert [r["status"] for r in results].count("created") + [r["status"] for r in results].count(
        "invalid"
    ) == len(fields)
    for report_id, result in zip(sent, results, strict=True):
        if result["status"] == "created":  # e.g. 1e-999 is 0.0, a fine accuracy
            again = api.get(f"/api/v1/reports/{report_id}", token=scene["officer"].token)
            assert again.status_code == 200 and json.loads(again.text)["id"] == report_id


@pytest.mark.parametrize("content", [b'"teks"', b"17", b"null", b"true", b"[]", b'[{"username": "a"}]'])
def test_wrong_top_level_types_are_422(api, scene, content):
    for path, token, _ in json_routes(scene):
        assert_error(post(api, path, token, content), 422, "request.invalid")


def test_huge_keys_and_many_keys_are_refused(api, scene):
    for path, token, body in json_routes(scene):
        assert_error(post(api, path, token, json.dumps({**body, "k" * 60_000: 1}).encode()), 422)
        many = {**body, **{f"k{i}": i for i in range(5000)}}
        response = post(api, path, token, json.dumps(many).encode())
        assert response.status_code in (413, 422), response.text[:200]
        assert_error(response, response.status_code)

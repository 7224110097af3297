"""Path tricks on every route that takes a path parameter: media, reports, alerts, regions, users,
devices. Requests go out byte for byte over a socket (``raw_http``), so ``..``, percent-escapes,
NUL and non-ASCII reach the server exactly as an attacker would send them.

Expected: a 4xx in the one error shape (the app's 404/405/422), never a 500, never a byte of a file
outside the media folder, no file created outside it. Targets that are not even valid HTTP (a raw
NUL or non-ASCII byte, a request line over 64 KiB) are refused by uvicorn's parser with a plain
``400 Invalid HTTP request received.`` before the app sees them — also never a 500.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import pytest

from tests.server.helpers import RawResponse, assert_error, fresh_kecamatan, raw_http, report


@pytest.fixture(scope="module")
def setup(server, api, world):
    kecamatan, desa = fresh_kecamatan()
    officer, supervisor = world.officer(desa[0]), world.supervisor(kecamatan)
    photo = b"\xff\xd8\xff\xe0" + os.urandom(700)
    sha = hashlib.sha256(photo).hexdigest()
    assert api.request("PUT", f"/api/v1/media/{sha}", token=officer.token, content=photo).status_code == 201
    sent = report(desa_code=desa[0], media=[sha])
    assert api.push(officer.token, [sent])["results"][0]["status"] == "created"
    workdir = server.workdir
    canary = secrets.token_hex(16)
    (workdir / "canary.txt").write_text(canary)
    return {
        "officer": officer,
        "supervisor": supervisor,
        "admin": world.admin,
        "sha": sha,
        "photo": photo,
        "report_id": sent["id"],
        "desa": desa[0],
        "kecamatan": kecamatan,
        "canary": canary,
        "workdir": workdir,
        "media_dir": Path(server.env["PETA_MEDIA_DIR"]),
    }


def files_outside_media(setup) -> set[Path]:
    media = setup["media_dir"].resolve()
    return {
        p for p in setup["workdir"].rglob("*") if media not in p.resolve().parents and p.resolve() != media
    }


def leaked(response: RawResponse, setup) -> bool:
    return any(
        marker in response.body
        for marker in (setup["canary"].encode(), b"root:x:0:0", b"SQLite format 3", b"[Install]")
    )


def check(response: RawResponse, setup, target: bytes) -> None:
    assert 400 <= response.status < 500, (target, response.status, response.body[:300])
    assert not leaked(response, setup), target
    if response.headers.get("content-type", "").startswith("application/json") and response.body:
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    else:  # only HEAD answers (no body) and uvicorn's own parser refusals are not JSON
        assert response.body in (b"", b"Invalid HTTP request received."), (target, response.body[:200])


def traversal(prefix: str, sha: str, *, aliases: bool = True) -> list[bytes]:
    """Tricks on one path parameter after ``prefix`` (e.g. ``/api/v1/media/``) around a real name
    ``sha``; ``aliases=False`` leaves out its upper-case spelling."""
    tricks = [
        "../../etc/passwd",
        "..%2f..%2fetc%2fpasswd",
        "%2e%2e%2f%2e%2e%2fpeta.db",
        "%2e%2e/%2e%2e/canary.txt",
        "..%5c..%5ccanary.txt",
        "..\\..\\canary.txt",
        "%252e%252e%252fcanary.txt",
        "%2fetc%2fpasswd",
        "%2Fetc%2Fpasswd",
        "..%c0%af..%c0%afetc%c0%afpasswd",
        "%2e%2e",
        ".",
        "%2e",
        "~root",
        "*",
        "%25",
        f"{sha[:2]}/{sha[2:4]}/{sha}",
        f"{sha[:2]}%2f{sha[2:4]}%2f{sha}",
        f"../media/{sha}",
        f"{sha}/../{sha}",
        sha[:-1],
        sha + "0",
        sha[:-1] + "G",
        sha + "%00",
        sha[:-1] + "%00",
        sha + "%0a",
        sha + "/",
        "%00",
        "a" * 5000,
        "%ff%fe" * 32,
        "%C3%A9" * 32,
        "%EF%BC%90" * 64,
        "%e2%80%ae" + sha[3:],
        "'%20OR%20'1'='1",
        "x%27%20OR%201%3D1--",
        "15%25",
        "%5F",
        "%20" + sha,
    ]
    if aliases:  # names are lowercase hex only; report ids are compared lower-cased
        tricks.append(sha.upper())
    return [(prefix + trick).encode() for trick in tricks]


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT"])
def test_media_path_tricks_are_4xx_and_read_nothing_outside_the_media_folder(server, setup, method):
    before = files_outside_media(setup)
    headers = {"Authorization": f"Bearer {setup['officer' if method == 'PUT' else 'admin'].token}"}
    body = setup["photo"] if method == "PUT" else b""
    for target in traversal("/api/v1/media/", setup["sha"]):
        check(raw_http(server.url, method, target, headers, body), setup, target)
    assert files_outside_media(setup) == before
    legit = raw_http(server.url, "GET", f"/api/v1/media/{setup['sha']}".encode(), headers)
    assert legit.status == 200 and legit.body == setup["photo"]


def test_report_alert_region_user_and_device_path_tricks(server, setup):
    admin = {"Authorization": f"Bearer {setup['admin'].token}"}
    prefixes = {
        "GET": ["/api/v1/reports/", "/api/v1/alerts/", "/api/v1/regions/"],
        "POST": [
            "/api/v1/reports/{}/review",
            "/api/v1/alerts/{}/actions",
            "/api/v1/users/{}/enrollment-codes",
        ],
        "DELETE": ["/api/v1/devices/"],
    }
    for method, templates in prefixes.items():
        for template in templates:
            prefix, _, suffix = (template if "{}" in template else template + "{}").partition("{}")
            for trick in traversal(prefix, setup["report_id"], aliases=False):
                target = trick + suffix.encode()
                body = b'{"verdict": "confirm"}' if method == "POST" else b""
                headers = {**admin, "Content-Type": "application/json", "If-Match": '"1"'}
                check(raw_http(server.url, method, target, headers, body), setup, target)


NUL_IN_PATH_IDS = [  # (caller, method, target, body): a caller whose role may use the route, a valid body
    ("admin", "GET", "/api/v1/alerts/abc%00def", b""),
    ("supervisor", "POST", "/api/v1/alerts/abc%00def/actions", b'{"action": "acknowledge"}'),
    ("admin", "GET", "/api/v1/reports/{report}%00", b""),
    ("supervisor", "POST", "/api/v1/reports/{report}%00/review", b'{"verdict": "confirm"}'),
    ("admin", "GET", "/api/v1/regions/{kecamatan}%00", b""),
    ("admin", "GET", "/api/v1/regions/%00/officers", b""),
    ("admin", "GET", "/api/v1/users/admin%00", b""),
    ("admin", "POST", "/api/v1/users/admin%00/enrollment-codes", b""),
    ("admin", "DELETE", "/api/v1/devices/%00", b""),
    ("admin", "GET", "/api/v1/media/{sha}%00", b""),
]


@pytest.mark.parametrize("caller, method, template, body", NUL_IN_PATH_IDS)
def test_an_encoded_nul_in_a_path_id_is_not_found_on_every_backend(server, setup, caller, method, template, body):
    """An id holding NUL (``%00``) cannot exist: 404 ``not_found`` in the one error shape, in Indonesian
    and in English, on SQLite (which looks and finds nothing) and on PostgreSQL (which refuses NUL in
    text) alike."""
    target = template.format(report=setup["report_id"], kecamatan=setup["kecamatan"], sha=setup["sha"]).encode()
    headers = {"Authorization": f"Bearer {setup[caller].token}", "Content-Type": "application/json",
               "If-Match": '"1"'}
    answers = [raw_http(server.url, method, target, {**headers, "Accept-Language": lang}, body)
               for lang in ("id", "en")]
    for response in answers:
        assert response.status == 404, (target, response.status, response.body[:300])
        check(response, setup, target)
        assert response.json()["error"]["code"] == "not_found"
    assert answers[0].json()["error"]["message"] != answers[1].json()["error"]["message"]


@pytest.mark.parametrize(
    "target",
    [
        b"/api/v1/media/ab\x00cd",
        b"/api/v1/media/\xc3\xa9\xc3\xa9",
        b"/api/v1/reports/\xff\xfe",
        b"/api/v1/regions/15\x00",
        b"/api/v1/media/" + b"a" * 70_000,
        b"/api/v1/media/\x7f",
        b"/api/v1/reports/\t..",
    ],
)
def test_targets_that_are_not_http_are_refused_by_the_parser(server, setup, target):
    response = raw_http(server.url, "GET", target, {"Authorization": f"Bearer {setup['admin'].token}"})
    check(response, setup, target)
    assert raw_http(server.url, "GET", b"/healthz").status == 200


def test_region_codes_with_sql_wildcards_match_nothing(server, api, setup):
    """``%`` and ``_`` are LIKE wildcards in SQL: as a region code or filter they must match no
    region, so they cannot widen a supervisor's view."""
    outsider = setup["supervisor"]  # scope: one kecamatan
    for code in ("%", "15%", "15.%", "15._", "1_", "_", "15.72.07.2004%", "15.71%25", "*", "15.*"):
        assert_error(api.get(f"/api/v1/regions/{code}", token=outsider.token), 404, "not_found")
        assert_error(api.get(f"/api/v1/regions/{code}", token=setup["admin"].token), 404, "not_found")
        for route in ("/api/v1/reports", "/api/v1/alerts"):
            response = api.get(route, token=outsider.token, params={"region": code})
            assert_error(response, 422, "request.invalid")
    own = api.get(f"/api/v1/regions/{setup['kecamatan']}", token=outsider.token)
    assert own.status_code == 200 and own.json()["code"] == setup["kecamatan"]
    assert_error(api.get("/api/v1/regions/15", token=outsider.token), 404, "not_found")


def test_a_report_id_in_another_case_or_with_padding_is_the_same_or_nothing(api, setup):
    """Report ids are UUIDs: upper case reads the same report (ids are compared lower-cased), any
    other padding or encoding is simply not found — never someone else's report."""
    officer, report_id = setup["officer"], setup["report_id"]
    assert api.get(f"/api/v1/reports/{report_id.upper()}", token=officer.token).json()["id"] == report_id
    for variant in (
        f" {report_id}",
        f"{report_id} ",
        report_id.replace("-", ""),
        "{" + report_id + "}",
        f"urn:uuid:{report_id}",
        report_id + "%",
    ):
        assert_error(api.get(f"/api/v1/reports/{variant}", token=officer.token), 404, "not_found")


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/v1/me/"),
        ("POST", "/api/v1/sync/push/"),
        ("GET", "/api/v1/reports/"),
        ("GET", "/healthz/"),
    ],
)
def test_a_trailing_slash_is_404_not_a_redirect_to_the_host_header(server, setup, method, path):
    """A redirect would be built from the client's Host header (``Location: http://evil.example/…``)
    and a 307 makes a client resend its body and token there."""
    headers = {"Host": "evil.example", "Authorization": f"Bearer {setup['officer'].token}"}
    response = raw_http(server.url, method, path.encode(), headers, b"{}" if method == "POST" else b"")
    assert response.status == 404 and "location" not in response.headers
    assert response.json()["error"]["code"] == "not_found"

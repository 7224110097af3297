"""No secret ever appears in the server's log, in an error answer, or in the database file.

A real server runs with ``--log-level debug`` (uvicorn's access log on: the chattiest setting) and
its output captured to a file. The test logs in, fails logins, hits the rate limit, issues and
uses enrollment codes (through the API and the CLI), enrolls, pushes, uploads, logs out, and sends
bad, tampered, revoked and wrongly-schemed tokens and bodies that fail validation with secrets in
them. Then none of the secrets — passwords (right and wrong), tokens, enrollment codes as shown and
as typed, Authorization header values — may appear in the log, in any error response (body or
headers), in any answer other than the one that issued it, or in the SQLite files.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from pathlib import Path

import httpx
import pytest

from tests.server.helpers import PASSWORD, Api, ServerProcess, cli, report, unique

SECRET_WORDS = re.compile(r"token|pass|secret|key|auth|sandi|otp|enrol|pin", re.IGNORECASE)


class Recorder(Api):
    """An ``Api`` that keeps every exchange: (method, path, status, headers, body text)."""

    def __init__(self, url: str):
        super().__init__(url)
        self.exchanges: list[tuple[str, str, int, str, str]] = []

    def request(self, method, path, *, token=None, **kwargs) -> httpx.Response:
        response = super().request(method, path, token=token, **kwargs)
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        self.exchanges.append((method, path, response.status_code, headers, response.text))
        return response


def variants(code: str) -> list[str]:
    """An enrollment code as shown (``ABCD-EFGH``) and as it may be typed or stored."""
    bare = code.replace("-", "")
    return [code, bare, bare.lower(), code.lower(), f"{bare[:4]} {bare[4:]}"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Drive the server through every secret-bearing flow; return what was said and the secrets."""
    workdir = tmp_path_factory.mktemp("secrets")
    server = ServerProcess(
        workdir,
        env={"PETA_EVALUATE_SECONDS": "0", "PETA_LOGIN_FAILURES_PER_ACCOUNT": "3"},
        serve_args=("--log-level", "debug"),
    )
    api = Recorder(server.url)
    secret: dict[str, list[str]] = {"password": [PASSWORD], "token": [], "code": [], "header": []}
    try:
        admin = api.login("admin")
        secret["token"].append(admin)
        officer, victim, boss = unique("nrp"), unique("nrp"), unique("sup")
        for username, role, scope in (
            (officer, "officer", "15.72.07.2004"),
            (boss, "supervisor", "15.72.07"),
            (victim, "officer", "15.72.07.2004"),
        ):
            password = f"Rahasia-{secrets.token_hex(8)}"
            secret["password"].append(password)
            assert (
                api.post(
                    "/api/v1/users",
                    token=admin,
                    json={
                        "username": username,
                        "name": "Uji",
                        "role": role,
                        "scope": [scope],
                        "password": password,
                    },
                ).status_code
                == 201
            )
        officer_password, boss_password, victim_password = secret["password"][1:4]
        boss_token = api.login(boss, boss_password)
        secret["token"].append(boss_token)
        # Wrong passwords (one close to the right one), an unknown user, then the account locks.
        wrong = [victim_password + "x", f"Salah-{secrets.token_hex(6)}", victim_password.upper()]
        secret["password"] += wrong
        for attempt in wrong:
            assert (
                api.post("/api/v1/auth/login", json={"username": victim, "password": attempt}).status_code
                == 401
            )
        assert (
            api.post("/api/v1/auth/login", json={"username": victim, "password": victim_password}).status_code
            == 429
        )
        ghost = f"Hantu-{secrets.token_hex(6)}"
        secret["password"].append(ghost)
        api.post("/api/v1/auth/login", json={"username": "tidak-ada", "password": ghost})
        # Validation failures carrying secrets: too long, wrong type, too short, a taken username.
        long_secret = f"Panjang-{secrets.token_hex(8)}" + "p" * 300
        short_secret = secrets.token_hex(3)
        secret["password"] += [long_secret[:40], short_secret]
        api.post("/api/v1/auth/login", json={"username": boss, "password": long_secret})
        api.post("/api/v1/auth/login", json={"username": boss, "password": [boss_password]})
        api.post(
            "/api/v1/users",
            token=admin,
            json={
                "username": unique("nrp"),
                "name": "Uji",
                "role": "officer",
                "scope": ["15.72.07.2004"],
                "password": short_secret,
            },
        )
        api.post(
            "/api/v1/users",
            token=admin,
            json={
                "username": boss,
                "name": "Uji",
                "role": "supervisor",
                "scope": ["15.72.07"],
                "password": boss_password,
            },
        )
        api.post(
            "/api/v1/auth/login",
            content=b'{"username": "%s", "password": "%s"' % (boss.encode(), boss_password.encode()),
            headers={"Content-Type": "application/json"},
        )
        # Enrollment codes: from a supervisor through the API, and from the CLI.
        issued = api.post(f"/api/v1/users/{officer}/enrollment-codes", token=boss_token).json()["code"]
        secret["code"].append(issued)
        wrong_code = issued[:-1] + ("2" if issued[-1] != "2" else "3")
        secret["code"].append(wrong_code)
        api.post("/api/v1/auth/enroll", json={"nrp": officer, "code": wrong_code, "device_name": "HP"})
        api.post("/api/v1/auth/enroll", json={"nrp": officer, "code": issued + "X" * 40, "device_name": "HP"})
        printed = cli(server.db, "enrollment-code", "--username", officer, env=server.env)
        assert printed.returncode == 0, printed.stderr
        from_cli = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", printed.stdout).group(0)
        secret["code"].append(from_cli)
        enrolled = api.post(
            "/api/v1/auth/enroll",
            json={"nrp": officer, "code": from_cli.lower().replace("-", " "), "device_name": "HP Uji"},
        )
        assert enrolled.status_code == 201, enrolled.text
        device = enrolled.json()
        secret["token"].append(device["token"])
        # Work with the device token, then abuse tokens.
        api.push(device["token"], [report()])
        photo = b"\xff\xd8\xff\xe0" + os.urandom(300)
        api.request(
            "PUT", f"/api/v1/media/{hashlib.sha256(photo).hexdigest()}", token=device["token"], content=photo
        )
        api.pull_all(device["token"])
        tampered = device["token"][:-2] + "zz"
        api.get("/api/v1/me", token=tampered)
        basic = base64.b64encode(f"{boss}:{boss_password}".encode()).decode()
        secret["header"].append(basic)
        api.get("/api/v1/me", headers={"Authorization": f"Basic {basic}"})
        api.get("/api/v1/me", headers={"Authorization": f"Token {boss_token}"})
        api.get("/api/v1/me", headers={"Authorization": boss_token})
        api.post("/api/v1/sync/push", token=boss_token, json={"reports": [report()]})  # 403
        logout_token = api.login(boss, boss_password)
        secret["token"].append(logout_token)
        api.post("/api/v1/auth/logout", token=logout_token)
        api.get("/api/v1/me", token=logout_token)
        api.request("DELETE", f"/api/v1/devices/{device['device_id']}", token=admin)
        api.get("/api/v1/me", token=device["token"])
        api.post("/api/v1/sync/push", token=device["token"], json={"reports": [report()]})
        openapi = api.get("/api/v1/openapi.json").json()["paths"]
    finally:
        api.http.close()
        server.stop()
    secret["header"] += [f"Bearer {token}" for token in secret["token"]]
    codes = [v for code in secret["code"] for v in variants(code)]
    return {
        "server": server,
        "api": api,
        "secret": {**secret, "code": codes},
        "log": server.log(),
        "openapi": openapi,
        "issued_by": {
            "token": {"/api/v1/auth/login", "/api/v1/auth/enroll"},
            "code": {f"/api/v1/users/{officer}/enrollment-codes"},
        },
    }


def everything(run) -> list[str]:
    return [value for values in run["secret"].values() for value in values]


def test_the_log_was_captured_and_holds_no_secret(run):
    log = run["log"]
    assert '"POST /api/v1/auth/login HTTP/1.1" 401' in log  # the access log is there to search
    assert '"POST /api/v1/auth/enroll HTTP/1.1" 201' in log
    found = [value for value in everything(run) if value in log]
    assert not found, f"secrets in the server log: {found}"


def test_no_error_answer_holds_a_secret(run):
    errors = [x for x in run["api"].exchanges if x[2] >= 400]
    assert {401, 403, 409, 422, 429} <= {x[2] for x in errors} and len(errors) >= 15
    found = [
        (method, path, status, value)
        for method, path, status, headers, body in errors
        for value in everything(run)
        if value in body or value in headers
    ]
    assert not found, found


def test_secrets_appear_only_in_the_answer_that_issues_them(run):
    leaks = []
    for method, path, status, headers, body in run["api"].exchanges:
        for kind, values in run["secret"].items():
            allowed = run["issued_by"].get(kind, set())
            leaks += [
                (method, path, status, kind)
                for value in values
                if (value in body or value in headers) and path not in allowed
            ]
    assert not leaks, leaks


def test_the_database_holds_no_secret_in_clear(run):
    db: Path = run["server"].db
    stored = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    assert len(stored) > 10_000
    found = [value for value in everything(run) if value.encode() in stored]
    assert not found, f"stored in clear: {found}"
    for token in run["secret"]["token"]:  # what is stored is the SHA-256
        assert hashlib.sha256(token.encode()).hexdigest().encode() in stored


def test_no_route_takes_a_secret_in_the_query_string_or_path(run):
    """uvicorn's access log (on at ``--log-level debug``) writes every path and query string: no
    route may take a token, password or code there. (A token sent in the query anyway is refused:
    test_attack_tokens.py, state ``query_string``.)"""
    offenders = []
    for path, operations in run["openapi"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in ("query", "path") and SECRET_WORDS.search(parameter["name"]):
                    offenders.append((method, path, parameter["name"]))
    assert not offenders, offenders

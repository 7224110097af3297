"""A small real HTTP server on 127.0.0.1 that speaks DESIGN's sync wire format, for the app's tests.

It implements enroll, login, push, pull and media with the real core validation
(``parse_report``), keeps everything in memory, and lets a test queue failures (``fail_next``),
slow answers (``delay``: a slow server is what such a test is about), answers held until the test
opens ``gate`` (a threading.Event), or arbitrary responses. It is a fake of the routes the app uses, not of
the sync server; the real server gets its own integration test.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from kerawanan import assets
from kerawanan.errors import InvalidReport
from kerawanan.report import parse_report


@dataclass
class Canned:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    close: bool = False          # drop the connection without answering


def error_body(code: str, message: str, details: dict | None = None) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "details": details or {}}}).encode()


class FakeSyncServer:
    def __init__(self, *, max_reports: int = 500):
        self.max_reports = max_reports
        self.users = {"87050123": {"username": "87050123", "name": "Brigpol Andi", "role": "officer",
                                   "scope": ["15.72.07.2004"]}}
        self.codes = {("87050123", "ABCD-1234")}
        self.passwords = {"87050123": "rahasia"}
        self.must_change: set[str] = set()                  # logged in with an admin's one-time password
        self.tokens: dict[str, str] = {}
        self.reports: dict[str, dict[str, Any]] = {}       # id -> {hash, officer, seq, wire}
        self.media: dict[str, bytes] = {}
        self.changes: list[dict[str, Any]] = []             # {"seq", "kind", "data", "recipient"}
        self.seq = 0
        self.requests: list[dict[str, Any]] = []            # method, path, headers, body (decoded)
        self.fail_next: list[Canned] = []
        self.force_invalid: set[str] = set()
        self.delay = 0.0
        self.gate: threading.Event | None = None            # set: every request waits until it opens
        self.drop_answers = 0                               # do the work, then hang up without answering
        self.created: dict[str, int] = {}                   # id -> how many times it was created
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # ------------------------------------------------------------ lifecycle and helpers for tests

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> FakeSyncServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def issue_token(self, username: str = "87050123") -> str:
        token = secrets.token_urlsafe(16)
        self.tokens[token] = username
        return token

    def add_change(self, kind: str, data: dict[str, Any], recipient: str | None = None) -> int:
        with self.lock:
            self.seq += 1
            self.changes.append({"seq": self.seq, "kind": kind, "data": data, "recipient": recipient})
            return self.seq

    def calls(self, method: str, prefix: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == method and r["path"].startswith(prefix)]

    # ------------------------------------------------------------ routes

    def route(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
              body: bytes) -> tuple[int, Any, dict[str, str]]:
        if path == "/healthz":
            return 200, {"status": "ok", "version": "fake"}, {}
        if path == "/api/v1/auth/enroll" and method == "POST":
            return self.enroll(json.loads(body))
        if path == "/api/v1/auth/login" and method == "POST":
            return self.login(json.loads(body))
        user = self.tokens.get(headers.get("authorization", "").removeprefix("Bearer "))
        if user is None:
            return 401, {"error": {"code": "auth.unauthorized", "message": "Token tidak berlaku.", "details": {}}}, {}
        if path == "/api/v1/me/password" and method == "POST":
            return self.change_password(user, json.loads(body))
        if user in self.must_change:
            return 403, {"error": {"code": "auth.password_change_required", "message": "Ganti.", "details": {}}}, {}
        if path == "/api/v1/sync/push" and method == "POST":
            return self.push(user, json.loads(body))
        if path == "/api/v1/sync/pull" and method == "GET":
            return self.pull(user, int(query.get("cursor", 0)), int(query.get("limit", 100)))
        if path.startswith("/api/v1/media/") and path.count("/") == 4:      # no /parts: an older server
            return self.media_route(method, path.rsplit("/", 1)[1], body)
        return 404, {"error": {"code": "not_found", "message": "Tidak ada.", "details": {}}}, {}

    def enroll(self, body: dict) -> tuple[int, Any, dict]:
        if (body.get("nrp"), body.get("code")) not in self.codes:
            return 401, {"error": {"code": "auth.enrollment_invalid", "message": "Kode salah.", "details": {}}}, {}
        self.codes.discard((body["nrp"], body["code"]))
        return 200, {"token": self.issue_token(body["nrp"]), "device_id": "dev-1", "user": self.users[body["nrp"]]}, {}

    def login(self, body: dict) -> tuple[int, Any, dict]:
        if self.passwords.get(body.get("username")) != body.get("password"):
            return 401, {"error": {"code": "auth.bad_credentials", "message": "Salah.", "details": {}}}, {}
        return 200, {"token": self.issue_token(body["username"]), "expires_at": None,
                     "user": self.users[body["username"]],
                     "password_change_required": body["username"] in self.must_change}, {}

    def change_password(self, user: str, body: dict) -> tuple[int, Any, dict]:
        if self.passwords.get(user) != body.get("old_password"):
            return 422, {"error": {"code": "password.old_wrong", "message": "Kata sandi lama salah.", "details": {}}}, {}
        if len(body.get("new_password") or "") < 10:
            return 422, {"error": {"code": "password.weak", "message": "Kata sandi baru terlalu lemah.",
                                   "details": {"fields": {"new_password": "Panjang 10 sampai 256 karakter."}}}}, {}
        self.passwords[user] = body["new_password"]
        self.must_change.discard(user)
        return 200, {}, {}

    def push(self, user: str, body: dict) -> tuple[int, Any, dict]:
        items = body.get("reports")
        if len(items) > self.max_reports:
            return 413, {"error": {"code": "request.too_large", "message": "Terlalu besar.", "details": {}}}, {}
        now = datetime.now(UTC)
        results = [self._accept(user, index, item, now) for index, item in enumerate(items)]
        return 200, {"results": results, "cursor": self.seq}, {}

    def _accept(self, user: str, index: int, item: Any, now: datetime) -> dict[str, Any]:
        try:
            if item.get("id") in self.force_invalid:
                raise InvalidReport("Laporan tidak valid.", fields={"desa_code": "Bukan desa."},
                                    reasons={"desa_code": "not_desa"})
            report = parse_report(item, now=now, gazetteer=assets.gazetteer(), calendar=assets.calendar(),
                                  path=f"reports[{index}]")
        except InvalidReport as exc:
            fields = {f"reports[{index}].{k}" if not k.startswith("reports[") else k: v for k, v in exc.fields.items()}
            return {"id": item.get("id"), "status": "invalid",
                    "error": {"code": exc.code, "message": exc.message, "fields": fields}}
        with self.lock:
            stored = self.reports.get(report.id)
            if stored is None:
                self.seq += 1
                self.reports[report.id] = {"hash": report.content_hash(), "officer": user, "seq": self.seq,
                                           "wire": report.to_wire()}
                self.created[report.id] = self.created.get(report.id, 0) + 1
                return {"id": report.id, "status": "created"}
        if stored["hash"] == report.content_hash():
            return {"id": report.id, "status": "duplicate"}
        return {"id": report.id, "status": "conflict",
                "error": {"code": "report.conflict", "message": "ID sama, isi berbeda."}}

    def pull(self, user: str, cursor: int, limit: int) -> tuple[int, Any, dict]:
        visible = [c for c in self.changes if c["seq"] > cursor and c["recipient"] in (None, user)]
        page = visible[:limit]
        new_cursor = page[-1]["seq"] if page else max(cursor, 0)
        changes = [{"seq": c["seq"], "kind": c["kind"], "data": c["data"]} for c in page]
        return 200, {"changes": changes, "cursor": new_cursor, "more": len(visible) > limit}, {}

    def media_route(self, method: str, sha: str, body: bytes) -> tuple[int, Any, dict]:
        if method == "HEAD":
            return (200 if sha in self.media else 404), None, {}
        if method == "PUT":
            if hashlib.sha256(body).hexdigest() != sha:
                return 400, {"error": {"code": "media.hash_mismatch", "message": "Hash beda.", "details": {}}}, {}
            existed = sha in self.media
            self.media[sha] = body
            return (200 if existed else 201), {"sha256": sha}, {}
        return 405, {"error": {"code": "request.method", "message": "-", "details": {}}}, {}


def _handler(server: FakeSyncServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)   # no Nagle stalls

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def do_HEAD(self) -> None:
            self._serve("HEAD")

        def _serve(self, method: str) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            body = gzip.decompress(raw) if headers.get("content-encoding") == "gzip" else raw
            url = urlparse(self.path)
            server.requests.append({"method": method, "path": url.path, "headers": headers, "body": body,
                                    "raw_size": len(raw)})
            if server.delay:
                time.sleep(server.delay)                # the slow server under test
            if server.gate is not None:
                server.gate.wait(30)
            canned = server.fail_next.pop(0) if server.fail_next else None
            if canned is not None:
                return self._canned(canned)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            status, payload, extra = server.route(method, url.path, query, headers, body)
            if server.drop_answers > 0:
                server.drop_answers -= 1
                return self._canned(Canned(0, close=True))
            self._answer(status, payload, extra, gzip_ok="gzip" in headers.get("accept-encoding", ""))

        def _canned(self, canned: Canned) -> None:
            if canned.close:
                self.close_connection = True
                self.connection.close()
                return
            self.send_response(canned.status)
            for name, value in {"Content-Type": "application/json", **canned.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(canned.body)))
            self.end_headers()
            self.wfile.write(canned.body)

        def _answer(self, status: int, payload: Any, extra: dict[str, str], *, gzip_ok: bool) -> None:
            body = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if gzip_ok and body and self.command != "HEAD":
                body = gzip.compress(body)
                self.send_header("Content-Encoding", "gzip")
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0" if self.command == "HEAD" else str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    return Handler

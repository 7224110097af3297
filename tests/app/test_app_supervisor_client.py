"""The supervisor calls of ``SyncClient`` against a tiny loopback server: If-Match, 412 details, exports."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from field_app.errors import ServerRejected
from field_app.sync_client import SyncClient


class Handler(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, dict]] = []

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json", headers=None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        Handler.seen.append((self.path, self.headers.get("If-Match"), body))
        if self.headers.get("If-Match") != '"2"':
            error = {"error": {"code": "precondition.stale", "message": "Peringatan sudah berubah.",
                               "details": {"current": {"id": "a1", "version": 2, "status": "acknowledged"},
                                           "version": 2}}}
            self._send(412, json.dumps(error).encode())
            return
        self._send(200, json.dumps({"id": "a1", "version": 3}).encode(), headers={"ETag": '"3"'})

    def do_GET(self) -> None:
        Handler.seen.append((self.path, None, {}))
        self._send(200, b"id,category\n", "text/csv; charset=utf-8",
                   {"Content-Disposition": 'attachment; filename="laporan-20241127-2140.csv"'})


@pytest.fixture
def server_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Handler.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_an_action_sends_if_match_and_only_the_given_fields(server_url):
    client = SyncClient(server_url, token="t")
    assert client.act_on_alert("a1", "assign", 2, assignee="90110233")["version"] == 3
    assert Handler.seen[-1] == ("/api/v1/alerts/a1/actions", '"2"', {"action": "assign", "assignee": "90110233"})


def test_a_stale_version_raises_412_with_the_current_alert(server_url):
    client = SyncClient(server_url, token="t")
    with pytest.raises(ServerRejected) as stale:
        client.act_on_alert("a1", "acknowledge", 1)
    assert stale.value.status == 412 and stale.value.code == "precondition.stale"
    assert stale.value.details["current"]["status"] == "acknowledged"


def test_an_export_comes_back_as_bytes_with_the_servers_file_name(server_url):
    data, name = SyncClient(server_url, token="t").download_export("reports.csv")
    assert data == b"id,category\n" and name == "laporan-20241127-2140.csv"
    assert Handler.seen[-1][0] == "/api/v1/export/reports.csv"

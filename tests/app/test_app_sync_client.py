"""The one HTTP seam, against a real HTTP server on 127.0.0.1: timeouts, gzip, and error translation."""
from __future__ import annotations

import hashlib
import json
import socket

import pytest

from field_app.errors import AuthRevoked, Offline, RateLimited, ServerRejected, ServerUnavailable
from field_app.sync_client import SyncClient
from tests.app.builders import OFFICER, jpeg_bytes, wire
from tests.app.fake_server import Canned, error_body


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_only_the_sync_client_imports_requests():
    import pathlib
    root = pathlib.Path(__file__).resolve().parents[2] / "field_app"
    importers = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                       if "import requests" in p.read_text() or "from requests" in p.read_text())
    assert importers == ["sync_client.py"]


def test_no_module_of_the_non_ui_layer_imports_flet():
    import pathlib
    root = pathlib.Path(__file__).resolve().parents[2] / "field_app"
    checked = [root / name for name in ("outbox.py", "sync_client.py", "sync_engine.py", "sync_loop.py",
                                        "pin.py", "photos.py", "i18n.py", "database.py", "inbox.py")]
    checked += list((root / "viewmodels").glob("*.py"))
    offenders = [p.name for p in checked if "import flet" in p.read_text() or "from flet" in p.read_text()]
    assert offenders == []


def test_enroll_keeps_the_token_and_returns_the_user(server):
    client = SyncClient()
    body = client.enroll(server.url + "/", OFFICER, "ABCD-1234", "HP Andi")
    assert client.token == body["token"] and body["user"]["username"] == OFFICER
    assert client.server_url == server.url
    sent = json.loads(server.calls("POST", "/api/v1/auth/enroll")[0]["body"])
    assert sent == {"nrp": OFFICER, "code": "ABCD-1234", "device_name": "HP Andi"}


def test_a_wrong_enrollment_code_is_auth_revoked_with_the_servers_code(server):
    with pytest.raises(AuthRevoked) as caught:
        SyncClient().enroll(server.url, OFFICER, "WRONG", "HP")
    assert caught.value.code == "auth.enrollment_invalid" and caught.value.status == 401


def test_login_sets_a_token(server):
    client = SyncClient(server.url)
    body = client.login(OFFICER, "rahasia")
    assert client.token == body["token"]


def test_push_is_gzip_with_bearer_token_and_returns_results_with_server_time(server, token):
    client = SyncClient(server.url, token)
    results = client.push([wire(1), wire(2)])
    call = server.calls("POST", "/api/v1/sync/push")[0]
    assert call["headers"]["content-encoding"] == "gzip"
    assert call["headers"]["authorization"] == f"Bearer {token}"
    assert "gzip" in call["headers"]["accept-encoding"]
    assert call["raw_size"] < len(call["body"])                 # the body really was compressed
    assert [(r.id, r.status) for r in results] == [(wire(1)["id"], "created"), (wire(2)["id"], "created")]
    assert results[0].received_at is not None and results[0].received_at.tzinfo is not None


def test_push_reports_duplicate_conflict_and_invalid_per_report(server, token):
    client = SyncClient(server.url, token)
    client.push([wire(1)])
    server.force_invalid.add(wire(3)["id"])
    results = client.push([wire(1), wire(1, facts="Lain."), wire(3)])
    assert [r.status for r in results] == ["duplicate", "conflict", "invalid"]
    assert results[1].error["code"] == "report.conflict"
    assert results[2].error["fields"] == {"reports[2].desa_code": "Bukan desa."}


def test_pull_pages_through_changes(server, token):
    for seq in range(3):
        server.add_change("notice", {"title": f"n{seq}"}, recipient=OFFICER)
    client = SyncClient(server.url, token)
    page = client.pull(0, limit=2)
    assert ([c["seq"] for c in page.changes], page.cursor, page.more) == ([1, 2], 2, True)
    page = client.pull(page.cursor, limit=2)
    assert ([c["seq"] for c in page.changes], page.cursor, page.more) == ([3], 3, False)


def test_media_head_then_put(server, token):
    client = SyncClient(server.url, token)
    data = jpeg_bytes()
    sha = hashlib.sha256(data).hexdigest()
    assert client.media_exists(sha) is False
    assert client.put_media(sha, data) is True
    assert client.media_exists(sha) is True
    assert client.put_media(sha, data) is False
    assert server.media[sha] == data


def test_no_listener_is_offline():
    client = SyncClient(f"http://127.0.0.1:{_free_port()}", "t", connect_timeout=1)
    with pytest.raises(Offline) as caught:
        client.push([wire(1)])
    assert caught.value.code == "sync.offline"
    assert caught.value.message == "Tidak ada sinyal, akan dicoba lagi."


def test_a_slow_server_times_out_as_offline(server, token):
    server.delay = 1.0
    with pytest.raises(Offline) as caught:
        SyncClient(server.url, token, read_timeout=0.2).pull(0)
    assert caught.value.reason in ("ReadTimeout", "ConnectionError")


def test_a_dropped_connection_is_offline(server, token):
    server.fail_next.append(Canned(0, close=True))
    with pytest.raises(Offline):
        SyncClient(server.url, token).push([wire(1)])


def test_401_is_auth_revoked(server):
    with pytest.raises(AuthRevoked) as caught:
        SyncClient(server.url, "revoked-token").pull(0)
    assert caught.value.status == 401 and caught.value.code == "auth.unauthorized"


def test_429_is_rate_limited_with_retry_after(server, token):
    server.fail_next.append(Canned(429, error_body("rate_limited", "Pelan-pelan."), {"Retry-After": "42"}))
    with pytest.raises(RateLimited) as caught:
        SyncClient(server.url, token).push([wire(1)])
    assert caught.value.retry_after == 42 and caught.value.message == "Pelan-pelan."


def test_5xx_is_server_unavailable_and_counts_as_offline(server, token):
    server.fail_next.append(Canned(502, b"<html>Bad gateway</html>", {"Content-Type": "text/html"}))
    with pytest.raises(ServerUnavailable) as caught:
        SyncClient(server.url, token).pull(0)
    assert isinstance(caught.value, Offline)


def test_other_errors_keep_the_servers_code_message_and_details(server, token):
    details = {"fields": {"reports": "Wajib diisi."}}
    server.fail_next.append(Canned(422, error_body("request.invalid", "Permintaan tidak valid.", details)))
    with pytest.raises(ServerRejected) as caught:
        SyncClient(server.url, token).push([wire(1)])
    assert (caught.value.status, caught.value.code, caught.value.message) == (
        422, "request.invalid", "Permintaan tidak valid.")
    assert caught.value.details == details


def test_a_captive_portal_page_is_offline_not_a_server_answer(server, token):
    server.fail_next.append(Canned(200, b"<html>Login Wi-Fi</html>", {"Content-Type": "text/html"}))
    with pytest.raises(Offline):
        SyncClient(server.url, token).pull(0)


def test_a_redirect_is_offline(server, token):
    server.fail_next.append(Canned(302, b"", {"Location": "http://portal.example/"}))
    with pytest.raises(Offline):
        SyncClient(server.url, token).pull(0)


def test_without_a_server_address_the_client_is_offline():
    with pytest.raises(Offline):
        SyncClient().pull(0)


@pytest.mark.parametrize("typed, url", [("192.168.1.10:8000", "http://192.168.1.10:8000"),
                                        ("localhost:8000/", "http://localhost:8000"),
                                        ("peta.polda-jambi.id", "https://peta.polda-jambi.id"),
                                        (" http://10.0.0.2 ", "http://10.0.0.2")])
def test_a_server_address_without_scheme_gets_a_sensible_one(typed, url):
    assert SyncClient(typed).server_url == url

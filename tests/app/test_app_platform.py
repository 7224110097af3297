"""The platform seam (field_app/platform.py): what the browser build relies on, checked on CPython.

The browser side itself runs in tests/ui/test_web_offline.py (Debian chromium); here: the outbox
asks for durability once per committed transaction, the client talks only through its transport,
photos go through the platform, and the screens import neither ``requests`` nor Pillow.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

from field_app import platform
from field_app.database import Database
from field_app.errors import AuthRevoked, Offline
from field_app.photos import shrink_photo
from field_app.sync_client import SyncClient, TransportError


class CountingHost(platform.Host):
    def __init__(self) -> None:
        self.durable = 0

    def make_durable(self) -> None:
        self.durable += 1

    def shrink_photo(self, raw: bytes, max_side: int, quality: int) -> tuple[bytes, int, int]:
        return b"jpeg:" + raw[:4], 640, 480


@pytest.fixture
def host(monkeypatch) -> CountingHost:
    counting = CountingHost()
    monkeypatch.setattr(platform, "_current", counting)
    return counting


def test_durable_once_per_outermost_commit_and_never_after_a_rollback(tmp_path, host):
    database = Database(tmp_path / "outbox.db")
    start = host.durable
    with database.atomic() as db:
        db["meta"].insert({"officer": "a", "key": "k", "value": "1"})
        with database.atomic() as inner:
            inner["meta"].insert({"officer": "a", "key": "j", "value": "2"})
        assert host.durable == start                  # nested: not yet committed
    assert host.durable == start + 1
    with pytest.raises(RuntimeError), database.atomic() as db:
        db["meta"].insert({"officer": "b", "key": "k", "value": "1"})
        raise RuntimeError("rolled back")
    assert host.durable == start + 1
    assert [row["officer"] for row in database.query("SELECT officer FROM meta")] == ["a", "a"]
    database.close()


def test_photos_are_shrunk_by_the_platform(host):
    photo = shrink_photo(b"\xff\xd8\xff\xe0rest")
    assert (photo.data, photo.width, photo.height) == (b"jpeg:\xff\xd8\xff\xe0", 640, 480)
    assert photo.sha256 == hashlib.sha256(b"jpeg:\xff\xd8\xff\xe0").hexdigest()


class ScriptedTransport:
    def __init__(self, answer):
        self.answer, self.calls = answer, []

    def request(self, method, url, **kwargs):
        self.calls.append((method, url, kwargs))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    def close(self) -> None:
        pass


class Answer:
    def __init__(self, status: int, body: dict):
        self.status_code, self.content, self.headers = status, json.dumps(body).encode(), {}
        self.request = type("R", (), {"method": "GET"})()

    def json(self):
        return json.loads(self.content)


def test_the_client_talks_only_through_its_transport():
    transport = ScriptedTransport(TransportError("Failed to fetch"))
    client = SyncClient("http://127.0.0.1:9", "tok", transport=transport)
    with pytest.raises(Offline):
        client.me()
    (method, url, options), = transport.calls
    assert (method, url, options["headers"]["Authorization"]) == ("GET", "http://127.0.0.1:9/api/v1/me", "Bearer tok")

    revoked = ScriptedTransport(Answer(401, {"error": {"code": "auth.revoked", "message": "x", "details": {}}}))
    with pytest.raises(AuthRevoked):
        SyncClient("http://127.0.0.1:9", "tok", transport=revoked).me()


def test_the_screens_import_neither_requests_nor_pillow():
    probe = ("import json, sys, field_app.main, field_app.views.shell, field_app.views.report_form, "
             "field_app.photos, field_app.sync_client; print(json.dumps(sorted(sys.modules)))")
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                                           text=True).stdout))
    assert sorted(m for m in loaded if m.split(".")[0] in ("requests", "PIL", "urllib3")) == []

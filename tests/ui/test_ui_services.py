"""The pieces under the screens: secure token storage, the per-officer sync hub, settings, configuration."""
from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image

from field_app.device import AppConfig
from field_app.pin import FileTokenStore
from field_app.sync_engine import SyncOutcome
from field_app.sync_hub import SyncHub
from field_app.token_storage import KEY_PREFIX, SecureTokenStore, token_store_for
from field_app.viewmodels.settings import Settings
from tests.app.builders import jpeg_bytes
from tests.ui.conftest import OFFICER, closed_port_url, make_device
from tests.ui.test_ui_officer_shell import _open_shell


class FakeSecureStorage:
    """What flet_secure_storage.SecureStorage looks like to the adapter: async get/set/remove."""

    def __init__(self):
        self.values: dict[str, str] = {}

    async def get(self, key):
        await asyncio.sleep(0)
        return self.values.get(key)

    async def set(self, key, value):
        self.values[key] = value

    async def remove(self, key):
        self.values.pop(key, None)


async def test_the_secure_store_answers_worker_threads_through_the_event_loop():
    storage = FakeSecureStorage()
    tokens = SecureTokenStore(storage, asyncio.get_running_loop())
    await asyncio.to_thread(tokens.set, OFFICER, "rahasia-token")
    assert storage.values == {KEY_PREFIX + OFFICER: "rahasia-token"}
    assert await asyncio.to_thread(tokens.get, OFFICER) == "rahasia-token"
    await asyncio.to_thread(tokens.delete, OFFICER)
    assert await asyncio.to_thread(tokens.get, OFFICER) is None


async def test_the_secure_store_refuses_to_deadlock_the_event_loop():
    tokens = SecureTokenStore(FakeSecureStorage(), asyncio.get_running_loop())
    with pytest.raises(RuntimeError, match="worker thread"):
        tokens.get(OFFICER)


def test_web_mode_and_desktop_keep_tokens_in_the_data_folder_file(tmp_path):
    web = SimpleNamespace(web=True, platform=None)
    store = token_store_for(web, tmp_path)
    assert isinstance(store, FileTokenStore) and store.path == tmp_path / "device_tokens.json"
    shared = FileTokenStore(tmp_path / "x.json")
    assert token_store_for(web, tmp_path, file_store=shared) is shared


def test_the_data_folder_and_server_come_from_the_environment(tmp_path):
    config = AppConfig.from_env({"FLET_APP_STORAGE_DATA": str(tmp_path), "PETA_SERVER_URL": " http://x:8000 "})
    assert (config.data_dir, config.server_url) == (tmp_path.resolve(), "http://x:8000")
    assert AppConfig.from_env({}).data_dir == (Path("var") / "app").resolve()


async def test_a_hub_drops_a_listener_that_fails_and_keeps_telling_the_others(tmp_path):
    device = make_device(tmp_path, closed_port_url())
    session = SimpleNamespace(officer=OFFICER, make_client=lambda **options: SimpleNamespace(token="t"))
    hub = SyncHub(device.outbox, session, policy=device.policy, clock=device.clock)
    heard = []

    def broken(event, outcome):
        raise RuntimeError("browser gone")

    hub.subscribe(broken)
    hub.subscribe(lambda event, outcome: heard.append(event))
    hub._started()
    hub._finished(SyncOutcome(started_at=device.clock(), ok=True))
    assert heard == ["start", "outcome"] and hub._listeners and broken not in hub._listeners
    assert hub.last is not None and not hub.running
    device.close()


def test_settings_keep_language_purge_and_server_address(tmp_path):
    device = make_device(tmp_path, closed_port_url())
    device.outbox.meta.set(OFFICER, "enrollment", {"server_url": "http://old:8000", "user": {}})
    settings = Settings(device, OFFICER)
    assert settings.server_url == "http://old:8000" and settings.purge_after_days == 30
    assert settings.interval_text.startswith("Laporan dikirim otomatis") and "60 menit" in settings.interval_text
    settings.choose_language("en")
    assert (settings.language, device.language) == ("en", "en")
    assert settings.purge_choices[0] == ("7", "7 days")
    settings.choose_purge_days("14")
    settings.choose_purge_days("13")                      # not offered: ignored
    assert device.purge_after_days == 14 and device.policy.purge_after_days == 14
    settings.set_server_url("  ")
    assert not settings.save_server_url() and settings.errors == {"server_url": "Enter the server address."}
    settings.set_server_url("http://new:8000")
    assert settings.save_server_url()
    assert device.outbox.meta.get(OFFICER, "enrollment")["server_url"] == "http://new:8000"
    assert device.default_server_url == "http://new:8000"
    device.close()


async def test_photos_are_shrunk_and_shown_on_the_form(enrolled):
    big = jpeg_bytes((3000, 2000))
    files = [{"id": 1, "name": "kotak.jpg", "size": len(big), "bytes": big}]
    app = await _open_shell(enrolled, responders={"pick_files": lambda args: files})
    await app.click("home-full")
    await app.click("form-photo-add")
    await app.wait_for(lambda: len(app.find("form-photos").controls) == 1, what="thumbnail")
    assert app.find("form-photo-status").value.startswith("1 dari 5 foto")
    [(name, args)] = [call for call in app.conn.calls if call[0] == "pick_files"]
    assert args["with_data"] is True
    [photo] = enrolled.outbox.media_dir.glob("*.jpg")
    with Image.open(photo) as shrunk:
        assert max(shrunk.size) == 1024 and shrunk.format == "WEBP"   # shrunk on the device before it queues
    await app.click("form-photo-add")                              # the handler runs to its end here
    assert len(app.find("form-photos").controls) == 1              # the same photo is kept once
    assert app.find("form-photo-status").value.startswith("1 dari 5 foto")
    await app.close()

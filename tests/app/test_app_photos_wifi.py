""""Kirim foto nanti (Wi-Fi)": report text always goes; photos wait for Wi-Fi or for the officer.

The engine against a real HTTP server on 127.0.0.1; the setting through the ``Device`` and the
settings view-model, as the screen uses them.
"""
from __future__ import annotations

import hashlib

import pytest

from field_app.device import AppConfig, Device
from field_app.sync_client import SyncClient
from field_app.sync_engine import SyncEngine, SyncPolicy
from field_app.viewmodels.settings import Settings
from tests.app.builders import NOW, OFFICER, jpeg_bytes, report, uuid_for


def _engine(outbox, server, token, **policy) -> SyncEngine:
    return SyncEngine(outbox, SyncClient(server.url, token, connect_timeout=1, read_timeout=5), OFFICER,
                      policy=SyncPolicy(**policy))


def _report_with_photo(outbox, number: int = 1) -> str:
    data = jpeg_bytes(color=(number, 80, 160))
    sha = hashlib.sha256(data).hexdigest()
    outbox.store_photo(data, sha)
    outbox.save(report(number, media=[sha]), officer=OFFICER, now=NOW)
    return sha


def test_on_mobile_data_the_text_goes_and_the_photo_waits(outbox, server, token):
    sha = _report_with_photo(outbox)
    engine = _engine(outbox, server, token, photos_wifi_only=True)
    engine.set_link(["mobile"])
    outcome = engine.sync_once(NOW)
    assert outcome.ok and outcome.sent == 1 and outcome.media_sent == 0 and outcome.media_held == 1
    assert server.created == {uuid_for(1): 1}
    assert sha not in server.media and not server.calls("PUT", "/api/v1/media/")
    assert outbox.media_counts(OFFICER) == {"waiting": 1}


@pytest.mark.parametrize("link", [["wifi"], ["ethernet"], ["wifi", "vpn"]])
def test_on_wifi_the_held_photo_goes(outbox, server, token, link):
    sha = _report_with_photo(outbox)
    engine = _engine(outbox, server, token, photos_wifi_only=True)
    engine.set_link(["mobile"])
    engine.sync_once(NOW)
    engine.set_link(link)
    outcome = engine.sync_once(NOW)
    assert outcome.ok and outcome.media_sent == 1 and outcome.media_held == 0
    assert sha in server.media and outbox.media_counts(OFFICER) == {"sent": 1}


def test_an_unknown_link_holds_photos_too(outbox, server, token):
    _report_with_photo(outbox)
    outcome = _engine(outbox, server, token, photos_wifi_only=True).sync_once(NOW)
    assert outcome.media_held == 1 and outbox.media_counts(OFFICER) == {"waiting": 1}


def test_the_officer_sends_held_photos_then_later_ones_wait_again(outbox, server, token):
    first = _report_with_photo(outbox, 1)
    engine = _engine(outbox, server, token, photos_wifi_only=True)
    engine.set_link(["mobile"])
    engine.sync_once(NOW)
    engine.release_photos()
    outcome = engine.sync_once(NOW)
    assert outcome.media_sent == 1 and first in server.media
    second = _report_with_photo(outbox, 2)
    outcome = engine.sync_once(NOW)
    assert outcome.sent == 1 and outcome.media_held == 1 and second not in server.media


def test_without_the_setting_photos_go_on_mobile_data(outbox, server, token):
    sha = _report_with_photo(outbox)
    engine = _engine(outbox, server, token)
    engine.set_link(["mobile"])
    outcome = engine.sync_once(NOW)
    assert outcome.media_sent == 1 and sha in server.media


# ---------------------------------------------------------------- the setting, as the screen uses it


@pytest.fixture
def device(tmp_path):
    made = Device(AppConfig(data_dir=tmp_path / "phone", pin_iterations=1_000))
    yield made
    made.close()


def test_the_setting_is_kept_per_device_and_reaches_the_policy(device, tmp_path):
    settings = Settings(device, OFFICER)
    assert settings.photos_wifi_only is False and device.policy.photos_wifi_only is False
    settings.choose_photos_wifi_only(True)
    assert device.policy.photos_wifi_only is True
    assert Settings(device, "another-officer").photos_wifi_only is True        # device-wide, not per officer
    device.outbox.close()
    reopened = Device(AppConfig(data_dir=tmp_path / "phone", pin_iterations=1_000))
    try:
        assert reopened.photos_wifi_only is True
    finally:
        reopened.close()


def test_the_screen_counts_held_photos_and_send_now_releases_them(device):
    _report_with_photo(device.outbox)
    settings = Settings(device, OFFICER)
    settings.choose_photos_wifi_only(True)
    assert settings.held_photos == 1 and settings.held_photos_text == "1 foto menunggu Wi-Fi"
    assert settings.send_photos_now() is False                  # no sync running for this officer yet
    hub = _FakeHub()
    device.hubs[OFFICER] = hub
    assert settings.send_photos_now() is True
    assert hub.engine.photos_released and hub.woken == 1
    assert settings.photos_message == "Foto dikirim pada sinkron berikutnya, lewat sinyal apa pun."


def test_the_link_reaches_every_officers_engine(device):
    hub = _FakeHub()
    device.hubs[OFFICER] = hub
    device.set_link(["wifi"])
    assert hub.engine.link == frozenset({"wifi"})
    device.set_photos_wifi_only(True)
    assert hub.policy.photos_wifi_only is True


class _FakeEngine:
    def __init__(self):
        self.photos_released, self.link = False, frozenset()

    def release_photos(self):
        self.photos_released = True

    def set_link(self, types):
        self.link = frozenset(types)


class _FakeHub:
    def __init__(self):
        self.engine, self.woken, self.policy = _FakeEngine(), 0, None

    def wake(self, reason=None):
        self.woken += 1

    def set_policy(self, policy):
        self.policy = policy

    def stop(self):
        pass

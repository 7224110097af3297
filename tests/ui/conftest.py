"""Fixtures of the in-process screen tests: a device in a temp folder, a fake sync server, the app."""
from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest

from field_app.device import AppConfig, Device
from field_app.main import make_main
from field_app.pin import MemoryTokenStore
from field_app.sync_engine import SyncPolicy
from field_app.viewmodels import Enrollment
from tests.app.fake_server import FakeSyncServer
from tests.ui.flet_harness import HeadlessApp

OFFICER, CODE, NAME = "87050123", "ABCD-1234", "Brigpol Andi"     # known to FakeSyncServer
PIN = "274916"
DESA_POINT = {"latitude": -2.0339, "longitude": 101.3922, "accuracy": 9.0}   # inside Desa Dujung Sakti


def closed_port_url() -> str:
    """An address where nothing listens: "no signal" as the app sees it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def server():
    fake = FakeSyncServer().start()
    yield fake
    fake.stop()


def make_device(folder, server_url: str) -> Device:
    config = AppConfig(data_dir=folder, server_url=server_url, pin_iterations=1_000,
                       policy=SyncPolicy(timer_interval=3600),
                       client_options={"connect_timeout": 1.0, "read_timeout": 3.0})
    return Device(config, tokens=MemoryTokenStore())


@pytest.fixture
def device(tmp_path, server):
    made = make_device(tmp_path / "data", server.url)
    yield made
    made.close()


def enroll(device: Device, server_url: str) -> None:
    """Enrol the officer and set the PIN the way the enrolment screen does, but without it."""
    enrollment = Enrollment(device.outbox, device.file_tokens, pins=device.pins(), server_url=server_url,
                            client_factory=device.new_client)
    enrollment.set_nrp(OFFICER)
    enrollment.set_code(CODE)
    assert enrollment.enroll(datetime.now(UTC)), enrollment.message
    assert enrollment.set_pin(PIN, PIN)


@pytest.fixture
def enrolled(device, server) -> Device:
    enroll(device, server.url)
    return device


async def start_app(device: Device, **options) -> HeadlessApp:
    return await HeadlessApp(make_main(device), **options).start()


async def unlock(app: HeadlessApp, pin: str = PIN) -> None:
    for digit in pin:
        await app.click(f"pin-key-{digit}", settle=0)
    await app.click("unlock-submit")
    await app.wait_for(lambda: app.has("nav") or app.find("unlock-message").visible, what="unlock")

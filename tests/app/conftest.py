"""Fixtures for the app's non-UI layer: a fresh outbox folder, a settable clock, a fake server."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from field_app.outbox import Outbox
from tests.app.builders import OFFICER
from tests.app.fake_server import FakeSyncServer


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2024, 11, 27, 15, 0, tzinfo=UTC))   # 22:00 WIB on voting day


@pytest.fixture
def outbox(tmp_path):
    box = Outbox(tmp_path / "data")
    yield box
    box.close()


@pytest.fixture
def server():
    fake = FakeSyncServer().start()
    yield fake
    fake.stop()


@pytest.fixture
def token(server) -> str:
    return server.issue_token(OFFICER)

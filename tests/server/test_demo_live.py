"""The live demo (`make run`): the 2024 story replayed just before today's date.

The alerts a newcomer sees must name the tahapan of their reports (voting night, recapitulation),
not the calendar's stage of today's date (pasca_pilkada)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.server.alerts_support import ClockedServer
from tests.server.helpers import PASSWORD

pytestmark = pytest.mark.slow
STORY_STAGES = {"kampanye", "masa_tenang", "pemungutan_suara", "rekapitulasi"}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = ClockedServer(tmp_path_factory.mktemp("live"), datetime(2026, 11, 28, 4, 0, tzinfo=UTC))
    try:
        seeded = server.cli("seed-demo")
        assert seeded.returncode == 0, seeded.stderr
        server.evaluate()
        yield server
    finally:
        server.stop()


def test_the_live_demo_opens_alerts_in_sungai_penuh(live):
    token = live.api.login("admin", PASSWORD)
    items = live.api.get("/api/v1/alerts", token=token, params={"limit": 1000}).json()["items"]
    regions = {item["region_code"] for item in items}
    assert "15.72" in regions and "15.72.07" in regions
    assert not any(code.startswith("15.71") for code in regions)          # Kota Jambi stays quiet


def test_live_alerts_name_the_tahapan_of_their_reports(live):
    token = live.api.login("admin", PASSWORD)
    items = live.api.get("/api/v1/alerts", token=token, params={"limit": 1000}).json()["items"]
    assert items and {item["stage"] for item in items} <= STORY_STAGES

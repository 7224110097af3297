"""The live demo (`make run`): Pilkada 2024 replayed at its real dates from voting night.

A newcomer must see the election, not its aftermath: alerts that name the tahapan of their
reports (voting night, recapitulation), reports that arrive as the replayed clock reaches them,
and a server that says it is a replay."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from kerawanan.replay import start_replay
from sync_server.demo import VOTING_NIGHT_2024, demo_scenario
from tests.server.alerts_support import ClockedServer
from tests.server.helpers import PASSWORD, ServerProcess

pytestmark = pytest.mark.slow
STORY_STAGES = {"kampanye", "masa_tenang", "pemungutan_suara", "rekapitulasi"}
MORNING_AFTER = datetime(2024, 11, 28, 4, 0, tzinfo=UTC)          # 11:00 WIB, recapitulation day 1


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = ClockedServer(tmp_path_factory.mktemp("live"), MORNING_AFTER)
    try:
        seeded = server.cli("seed-demo")
        assert seeded.returncode == 0, seeded.stderr
        server.evaluate()
        yield server
    finally:
        server.stop()


def stored_ids(server) -> set[str]:
    return {row[0] for row in server.query("SELECT id FROM reports")}


def test_the_live_demo_opens_alerts_in_sungai_penuh(live):
    token = live.api.login("admin", PASSWORD)
    items = live.api.get("/api/v1/alerts", token=token, params={"limit": 1000}).json()["items"]
    regions = {item["region_code"] for item in items}
    assert any(code.startswith("15.72.07.") for code in regions)         # Koto Baru's desa: one alert each,
    assert not {"15", "15.72", "15.72.07"} & regions                      # shown by their parents, not copied
    assert not any(code.startswith("15.71") for code in regions)          # Kota Jambi stays quiet


def test_live_alerts_name_the_tahapan_of_their_reports(live):
    token = live.api.login("admin", PASSWORD)
    items = live.api.get("/api/v1/alerts", token=token, params={"limit": 1000}).json()["items"]
    assert items and {item["stage"] for item in items} <= STORY_STAGES


def test_only_what_has_happened_by_the_replayed_clock_is_seeded(live):
    written = {wire["id"]: datetime.fromisoformat(wire["recorded_at"])
               for _, wire in demo_scenario(VOTING_NIGHT_2024)}
    due = {report_id for report_id, moment in written.items() if moment <= MORNING_AFTER}
    assert stored_ids(live) == due and len(due) < len(written)


def test_demo_feed_pushes_the_rest_as_the_clock_reaches_them_exactly_once(live):
    live.set_clock(VOTING_NIGHT_2024 + timedelta(days=1))                # past the story's end
    fed = live.cli("demo-feed", "--poll", "0.05")
    assert fed.returncode == 0, fed.stderr
    assert stored_ids(live) == {wire["id"] for _, wire in demo_scenario(VOTING_NIGHT_2024)}
    again = live.cli("seed-demo")
    assert again.returncode == 0 and "created" not in again.stdout.split("demo reports:")[1].split(";")[0]


def test_a_replaying_server_says_so_and_tells_its_time(tmp_path):
    started = datetime.now(UTC).replace(microsecond=0)
    replay = start_replay(datetime(2024, 11, 27, 21, 0, tzinfo=VOTING_NIGHT_2024.tzinfo), started)
    server = ServerProcess(tmp_path, env={"PETA_REPLAY": replay.text()})
    try:
        health = requests.get(f"{server.url}/healthz", timeout=10).json()
        asked = datetime.now(UTC)
    finally:
        server.stop()
    assert health["replay"]["replayed_at"] == "2024-11-27T14:00:00Z"
    now = datetime.fromisoformat(health["now"])                          # whole seconds
    assert replay.now(started) <= now <= replay.now(asked)


def test_on_the_real_clock_the_server_says_it_is_live(tmp_path):
    server = ServerProcess(tmp_path)
    try:
        health = requests.get(f"{server.url}/healthz", timeout=10).json()
    finally:
        server.stop()
    assert health["replay"] is None and health["now"].endswith("Z")

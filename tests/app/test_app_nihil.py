"""Laporan nihil from the officer's home: one tap offline, once per WIB day, queued in the outbox like a
report, and synced to the real server, where it makes the desa heard from without a score."""
from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from field_app.errors import Offline
from field_app.outbox import Outbox
from field_app.sync_client import SyncClient
from field_app.sync_engine import SyncEngine
from field_app.viewmodels import OutboxList, ReportForm
from field_app.viewmodels.nihil import Nihil
from tests.app.builders import DESA, OFFICER
from tests.server.helpers import ServerProcess, wait_until

MORNING = datetime(2024, 11, 27, 1, 10, tzinfo=UTC)          # 08:10 WIB on voting day


def test_one_tap_saves_todays_nihil_offline_and_says_so(outbox):
    saved: list[str] = []
    vm = Nihil(outbox, OFFICER, (DESA,), clock=lambda: MORNING, on_saved=saved.append)
    assert vm.sent_today(MORNING) is None and "satu ketukan" in vm.status(MORNING)
    ids = vm.send_nihil(MORNING)                                   # no server anywhere: the outbox keeps it
    assert len(ids) == 1 and saved == ids
    entry = outbox.get(ids[0])
    assert (entry.state, entry.category, entry.desa_code) == ("waiting", "nihil", DESA)
    assert entry.wire["threat_stage"] is None and entry.wire["facts"] == ""
    waiting = "Tersimpan pukul 08:10 WIB: laporan nihil hari ini menunggu sinyal di Kotak Keluar"
    assert vm.status(MORNING) == waiting
    assert vm.send_nihil(MORNING + timedelta(hours=3)) == []         # a second tap the same day saves nothing
    assert outbox.counts(OFFICER)["waiting"] == 1
    later = Nihil(outbox, OFFICER, (DESA,))                        # the app restarted: still known
    assert later.status(MORNING + timedelta(hours=5)) == waiting
    outbox.mark_sent(ids[0], received_at=MORNING + timedelta(hours=6))
    assert later.status(MORNING + timedelta(hours=6)) == "Laporan nihil hari ini sudah dikirim (pukul 08:10 WIB)"
    assert later.sent_today(MORNING + timedelta(days=1)) is None    # the next WIB day asks again


def test_one_nihil_per_desa_of_the_area_and_none_without_a_desa(outbox):
    second = "15.72.07.2005"
    ids = Nihil(outbox, OFFICER, (DESA, second), clock=lambda: MORNING).send_nihil(MORNING)
    assert sorted(outbox.get(item).desa_code for item in ids) == sorted([DESA, second])
    nobody = Nihil(outbox, "other", ("15.72.07",))                 # a kecamatan scope names no desa
    assert nobody.send_nihil(MORNING) == [] and "butuh desa binaan" in nobody.status(MORNING)


def test_the_outbox_shows_a_nihil_and_the_report_form_does_not_offer_it(outbox):
    Nihil(outbox, OFFICER, (DESA,)).send_nihil(MORNING)
    (item,) = OutboxList(outbox, OFFICER, clock=lambda: MORNING).items
    assert item.threat_stage == "NIHIL"
    assert "nihil" not in {choice.code for choice in ReportForm(outbox, OFFICER).category_choices}


@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("nihil")
    clock = workdir / "clock.txt"
    clock.write_text(MORNING.isoformat(), encoding="utf-8")
    server = ServerProcess(workdir, env={"PETA_CLOCK_FILE": str(clock)})
    done = subprocess.run([sys.executable, "-m", "sync_server", "create-user", "--db", str(server.db), "--username",
                           OFFICER, "--name", "Brigpol Andi", "--role", "officer", "--scope", DESA],
                          capture_output=True, text=True, env=server.env, timeout=60)
    assert done.returncode == 0, done.stderr
    yield server
    server.stop()


def test_the_nihil_syncs_and_makes_the_desa_heard_from(real_server, tmp_path):
    outbox = Outbox(tmp_path)
    ids = Nihil(outbox, OFFICER, (DESA,), clock=lambda: MORNING).send_nihil(MORNING)
    offline = SyncEngine(outbox, SyncClient("http://127.0.0.1:9"), OFFICER)     # nothing listens: no signal
    assert not offline.sync_once(MORNING).ok and outbox.get(ids[0]).state == "waiting"
    code = subprocess.run([sys.executable, "-m", "sync_server", "enrollment-code", "--db", str(real_server.db),
                           "--username", OFFICER], capture_output=True, text=True, env=real_server.env, timeout=60)
    client = SyncClient()
    client.enroll(real_server.url, OFFICER, code.stdout.split()[0], "HP uji")
    outcome = SyncEngine(outbox, client, OFFICER).sync_once(MORNING)
    assert outcome.ok and outcome.sent == 1, outcome
    assert outbox.get(ids[0]).state == "sent"
    stored = client.get_report(ids[0])
    assert (stored["category"], stored["threat_stage"], stored["facts"]) == ("nihil", None, "")
    admin = SyncClient(real_server.url)
    admin.login("admin", real_server.admin_password)
    assert wait_until(lambda: _desa_state(admin) == "reporting")
    region = admin.get_region(DESA)
    assert region["score"] == 0.0 and region["report_count"] == 0
    outbox.close()


def _desa_state(client: SyncClient) -> str | None:
    try:
        return client.get_region(DESA)["coverage"]["state"]
    except Offline:
        return None

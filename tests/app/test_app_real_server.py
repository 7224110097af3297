"""The officer's side against the real sync server (``python -m sync_server serve``) on 127.0.0.1."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from field_app.errors import Offline
from field_app.outbox import Outbox
from field_app.pin import MemoryTokenStore, PinLock
from field_app.sync_client import SyncClient
from field_app.sync_engine import SyncEngine
from field_app.viewmodels import Enrollment, Feedback, OutboxList, QuickReport, ReportForm
from tests.app.builders import DESA, DESA_POINT

pytestmark = pytest.mark.slow

OFFICER = "87051001"
SUPERVISOR, SUPERVISOR_PASSWORD = "polres.sungaipenuh", "kata-sandi-uji-123"


def _cli(db, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "sync_server", *args, "--db", str(db)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    db = tmp_path_factory.mktemp("server") / "peta.db"
    _cli(db, "init")
    _cli(db, "create-user", "--username", OFFICER, "--name", "Brigpol Andi", "--role", "officer", "--scope", DESA)
    _cli(db, "create-user", "--username", SUPERVISOR, "--name", "Kapolres", "--role", "supervisor",
         "--scope", "15.72", "--password", SUPERVISOR_PASSWORD)
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "sync_server", "serve", "--db", str(db), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url)
        yield url, db
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            SyncClient(url, connect_timeout=1, read_timeout=2).healthz()
            return
        except Offline:
            assert time.monotonic() < deadline, "the sync server did not start"
            time.sleep(0.2)


def test_enroll_report_offline_sync_and_get_a_review_back(real_server, tmp_path):
    url, db = real_server
    now = datetime.now(UTC)
    outbox, tokens = Outbox(tmp_path), MemoryTokenStore()
    enrollment = Enrollment(outbox, tokens, pins=PinLock(outbox.meta, iterations=1_000))
    enrollment.set_server_url(url)
    enrollment.set_nrp(OFFICER)
    enrollment.set_code(_cli(db, "enrollment-code", "--username", OFFICER).split()[0])
    assert enrollment.enroll(now), enrollment.message
    assert enrollment.set_pin("274916", "274916")
    session = enrollment.session()

    full_id, quick_id = _file_two_reports(outbox, now)
    assert outbox.counts(OFFICER)["waiting"] == 2

    engine = SyncEngine(outbox, session.make_client(), OFFICER)
    outcome = engine.sync_once(now)
    assert outcome.ok and outcome.sent == 2, outcome
    assert {item.state for item in OutboxList(outbox, OFFICER).items} == {"sent"}
    client = session.make_client()
    assert client.get_report(full_id)["facts"] == "Dua kelompok pendukung saling dorong di depan balai desa."
    assert client.get_report(quick_id)["desa_code"] == DESA

    supervisor = SyncClient(url)
    supervisor.login(SUPERVISOR, SUPERVISOR_PASSWORD)
    supervisor.review_report(full_id, "confirm", note="Sudah dicek Polsek.")
    assert engine.sync_once(now).pulled >= 1
    feedback = Feedback(outbox, OFFICER)
    feedback.choose_kind("review")
    assert feedback.unread["review"] == 1
    assert feedback.items[0].title == "Laporan Bentrok antar pendukung di Desa Dujung Sakti: dikonfirmasi"
    assert feedback.items[0].detail == "Sudah dicek Polsek."
    outbox.close()


def _file_two_reports(outbox, now) -> tuple[str, str]:
    """A full report and a three-tap quick report, both from GPS in Desa Dujung Sakti."""
    form = ReportForm(outbox, OFFICER)
    form.choose_category("bentrok")
    form.choose_threat_stage("AG")
    form.use_gps(*DESA_POINT, accuracy=9)
    form.set_facts("Dua kelompok pendukung saling dorong di depan balai desa.")
    quick = QuickReport(outbox, OFFICER)
    quick.use_gps(*DESA_POINT)
    quick.choose_category("politik_uang")
    quick.choose_threat_stage("PG")
    return form.submit(now), quick.confirm(now)


class Killed(BaseException):
    pass


class KillAfterPush:
    def __init__(self, client):
        self.client = client

    def push(self, reports):
        self.client.push(reports)
        raise Killed()


def test_a_kill_after_the_server_committed_is_resent_and_held_once(real_server, tmp_path):
    url, db = real_server
    now = datetime.now(UTC)
    officer_client = SyncClient()
    officer_client.enroll(url, OFFICER, _cli(db, "enrollment-code", "--username", OFFICER).split()[0], "HP 2")
    outbox = Outbox(tmp_path)
    form = ReportForm(outbox, OFFICER)
    form.choose_category("logistik")
    form.choose_threat_stage("GN")
    form.set_desa(DESA)
    form.set_facts("Kotak suara tertahan di jembatan putus.")
    report_id = form.submit(now)
    with pytest.raises(Killed):
        SyncEngine(outbox, KillAfterPush(officer_client), OFFICER).sync_once(now)
    outbox.close()

    restarted = Outbox(tmp_path)
    outcome = SyncEngine(restarted, officer_client, OFFICER).sync_once(now)
    assert (outcome.sent, outcome.duplicates) == (1, 1)
    supervisor = SyncClient(url)
    supervisor.login(SUPERVISOR, SUPERVISOR_PASSWORD)
    items = supervisor.list_reports(region=DESA, limit=1000)["items"]
    assert [item["id"] for item in items].count(report_id) == 1
    restarted.close()

"""Crashes: the server SIGKILLed under sustained pushes from several phones, and the phone's sync
killed between the server's answer and its own outbox update."""
from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time

import pytest

from field_app.outbox import Outbox
from field_app.sync_client import SyncClient
from field_app.sync_engine import SyncEngine, SyncPolicy
from tests.faults.harness import (
    ROOT,
    RealServer,
    audit,
    integrity,
    queue_reports,
    unexpected_tracebacks,
    utc_now,
)
from tests.faults.proxy import Fault
from tests.server.helpers import wait_until

pytestmark = pytest.mark.slow

PHONES, REPORTS_PER_PHONE, BATCH = 3, 240, 8


class RecordingClient:
    """The real client, noting every ``created`` answer the moment it arrives (with the time)."""

    def __init__(self, client: SyncClient, acks: dict[str, float], lock: threading.Lock):
        self.client, self.acks, self.lock = client, acks, lock

    def push(self, reports):
        results = self.client.push(reports)
        with self.lock:
            for result in results:
                if result.status == "created":
                    self.acks[result.id] = time.monotonic()
        return results

    def __getattr__(self, name):
        return getattr(self.client, name)


class Phone(threading.Thread):
    """One officer's phone: the real outbox and engine, syncing again and again until it is empty."""

    def __init__(self, server: RealServer, number: int, folder, acks, lock):
        super().__init__(daemon=True)
        self.officer = f"8707{number:04d}"
        token = server.enroll_officer(self.officer)
        self.outbox = Outbox(folder / self.officer)
        self.saved = queue_reports(self.outbox, self.officer, random.Random(number), REPORTS_PER_PHONE,
                                   now=utc_now())
        client = RecordingClient(SyncClient(server.url, token, connect_timeout=1, read_timeout=5), acks, lock)
        self.engine = SyncEngine(self.outbox, client, self.officer, policy=SyncPolicy(batch_size=BATCH))
        self.failed_passes, self.done = 0, False

    def run(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            outcome = self.engine.sync_once(utc_now())
            self.failed_passes += not outcome.ok
            if outcome.ok and not self.outbox.pending_count(self.officer):
                self.done = True
                return
            time.sleep(0.05)            # the phone's pace between passes (the app backs off), not a wait


def test_server_killed_under_pushes_keeps_every_created_report_once(tmp_path):
    server = RealServer(tmp_path / "server").start()
    acks: dict[str, float] = {}
    lock = threading.Lock()
    phones = [Phone(server, number, tmp_path, acks, lock) for number in range(1, PHONES + 1)]
    try:
        for phone in phones:
            phone.start()
        assert wait_until(lambda: len(acks) >= 100, 60), "no pushes landed before the kill"
        server.kill()
        with lock:
            created_before_kill = set(acks)
        # The server stays down until a phone has noticed (a failed pass), then comes back.
        assert wait_until(lambda: sum(phone.failed_passes for phone in phones) >= 1, 60)
        server.start()
        for phone in phones:
            phone.join(100)
    finally:
        server.stop()
    saved = {report_id: digest for phone in phones for report_id, digest in phone.saved.items()}
    assert all(phone.done for phone in phones), [phone.outbox.counts(phone.officer) for phone in phones]
    assert len(created_before_kill) < len(saved)                 # the kill really interrupted the pushes
    assert sum(phone.failed_passes for phone in phones) >= 1     # and the phones noticed it
    found = audit(server.db, saved)
    assert set(found.lost) & created_before_kill == set()
    assert (found.lost, found.duplicated, found.altered, found.held) == ([], [], [], len(saved))
    assert integrity(server.db) == "ok"
    assert unexpected_tracebacks(server.log()) == []


def test_sync_killed_between_the_answer_and_the_outbox_update_resends_as_duplicate(real_server, officer,
                                                                                   tmp_path):
    username, token = officer
    folder = tmp_path / "phone"
    outbox = Outbox(folder)
    saved = queue_reports(outbox, username, random.Random(42), 5, now=utc_now())
    outbox.close()
    child = subprocess.run([sys.executable, "-m", "tests.faults.engine_child", str(folder), real_server.url,
                            token, username], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert audit(real_server.db, saved).exact                             # the server committed all five
    killed = Outbox(folder, recover=False)
    assert killed.counts(username)["sending"] == 5                        # the phone never heard back
    killed.close()

    restarted = Outbox(folder)                                            # app start: sending -> waiting
    assert restarted.counts(username)["waiting"] == 5
    outcome = SyncEngine(restarted, SyncClient(real_server.url, token), username).sync_once(utc_now())
    assert (outcome.ok, outcome.sent, outcome.duplicates) == (True, 5, 5)
    assert restarted.counts(username)["sent"] == 5
    found = audit(real_server.db, saved)
    assert (found.exact, found.held) == (True, 5)
    restarted.close()


def test_an_answer_lost_after_the_commit_leaves_the_reports_waiting_then_duplicate(real_server, officer,
                                                                                  proxy, tmp_path):
    username, token = officer
    outbox = Outbox(tmp_path / "phone")
    saved = queue_reports(outbox, username, random.Random(43), 4, now=utc_now())
    proxy.plan = lambda exchange: Fault("cut") if exchange.path.endswith("/sync/push") else Fault()
    engine = SyncEngine(outbox, SyncClient(proxy.url, token, read_timeout=2), username)
    failed = engine.sync_once(utc_now())
    assert (failed.ok, failed.error_code, outbox.counts(username)["waiting"]) == (False, "sync.offline", 4)
    assert audit(real_server.db, saved).exact
    proxy.plan = lambda exchange: Fault()
    retried = engine.sync_once(utc_now())
    assert (retried.ok, retried.sent, retried.duplicates) == (True, 4, 4)
    assert audit(real_server.db, saved).held == 4
    outbox.close()

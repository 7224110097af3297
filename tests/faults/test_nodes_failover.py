"""Two server nodes on one PostgreSQL behind a loopback balancer; the node that runs the alert engine
is SIGKILLed while phones push through the balancer. The phones (the real outbox and sync engine)
retry through the surviving node: nothing lost, nothing twice, and the engine moves to the survivor,
which evaluates every report (its region counts match the reports stored). Recorded in
docs/reliability.md ("Several nodes: one killed mid-push")."""
from __future__ import annotations

import random
import signal
import threading
import time

import pytest

from field_app.outbox import Outbox
from field_app.sync_client import SyncClient
from field_app.sync_engine import SyncEngine, SyncPolicy
from tests.faults.balancer import Balancer
from tests.faults.harness import (
    DESAS,
    RealServer,
    audit,
    query,
    queue_reports,
    unexpected_tracebacks,
    utc_now,
)
from tests.faults.nodes import engine_node, engine_pid, start_nodes, stop_all
from tests.server.helpers import Api, wait_until

pytestmark = pytest.mark.slow

PHONES, REPORTS_PER_PHONE, BATCH = 4, 240, 8


class NotingClient:
    """The real client, noting every ``created`` answer as it arrives."""

    def __init__(self, client: SyncClient, acks: set[str], lock: threading.Lock):
        self.client, self.acks, self.lock = client, acks, lock

    def push(self, reports):
        results = self.client.push(reports)
        with self.lock:
            self.acks.update(result.id for result in results if result.status == "created")
        return results

    def __getattr__(self, name):
        return getattr(self.client, name)


class Phone(threading.Thread):
    """One officer's phone syncing through the balancer until its outbox is empty."""

    def __init__(self, node: RealServer, url: str, number: int, folder, acks: set[str], lock: threading.Lock):
        super().__init__(daemon=True)
        self.officer = f"8709{number:04d}"
        token = node.enroll_officer(self.officer, DESAS[number % len(DESAS)])
        self.outbox = Outbox(folder / self.officer)
        self.saved = queue_reports(self.outbox, self.officer, random.Random(number), REPORTS_PER_PHONE,
                                   now=utc_now())
        client = NotingClient(SyncClient(url, token, connect_timeout=1, read_timeout=10), acks, lock)
        self.engine = SyncEngine(self.outbox, client, self.officer, policy=SyncPolicy(batch_size=BATCH))
        self.failed_passes, self.done = 0, False

    def run(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            outcome = self.engine.sync_once(utc_now())
            self.failed_passes += not outcome.ok
            if outcome.ok and not self.outbox.pending_count(self.officer):
                self.done = True
                return
            time.sleep(0.05)            # the phone's pace between passes (the app backs off), not a wait


def test_a_node_killed_mid_push_loses_nothing_and_the_engine_moves(pg_cluster, tmp_path):
    url = pg_cluster.database()
    nodes = start_nodes(tmp_path, url, 2)
    acks: set[str] = set()
    lock = threading.Lock()
    try:
        victim = engine_node(url, nodes)
        survivor = next(node for node in nodes if node is not victim)
        with Balancer([node.port for node in nodes]) as balancer:
            phones = [Phone(nodes[0], balancer.url, number, tmp_path, acks, lock) for number in range(PHONES)]
            for phone in phones:
                phone.start()
            assert wait_until(lambda: len(acks) >= 150, 60), "no pushes landed before the kill"
            # Mid-push for certain: the victim is frozen, a phone's request reaches it (and is never
            # answered), then the victim dies with that request in hand.
            victim.process.send_signal(signal.SIGSTOP)
            reached = balancer.forwarded[victim.port]
            assert wait_until(lambda: balancer.forwarded[victim.port] > reached, 30), "no push reached the victim"
            killed_at = time.monotonic()
            victim.kill()
            with lock:
                created_before_kill = set(acks)
            assert wait_until(lambda: engine_pid(url) == survivor.process.pid, 30), "the engine did not move"
            takeover = time.monotonic() - killed_at
            for phone in phones:
                phone.join(150)
            counts = _counts_read_on(survivor, url)
        saved = {report_id: digest for phone in phones for report_id, digest in phone.saved.items()}
        found = audit(url, saved)
        print(f"\n{len(saved)} reports, {len(created_before_kill)} created before the kill, "
              f"{sum(phone.failed_passes for phone in phones)} failed passes; engine on the survivor "
              f"{takeover:.1f} s after the kill; balancer connections {dict(balancer.connections)}, "
              f"refused {dict(balancer.refused)}")
        assert all(phone.done for phone in phones), [phone.outbox.counts(phone.officer) for phone in phones]
        assert len(created_before_kill) < len(saved)                  # the kill interrupted the pushes
        assert sum(phone.failed_passes for phone in phones) >= 1      # and a phone noticed it
        assert balancer.refused[victim.port] >= 1                     # the balancer failed over
        assert (found.lost, found.duplicated, found.altered, found.held) == ([], [], [], len(saved))
        assert counts["evaluated"] == counts["stored"]                # the survivor's engine took in all
        assert unexpected_tracebacks(survivor.log()) == []
    finally:
        stop_all(nodes)
        pg_cluster.drop(url)


def _counts_read_on(node: RealServer, url: str) -> dict[str, dict[str, int]]:
    """An alert read on ``node`` (it waits for the pass covering every push answered), then each
    desa's reports as stored and as its region state counts them."""
    api = Api(node.url)
    token = api.login("admin")
    response = api.get("/api/v1/alerts", token=token, params={"limit": 1000})
    assert response.status_code == 200, response.text
    marks = ",".join("?" for _ in DESAS)
    stored = dict(query(url, f"SELECT desa_code, count(*) FROM reports WHERE desa_code IN ({marks}) "
                             "GROUP BY desa_code", DESAS))
    evaluated = dict(query(url, f"SELECT code, report_count FROM region_states WHERE code IN ({marks})", DESAS))
    return {"stored": stored, "evaluated": evaluated}

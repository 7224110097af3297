"""Faults between the phone and the server: each proxy fault alone, then seeded randomised trials of
the real app sync engine (outbox + engine + client) against a real server: none lost, none twice."""
from __future__ import annotations

import random

import pytest

from field_app.errors import Offline
from field_app.sync_client import SyncClient
from tests.faults.harness import audit, make_report, utc_now
from tests.faults.proxy import Fault, Profile
from tests.faults.trials import TrialSettings, run_trial
from tests.server.helpers import wait_until

pytestmark = pytest.mark.slow

TRIAL_SEEDS = range(1000, 1040)          # bench/faults.py runs 200+ more with other seeds
TRIAL_SETTINGS = TrialSettings(max_reports=30, max_photos=2, fault_rate=0.3, read_timeout=0.4)


def _client(proxy, token: str, timeout: float = 1.0) -> SyncClient:
    return SyncClient(proxy.url, token, connect_timeout=timeout, read_timeout=timeout)


def _one_report(seed: int):
    return make_report(random.Random(seed), utc_now())


def _fault_every_push(proxy, fault: Fault) -> None:
    proxy.plan = lambda exchange: fault if exchange.path.endswith("/sync/push") else Fault()


# ---------------------------------------------------------------- each fault alone


def test_a_refused_connection_is_offline_and_the_server_holds_nothing(real_server, officer, proxy):
    report = _one_report(1)
    _fault_every_push(proxy, Fault("refuse"))
    with pytest.raises(Offline):
        _client(proxy, officer[1]).push([report.to_wire()])
    assert audit(real_server.db, {report.id: report.content_hash()}).lost == [report.id]


def test_an_offline_link_resets_every_new_connection(officer, proxy):
    proxy.offline = True
    with pytest.raises(Offline):
        _client(proxy, officer[1]).healthz()
    proxy.offline = False
    assert _client(proxy, officer[1]).healthz()["status"] == "ok"


def test_a_request_dropped_midway_commits_nothing(real_server, officer, proxy):
    report = _one_report(2)
    _fault_every_push(proxy, Fault("drop", fraction=0.9))
    with pytest.raises(Offline):
        _client(proxy, officer[1]).push([report.to_wire()])
    assert audit(real_server.db, {report.id: report.content_hash()}).lost == [report.id]
    dropped = proxy.stats.exchanges[-1]
    assert (dropped.fault, dropped.complete, dropped.bytes_down) == ("drop", False, 0)
    assert dropped.bytes_up > 0


def test_an_answer_cut_after_the_commit_lands_once_and_the_resend_is_a_duplicate(real_server, officer, proxy):
    report = _one_report(3)
    client = _client(proxy, officer[1])
    _fault_every_push(proxy, Fault("cut"))
    with pytest.raises(Offline):
        client.push([report.to_wire()])
    assert audit(real_server.db, {report.id: report.content_hash()}).exact    # committed, answer lost
    proxy.plan = lambda exchange: Fault()
    assert [result.status for result in client.push([report.to_wire()])] == ["duplicate"]
    assert audit(real_server.db, {report.id: report.content_hash()}).held == 1


def test_a_stalled_answer_times_out_after_the_commit(real_server, officer, proxy):
    """The proxy would hold the answer 60 s: the client's read timeout gives up first (how soon: bench/timing.py)."""
    report = _one_report(4)
    _fault_every_push(proxy, Fault("stall"))
    proxy.stall_seconds = 60
    with pytest.raises(Offline):
        _client(proxy, officer[1], timeout=0.5).push([report.to_wire()])
    stalled = proxy.stats.exchanges[-1]
    assert stalled.fault == "stall" and not stalled.complete
    assert wait_until(lambda: stalled.hung_up)              # the client hung up; the proxy had not given up
    assert audit(real_server.db, {report.id: report.content_hash()}).exact


def test_an_answer_reset_midway_is_offline(officer, proxy):
    _fault_every_push(proxy, Fault("reset", fraction=0.5))
    with pytest.raises(Offline):
        _client(proxy, officer[1]).push([_one_report(5).to_wire()])
    assert not proxy.stats.exchanges[-1].complete


# The proxy's delays are sleeps (the emulated network): the tests check what it held each exchange
# for; bench/timing.py measures how long the client really waited.


def test_a_delay_slows_but_does_not_fail(officer, proxy):
    _fault_every_push(proxy, Fault("delay", seconds=0.4))
    results = _client(proxy, officer[1]).push([_one_report(6).to_wire()])
    assert [result.status for result in results] == ["created"]
    delayed = proxy.stats.exchanges[-1]
    assert (delayed.fault, delayed.complete, delayed.held) == ("delay", True, 0.4)


def test_latency_is_added_in_each_direction(officer, proxy):
    proxy.profile = Profile(latency_up=0.15, latency_down=0.1)
    _client(proxy, officer[1]).healthz()
    exchange = proxy.stats.exchanges[-1]
    assert exchange.complete and exchange.held == pytest.approx(0.25)


def test_bandwidth_is_throttled_to_the_profile(officer, proxy):
    proxy.profile = Profile(up=100_000, down=50_000)
    wires = [_one_report(seed).to_wire() for seed in range(10, 60)]
    _client(proxy, officer[1], timeout=10).push(wires)
    exchange = proxy.stats.exchanges[-1]
    assert exchange.complete and exchange.bytes_up > 2_000 and exchange.bytes_down > 500

    def paced() -> bool:    # the proxy adds the last slice's hold just after the client got its bytes
        return exchange.held == pytest.approx(exchange.bytes_up / 100_000 + exchange.bytes_down / 50_000)
    assert wait_until(paced, seconds=10), (exchange.held, exchange.bytes_up, exchange.bytes_down)


def test_random_loss_shows_as_drops_resets_and_stalls(officer, proxy):
    proxy.profile, proxy.stall_seconds = Profile(loss=0.5), 2
    client, failures = _client(proxy, officer[1], timeout=0.3), 0
    for _ in range(20):
        try:
            client.healthz()
        except Offline:
            failures += 1
    assert 3 <= failures <= 17
    assert set(proxy.stats.faults()) <= {"drop", "reset", "stall"} and len(proxy.stats.faults()) >= 2


# ---------------------------------------------------------------- the real engine, randomised


@pytest.mark.parametrize("seed", TRIAL_SEEDS)
def test_random_faults_lose_nothing_and_duplicate_nothing(real_server, officer, proxy, tmp_path, seed):
    result = run_trial(real_server, proxy, *officer, seed=seed, workdir=tmp_path, settings=TRIAL_SETTINGS)
    found = result.audit
    assert (found.lost, found.duplicated, found.altered, found.media_missing) == ([], [], [], []), result
    assert found.held == result.reports
    assert result.attention == 0, result

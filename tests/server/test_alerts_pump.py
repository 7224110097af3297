"""The alert pump: pushes answer without waiting for alerts, readers still see every answered push."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from sync_server.alerts.pump import Pump
from tests.server.alerts_support import ClockedServer, wib
from tests.server.helpers import PASSWORD, Api, report, wait_until

SUNGAI_PENUH_DESA = "15.72.02.2001"


class Recorder:
    """A pass that records how many pokes had arrived when it began; with ``held``, the first pass
    runs until the test opens ``gate`` (a slow pass, with no clock involved)."""

    def __init__(self, pump_pokes, held: bool = False, fail_first: bool = False):
        self.pokes_seen: list[int] = []
        self.gate = threading.Event()
        if not held:
            self.gate.set()
        self.fail_first = fail_first
        self.pump_pokes = pump_pokes
        self.started = threading.Event()

    def __call__(self) -> None:
        self.started.set()
        self.pokes_seen.append(self.pump_pokes())
        assert self.gate.wait(30), "the test never opened the gate"
        if self.fail_first and len(self.pokes_seen) == 1:
            raise RuntimeError("the first pass breaks")


def make_pump(held: bool = False, min_interval: float = 0.0, fail_first: bool = False) -> tuple[Pump, Recorder]:
    holder: dict[str, Pump] = {}
    recorder = Recorder(lambda: holder["pump"]._poked, held, fail_first)
    pump = holder["pump"] = Pump(recorder, min_interval=min_interval, name="test-pump")
    return pump, recorder


def test_settle_returns_at_once_when_nothing_was_pushed():
    pump, recorder = make_pump()
    assert not pump.pending()
    assert pump.settle(timeout=0.01) is True
    assert recorder.pokes_seen == []


def test_a_poke_runs_a_pass_and_settle_waits_for_it():
    pump, recorder = make_pump(held=True)
    pump.poke()
    assert recorder.started.wait(5)
    assert pump.pending()
    assert pump.settle(timeout=0.05) is False        # the pass is still held: settle cannot be done
    recorder.gate.set()
    assert pump.settle(timeout=5) is True
    assert recorder.pokes_seen == [1] and not pump.pending()
    pump.close()


def test_pokes_during_a_pass_share_the_next_pass():
    pump, recorder = make_pump(held=True)
    pump.poke()
    assert recorder.started.wait(5)
    for _ in range(5):                              # five pushes land while the first pass runs
        pump.poke()
    recorder.gate.set()
    assert pump.settle(timeout=5)
    assert recorder.pokes_seen == [1, 6]            # two passes for six pushes, the second saw them all
    pump.close()


def test_settle_waits_for_a_pass_that_began_after_the_call():
    """A reader arriving mid-pass must not be released by that pass: it began before the reader's push."""
    pump, recorder = make_pump(held=True)
    pump.poke()
    assert recorder.started.wait(5)
    pump.poke()                                      # the reader's own push, after the pass began
    opener = threading.Thread(target=lambda: wait_until(lambda: pump._waiting > 0) and recorder.gate.set())
    opener.start()                                   # the first pass ends while the reader waits
    assert pump.settle(timeout=10)
    opener.join(5)
    assert len(recorder.pokes_seen) == 2 and recorder.pokes_seen[-1] == 2


def test_pokes_within_the_interval_gather_into_one_pass():
    """Under sustained pushes a pass waits out the interval (an hour here, so no clock can interfere)
    and then covers every poke made meanwhile; how many passes per second that gives under a real
    interval is measured by bench/timing.py."""
    pump, recorder = make_pump(min_interval=3600)
    pump.poke()
    assert pump.settle(timeout=5)                    # a lone push is evaluated at once
    for _ in range(50):
        pump.poke()
    # Held back by the interval: no pass begins on its own (a correct pump never does; a pump that
    # ignored the interval would begin one within milliseconds) ...
    assert not wait_until(lambda: len(recorder.pokes_seen) > 1, seconds=0.3)
    assert recorder.pokes_seen == [1] and pump.pending()
    assert pump.settle(timeout=30)                   # ... until a reader waits: one pass for all 50
    assert recorder.pokes_seen == [1, 51]
    pump.close()


def test_a_failing_pass_neither_blocks_readers_nor_stops_the_pump():
    pump, recorder = make_pump(fail_first=True)
    pump.poke()
    assert pump.settle(timeout=5)
    pump.poke()
    assert pump.settle(timeout=5)
    assert len(recorder.pokes_seen) == 2
    pump.close()


def test_settle_gives_up_after_its_timeout_without_raising():
    pump, recorder = make_pump(held=True)
    pump.poke()
    assert recorder.started.wait(5)
    pump.poke()
    assert pump.settle(timeout=0.05) is False        # the pass is held until the gate opens
    recorder.gate.set()
    pump.close()


def test_close_finishes_pending_work_and_later_pokes_are_ignored():
    pump, recorder = make_pump()
    pump.poke()
    pump.close()
    assert recorder.pokes_seen == [1]
    pump.poke()
    assert pump.settle(timeout=0.5)
    assert recorder.pokes_seen == [1]


@pytest.mark.slow
def test_an_alert_is_readable_as_soon_as_the_push_that_raised_it_is_answered(tmp_path):
    """No sleeping, no polling: the push answers, and the very next reads see the alert."""
    server = ClockedServer(tmp_path, wib("11-27 22:00"))
    try:
        api = Api(server.url)
        admin = api.login("admin", PASSWORD)
        for username, role, scope in (("polsek.sp", "supervisor", ["15.72"]),
                                      ("nrp.sp", "officer", [SUNGAI_PENUH_DESA])):
            created = api.post("/api/v1/users", token=admin, json={"username": username, "name": username,
                                                                    "role": role, "scope": scope,
                                                                    "password": PASSWORD})
            assert created.status_code == 201, created.text
        supervisor = api.login("polsek.sp")
        assert api.get("/api/v1/alerts", token=supervisor).json()["items"] == []
        officer = api.login("nrp.sp")
        batch = [report(desa_code=SUNGAI_PENUH_DESA, category="gangguan_tps", threat_stage="GN",
                        source_reliability="A", info_credibility=1,
                        observed_at=(server.now - timedelta(minutes=minutes)).isoformat())
                 for minutes in (5, 20, 40, 60)]
        assert {r["status"] for r in api.push(officer, batch)["results"]} == {"created"}
        items = api.get("/api/v1/alerts", token=supervisor).json()["items"]
        assert [item["region_code"] for item in items if item["region_code"] == SUNGAI_PENUH_DESA]
        region = api.get(f"/api/v1/regions/{SUNGAI_PENUH_DESA}", token=supervisor).json()
        assert region["level"] in ("rawan", "sangat_rawan")
    finally:
        server.stop()


@pytest.mark.slow
def test_with_two_workers_a_reader_on_either_process_sees_the_alert_of_a_push_just_answered(tmp_path):
    """The push lands in one worker, whose next pass waits out PETA_ALERT_INTERVAL; readers on fresh
    connections may land in the other worker, whose pump was never poked: it sees changes past its
    book and evaluates them itself before answering."""
    from tests.server.helpers import ServerProcess, fresh_kecamatan

    clock_file = tmp_path / "clock.txt"
    now = wib("11-27 22:00")
    clock_file.write_text(now.isoformat(), encoding="utf-8")
    server = ServerProcess(tmp_path, env={"PETA_CLOCK_FILE": str(clock_file), "PETA_EVALUATE_SECONDS": "0",
                                          "PETA_LOGIN_FAILURES_PER_ADDRESS": "100000", "PETA_ALERT_INTERVAL": "1.5"},
                           serve_args=("--workers", "2"))
    try:
        api = Api(server.url)
        admin = api.login("admin", PASSWORD)
        missed = []
        for round_ in range(4):
            kecamatan, desa = fresh_kecamatan()
            for username, role, scope in ((f"sup{round_}", "supervisor", [kecamatan]),
                                          (f"nrp{round_}", "officer", [desa[0]])):
                body = {"username": username, "name": username, "role": role, "scope": scope,
                        "password": PASSWORD}
                assert api.post("/api/v1/users", token=admin, json=body).status_code == 201
            supervisor, officer = api.login(f"sup{round_}"), api.login(f"nrp{round_}")
            batch = [report(desa_code=desa[0], source_reliability="A", info_credibility=1,
                            observed_at=(now - timedelta(minutes=minutes)).isoformat())
                     for minutes in (5, 20, 40, 60)]
            assert {r["status"] for r in Api(server.url).push(officer, batch)["results"]} == {"created"}
            for _ in range(6):                          # fresh connections: either worker may answer
                reader = Api(server.url)
                items = reader.get("/api/v1/alerts", token=supervisor).json()["items"]
                if desa[0] not in {item["region_code"] for item in items}:
                    missed.append((round_, desa[0]))
                reader.http.close()
        assert missed == []
    finally:
        server.stop()


def test_a_waiting_reader_cuts_the_interval_short():
    """Under sustained pushes passes are held back by the interval, but not while a reader waits."""
    pump, recorder = make_pump(min_interval=3600)
    pump.poke()
    assert pump.settle(timeout=5)                    # the first pass runs at once
    pump.poke()                                      # the next one would wait an hour for more batches
    assert pump.settle(timeout=30)                   # ... but a reader is waiting: it runs now
    assert len(recorder.pokes_seen) == 2
    pump.close()

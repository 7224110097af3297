"""Load (issue 7): a hundred officers' phones syncing at once against a real server for ~10 s,
while three supervisors poll the alert board, the review queue and an alert's detail every second.

No timing thresholds: what must hold is that nothing fails, nothing is lost or counted twice, every
supervisor request is answered 200 within the client's timeout, and the incidents raise alerts.
The long runs with hundreds of officers and their figures: ``bench/load.py``, docs/benchmarks.md.
"""
from __future__ import annotations

import pytest

from tests.faults.load import LEVELS_RAISED, ROUTES, LoadSettings, run_load

pytestmark = pytest.mark.slow

SETTINGS = LoadSettings(officers=100, seconds=10, seed=7, think=(3.0, 8.0), quiet_seconds=1.0)


@pytest.fixture(scope="module")
def load(tmp_path_factory):
    return run_load(SETTINGS, tmp_path_factory.mktemp("load"), progress=lambda _: None)


def test_a_hundred_phones_sync_at_once_without_a_single_failed_exchange(load):
    tally = load.tally
    assert load.server_errors == 0
    assert dict(tally.errors) == {}                     # no 4xx/5xx, no timeout, no transport error
    assert dict(tally.other_results) == {}              # nothing invalid, no conflict
    assert tally.sessions >= SETTINGS.officers          # every phone synced at least once
    assert tally.backlog_reports > 1000 and tally.created > tally.backlog_reports
    assert len(tally.saved) == len(tally.acked) + tally.queued_at_end
    assert tally.changes["alert"] > 0                   # officers pulled the alerts of their area


def test_the_server_holds_every_acknowledged_report_exactly_once(load):
    holdings, tally = load.holdings, load.tally
    assert holdings.audit.expected == len(tally.acked) > 1000
    assert holdings.audit.lost == []
    assert holdings.audit.duplicated == []
    assert holdings.audit.altered == []
    assert tally.created_twice == []
    assert holdings.unknown == [] and holdings.wrong_officer == []
    assert holdings.held == len(tally.acked) + holdings.unacknowledged
    assert holdings.unacknowledged == 0                 # no answer was lost, so nothing extra is held
    assert holdings.integrity == "ok"
    assert load.tracebacks == []


def test_supervisors_are_answered_200_throughout(load):
    assert dict(load.supervisor_errors) == {}           # every request answered 200 within the timeout
    for route in ROUTES:
        assert len(load.supervisor_latencies[route]) >= 3, route


def test_the_incident_desa_raise_alerts(load):
    assert set(load.hot_levels) == set(SETTINGS.hot_desa)
    for desa, level in load.hot_levels.items():
        assert level in LEVELS_RAISED, desa
    assert sum(load.alert_levels.values()) >= len(SETTINGS.hot_desa)

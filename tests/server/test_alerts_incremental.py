"""Incremental evaluation equals evaluation from scratch at the same ``at`` — exactly.

After every push (or review) the service re-evaluates only the affected regions; a fresh service
(a new ScoreBook read from the database) then runs a FULL pass at the same time: for every region
the incremental pass evaluated (at least the pushed desa and their ancestors), the state (score bit for bit, level, counts, categories) and the
alert stay exactly as they were, and no history line is added.
"""
from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kerawanan import assets
from kerawanan.scorebook import ancestors
from sync_server.intake import accept_reports
from sync_server.storage import open_storage
from sync_server.storage.base import NewChange, Review
from tests.server.alerts_support import (
    OFFICERS,
    ClockedServer,
    add_engine_accounts,
    drawn_report,
    engine_service,
    wib,
)
from tests.server.helpers import PASSWORD, Api, report

T0 = wib("11-27 20:00")
DESA = ("15.72.07.2001", "15.72.07.2004", "15.72.02.2004", "15.71.01.1004", "15.01.16.2001")
ALL = sorted({code for desa in DESA for code in (desa, *ancestors(desa))})

reports_ = st.fixed_dictionaries({
    "desa_code": st.sampled_from(DESA),
    "category": st.sampled_from(("bentrok", "gangguan_tps", "politik_uang")),
    "threat_stage": st.sampled_from(("PG", "AG", "GN")),
    "minutes_ago": st.integers(-9, 60 * 24 * 4),
    "grade": st.sampled_from((None, "A1", "B2", "C3")),
})
steps = st.lists(st.tuples(st.sampled_from(OFFICERS), st.lists(reports_, min_size=1, max_size=8),
                           st.integers(1, 40), st.lists(st.sampled_from(("reject", "duplicate", "confirm")),
                                                        max_size=2)),
                 min_size=1, max_size=6)


def snapshot(storage, codes: set[str]) -> tuple[dict, dict, int]:
    states = storage.region_states(codes)
    alerts = {alert.region_code: (alert.level, alert.score, alert.status, alert.owner, alert.version,
                                  alert.deadline_at) for alert in storage.unresolved_alerts_under(["15"])
              if alert.region_code in codes}
    return states, alerts, len(storage.audit_trail())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=steps)
def test_an_incremental_pass_equals_a_full_pass_from_scratch(plan):
    with tempfile.TemporaryDirectory() as folder:
        storage = open_storage(Path(folder) / "inc.db", migrate=True)
        try:
            add_engine_accounts(storage, DESA[0], T0)
            live, now, pushed = engine_service(storage, T0), T0, []
            for officer, items, hours, verdicts in plan:
                now += timedelta(hours=hours)
                bodies = [drawn_report(item, now) for item in items]
                accept_reports(storage, officer, None, bodies, now=now, gazetteer=assets.gazetteer(),
                               calendar=assets.calendar())
                for verdict, body in zip(verdicts, pushed, strict=False):   # reviews of earlier reports
                    _review(storage, body, verdict, bodies[0]["id"], now)
                pushed += bodies
                assert live.on_reports_stored(now) is not None
                codes = {code for code, state in storage.region_states(ALL).items() if state.evaluated_at == now}
                counted = [body["desa_code"] for body, item in zip(bodies, items, strict=True) if item["minutes_ago"] >= 0]
                assert {code for desa in counted for code in (desa, *ancestors(desa))} <= codes
                before = snapshot(storage, codes)
                engine_service(storage, T0).evaluate(now)                  # from scratch, every region
                after = snapshot(storage, codes)
                assert after[0] == before[0] and after[1] == before[1]
                assert after[2] >= before[2]                    # only untouched regions may move
                assert {e.alert_id for e in storage.audit_trail()[before[2]:]}.isdisjoint(
                    {a.id for a in storage.unresolved_alerts_under(["15"]) if a.region_code in codes})
        finally:
            storage.close()


def _review(storage, body: dict, verdict: str, other: str, now) -> None:
    status = {"reject": "rejected", "duplicate": "duplicate", "confirm": "confirmed"}[verdict]
    review = Review(status=status, grade="E5" if verdict == "confirm" else None,
                    duplicate_of=other if verdict == "duplicate" else None, by="polsek", at=now)
    storage.review_report(body["id"], review, NewChange(kind="review", data={}, ref=body["id"]))


@pytest.mark.slow
def test_a_running_server_and_the_cli_agree(tmp_path):
    """Pushes through HTTP (the server's alert pump evaluates them), then ``evaluate --at`` from
    scratch in another process at the same instant changes nothing the push touched."""
    server = ClockedServer(tmp_path, T0)
    try:
        api = Api(server.url)
        admin = api.login("admin", PASSWORD)
        for username, role, scope in (("polsek.kb", "supervisor", ["15.72.07"]),
                                      ("nrp.one", "officer", [DESA[0]]), ("nrp.two", "officer", [DESA[1]])):
            created = api.post("/api/v1/users", token=admin, json={"username": username, "name": username,
                                                                    "role": role, "scope": scope,
                                                                    "password": PASSWORD})
            assert created.status_code == 201, created.text
        for hour, (officer, desa) in enumerate([("nrp.one", DESA[0]), ("nrp.two", DESA[1]), ("nrp.one", DESA[0])]):
            server.set_clock(T0 + timedelta(hours=hour))
            body = [report(desa_code=desa, observed_at=(server.now - timedelta(minutes=m)).isoformat(),
                           source_reliability="B", info_credibility=2) for m in (3, 30)]
            api.push(api.login(officer, PASSWORD), body)
            # an alert reader waits for the pass covering the push, before the clock moves on
            assert api.get("/api/v1/alerts", token=admin).status_code == 200
        touched = {DESA[0], *ancestors(DESA[0])}
        before = {code: row for code, row in server.states().items() if code in touched}
        history = server.query("SELECT count(*) FROM alert_history")
        assert before["15.72.07"][0] == "sangat_rawan" and len(before) == 4
        assert "penuh / full" in server.evaluate(server.now)
        after = {code: row for code, row in server.states().items() if code in touched}
        assert after == before
        assert server.query("SELECT count(*) FROM alert_history") == history
    finally:
        server.stop()


@pytest.mark.slow
def test_the_background_task_decays_scores_on_the_injected_clock(tmp_path):
    """``PETA_EVALUATE_SECONDS=1``: with no new report, the server's own passes follow the clock file."""
    server = ClockedServer(tmp_path, T0, env={"PETA_EVALUATE_SECONDS": "1"})
    try:
        api = Api(server.url)
        admin = api.login("admin", PASSWORD)
        body = {"username": "nrp.bg", "name": "Bhabin", "role": "officer", "scope": [DESA[0]], "password": PASSWORD}
        assert api.post("/api/v1/users", token=admin, json=body).status_code == 201
        api.push(api.login("nrp.bg", PASSWORD), [report(desa_code=DESA[0], observed_at=T0.isoformat(),
                                                        source_reliability="A", info_credibility=1)])
        assert _wait_for(server, lambda: server.level(DESA[0]) == "rawan")
        server.advance(days=4)                          # 27 → 10.7, under the exit bound 12.6
        assert _wait_for(server, lambda: server.level(DESA[0]) == "kurang_rawan")
        ((score, evaluated),) = server.query("SELECT score, evaluated_at FROM region_states WHERE code = ?", DESA[0])
        assert score == pytest.approx(27 * 0.5 ** (96 / 72)) and evaluated.startswith("2024-12-01T13:00")
    finally:
        server.stop()


def _wait_for(server: ClockedServer, condition, seconds: float = 20.0) -> bool:
    from tests.server.helpers import wait_until

    return wait_until(condition, seconds, step=0.2)


def test_evaluate_on_the_cli(tmp_path):
    from tests.server.helpers import cli

    db = tmp_path / "peta.db"
    assert cli(db, "init").returncode == 0
    done = cli(db, "evaluate", "--at", "2024-11-27T22:30:00+07:00")
    assert done.returncode == 0 and "evaluasi penuh / full @ 2024-11-27T22:30:00+07:00" in done.stdout
    for bad in ("2024-11-27T22:30", "kemarin"):
        failed = cli(db, "evaluate", "--at", bad)
        assert failed.returncode == 1 and len(failed.stderr.strip().splitlines()) == 1
        assert "--at" in failed.stderr and "timezone" in failed.stderr
    assert cli(tmp_path / "none.db", "evaluate").returncode == 1

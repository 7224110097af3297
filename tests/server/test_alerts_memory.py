"""The engine keeps region states and unresolved alerts in memory between passes
(``sync_server/alerts/memory.py``), but it is never the only writer: a second server process runs
its own engine on the same database, ``evaluate`` runs in the CLI at the very instant of a pass,
supervisors act on alerts between passes. The memory must change nothing: the same steps played in
two worlds — one whose engines keep their memory, one whose engines read everything back before every
pass, as the engine did before it had one — leave the same states, the same alerts and the same
history, step after step; and every pass still gives the regions it evaluated exactly what a fresh
engine's full pass from the reports gives at that instant.
"""
from __future__ import annotations

import tempfile
from dataclasses import astuple, replace
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kerawanan import assets
from kerawanan.errors import KerawananError
from kerawanan.scorebook import ancestors
from sync_server.alerts import actions, memory
from sync_server.alerts.service import AlertService
from sync_server.intake import accept_reports
from sync_server.scope import Principal
from sync_server.storage import open_storage
from sync_server.storage.alerts import SqlAlertBatch
from tests.server.alerts_support import (
    OFFICERS,
    add_engine_accounts,
    drawn_report,
    engine_service,
    if_match,
    wib,
)

T0 = wib("11-27 20:00")
DESA = ("15.72.07.2001", "15.72.07.2004", "15.72.07.2003", "15.72.02.2004", "15.01.16.2001")
ALL = sorted({code for desa in DESA for code in (desa, *ancestors(desa))})
POLDA = Principal("polda", "supervisor", ("15",), name="Polda")

reports_ = st.fixed_dictionaries({
    "desa_code": st.sampled_from(DESA),
    "category": st.sampled_from(("bentrok", "gangguan_tps", "politik_uang")),
    "threat_stage": st.sampled_from(("PG", "AG", "GN", "GN")),
    "minutes_ago": st.integers(0, 60 * 30),
    "grade": st.sampled_from((None, "A1", "B2")),
})
steps = st.lists(st.tuples(
    st.sampled_from(("a", "a", "b")),                 # the process whose engine runs the pass
    st.sampled_from(OFFICERS),
    st.lists(reports_, max_size=5),                   # none: a pass that only decays and escalates
    st.integers(1, 40),                                # hours later
    st.sampled_from((None, None, "acknowledge", "resolve", "reopen", "assign")),   # before the pass
    st.sampled_from((False, False, True)),            # then ``evaluate`` runs at the very same instant
), min_size=2, max_size=8)


class World:
    """A database with two server processes' alert services; ``forgetful`` engines drop their memory
    before every pass (so they read every state and alert back, as the engine once did)."""

    def __init__(self, folder: str, forgetful: bool):
        self.storage = open_storage(Path(folder) / f"{'forgetful' if forgetful else 'memory'}.db", migrate=True)
        add_engine_accounts(self.storage, DESA[0], T0)
        self.forgetful = forgetful
        self.services = {"a": self.service(), "b": self.service()}

    def service(self) -> AlertService:
        return engine_service(self.storage, T0)

    def step(self, which: str, officer: str, bodies: list[dict], action: str | None, cli: bool, now) -> set[str]:
        """The step's action, push and pass; returns the regions the pass evaluated (at least)."""
        self.act(action, now)
        accept_reports(self.storage, officer, None, bodies, now=now, gazetteer=assets.gazetteer(),
                       calendar=assets.calendar())
        engine = self.services[which].engine
        if self.forgetful:
            engine.memory = None
        engine.evaluate(now, full=False)
        if cli:
            self.service().evaluate(now)
        return {code for body in bodies for code in (body["desa_code"], *ancestors(body["desa_code"]))}

    def act(self, action: str | None, now) -> None:
        """A supervisor's action on the first alert, in code order, that allows it."""
        if action is None:
            return
        live = self.services["a"]
        status = "resolved" if action == "reopen" else "active"
        for region in ALL:
            found, _ = self.storage.list_alerts(live.query(POLDA, region=region, status=status, limit=1000))
            for alert in sorted(found, key=lambda alert: (alert.region_code, alert.opened_at)):
                body = {"action": action, "note": "Uji", **({"response": "Kondusif"} if action == "resolve" else {}),
                        **({"assignee": "nrp.a"} if action == "assign" else {})}
                try:
                    actions.act(live, POLDA, alert, body, if_match(alert.version)["If-Match"], now)
                    return
                except KerawananError:
                    continue                          # not allowed from its status, or not to that officer

    def picture(self) -> tuple:
        """Every state, every alert and the whole history, without the random alert ids."""
        states = self.storage.region_states(ALL)
        alerts, _ = self.storage.list_alerts(self.services["a"].query(POLDA, limit=1000))
        history = self.storage.audit_trail()
        return (states, sorted(astuple(replace(alert, id="", number=None)) for alert in alerts),
                [astuple(replace(event, alert_id="")) for event in history])


@pytest.mark.parametrize("row_cost", [0, memory.ROW_COST])   # 0: targets looked up one by one
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=steps)
def test_memory_changes_nothing_whoever_else_writes(row_cost, plan):
    with tempfile.TemporaryDirectory() as folder, mock.patch.object(memory, "ROW_COST", row_cost):
        remembering, forgetful = World(folder, False), World(folder, True)
        try:
            now = T0
            for which, officer, items, hours, action, cli in plan:
                now += timedelta(hours=hours)
                bodies = [drawn_report(item, now) for item in items]
                touched = remembering.step(which, officer, bodies, action, cli, now)
                forgetful.step(which, officer, bodies, action, cli, now)
                assert remembering.picture() == forgetful.picture()
                for world in (remembering, forgetful):      # a third process, in both worlds
                    _matches_a_fresh_full_pass(world, touched, now)
        finally:
            remembering.storage.close()
            forgetful.storage.close()


def _matches_a_fresh_full_pass(world: World, touched: set[str], now) -> None:
    """A fresh engine's full pass at the same instant changes nothing the pass evaluated (it may
    move untouched regions: they were evaluated earlier)."""
    states, alerts, _ = world.picture()
    world.service().evaluate(now)
    fresh_states, fresh_alerts, _ = world.picture()
    assert {code: states.get(code) for code in touched} == {code: fresh_states.get(code) for code in touched}
    mine = {alert[1]: alert for alert in alerts if alert[6] != "resolved"}          # by region, unresolved
    theirs = {alert[1]: alert for alert in fresh_alerts if alert[6] != "resolved"}
    assert {code: mine.get(code) for code in touched} == {code: theirs.get(code) for code in touched}


@pytest.mark.parametrize("row_cost", [0, memory.ROW_COST])
def test_a_level_another_process_lowered_is_the_previous_level_of_the_next_pass(row_cost):
    """A clash makes Desa Koto Baru and its kecamatan rawan, and the Polda acknowledges the desa's
    alert; two days later ``evaluate`` in another process finds the kecamatan's decayed 17.0 under
    its exit bound (17.5) and stores kurang_rawan (no alert moves: the kecamatan only showed the
    desa's, which stays rawan and acknowledged). A small report then brings the kecamatan to 19.9:
    from kurang_rawan that stays kurang_rawan — the server's engine, which last saw it rawan, must
    take the stored level, not its memory."""
    clash = {"desa_code": DESA[0], "category": "bentrok", "threat_stage": "GN", "minutes_ago": 0, "grade": "A1"}
    small = {"desa_code": DESA[0], "category": "politik_uang", "threat_stage": "AG", "minutes_ago": 0, "grade": "A1"}
    with tempfile.TemporaryDirectory() as folder, mock.patch.object(memory, "ROW_COST", row_cost):
        world = World(folder, False)
        try:
            world.step("a", "nrp.a", [drawn_report(clash, T0)], None, False, T0)
            assert world.storage.region_states(["15.72.07"])["15.72.07"].level == "rawan"
            world.act("acknowledge", T0)
            world.services["a"].engine.evaluate(T0, full=False)     # it learns of the action
            later = T0 + timedelta(hours=48)
            world.service().evaluate(later)
            assert world.storage.region_states(["15.72.07"])["15.72.07"].level == "kurang_rawan"
            now = later + timedelta(hours=1)
            world.step("a", "nrp.a", [drawn_report(small, now)], None, False, now)
            state = world.storage.region_states(["15.72.07"])["15.72.07"]
            assert 17.5 <= state.score < 25 and state.level == "kurang_rawan"
        finally:
            world.storage.close()



def test_an_engine_reads_levels_back_only_after_another_wrote_states():
    """Each pass stamps the states it writes: the engine that wrote them last reads none of them back
    (one stamp row instead of a level per target); after ``evaluate`` in another process wrote them,
    its next pass reads the levels as stored."""
    report = {"desa_code": DESA[0], "category": "bentrok", "threat_stage": "AG", "minutes_ago": 0, "grade": "B2"}
    with tempfile.TemporaryDirectory() as folder, \
            mock.patch.object(SqlAlertBatch, "region_levels", autospec=True,
                              side_effect=SqlAlertBatch.region_levels) as by_code, \
            mock.patch.object(SqlAlertBatch, "hot_levels", autospec=True,
                              side_effect=SqlAlertBatch.hot_levels) as hot:
        world = World(folder, False)

        def levels_read_by_a_pass(now) -> int:
            by_code.reset_mock()
            hot.reset_mock()
            world.step("a", "nrp.a", [drawn_report(report, now)], None, False, now)
            return by_code.call_count + hot.call_count

        try:
            levels_read_by_a_pass(T0)                                    # its first pass reads everything
            assert levels_read_by_a_pass(T0 + timedelta(minutes=5)) == 0
            world.service().evaluate(T0 + timedelta(minutes=6))          # another process writes states
            assert levels_read_by_a_pass(T0 + timedelta(minutes=7)) > 0
            assert levels_read_by_a_pass(T0 + timedelta(minutes=8)) == 0
        finally:
            world.storage.close()

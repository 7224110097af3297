"""Alert lifecycle and escalation berjenjang as pure functions: hysteresis, deadlines, owners."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from kerawanan import assets
from sync_server.alerts.escalation import Chain, escalate
from sync_server.alerts.lifecycle import Scored, follow_state, next_state, open_alert, opens_alert
from sync_server.storage.base import User

CONFIG = assets.scoring_config()
T0 = datetime(2024, 11, 27, 15, 0, tzinfo=UTC)
DESA = "15.72.07.2001"
SUPERVISORS = [
    User("polda.jambi", "Polda", "supervisor", ("15",)),
    User("polres.kerinci", "Polres", "supervisor", ("15.01", "15.72")),
    User("polsek.pesisirbukit", "Polsek", "supervisor", ("15.72.02", "15.72.07")),
    User("polresta.jambi", "Polresta", "supervisor", ("15.71",)),
    User("admin", "Admin", "admin", ("15",)),
]


def scored(score: float, code: str = DESA) -> Scored:
    return Scored(code, "desa" if code.count(".") == 3 else "kabupaten", score, 3, 2, (("bentrok", score),),
                  T0, T0)


def run(scores: list[float]):
    """Evaluate a desa once per hour with these scores; the states and the alert's history."""
    state, alert, events = None, None, []
    for hour, score in enumerate(scores):
        at = T0 + timedelta(hours=hour)
        new = next_state(scored(score), state, at, CONFIG)
        if alert is not None:
            alert, more = follow_state(alert, new, at, "pemungutan_suara", CONFIG)
            events += more
        elif opens_alert(new, state):
            alert, more = open_alert(new, at, "pemungutan_suara", "polsek.pesisirbukit", CONFIG)
            events += more
        state = new
    return state, alert, events


def test_hysteresis_prevents_flapping_on_a_score_oscillating_at_the_threshold():
    # desa: rawan at 18, drops only below 18 × 0.7 = 12.6
    state, alert, events = run([18.2, 17.5, 18.1, 16.0, 18.4, 13.0, 17.9, 12.7, 18.0])
    assert state.level == "rawan"
    assert [event.event for event in events] == ["opened"]
    assert alert.version == 1
    state, alert, events = run([18.2, 17.5, 12.5, 17.9, 18.0])
    assert [(event.event, event.level) for event in events] == [
        ("opened", "rawan"), ("level", "kurang_rawan"), ("level", "rawan")]


def test_without_stored_level_the_same_scores_would_flap():
    levels = [next_state(scored(score), None, T0, CONFIG).level for score in (18.2, 17.5, 18.1, 16.0)]
    assert levels == ["rawan", "kurang_rawan", "rawan", "kurang_rawan"]


def test_an_alert_opens_on_a_rise_to_rawan_not_while_staying_there():
    low = next_state(scored(5), None, T0, CONFIG)
    high = next_state(scored(20), low, T0, CONFIG)
    assert opens_alert(high, low) and opens_alert(high, None)
    assert not opens_alert(next_state(scored(19), high, T0, CONFIG), high)
    assert not opens_alert(low, None)
    very = next_state(scored(50), high, T0, CONFIG)
    assert very.level == "sangat_rawan" and opens_alert(very, high)


def test_a_rise_reopens_the_deadline_and_asks_for_a_new_acknowledgement():
    state = next_state(scored(20), None, T0, CONFIG)
    alert, _ = open_alert(state, T0, "pemungutan_suara", "polsek.pesisirbukit", CONFIG)
    assert alert.deadline_at == T0 + timedelta(hours=6) and alert.status == "open" and alert.version == 1
    acknowledged = replace(alert, status="acknowledged", deadline_at=None, version=2)
    later = T0 + timedelta(hours=2)
    rise = next_state(scored(50), state, later, CONFIG)
    risen, events = follow_state(acknowledged, rise, later, "pemungutan_suara", CONFIG)
    assert (risen.level, risen.peak_level, risen.status, risen.version) == ("sangat_rawan", "sangat_rawan", "open", 3)
    assert risen.deadline_at == later + timedelta(hours=1)
    assert events[0].previous_level == "rawan" and events[0].event == "level"


def test_a_decay_to_kurang_rawan_is_recorded_and_the_alert_stays():
    state = next_state(scored(20), None, T0, CONFIG)
    alert, _ = open_alert(state, T0, "pemungutan_suara", None, CONFIG)
    later = T0 + timedelta(days=3)
    quiet = next_state(scored(2), state, later, CONFIG)
    decayed, events = follow_state(alert, quiet, later, "rekapitulasi", CONFIG)
    assert (decayed.level, decayed.status, decayed.deadline_at, decayed.peak_level) == (
        "kurang_rawan", "open", None, "rawan")
    assert decayed.stage == "rekapitulasi" and decayed.score == 2
    assert [event.event for event in events] == ["level"]


def test_the_score_follows_without_a_version_bump():
    state = next_state(scored(30), None, T0, CONFIG)
    alert, _ = open_alert(state, T0, "pemungutan_suara", None, CONFIG)
    followed, events = follow_state(alert, next_state(scored(25), state, T0, CONFIG), T0, "x", CONFIG)
    assert followed.score == 25 and followed.version == 1 and events == []


def test_following_the_numbers_changes_them_and_nothing_else():
    _, alert, _ = run([32, 33])
    alert = replace(alert, assignee="nrp.a", response="Kondusif", number=7, response_for_field=True,
                    resolved_at=T0, escalations=2, owner="polres.kerinci")
    state = next_state(scored(34.5)._replace(top_categories=(("bentrok", 30.0), ("logistik", 4.5)),
                                             last_report_at=T0 + timedelta(hours=3)), None, T0 + timedelta(hours=4), CONFIG)
    followed, events = follow_state(alert, state, T0 + timedelta(hours=4), "rekapitulasi", CONFIG)
    assert events == [] and followed == replace(
        alert, score=34.5, stage="rekapitulasi", report_count=3, officer_count=2,
        top_categories=(("bentrok", 30.0), ("logistik", 4.5)), first_report_at=T0,
        last_report_at=T0 + timedelta(hours=3), scored_at=T0 + timedelta(hours=4))


def test_the_owner_is_the_supervisor_with_the_narrowest_scope():
    chain = Chain(SUPERVISORS)
    assert chain.owner_of(DESA) == "polsek.pesisirbukit"
    assert chain.owner_of("15.72.07") == "polsek.pesisirbukit"
    assert chain.owner_of("15.72") == "polres.kerinci"
    assert chain.owner_of("15") == "polda.jambi"                       # admins own nothing
    assert chain.owner_of("15.71.01.1004") == "polresta.jambi"
    assert chain.owner_of("15.05.01") == "polda.jambi"                 # no Polsek, no Polres: Polda
    assert chain.above(DESA, "polsek.pesisirbukit") == "polres.kerinci"
    assert chain.above(DESA, "polres.kerinci") == "polda.jambi"
    assert chain.above(DESA, "polda.jambi") is None
    assert Chain([]).owner_of(DESA) is None


def test_escalation_climbs_one_step_per_passed_deadline_counted_from_the_deadline():
    state = next_state(scored(50), None, T0, CONFIG)
    alert, _ = open_alert(state, T0, "pemungutan_suara", "polsek.pesisirbukit", CONFIG)
    chain = Chain(SUPERVISORS)
    same, events = escalate(alert, T0 + timedelta(minutes=59), chain, CONFIG)
    assert same == alert and events == []
    once, events = escalate(alert, T0 + timedelta(minutes=61), chain, CONFIG)
    assert (once.owner, once.escalations, once.version) == ("polres.kerinci", 1, 2)
    assert once.deadline_at == T0 + timedelta(hours=2) and events[0].at == T0 + timedelta(hours=1)
    late, events = escalate(alert, T0 + timedelta(hours=5), chain, CONFIG)
    assert [event.event for event in events] == ["escalated", "escalated", "overdue"]
    assert [event.at for event in events] == [T0 + timedelta(hours=h) for h in (1, 2, 3)]
    assert (late.owner, late.escalations, late.deadline_at) == ("polda.jambi", 2, None)
    again, events = escalate(late, T0 + timedelta(hours=9), chain, CONFIG)
    assert events == [] and again == late


def test_an_acknowledged_alert_does_not_escalate():
    state = next_state(scored(50), None, T0, CONFIG)
    alert, _ = open_alert(state, T0, "pemungutan_suara", "polsek.pesisirbukit", CONFIG)
    acknowledged = replace(alert, status="acknowledged")
    assert escalate(acknowledged, T0 + timedelta(hours=4), Chain(SUPERVISORS), CONFIG) == (acknowledged, [])


def test_concurrent_hooks_share_passes_that_began_after_them():
    import threading

    from sync_server.alerts.service import Coalesced
    from tests.server.helpers import wait_until

    class CountingCondition(threading.Condition):
        """Counts the callers that went to wait: they have arrived and hold their ticket."""
        waits = 0

        def wait(self, timeout=None):
            self.waits += 1
            return super().wait(timeout)

    coalesced, calls, gate = Coalesced(), [], threading.Event()
    coalesced._condition = CountingCondition()

    def work():
        calls.append(len(calls) + 1)
        if len(calls) == 1:
            assert gate.wait(30)             # the first pass is slow: others arrive meanwhile
        return len(calls)

    first = threading.Thread(target=coalesced.run, args=(work,))
    first.start()
    assert wait_until(lambda: calls)
    results: list[int] = []
    waiters = [threading.Thread(target=lambda: results.append(coalesced.run(work))) for _ in range(6)]
    for waiter in waiters:
        waiter.start()
    assert wait_until(lambda: coalesced._condition.waits >= 6)     # all six are waiting
    gate.set()
    for thread in (first, *waiters):
        thread.join(5)
    assert calls == [1, 2]                   # six late callers: one more pass, not six
    assert results == [2] * 6                # each got a pass that began after it arrived

"""The alerts port and the engine's ``AlertBatch``, on every backend of ``contract/conftest.py``; the
append-only tables on both; the SQLite step that created them (v4, from v3)."""
from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlite_utils

from kerawanan.errors import Conflict
from sync_server.storage.base import (
    Alert,
    AlertEvent,
    AlertNumbers,
    AlertQuery,
    NewChange,
    RegionState,
    Review,
    User,
)
from sync_server.storage.migrations import migrate
from tests.server.contract.builders import NOW, OFFICER, parsed
from tests.server.helpers import DESA_A, DESA_B, KOTA_JAMBI_DESA, PESISIR_BUKIT_DESA

T0 = "2024-11-27T14:40:00.000000Z"
OBSERVED = datetime(2024, 11, 27, 14, 40, tzinfo=UTC)       # parsed()'s observed_at
POLSEK = User(username="polsek.kotobaru", name="Kapolsek Koto Baru", role="supervisor", scope=("15.72.07",))


def alert(region: str = DESA_A, **overrides) -> Alert:
    body = dict(id=f"a-{region}", region_code=region, level="rawan", peak_level="rawan", score=20.5, stage="x",
                status="open", owner="polsek", deadline_at=NOW + timedelta(hours=6), escalations=0, report_count=2,
                officer_count=1, top_categories=(("bentrok", 20.5),), first_report_at=NOW, last_report_at=NOW,
                scored_at=NOW, opened_at=NOW, updated_at=NOW, version=1)
    body.update(overrides)
    return Alert(**body)


def event(item: Alert, kind: str = "opened", actor: str = "system", **overrides) -> AlertEvent:
    return AlertEvent(alert_id=item.id, version=item.version, at=overrides.pop("at", NOW), actor=actor, event=kind,
                      level=item.level, **overrides)


def state(code: str, level: str = "rawan", **overrides) -> RegionState:
    body = dict(code=code, tier="desa", level=level, score=12.5, report_count=3, officer_count=2,
                top_categories=(("bentrok", 12.5),), first_report_at=NOW, last_report_at=NOW, evaluated_at=NOW)
    body.update(overrides)
    return RegionState(**body)


def alert_change(item: Alert) -> NewChange:
    return NewChange(kind="alert", data={"id": item.id}, region_code=item.region_code, ref=item.id)


def opened(storage, *alerts: Alert) -> list[Alert]:
    with storage.alert_batch() as batch:
        for item in alerts:
            batch.save_alert(item, [event(item)])
    return [storage.get_alert(item.id) for item in alerts]


# ---- the SQLite step that made the tables (from v3)

def test_v4_alerts_from_v3_keeps_reports_and_reviews(tmp_path):
    db = sqlite_utils.Database(tmp_path / "m.db")
    migrate(db, 3)
    db.execute("INSERT INTO users VALUES ('88030417', 'Bhabin', 'officer', '[]', NULL, ?)", [T0])
    db.execute("INSERT INTO changes (seq, kind, created_at) VALUES (1, 'report', ?)", [T0])
    db.execute("INSERT INTO reports (id, seq, officer, desa_code, category, threat_stage, stage, observed_at, "
               "received_at, content_hash, wire) VALUES ('r1', 1, '88030417', ?, 'bentrok', 'GN', 'kampanye', ?, ?, "
               "'h', '{}')", [DESA_A, T0, T0])
    db.execute("INSERT INTO reviews (report_id, status, reviewer, at) VALUES ('r1', 'rejected', 'polsek', ?)", [T0])
    assert migrate(db, 4) == [4]
    assert {"region_states", "alerts", "alert_history"} <= set(db.table_names())
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE reviews SET status = 'confirmed'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM reviews")
    assert db.execute("SELECT status FROM reviews").fetchall() == [("rejected",)]
    db.close()


# ---- append-only tables, on both backends

APPEND_ONLY = [("alert_history", "UPDATE alert_history SET actor = 'someone'"),
               ("alert_history", "DELETE FROM alert_history"),
               ("reviews", "UPDATE reviews SET status = 'confirmed'"),
               ("reviews", "DELETE FROM reviews"),
               ("account_events", "UPDATE account_events SET actor = 'someone'"),
               ("report_repairs", "UPDATE report_repairs SET reason = 'lain'")]


def _fill_append_only(storage) -> None:
    opened(storage, alert())
    first = parsed()
    storage.store_reports(OFFICER.username, None, [first], NOW)
    storage.review_report(first.id, Review(status="rejected", by="polsek", at=NOW),
                          NewChange(kind="review", data={}, recipient=OFFICER.username, ref=first.id))
    with storage.db.writing() as conn:
        conn.execute("INSERT INTO report_repairs (report_id, field, reason, at) VALUES (?, 'stage', 'uji', ?)",
                     (first.id, T0))


@pytest.mark.parametrize(("table", "statement"), APPEND_ONLY)
def test_append_only_tables_refuse_change(storage, table, statement):
    _fill_append_only(storage)
    with storage.db.reading() as conn:
        before = sorted(conn.execute(f"SELECT * FROM {table}").fetchall())
    assert before
    with pytest.raises(storage.db.IntegrityError, match="append-only"), storage.db.writing() as conn:
        conn.execute(statement)
    with storage.db.reading() as conn:
        assert sorted(conn.execute(f"SELECT * FROM {table}").fetchall()) == before
    assert [e.actor for e in storage.alert_history(f"a-{DESA_A}")] == ["system"]


# ---- alerts: one unresolved per region, numbers in order of opening

def test_a_second_unresolved_alert_of_a_region_is_a_conflict_and_the_batch_stores_nothing(storage):
    first, = opened(storage, alert())
    with pytest.raises(Conflict) as caught, storage.alert_batch() as batch:
        batch.save_region_states([state("15.72.07")])
        batch.save_alert(alert(id="other", status="acknowledged"), [])
    assert (caught.value.code, caught.value.status, caught.value.details) == (
        "alert.conflict", 409, {"alert_id": first.id})
    assert storage.get_alert("other") is None and storage.region_states(["15.72.07"]) == {}
    old, = opened(storage, alert(id="old", status="resolved", resolved_at=NOW))       # resolved ones may pile up
    seq = storage.current_seq()
    reopened = replace(old, status="open", version=2, resolved_at=None)
    with pytest.raises(Conflict, match="belum selesai"):
        storage.update_alert(reopened, 1, event(reopened, "reopen", "polsek"), [alert_change(reopened)])
    assert storage.get_alert("old") == old and storage.current_seq() == seq
    assert [e.event for e in storage.alert_history("old")] == ["opened"]
    assert {a.id for a in storage.list_alerts(AlertQuery(subtrees=("15",)))[0]} == {first.id, "old"}


def test_numbers_follow_the_order_of_opening_and_never_change(storage):
    first, second, third = opened(storage, alert(DESA_A), alert(DESA_B), alert("15.72.07"))
    assert 1 <= first.number < second.number < third.number
    with storage.alert_batch() as batch:
        batch.save_alert(replace(first, level="sangat_rawan", peak_level="sangat_rawan", version=2), [])
        batch.save_alert(alert(DESA_B, score=99.0, version=2), [])       # no number given: the same alert
    assert storage.get_alert(first.id).level == "sangat_rawan"
    assert (storage.get_alert(second.id).score, storage.get_alert(second.id).number) == (99.0, second.number)
    assert storage.get_alert(first.id).number == first.number
    resolved = replace(first, status="resolved", version=3, resolved_at=NOW, deadline_at=None)
    assert storage.update_alert(resolved, 2, event(resolved, "resolve", "polsek"), [])
    again, = opened(storage, alert(DESA_A, id="again"))              # the desa heats up again: a new alert
    assert again.number > third.number and storage.get_alert(first.id).number == first.number
    assert [a.id for a in storage.list_alerts(AlertQuery(subtrees=("15",)))[0]] == [
        "again", third.id, second.id, first.id]


def test_alert_round_trip_every_field(storage):
    item = alert("15.72", level="sangat_rawan", peak_level="sangat_rawan", score=31.123456789012345, stage=None,
                 status="in_progress", owner=None, deadline_at=None, escalations=2, report_count=7, officer_count=3,
                 top_categories=(("bentrok", 20.25), ("politik_uang", 10.873456789012345)),
                 first_report_at=NOW - timedelta(days=2, microseconds=7), last_report_at=None,
                 scored_at=NOW + timedelta(microseconds=1), version=5, assignee=OFFICER.username,
                 response="Personel Polsek Koto Baru dikirim ke TPS 03.", response_for_field=True)
    stored, = opened(storage, item)
    assert replace(stored, number=None) == item and isinstance(stored.number, int)
    cleared = replace(stored, version=6, assignee=None, response=None, response_for_field=False,
                      resolved_at=NOW, status="resolved", region_code="15.71", number=stored.number + 40)
    assert storage.update_alert(cleared, 5, event(cleared, "resolve", "polres"), [])
    assert storage.get_alert(item.id) == replace(cleared, region_code="15.72", number=stored.number)
    assert storage.get_alert("no-such-alert") is None


# ---- compare-and-set of a supervisor's action

def test_update_alert_is_compare_and_set(storage):
    stored, = opened(storage, alert())
    seq = storage.current_seq()
    acknowledged = replace(stored, status="acknowledged", version=2, deadline_at=None)
    assert storage.update_alert(acknowledged, 1, event(acknowledged, "acknowledge", "polsek"),
                                [alert_change(acknowledged), alert_change(acknowledged)])
    after = storage.current_seq()
    assert after >= seq + 2                                                 # both changes were numbered
    late = replace(acknowledged, status="resolved", version=3)
    assert not storage.update_alert(late, 1, event(late, "resolve", "polsek"), [alert_change(late)])
    assert not storage.update_alert(replace(late, id="no-such-alert"), 1, event(late, "resolve", "polsek"), [])
    now = storage.get_alert(stored.id)
    assert (now.status, now.version, now.deadline_at) == ("acknowledged", 2, None)
    assert [e.event for e in storage.alert_history(stored.id)] == ["opened", "acknowledge"]
    assert storage.current_seq() == after                                   # a refused update publishes nothing


def test_history_and_audit_trail_keep_order_and_data(storage):
    first, second = opened(storage, alert(DESA_A), alert(DESA_B))
    note = "Kapolsek: situasi di Dujung Sakti terkendali — “aman”."
    later = replace(first, version=2, status="acknowledged")
    assert storage.update_alert(later, 1, event(later, "acknowledge", "polsek", at=NOW + timedelta(hours=1),
                                                note=note, data={"assignee": None, "tps": ["03", "04"]},
                                                previous_level="rawan", score=20.5, status="acknowledged"), [])
    history = storage.alert_history(first.id)
    assert [(e.event, e.version, e.at) for e in history] == [("opened", 1, NOW),
                                                             ("acknowledge", 2, NOW + timedelta(hours=1))]
    assert (history[1].note, history[1].data, history[1].score, history[1].previous_level) == (
        note, {"assignee": None, "tps": ["03", "04"]}, 20.5, "rawan")
    assert storage.alert_history("no-such-alert") == []
    assert [(e.alert_id, e.event) for e in storage.audit_trail()] == [
        (first.id, "opened"), (second.id, "opened"), (first.id, "acknowledge")]
    assert [e.event for e in storage.audit_trail(NOW + timedelta(minutes=1))] == ["acknowledge"]


# ---- lists and the engine's reads

def test_alert_list_filters_scope_and_pages(storage):
    with storage.alert_batch() as batch:
        for index, region in enumerate([DESA_A, DESA_B, "15.72.07", "15.72", KOTA_JAMBI_DESA]):
            batch.save_alert(alert(region, level="sangat_rawan" if index % 2 else "rawan"), [])
        batch.save_alert(alert("15.72.02", status="resolved"), [])
    items, _ = storage.list_alerts(AlertQuery(subtrees=("15.72.07",), exact=("15.72", "15"), limit=100))
    assert {a.region_code for a in items} == {DESA_A, DESA_B, "15.72.07", "15.72"}
    items, _ = storage.list_alerts(AlertQuery(subtrees=("15",), level="sangat_rawan"))
    assert {a.region_code for a in items} == {DESA_B, "15.72"}
    assert [a.region_code for a in storage.list_alerts(AlertQuery(subtrees=("15",), status="resolved"))[0]] == [
        "15.72.02"]
    assert len(storage.list_alerts(AlertQuery(subtrees=("15",), status="active"))[0]) == 5
    assert storage.list_alerts(AlertQuery(subtrees=("15",), region="15.71"))[0][0].region_code == KOTA_JAMBI_DESA
    assert storage.list_alerts(AlertQuery(subtrees=(), exact=())) == ([], None)
    first, before = storage.list_alerts(AlertQuery(subtrees=("15",), limit=4))
    rest, end = storage.list_alerts(AlertQuery(subtrees=("15",), limit=4, before=before))
    assert len(first) == 4 and len(rest) == 2 and end is None and before == first[-1].number
    assert [a.number for a in first + rest] == sorted((a.number for a in first + rest), reverse=True)
    assert storage.list_alerts(AlertQuery(subtrees=("15",), limit=6)) == (first + rest, None)
    assert [a.region_code for a in storage.unresolved_alerts_under(["15.72.07"])] == [DESA_A, DESA_B, "15.72.07"]
    assert [a.region_code for a in storage.unresolved_alerts_under(["15.71", "15.72.02"])] == [KOTA_JAMBI_DESA]


def test_batch_reads_unresolved_alerts_by_region_and_deadline(storage):
    due, acknowledged, later, _ = opened(
        storage, alert(DESA_A, deadline_at=NOW), alert(DESA_B, status="acknowledged", deadline_at=NOW),
        alert("15.72.07", deadline_at=NOW + timedelta(hours=1)),
        alert(PESISIR_BUKIT_DESA, status="resolved", resolved_at=NOW))
    many = [f"15.72.07.{n:04d}" for n in range(1200)] + ["15.72.07"]            # more than one chunk
    with storage.alert_batch() as batch:
        assert set(batch.unresolved_alerts()) == {DESA_A, DESA_B, "15.72.07"}
        assert batch.unresolved_alerts()[DESA_B] == acknowledged
        assert batch.unresolved_alerts(many) == {"15.72.07": later}
        assert batch.unresolved_alerts([], due_by=NOW) == {DESA_A: due}        # open and due; not acknowledged
        assert set(batch.unresolved_alerts(["15.72.07"], due_by=NOW - timedelta(seconds=1))) == {"15.72.07"}
        assert batch.unresolved_alerts([PESISIR_BUKIT_DESA]) == {}


def test_save_alert_numbers_touches_only_the_numbers(storage):
    stored, = opened(storage, alert())
    numbers = AlertNumbers(stored.id, score=3.25, stage="rekapitulasi", report_count=9, officer_count=4,
                           top_categories=(("logistik", 3.25),), first_report_at=NOW - timedelta(days=1),
                           last_report_at=None, scored_at=NOW + timedelta(hours=2))
    with storage.alert_batch() as batch:
        batch.save_alert_numbers([numbers])
        batch.save_alert_numbers([])
    assert storage.get_alert(stored.id) == replace(
        stored, score=3.25, stage="rekapitulasi", report_count=9, officer_count=4,
        top_categories=(("logistik", 3.25),), first_report_at=NOW - timedelta(days=1), last_report_at=None,
        scored_at=NOW + timedelta(hours=2))
    assert len(storage.alert_history(stored.id)) == 1


def test_region_states_round_trip_and_hot_levels(storage):
    states = [state("15.72.07", "rawan", tier="kecamatan", score=31.123456789012345,
                    top_categories=(("bentrok", 30.0), ("hoaks_sara", 1.123456789012345))),
              state("15.72", "sangat_rawan", tier="kabupaten"),
              state(DESA_A, "kurang_rawan", score=0.0, report_count=0, officer_count=0, top_categories=(),
                    first_report_at=None, last_report_at=None)]
    with storage.alert_batch() as batch:
        batch.save_region_states(states)
        assert batch.region_states(["15.72.07"]) == {"15.72.07": states[0]}
        assert batch.region_states() == {s.code: s for s in states}
        assert batch.hot_levels() == {"15.72.07": "rawan", "15.72": "sangat_rawan"}
    cooled = replace(states[1], level="rawan", score=9.5, evaluated_at=NOW + timedelta(hours=1))
    with storage.alert_batch() as batch:
        batch.save_region_states([cooled])                                     # replaces, never adds
        batch.save_region_states([])
    many = [f"15.72.07.{n:04d}" for n in range(1200)] + [DESA_A, "15.72"]
    assert storage.region_states(many) == {DESA_A: states[2], "15.72": cooled}
    assert storage.region_states(["15.1", "15.72.0"]) == {}
    assert [s.code for s in storage.region_states_under(["15.72"])] == ["15.72", "15.72.07", DESA_A]
    assert [s.code for s in storage.region_states_under(["15.72.07", "15.71"])] == ["15.72.07", DESA_A]


def test_saving_states_old_and_new_at_once_stores_every_one(storage):
    old = [state("15.72.07", "rawan", tier="kecamatan"), state("15.72", "sangat_rawan", tier="kabupaten")]
    with storage.alert_batch() as batch:
        batch.save_region_states(old)
    moved = [replace(old[0], level="kurang_rawan", score=2.5, top_categories=(("logistik", 2.5),)),
             state(DESA_A, "rawan", score=21.0), replace(old[1], evaluated_at=NOW + timedelta(hours=1))]
    with storage.alert_batch() as batch:
        batch.save_region_states(moved)                                        # two replaced, one added
        assert batch.region_states() == {s.code: s for s in moved}
    with storage.alert_batch() as batch:
        batch.save_region_states(moved[:1])                                    # every one stored before
    assert storage.region_states(["15.72.07", "15.72", DESA_A]) == {s.code: s for s in moved}


def test_levels_of_regions_hot_ones_under_regions(storage):
    states = [state("15.72", "rawan", tier="kabupaten"), state("15.72.07", "sangat_rawan", tier="kecamatan"),
              state(DESA_A, "rawan"), state("15.72.02", "kurang_rawan", tier="kecamatan"),
              state(KOTA_JAMBI_DESA, "rawan")]
    with storage.alert_batch() as batch:
        batch.save_region_states(states)
        assert batch.region_levels(["15.72.07", "15.72.02", "15.71", DESA_A]) == {
            "15.72.07": "sangat_rawan", "15.72.02": "kurang_rawan", DESA_A: "rawan"}
        assert batch.region_levels([]) == {}
        assert batch.region_levels([f"15.72.07.{n:04d}" for n in range(1200)] + [DESA_A, "15.72"]) == {
            DESA_A: "rawan", "15.72": "rawan"}                               # more codes than one statement takes
        assert batch.hot_levels(under=["15.72.07"]) == {"15.72.07": "sangat_rawan", DESA_A: "rawan"}
        assert batch.hot_levels(under=["15.72", "15.01"]) == {"15.72": "rawan", "15.72.07": "sangat_rawan",
                                                              DESA_A: "rawan"}
        assert batch.hot_levels(under=[]) == {}
        assert batch.hot_levels() == {s.code: s.level for s in states if s.level != "kurang_rawan"}


def test_alert_changed_after_sees_alert_changes_only(storage):
    start = storage.current_seq()
    with storage.alert_batch() as batch:
        assert not batch.alert_changed_after(start)
    storage.store_reports(OFFICER.username, None, [parsed(desa_code=DESA_A)], NOW)   # a report's change
    with storage.alert_batch() as batch:
        assert not batch.alert_changed_after(start)
    stored, = opened(storage, alert())                                        # no change of its own
    with storage.alert_batch() as batch:
        assert not batch.alert_changed_after(start)
        batch.add_changes([alert_change(stored)], NOW)
    with storage.alert_batch() as batch:
        assert batch.alert_changed_after(start)
        assert not batch.alert_changed_after(storage.current_seq())


# ---- what scoring reads, and the change feed from the engine

def test_scoring_rows_follow_pushes_reviews_and_corrections(storage):
    first = parsed(desa_code=DESA_A, source_reliability="B", info_credibility=2,
                   observed_at="2024-11-27T21:40:12.345678+07:00")
    storage.store_reports(OFFICER.username, None, [first], NOW)
    with storage.alert_batch() as batch:
        delta = batch.scoring_delta(0)
    (row,) = delta.rows
    assert (row.id, row.desa_code, row.source_reliability, row.info_credibility, row.review) == (
        first.id, DESA_A, "B", 2, "pending")
    assert row.observed_epoch == first.observed_at.timestamp()          # exactly, microseconds too
    assert storage.scoring_delta(0) == delta                            # the read outside a batch agrees
    second = parsed(desa_code=DESA_B)
    storage.store_reports(OFFICER.username, None, [second], NOW)
    storage.review_report(first.id, Review(status="rejected", grade="C3", by="polsek", at=NOW),
                          NewChange(kind="review", data={}, recipient=OFFICER.username, ref=first.id))
    with storage.alert_batch() as batch:
        later = batch.scoring_delta(delta.seq)
        assert batch.scoring_delta(later.seq).rows == []
    assert {(r.id, r.review, r.grade) for r in later.rows} == {(first.id, "rejected", "C3"),
                                                               (second.id, "pending", None)}
    assert later.seq == storage.current_seq()
    assert storage.scoring_delta(later.seq + 10).seq == later.seq + 10   # a cursor never goes back
    fix = parsed(desa_code=DESA_B, supersedes=second.id, category="bentrok")
    storage.store_reports(OFFICER.username, None, [fix], NOW)
    rows = {r.id: r for r in storage.scoring_delta(later.seq).rows}     # the correction and what it corrects
    assert set(rows) == {fix.id, second.id} and rows[second.id].superseded_by == fix.id


def read_all(storage) -> tuple[list[tuple], int]:
    with storage.scoring_rows() as (rows, seq):
        return list(rows), seq


def test_scoring_rows_are_the_full_delta_as_plain_tuples(storage):
    assert read_all(storage) == ([], storage.current_seq())
    reports = [parsed(desa_code=DESA_A, observed_at="2024-11-27T21:40:12.345678+07:00"),
               parsed(desa_code=DESA_B, observed_at="2024-11-27T20:00:00+07:00")]
    storage.store_reports(OFFICER.username, None, reports, NOW)
    storage.review_report(reports[0].id, Review(status="confirmed", grade="C3", by="polsek", at=NOW),
                          NewChange(kind="review", data={}, recipient=OFFICER.username, ref=reports[0].id))
    rows, seq = read_all(storage)
    full = storage.scoring_delta(0)
    assert (rows, seq) == ([tuple(row) for row in full.rows], full.seq)
    assert [row[0] for row in rows] == [reports[1].id, reports[0].id]          # observed order
    assert all(type(row) is tuple for row in rows)


def test_batch_add_changes_numbers_them(storage):
    seq = storage.current_seq()
    with storage.alert_batch() as batch:
        assert batch.add_changes([], NOW) == seq
        last = batch.add_changes([alert_change(alert()), alert_change(alert(DESA_B))], NOW)
    assert last == storage.current_seq() > seq


# ---- who was heard from, who commands, what was counted

def test_activity_is_the_newest_of_report_and_sync(storage):
    quiet = User(username="88030418", name="Bhabin Diam", role="officer", scope=(DESA_B,))
    syncing = User(username="88030419", name="Bhabin Sinkron", role="officer", scope=(DESA_B,))
    for user in (quiet, syncing):
        storage.create_user(user, None, NOW)
    storage.store_reports(OFFICER.username, None, [parsed(desa_code=DESA_B, category="bentrok")], NOW)
    storage.store_reports(OFFICER.username, None, [parsed(desa_code=DESA_B, observed_at="2024-11-27T20:00:00+07:00")],
                          NOW)
    storage.record_sync(OFFICER.username, None, NOW + timedelta(hours=1))
    storage.record_sync(syncing.username, None, NOW - timedelta(hours=3))
    heard = storage.activity()
    assert heard.desa_observed == {DESA_B: OBSERVED}                          # the newest observation
    assert heard.officer_heard == {OFFICER.username: NOW + timedelta(hours=1),
                                   syncing.username: NOW - timedelta(hours=3)}   # never heard: absent
    storage.store_reports(syncing.username, None, [parsed(desa_code=DESA_A)], NOW)
    assert storage.activity().officer_heard[syncing.username] == NOW          # the report came later


def test_report_counts_by_scope_window_and_review(storage):
    day = datetime(2024, 11, 26, 17, 0, tzinfo=UTC)                           # 27 November, WIB
    kept, rejected, duplicate, early = (parsed(desa_code=DESA_B, category="bentrok"), parsed(),
                                        parsed(), parsed(observed_at="2024-11-26T23:59:59+07:00"))
    storage.store_reports(OFFICER.username, None, [kept, rejected, duplicate, early,
                                                   parsed(desa_code=KOTA_JAMBI_DESA, category="logistik"),
                                                   parsed(desa_code=PESISIR_BUKIT_DESA)], NOW)
    for report, verdict in ((rejected, "rejected"), (duplicate, "duplicate")):
        storage.review_report(report.id, Review(status=verdict, duplicate_of=kept.id, by="polsek", at=NOW),
                              NewChange(kind="review", data={}, recipient=OFFICER.username, ref=report.id))
    assert storage.report_counts(["15.72.07"], day, day + timedelta(days=1)) == (
        {"bentrok": 1}, {"pemungutan_suara": 1, "masa_tenang": 1})
    assert storage.report_counts(["15.72.07", "15.72.02", "15.71"], day, day + timedelta(days=1)) == (
        {"bentrok": 1, "gangguan_tps": 1, "logistik": 1}, {"pemungutan_suara": 3, "masa_tenang": 1})
    assert storage.report_counts(["15.72.07"], day - timedelta(days=1), day) == (
        {"gangguan_tps": 1}, {"masa_tenang": 1})                              # [start, end): the day before
    assert storage.report_counts(["15.1"], day, day + timedelta(days=1)) == ({}, {})
    assert storage.report_counts([], day, day + timedelta(days=1)) == ({}, {})


def test_users_with_role_and_reports_in_desa(storage):
    storage.create_user(POLSEK, None, NOW)
    storage.create_user(User(username="88030400", name="Bhabin Awal", role="officer", scope=(DESA_B,)), None, NOW)
    assert [u.username for u in storage.users_with_role("officer")] == ["88030400", OFFICER.username]
    assert [(u.username, u.name, u.scope) for u in storage.users_with_role("supervisor")] == [
        (POLSEK.username, POLSEK.name, POLSEK.scope)]
    assert storage.users_with_role("admin") == []
    reports = [parsed(desa_code=DESA_B), parsed(desa_code=DESA_B), parsed(desa_code=KOTA_JAMBI_DESA)]
    storage.store_reports(OFFICER.username, None, reports, NOW)
    many = [f"15.72.07.{n:04d}" for n in range(1200)] + [DESA_B, DESA_B]
    found = storage.reports_in_desa(many)
    assert sorted(r.id for r in found) == sorted(r.id for r in reports[:2])
    assert {(r.desa_code, r.officer) for r in found} == {(DESA_B, OFFICER.username)}
    assert storage.reports_in_desa([]) == []

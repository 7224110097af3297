"""Storage of the alert engine: migration v4 from v3, append-only history, and the contract every
backend passes (run against each backend of ``contract/conftest.py``)."""
from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlite_utils

from kerawanan import assets
from kerawanan.report import parse_report
from sync_server.storage.base import (
    Alert,
    AlertEvent,
    AlertQuery,
    NewChange,
    RegionState,
    Review,
    User,
)
from sync_server.storage.migrations import migrate
from tests.server.helpers import DESA_A, DESA_B, KOTA_JAMBI_DESA, report

NOW = datetime(2024, 11, 28, 1, 0, tzinfo=UTC)
T0 = "2024-11-27T14:40:00.000000Z"
OFFICER = User(username="88030417", name="Bhabin", role="officer", scope=(DESA_A,))


def parsed(**overrides):
    return parse_report(report(**overrides), now=NOW, gazetteer=assets.gazetteer(), calendar=assets.calendar())


def alert(region: str = DESA_A, **overrides) -> Alert:
    body = dict(id=f"a-{region}", region_code=region, level="rawan", peak_level="rawan", score=20.5, stage="x",
                status="open", owner="polsek", deadline_at=NOW + timedelta(hours=6), escalations=0, report_count=2,
                officer_count=1, top_categories=(("bentrok", 20.5),), first_report_at=NOW, last_report_at=NOW,
                scored_at=NOW, opened_at=NOW, updated_at=NOW, version=1)
    body.update(overrides)
    return Alert(**body)


def event(item: Alert, kind: str = "opened", actor: str = "system") -> AlertEvent:
    return AlertEvent(alert_id=item.id, version=item.version, at=NOW, actor=actor, event=kind, level=item.level)


# ---- migration and append-only tables

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


def test_alert_history_refuses_update_and_delete(storage):
    item = alert()
    with storage.alert_batch() as batch:
        batch.save_alert(item, [event(item)])
    conn = storage.db.writer
    for statement in ("UPDATE alert_history SET actor = 'someone'", "DELETE FROM alert_history"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
        conn.rollback()
    assert [e.actor for e in storage.alert_history(item.id)] == ["system"]


def test_one_unresolved_alert_per_region(storage):
    with storage.alert_batch() as batch:
        batch.save_alert(alert(), [])
    with pytest.raises(sqlite3.IntegrityError), storage.alert_batch() as batch:
        batch.save_alert(alert(id="other"), [])
    with storage.alert_batch() as batch:
        batch.save_alert(alert(id="old", status="resolved"), [])
    assert {a.id for a in storage.list_alerts(AlertQuery(subtrees=("15",)))[0]} == {f"a-{DESA_A}", "old"}


# ---- contract

def test_alert_round_trip_and_compare_and_set(storage):
    item = alert()
    with storage.alert_batch() as batch:
        batch.save_alert(item, [event(item)])
    stored = storage.get_alert(item.id)
    assert replace(stored, number=None) == item and stored.number >= 1
    acknowledged = replace(stored, status="acknowledged", version=2, deadline_at=None)
    change = NewChange(kind="alert", data={"id": item.id}, region_code=DESA_A, ref=item.id)
    assert storage.update_alert(acknowledged, 1, event(acknowledged, "acknowledge", "polsek"), [change])
    assert not storage.update_alert(replace(acknowledged, status="resolved", version=3), 1,
                                    event(acknowledged, "resolve", "polsek"), [change])
    now = storage.get_alert(item.id)
    assert (now.status, now.version, now.deadline_at) == ("acknowledged", 2, None)
    assert [e.event for e in storage.alert_history(item.id)] == ["opened", "acknowledge"]
    assert [e.event for e in storage.audit_trail(NOW)] == ["opened", "acknowledge"]


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
    first, before = storage.list_alerts(AlertQuery(subtrees=("15",), limit=4))
    rest, end = storage.list_alerts(AlertQuery(subtrees=("15",), limit=4, before=before))
    assert len(first) == 4 and len(rest) == 2 and end is None
    assert len({a.id for a in first + rest}) == 6
    assert [a.region_code for a in storage.unresolved_alerts_under(["15.72.07"])] == [DESA_A, DESA_B, "15.72.07"]


def test_region_states_round_trip(storage):
    state = RegionState("15.72.07", "kecamatan", "rawan", 31.123456789012345, 4, 2, (("bentrok", 30.0),), NOW,
                        NOW, NOW)
    with storage.alert_batch() as batch:
        batch.save_region_states([state, replace(state, code="15.72", tier="kabupaten")])
        assert batch.region_states(["15.72.07"]) == {"15.72.07": state}
    assert storage.region_states(["15.72.07", "15.1"]) == {"15.72.07": state}
    assert [s.code for s in storage.region_states_under(["15.72"])] == ["15.72", "15.72.07"]


def test_scoring_rows_follow_pushes_and_reviews(storage):
    first = parsed(desa_code=DESA_A, source_reliability="B", info_credibility=2,
                   observed_at="2024-11-27T21:40:12.345678+07:00")
    storage.store_reports(OFFICER.username, None, [first], NOW)
    with storage.alert_batch() as batch:
        delta = batch.scoring_delta(0)
    (row,) = delta.rows
    assert (row.id, row.desa_code, row.source_reliability, row.info_credibility, row.review, row.seq) == (
        first.id, DESA_A, "B", 2, "pending", storage.current_seq())
    assert row.observed_epoch == first.observed_at.timestamp()          # exactly, microseconds too
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


def test_activity_and_counts(storage):
    storage.store_reports(OFFICER.username, None, [parsed(desa_code=DESA_B, category="bentrok")], NOW)
    storage.record_sync(OFFICER.username, None, NOW + timedelta(hours=1))
    heard = storage.activity()
    assert heard.desa_observed[DESA_B] == datetime(2024, 11, 27, 14, 40, tzinfo=UTC)
    assert heard.officer_heard[OFFICER.username] == NOW + timedelta(hours=1)
    day = datetime(2024, 11, 26, 17, 0, tzinfo=UTC)            # 27 November, WIB
    assert storage.report_counts(["15.72"], day, day + timedelta(days=1)) == ({"bentrok": 1},
                                                                              {"pemungutan_suara": 1})
    assert storage.report_counts(["15.71"], day, day + timedelta(days=1)) == ({}, {})
    assert [u.username for u in storage.users_with_role("officer")] == [OFFICER.username]
    assert [r.desa_code for r in storage.reports_in_desa([DESA_B, DESA_A])] == [DESA_B]

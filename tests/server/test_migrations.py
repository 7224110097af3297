"""Each schema migration, tested from the previous version with data in it."""
from __future__ import annotations

import json
import sqlite3

import pytest
import sqlite_utils

from kerawanan.errors import Unavailable
from sync_server.storage import open_storage
from sync_server.storage.migrations import LATEST, MIGRATIONS, migrate, schema_version, split_statements

T0 = "2024-11-27T14:40:00.000000Z"


@pytest.fixture
def db(tmp_path):
    database = sqlite_utils.Database(tmp_path / "m.db")
    yield database
    database.close()


def columns(db, table: str) -> set[str]:
    return {column.name for column in db[table].columns}


def schema(db) -> list[tuple]:
    return sorted(db.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall())


def test_versions_are_counted(db):
    assert schema_version(db) == 0
    assert migrate(db, 1) == [1]
    assert migrate(db) == list(range(2, LATEST + 1))
    assert migrate(db) == []
    assert schema_version(db) == LATEST == len(MIGRATIONS)


def test_v1_accounts_from_empty(db):
    migrate(db, 1)
    db.execute("INSERT INTO users VALUES ('88030417', 'Bhabin', 'officer', '[\"15.72.07.2004\"]', NULL, ?)", [T0])
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO users VALUES ('x', 'X', 'king', '[]', NULL, ?)", [T0])
    assert {"users", "devices", "tokens", "enrollment_codes", "regions"} <= set(db.table_names())


def test_v2_reports_from_v1_keeps_accounts(db):
    migrate(db, 1)
    db.execute("INSERT INTO users VALUES ('88030417', 'Bhabin', 'officer', '[\"15.72.07.2004\"]', NULL, ?)", [T0])
    db.execute("INSERT INTO tokens (token_hash, username, kind, created_at) VALUES ('h', '88030417', 'login', ?)",
               [T0])
    migrate(db, 2)
    assert db.execute("SELECT username FROM users").fetchall() == [("88030417",)]
    assert db.execute("SELECT token_hash FROM tokens").fetchall() == [("h",)]
    assert {"changes", "reports", "report_media", "media", "media_uploads"} <= set(db.table_names())
    assert "review_status" in columns(db, "reports")


def test_v3_activity_from_v2_backfills_existing_reports(db):
    migrate(db, 2)
    db.execute("INSERT INTO users VALUES ('88030417', 'Bhabin', 'officer', '[\"15.72.07.2004\"]', NULL, ?)", [T0])
    db.execute("INSERT INTO devices (id, username, name, created_at) VALUES ('d1', '88030417', 'HP', ?)", [T0])
    for seq, (report_id, observed) in enumerate([("r1", "2024-11-27T10:00:00.000000Z"),
                                                 ("r2", "2024-11-27T12:00:00.000000Z")], 1):
        db.execute("INSERT INTO changes (seq, kind, created_at) VALUES (?, 'report', ?)", [seq, T0])
        db.execute("INSERT INTO reports (id, seq, officer, desa_code, category, threat_stage, stage, observed_at, "
                   "received_at, content_hash, wire) VALUES (?, ?, '88030417', '15.72.07.2004', 'bentrok', 'GN', "
                   "'pemungutan_suara', ?, ?, 'hash', '{}')", [report_id, seq, observed, T0])
    migrate(db, 3)
    assert db.execute("SELECT desa_code, last_observed_at, report_count FROM desa_activity").fetchall() == [
        ("15.72.07.2004", "2024-11-27T12:00:00.000000Z", 2)]
    assert db.execute("SELECT username, last_report_at FROM officer_activity").fetchall() == [("88030417", T0)]
    assert "last_sync_at" in columns(db, "devices")
    assert db.execute("SELECT id, last_sync_at FROM devices").fetchall() == [("d1", None)]
    assert "reviews" in db.table_names()


def test_step_by_step_equals_all_at_once(tmp_path):
    stepwise, direct = sqlite_utils.Database(tmp_path / "a.db"), sqlite_utils.Database(tmp_path / "b.db")
    for version in range(1, LATEST + 1):
        migrate(stepwise, version)
    migrate(direct)
    assert schema(stepwise) == schema(direct)


def test_a_failing_step_leaves_the_previous_version(db, monkeypatch):
    migrate(db, 1)
    broken = (*MIGRATIONS[:1], lambda database: (database.execute("CREATE TABLE half (x)"),
                                                  database.execute("THIS IS NOT SQL")))
    monkeypatch.setattr("sync_server.storage.migrations.MIGRATIONS", broken)
    with pytest.raises(sqlite3.OperationalError):
        migrate(db, 2)
    assert schema_version(db) == 1 and "half" not in db.table_names()


def test_server_refuses_an_outdated_database(tmp_path):
    database = sqlite_utils.Database(tmp_path / "old.db")
    migrate(database, 1)
    database.close()
    with pytest.raises(Unavailable, match="init"):
        open_storage(tmp_path / "old.db")
    open_storage(tmp_path / "old.db", migrate=True).close()
    assert open_storage(tmp_path / "old.db").schema_version() == LATEST


def test_statement_splitter_ignores_semicolons_in_comments():
    sql = "CREATE TABLE a (x TEXT); -- one; two\nCREATE TABLE b (y TEXT -- z; w\n);"
    assert len(split_statements(sql)) == 2


def test_v7_quotas_from_v6_keeps_photos_and_adds_the_quota_indexes(db):
    migrate(db, 6)
    db.execute("INSERT INTO media (sha256, size, mime, created_at) VALUES ('ab', 3, 'image/jpeg', ?)", [T0])
    migrate(db, 7)
    assert db.execute("SELECT sha256, size FROM media").fetchall() == [("ab", 3)]
    assert "media_uploads_username" in {index.name for index in db["media_uploads"].indexes}
    assert "media_created" in {index.name for index in db["media"].indexes}
    assert "reports_officer_received" in {index.name for index in db["reports"].indexes}


def test_v8_corrections_from_v7_records_who_superseded_whom(db):
    """Corrections stored before the rule: the author's first correction wins; another officer's
    ``supersedes`` and a missing original record nothing."""
    migrate(db, 7)
    for name in ("88030417", "88030418"):
        db.execute("INSERT INTO users (username, name, role, scope, created_at) VALUES (?, 'B', 'officer', "
                   "'[\"15.72.07.2004\"]', ?)", [name, T0])
    rows = [("r1", "88030417", None), ("r2", "88030417", "r1"), ("r3", "88030417", "r1"),
            ("r4", "88030418", "r2"), ("r5", "88030417", "gone")]
    for seq, (report_id, officer, supersedes) in enumerate(rows, 1):
        wire = f'{{"supersedes":"{supersedes}"}}' if supersedes else "{}"
        db.execute("INSERT INTO changes (seq, kind, created_at) VALUES (?, 'report', ?)", [seq, T0])
        db.execute("INSERT INTO reports (id, seq, officer, desa_code, category, threat_stage, stage, observed_at, "
                   "received_at, content_hash, wire) VALUES (?, ?, ?, '15.72.07.2004', 'bentrok', 'GN', "
                   "'pemungutan_suara', ?, ?, 'hash', ?)", [report_id, seq, officer, T0, T0, wire])
    migrate(db, 8)
    assert dict(db.execute("SELECT id, superseded_by FROM reports").fetchall()) == {
        "r1": "r2", "r2": None, "r3": None, "r4": None, "r5": None}
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE reports SET superseded_by = 'r2' WHERE id = 'r3'")
    assert "response_for_field" in columns(db, "alerts")


def test_v5_repairs_stored_report_times_and_stages_and_says_so(db, caplog):
    """Issue 11: reports stored before the times rule are readable after the step; originals kept."""
    import hashlib
    import json

    from sync_server.render import report_json_text

    migrate(db, 4)
    db.execute("INSERT INTO users VALUES ('88030417', 'Bhabin', 'officer', '[\"15.72.07.2004\"]', NULL, ?)", [T0])
    base = {"id": "x", "observed_at": "2024-11-27T21:40:00+07:00", "stage": "pemungutan_suara", "recorded_at": None}
    rows = {"r1": {"recorded_at": "0001-01-01T00:00:00+14:00"}, "r2": {"stage": "kampanye"},
            "r3": {"recorded_at": "2024-11-27T21:42:13+07:00"}, "r4": {"recorded_at": "2024-11-28T00:00:00+07:00"},
            "r5": {"recorded_at": "2024-11-27T21:52:13+23:00"}}
    for seq, (report_id, values) in enumerate(rows.items(), 1):
        wire = json.dumps({**base, "id": report_id, **values}, sort_keys=True, separators=(",", ":"))
        db.execute("INSERT INTO changes (seq, kind, ref, created_at) VALUES (?, 'report', ?, ?)", [seq, report_id, T0])
        db.execute("INSERT INTO reports (id, seq, officer, desa_code, category, threat_stage, stage, observed_at, "
                   "received_at, content_hash, wire) VALUES (?, ?, '88030417', '15.72.07.2004', 'bentrok', 'GN', "
                   "?, ?, ?, 'hash', ?)", [report_id, seq, json.loads(wire)["stage"], T0, T0, wire])
    with caplog.at_level("INFO", logger="sync_server"):
        migrate(db, 5)
    stored = {row[0]: (json.loads(row[1]), row[2], row[3])
              for row in db.execute("SELECT id, wire, content_hash, stage FROM reports").fetchall()}
    assert {key: wire["recorded_at"] for key, (wire, _, _) in stored.items()} == {
        "r1": None, "r2": None, "r3": "2024-11-27T21:42:13+07:00", "r4": None, "r5": None}
    assert {key: (wire["stage"], stage) for key, (wire, _, stage) in stored.items()}["r2"] == (
        "pemungutan_suara", "pemungutan_suara")
    for report_id in ("r1", "r2", "r4", "r5"):
        wire_text = db.execute("SELECT wire FROM reports WHERE id = ?", [report_id]).fetchone()[0]
        assert stored[report_id][1] == hashlib.sha256(wire_text.encode()).hexdigest()
        assert json.loads(report_json_text(wire_text, "88030417", T0, T0, 1, ("pending", None, None, None, None,
                                                                               None)))["id"] == report_id
    assert stored["r3"][1] == "hash"                                        # untouched
    assert db.execute("SELECT report_id, field, original, replacement, reason FROM report_repairs "
                      "ORDER BY id").fetchall() == [
        ("r1", "recorded_at", '"0001-01-01T00:00:00+14:00"', "null", "unreadable"),
        ("r2", "stage", '"kampanye"', '"pemungutan_suara"', "stage_mismatch"),
        ("r4", "recorded_at", '"2024-11-28T00:00:00+07:00"', "null", "in_future"),
        ("r5", "recorded_at", '"2024-11-27T21:52:13+23:00"', "null", "unreadable")]
    assert "repaired 4 report(s)" in caplog.text and "r1, r2, r4, r5" in caplog.text
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE report_repairs SET original = 'x'")


def test_v6_credentials_from_v5_lower_cases_usernames_and_says_so(tmp_path):
    """Step 6: the credential columns, the audit and login limits; usernames lower-cased with every
    reference (a name whose lower case is taken is left, and both are written to the audit)."""
    path = tmp_path / "v6.db"
    database = sqlite_utils.Database(path)
    migrate(database, 5)
    for name in ("Polres.Kerinci", "polres.jambi", "POLRES.JAMBI"):
        database.execute("INSERT INTO users VALUES (?, 'X', 'supervisor', '[\"15.72\"]', NULL, ?)", [name, T0])
    database.execute("INSERT INTO tokens (token_hash, username, kind, created_at) VALUES ('h', 'Polres.Kerinci', "
                     "'login', ?)", [T0])
    database.execute("INSERT INTO changes (seq, kind, recipient, created_at) VALUES (1, 'notice', 'Polres.Kerinci', ?)",
                     [T0])
    database.close()
    storage = open_storage(path, migrate=True)                  # the server's own connection: foreign keys on
    try:
        assert storage.get_user("POLRES.KERINCI").username == "polres.kerinci"
        events = {(e.action, e.username) for e in storage.account_events()}
        assert events == {("user.rename", "polres.kerinci"), ("user.rename_skipped", "POLRES.JAMBI")}
    finally:
        storage.close()
    database = sqlite_utils.Database(path)
    assert database.execute("SELECT username FROM tokens").fetchall() == [("polres.kerinci",)]
    assert database.execute("SELECT recipient FROM changes").fetchall() == [("polres.kerinci",)]
    assert dict(database.execute("SELECT username, skeleton FROM users").fetchall()) == {
        "polres.kerinci": "polres.kerlncl", "polres.jambi": "polres.jambl", "POLRES.JAMBI": "polres.jambl"}
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []
    database.close()


def test_v10_sms_tables_from_v9_keep_the_alert_history_readable(db):
    migrate(db, 9)
    migrate(db, 10)
    assert {"sms_keys", "sms_parts", "sms_nonces", "sms_short", "sms_log", "sms_contacts", "sms_notified",
            "sms_state"} <= set(db.table_names())
    db.execute("INSERT INTO sms_nonces (device_id, counter, at) VALUES ('d', 1, ?)", [T0])
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO sms_nonces (device_id, counter, at) VALUES ('d', 1, ?)", [T0])
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO sms_log (at, direction, number, kind, text, state) VALUES (?, 'sideways', "
                   "'+62', 'x', 'y', 'z')", [T0])


def _v8_alert(db, number: int, region: str, level: str, status: str = "open") -> str:
    alert_id = f"00000000-0000-4000-8000-00000000000{number}"
    db.execute("INSERT INTO alerts (number, id, region_code, level, peak_level, score, status, owner, report_count, "
               "officer_count, top_categories, scored_at, opened_at, updated_at, version) VALUES "
               "(?, ?, ?, ?, ?, 50, ?, 'polsek.pesisirbukit', 3, 2, '[]', ?, ?, ?, 1)",
               [number, alert_id, region, level, level, status, T0, T0, T0])
    db.execute("INSERT INTO alert_history (alert_id, version, at, actor, event, level, status) "
               "VALUES (?, 1, ?, 'system', 'opened', ?, 'open')", [alert_id, T0, level])
    db.execute("INSERT OR REPLACE INTO region_states VALUES (?, 'x', ?, 50, 3, 2, '[]', NULL, NULL, ?)",
               [region, level, T0])
    return alert_id


def test_v9_merges_the_parents_copies_of_an_incident_and_keeps_their_history(db):
    migrate(db, 8)
    desa = _v8_alert(db, 1, "15.72.07.2001", "sangat_rawan")            # the incident
    copies = [_v8_alert(db, 2, "15.72.07", "sangat_rawan"), _v8_alert(db, 3, "15.72", "sangat_rawan"),
              _v8_alert(db, 4, "15", "rawan")]
    spread = _v8_alert(db, 5, "15.01.01", "rawan")                       # two rawan desa below: spread
    for desa_code in ("15.01.01.2001", "15.01.01.2002"):
        db.execute("INSERT INTO region_states VALUES (?, 'desa', 'rawan', 20, 1, 1, '[]', NULL, NULL, ?)",
                   [desa_code, T0])
    lonely = _v8_alert(db, 6, "15.71", "rawan")                          # a copy with nothing open below,
    db.execute("UPDATE region_states SET level = 'kurang_rawan' WHERE code = '15.71'")   # decayed since
    history_before = db.execute("SELECT * FROM alert_history").fetchall()
    migrate(db, 9)
    status = dict(db.execute("SELECT id, status FROM alerts").fetchall())
    assert [status[alert] for alert in copies] == ["resolved"] * 3
    assert status[desa] == status[spread] == status[lonely] == "open"
    assert db.execute("SELECT * FROM alert_history WHERE id <= ?", [len(history_before)]).fetchall() == history_before
    merged = db.execute("SELECT alert_id, version, event, actor, status, data FROM alert_history "
                        "WHERE id > ? ORDER BY id", [len(history_before)]).fetchall()
    assert sorted(row[0] for row in merged) == sorted(copies)
    assert {row[1:5] for row in merged} == {(2, "merged", "system", "resolved")}
    assert {json.loads(row[5])["merged_into"] for row in merged} == {desa}
    versions = dict(db.execute("SELECT id, version FROM alerts").fetchall())
    assert versions[copies[0]] == 2 and versions[desa] == 1


def test_v12_stores_the_engines_inputs_as_columns_and_fills_old_rows(db):
    """Issue 12: observed time as POSIX seconds (== datetime.timestamp()) and the officer's own grade,
    backfilled from the stored text and wire; the engine's full read scans the covering index."""
    from datetime import datetime

    migrate(db, 11)
    db.execute("INSERT INTO users (username, name, role, scope, created_at) VALUES ('88030417', 'B', 'officer', "
               "'[]', ?)", [T0])
    rows = {"r1": ("2024-11-27T14:40:00.123456Z", {"source_reliability": "B", "info_credibility": 2}),
            "r2": ("1969-12-31T23:59:59.999999Z", {"source_reliability": None, "info_credibility": None}),
            "r3": ("2024-02-29T00:00:00.000001Z", {}), "r4": ("2024-11-27T14:40:59.999600Z", {})}
    for seq, (report_id, (observed, grade)) in enumerate(rows.items(), 1):
        db.execute("INSERT INTO changes (seq, kind, ref, created_at) VALUES (?, 'report', ?, ?)", [seq, report_id, T0])
        db.execute("INSERT INTO reports (id, seq, officer, desa_code, category, threat_stage, stage, observed_at, "
                   "received_at, content_hash, wire) VALUES (?, ?, '88030417', '15.72.07.2004', 'bentrok', 'GN', "
                   "'kampanye', ?, ?, 'h', ?)", [report_id, seq, observed, T0, json.dumps(grade)])
    db.execute("INSERT INTO scoring_cache VALUES ('15.72.07.2004', '[]')")
    assert migrate(db, 12) == [12]
    stored = {row[0]: row[1:] for row in db.execute(
        "SELECT id, observed_epoch, source_reliability, info_credibility FROM reports").fetchall()}
    assert stored == {report_id: (datetime.fromisoformat(observed).timestamp(), grade.get("source_reliability"),
                                  grade.get("info_credibility")) for report_id, (observed, grade) in rows.items()}
    assert "scoring_cache" not in db.table_names()
    assert db.execute("SELECT count(*) FROM engine_state WHERE name = 'scoring_seq'").fetchone() == (0,)
    plan = db.execute("EXPLAIN QUERY PLAN SELECT id, desa_code, category, threat_stage, observed_epoch, officer, "
                      "source_reliability, info_credibility, review_status, review_grade, seq, device_id, stage, "
                      "superseded_by FROM reports ORDER BY observed_epoch, id").fetchall()
    assert "COVERING INDEX reports_scoring" in " ".join(str(step) for step in plan)


def test_v12_intake_writes_the_engines_columns(tmp_path):
    """A pushed report carries the same numbers the backfill would give it."""
    import uuid
    from datetime import datetime, timedelta, timezone

    from kerawanan.report import Report
    from sync_server.storage.v12_engine_columns import _EPOCH_SQL

    storage = open_storage(tmp_path / "s.db", migrate=True)
    try:
        with storage.db.writing() as conn:
            conn.execute("INSERT INTO users (username, name, role, scope, created_at) VALUES ('88030417', 'B', "
                         "'officer', '[]', ?)", [T0])
        observed = datetime(2024, 11, 27, 21, 40, 0, 987654, tzinfo=timezone(timedelta(hours=7)))
        reports = [Report(id=str(uuid.UUID(int=n + 1, version=4)), observed_at=observed, category="bentrok",
                          threat_stage="GN", desa_code="15.72.07.2004", facts="Dua kelompok saling lempar batu.",
                          stage="kampanye", source_reliability=grade[0] if grade else None,
                          info_credibility=int(grade[1]) if grade else None) for n, grade in enumerate(("C3", None))]
        storage.store_reports("88030417", None, reports, observed)
        with storage.db.reading() as conn:
            found = conn.execute(f"SELECT observed_epoch, {_EPOCH_SQL}, source_reliability, info_credibility "
                                 "FROM reports ORDER BY source_reliability").fetchall()
    finally:
        storage.close()
    assert found == [(observed.timestamp(), observed.timestamp(), None, None),
                     (observed.timestamp(), observed.timestamp(), "C", 3)]


def test_v13_plans_tables_from_v12_keep_versions_unique_and_strength_whole(db):
    migrate(db, 12)
    assert migrate(db, 13) == [13]
    assert {"strength_figures", "strength_history", "plans", "plan_versions", "sitrep_files",
            "leases"} <= set(db.table_names())
    db.execute("INSERT INTO plans (unit_key, unit_name, version, created_at, updated_at) VALUES ('15', 'Polda', 1, ?, ?)",
               [T0, T0])
    db.execute("INSERT INTO plan_versions (unit_key, version, at, actor, note, body) VALUES ('15', 1, ?, 'a', '', '{}')",
               [T0])
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO plan_versions (unit_key, version, at, actor, note, body) VALUES ('15', 1, ?, 'b', '', "
                   "'{}')", [T0])
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO strength_figures VALUES ('Polda Jambi', 0, -1, 0, 'x', 'admin', ?)", [T0])


TASK_LINES = [   # (event, data) of alert_history lines: two task answers citing photos, two that cite none
    ("task_report", json.dumps({"task_id": "t1", "media": ["1" * 64, "2" * 64]})),
    ("task_acknowledge", json.dumps({"task_id": "t2", "media": ["3" * 64]})),
    ("task_report", json.dumps({"task_id": "t3", "by_name": "Bripka Andi"})),
    ("assign", None),
]


def _history(conn, lines, alert_id: str = "a-1") -> None:
    for number, (kind, data) in enumerate(lines):
        conn.execute("INSERT INTO alert_history (alert_id, version, at, actor, event, data) VALUES (?, ?, ?, ?, ?, ?)",
                     [alert_id, number + 1, T0, "88030417", kind, data])


def test_v14_media_store_from_v13_lists_the_photos_task_answers_cite(db):
    migrate(db, 13)
    db.execute("INSERT INTO alerts (id, region_code, level, peak_level, score, status, report_count, officer_count, "
               "top_categories, scored_at, opened_at, updated_at, version) VALUES ('a-1', '15.72.07.2004', 'rawan', "
               "'rawan', 20, 'open', 1, 1, '[]', ?, ?, ?, 1)", [T0, T0, T0])
    _history(db, TASK_LINES)
    assert migrate(db, 14) == [14]
    assert sorted(db.execute("SELECT sha256, alert_id FROM task_media").fetchall()) == [("1" * 64, "a-1"),
                                                                                      ("2" * 64, "a-1")]
    _history(db, [("task_report", json.dumps({"task_id": "t4", "media": ["4" * 64, "1" * 64]}))])   # the trigger
    assert {row[0] for row in db.execute("SELECT sha256 FROM task_media")} == {"1" * 64, "2" * 64, "4" * 64}
    db.execute("INSERT INTO media_blobs (sha256, data) VALUES (?, ?)", ["5" * 64, b"\xff\xd8\xff\x00"])
    assert db.execute("SELECT data FROM media_blobs").fetchone()[0] == b"\xff\xd8\xff\x00"
    db.execute("INSERT INTO media_partials (username, sha256, size, updated_at) VALUES ('88030417', ?, 0, ?)",
               ["5" * 64, T0])
    with pytest.raises(sqlite3.IntegrityError):                         # one partial per account and photo
        db.execute("INSERT INTO media_partials (username, sha256, size, updated_at) VALUES ('88030417', ?, 0, ?)",
                   ["5" * 64, T0])
    assert {"media_partial_chunks"} <= set(db.table_names())


def test_v14_on_postgresql_from_its_baseline_lists_the_photos_task_answers_cite(pg_cluster):
    from sync_server.storage.pg import migrations as pg_migrations
    from sync_server.storage.pg.connection import Database

    url = pg_cluster.database(migrated=False)
    db = Database(url)
    try:
        with db.autocommit() as conn, conn.raw.transaction():
            pg_migrations.STEPS[pg_migrations.BASELINE](conn)
            conn.execute("UPDATE schema_version SET version = ?", (pg_migrations.BASELINE,))
            conn.execute("INSERT INTO alerts (id, region_code, level, peak_level, score, status, report_count, "
                         "officer_count, top_categories, scored_at, opened_at, updated_at, version) VALUES ('a-1', "
                         "'15.72.07.2004', 'rawan', 'rawan', 20, 'open', 1, 1, '[]', ?, ?, ?, 1)", (T0, T0, T0))
            _history(conn, TASK_LINES)
        assert pg_migrations.migrate(db) == [14, 15]
        with db.writing() as conn:
            _history(conn, [("task_report", json.dumps({"task_id": "t4", "media": ["4" * 64, "1" * 64]}))])
        with db.reading() as conn:
            cited = sorted(conn.execute("SELECT sha256, alert_id FROM task_media").fetchall())
        assert cited == [("1" * 64, "a-1"), ("2" * 64, "a-1"), ("4" * 64, "a-1")]
        assert pg_migrations.schema_version(db) == pg_migrations.LATEST == LATEST
    finally:
        db.close()
        pg_cluster.drop(url)

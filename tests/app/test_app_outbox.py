"""The outbox keeps every report on the phone, tells its state honestly, and is per officer."""
from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from field_app.database import DB_FILE, SCHEMA_VERSION, SchemaTooNew, time_text
from field_app.outbox import Outbox
from kerawanan.errors import Conflict
from tests.app.builders import NOW, OFFICER, OTHER_OFFICER, jpeg_bytes, report, save_reports, uuid_for, wire


def test_save_commits_a_waiting_report_with_its_wire_form(outbox):
    saved = outbox.save(report(1), officer=OFFICER, now=NOW)
    entry = outbox.get(saved)
    assert saved == uuid_for(1)
    assert entry.state == "waiting" and entry.attempts == 0
    assert entry.wire == report(1).to_wire()
    assert entry.content_hash == report(1).content_hash()
    assert (entry.category, entry.desa_code, entry.officer) == ("gangguan_tps", "15.72.07.2004", OFFICER)
    assert outbox.counts(OFFICER) == {"waiting": 1, "sending": 0, "sent": 0, "attention": 0}


def test_a_saved_report_survives_closing_the_app(tmp_path):
    first = Outbox(tmp_path)
    first.save(report(7), officer=OFFICER, now=NOW)
    first.close()
    again = Outbox(tmp_path)
    assert [e.id for e in again.entries(OFFICER)] == [uuid_for(7)]
    again.close()


def test_saving_the_same_report_twice_keeps_one(outbox):
    outbox.save(report(1), officer=OFFICER, now=NOW)
    outbox.save(report(1), officer=OFFICER, now=NOW + timedelta(seconds=1))
    assert outbox.pending_count(OFFICER) == 1


def test_same_id_with_other_content_is_a_conflict(outbox):
    outbox.save(report(1), officer=OFFICER, now=NOW)
    with pytest.raises(Conflict):
        outbox.save(report(1, facts="Isi lain."), officer=OFFICER, now=NOW)


def test_claim_marks_the_oldest_waiting_reports_sending(outbox):
    save_reports(outbox, 5)
    claimed = outbox.claim(OFFICER, 3)
    assert [e.id for e in claimed] == [uuid_for(n) for n in (1, 2, 3)]
    assert all(e.state == "sending" and e.attempts == 1 for e in claimed)
    assert outbox.counts(OFFICER)["sending"] == 3
    assert outbox.get(uuid_for(2)).state == "sending"


def test_state_transitions_sent_attention_release(outbox):
    save_reports(outbox, 3)
    outbox.claim(OFFICER, 3)
    received = NOW + timedelta(minutes=2)
    outbox.mark_sent(uuid_for(1), received_at=received, server_seq=41)
    outbox.mark_attention(uuid_for(2), code="report.conflict", message="ID sama, isi berbeda.")
    outbox.release([uuid_for(3)], code="sync.offline", message="Tidak ada sinyal")
    sent, attention, waiting = (outbox.get(uuid_for(n)) for n in (1, 2, 3))
    assert (sent.state, sent.sent_at, sent.server_seq) == ("sent", received, 41)
    assert (attention.state, attention.error_code) == ("attention", "report.conflict")
    assert (waiting.state, waiting.error_code, waiting.attempts) == ("waiting", "sync.offline", 1)


def test_release_never_moves_a_report_that_is_no_longer_sending(outbox):
    save_reports(outbox, 1)
    outbox.claim(OFFICER, 1)
    outbox.mark_sent(uuid_for(1), received_at=NOW)
    outbox.release([uuid_for(1)])
    assert outbox.get(uuid_for(1)).state == "sent"


def test_reports_left_sending_go_back_to_waiting_at_startup(tmp_path):
    box = Outbox(tmp_path)
    save_reports(box, 2)
    box.claim(OFFICER, 2)
    box.close()                                    # the app is killed mid-send
    again = Outbox(tmp_path)
    assert again.counts(OFFICER) == {"waiting": 2, "sending": 0, "sent": 0, "attention": 0}
    again.close()


def test_retry_puts_an_attention_report_back_in_the_queue(outbox):
    save_reports(outbox, 1)
    outbox.claim(OFFICER, 1)
    outbox.mark_attention(uuid_for(1), code="x", message="y")
    outbox.retry(uuid_for(1))
    assert outbox.get(uuid_for(1)).state == "waiting"


def test_every_row_belongs_to_one_officer(outbox):
    save_reports(outbox, 2, officer=OFFICER)
    save_reports(outbox, 3, officer=OTHER_OFFICER, start=10)
    assert len(outbox.entries(OFFICER)) == 2
    assert len(outbox.entries(OTHER_OFFICER)) == 3
    assert {e.officer for e in outbox.claim(OTHER_OFFICER, 10)} == {OTHER_OFFICER}
    assert outbox.counts(OFFICER)["waiting"] == 2


def test_entries_are_newest_first_and_filter_by_state(outbox):
    save_reports(outbox, 3)
    outbox.claim(OFFICER, 1)
    assert [e.id for e in outbox.entries(OFFICER)] == [uuid_for(3), uuid_for(2), uuid_for(1)]
    assert [e.id for e in outbox.entries(OFFICER, states=["sending"])] == [uuid_for(1)]


def test_purge_drops_free_text_of_old_sent_reports_only(outbox):
    save_reports(outbox, 3)
    outbox.claim(OFFICER, 2)
    outbox.mark_sent(uuid_for(1), received_at=NOW - timedelta(days=40))
    outbox.mark_sent(uuid_for(2), received_at=NOW - timedelta(days=5))
    purged = outbox.purge_text(OFFICER, now=NOW, older_than_days=30)
    old, recent, waiting = (outbox.get(uuid_for(n)) for n in (1, 2, 3))
    assert purged == 1
    assert old.purged and old.wire["facts"] == "" and old.wire["opinion"] is None
    assert (old.id, old.state, old.category, old.desa_code) == (uuid_for(1), "sent", "gangguan_tps", "15.72.07.2004")
    assert recent.wire["facts"].startswith("Massa") and not recent.purged
    assert waiting.wire["facts"].startswith("Massa")


def test_photos_are_stored_on_disk_and_queued_after_their_report_is_sent(outbox):
    data = jpeg_bytes()
    sha = "ab" * 32
    path = outbox.store_photo(data, sha)
    outbox.save(report(1, media=[sha]), officer=OFFICER, now=NOW)
    assert path.read_bytes() == data
    assert outbox.pending_media(OFFICER) == []           # text first: its report is not sent yet
    outbox.claim(OFFICER, 1)
    outbox.mark_sent(uuid_for(1), received_at=NOW)
    [pending] = outbox.pending_media(OFFICER)
    assert (pending.sha256, pending.path, pending.state) == (sha, str(path), "waiting")
    outbox.mark_media(OFFICER, sha, "sent")
    assert outbox.pending_media(OFFICER) == []
    assert outbox.media_counts(OFFICER) == {"sent": 1}


# ---------------------------------------------------------------- schema


def test_a_new_file_gets_the_current_schema_in_wal_mode(tmp_path):
    Outbox(tmp_path).close()
    conn = sqlite3.connect(tmp_path / DB_FILE)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"reports", "media", "feedback", "meta"} <= tables
    conn.close()


def test_migration_from_an_empty_version_0_file_keeps_existing_data(tmp_path):
    conn = sqlite3.connect(tmp_path / DB_FILE)     # a file some earlier run created but never migrated
    conn.execute("CREATE TABLE unrelated (x)")
    conn.execute("INSERT INTO unrelated VALUES (1)")
    conn.commit()
    conn.close()
    box = Outbox(tmp_path)
    box.save(report(1), officer=OFFICER, now=NOW)
    assert box.database.query("SELECT x FROM unrelated") == [{"x": 1}]
    box.close()
    reopened = Outbox(tmp_path)                    # migrating again is a no-op
    assert reopened.pending_count(OFFICER) == 1
    reopened.close()


def test_a_file_from_a_newer_app_is_refused(tmp_path):
    conn = sqlite3.connect(tmp_path / DB_FILE)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNew):
        Outbox(tmp_path)


def test_meta_is_per_officer_json(outbox):
    outbox.meta.set(OFFICER, "pull_cursor", 12)
    outbox.meta.set(OTHER_OFFICER, "pull_cursor", 3)
    outbox.meta.set(OFFICER, "enrollment", {"server_url": "https://x"})
    assert outbox.meta.get(OFFICER, "pull_cursor") == 12
    assert outbox.meta.get(OTHER_OFFICER, "pull_cursor") == 3
    assert outbox.meta.get(OFFICER, "missing", "d") == "d"
    assert outbox.meta.officers_with("enrollment") == [OFFICER]
    outbox.meta.delete(OFFICER, "pull_cursor")
    assert outbox.meta.get(OFFICER, "pull_cursor") is None


# ---------------------------------------------------------------- speed with a full outbox


def _fill(outbox, count: int) -> None:
    """10,000 stored reports, inserted in one transaction (as fast as the test can make them)."""
    template = wire(0)
    rows = []
    for number in range(count):
        data = {**template, "id": uuid_for(100_000 + number)}
        rows.append({"id": data["id"], "officer": OFFICER if number % 3 else OTHER_OFFICER,
                     "wire": json.dumps(data), "content_hash": f"{number:064x}",
                     "state": "sent" if number % 10 else "waiting", "attempts": 1,
                     "created_at": time_text(NOW - timedelta(minutes=count - number)), "media": "[]",
                     "category": data["category"], "threat_stage": "GN", "desa_code": data["desa_code"],
                     "observed_at": data["observed_at"], "purged": 0})
    with outbox.database.atomic() as db:
        db["reports"].insert_all(rows, batch_size=1000)


def test_hot_queries_use_an_index(outbox):
    """What sync and the outbox screen ask for never scans the whole table."""
    _fill(outbox, 200)
    hot = [
        ("SELECT * FROM reports WHERE officer = ? AND state = 'waiting' ORDER BY created_at, rowid LIMIT 5",
         (OFFICER,)),
        ("SELECT state, count(*) FROM reports WHERE officer = ? GROUP BY state", (OFFICER,)),
        ("SELECT * FROM reports WHERE officer = ? ORDER BY created_at DESC, rowid DESC LIMIT 5", (OFFICER,)),
        ("SELECT content_hash FROM reports WHERE id = ?", (uuid_for(1),)),
    ]
    for sql, params in hot:
        plan = " ".join(row["detail"] for row in outbox.database.query(f"EXPLAIN QUERY PLAN {sql}", params))
        assert "USING" in plan and "SCAN reports" not in plan and "TEMP B-TREE" not in plan, (sql, plan)


def test_saves_land_with_ten_thousand_reports_stored(outbox):
    """Saving beside 10,000 stored reports (how fast: bench/app.py, its goal p95 < 20 ms; the
    indexes that keep it fast: test_hot_queries_use_an_index)."""
    _fill(outbox, 10_000)
    for number in range(1, 31):
        outbox.save(report(number), officer=OFFICER, now=NOW)
    assert outbox.counts(OFFICER)["waiting"] + outbox.counts(OTHER_OFFICER)["waiting"] == 1_000 + 30

"""Sync decisions, against a real HTTP server on 127.0.0.1 speaking the wire format."""
from __future__ import annotations

import hashlib
import socket
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from field_app.outbox import Outbox
from field_app.sync_client import SyncClient
from field_app.sync_engine import CURSOR_KEY, LAST_SYNC_KEY, Backoff, SyncEngine, SyncPolicy, WakeReason
from tests.app.builders import NOW, OFFICER, alert_change, jpeg_bytes, report, save_reports, uuid_for
from tests.app.fake_server import Canned, FakeSyncServer, error_body


def engine_for(outbox, url: str, token: str | None, *, random=lambda: 1.0, **policy) -> SyncEngine:
    return SyncEngine(outbox, SyncClient(url, token, connect_timeout=1, read_timeout=5), OFFICER,
                      policy=SyncPolicy(**policy), random=random)


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def _states(outbox) -> dict[str, int]:
    return {state: n for state, n in outbox.counts(OFFICER).items() if n}


# ---------------------------------------------------------------- results per report


def test_created_reports_become_sent_with_the_servers_time(outbox, server, token):
    save_reports(outbox, 3)
    outcome = engine_for(outbox, server.url, token).sync_once(NOW)
    assert outcome.ok and outcome.sent == 3 and outcome.duplicates == 0
    assert _states(outbox) == {"sent": 3}
    entry = outbox.get(uuid_for(1))
    assert entry.sent_at is not None and entry.sent_at.year >= 2025      # the server's Date, not the device's
    assert server.created == {uuid_for(n): 1 for n in (1, 2, 3)}


def test_text_goes_in_batches(outbox, server, token):
    save_reports(outbox, 25)
    engine_for(outbox, server.url, token, batch_size=10).sync_once(NOW)
    import json
    sizes = [len(json.loads(call["body"])["reports"]) for call in server.calls("POST", "/api/v1/sync/push")]
    assert sizes == [10, 10, 5]
    assert _states(outbox) == {"sent": 25}


def test_a_report_the_server_already_has_is_sent_as_duplicate(outbox, server, token):
    save_reports(outbox, 2)
    SyncClient(server.url, token).push([report(1).to_wire()])
    outcome = engine_for(outbox, server.url, token).sync_once(NOW)
    assert (outcome.sent, outcome.duplicates) == (2, 1)
    assert _states(outbox) == {"sent": 2}
    assert server.created[uuid_for(1)] == 1


def test_a_conflict_needs_attention_with_the_servers_reason(outbox, server, token):
    SyncClient(server.url, token).push([report(1, facts="Versi lain di server.").to_wire()])
    save_reports(outbox, 1)
    outcome = engine_for(outbox, server.url, token).sync_once(NOW)
    entry = outbox.get(uuid_for(1))
    assert outcome.ok and outcome.attention == 1
    assert (entry.state, entry.error_code, entry.error_message) == ("attention", "report.conflict",
                                                                    "ID sama, isi berbeda.")


def test_an_invalid_report_needs_attention_with_its_fields(outbox, server, token):
    save_reports(outbox, 2)
    server.force_invalid.add(uuid_for(2))
    engine_for(outbox, server.url, token).sync_once(NOW)
    entry = outbox.get(uuid_for(2))
    assert (entry.state, entry.error_code) == ("attention", "report.invalid")
    assert entry.error_fields == {"desa_code": "Bukan desa."}
    assert outbox.get(uuid_for(1)).state == "sent"                       # one bad report never blocks its batch


def test_a_whole_request_refused_marks_its_reports_for_attention(outbox, server, token):
    save_reports(outbox, 2)
    server.fail_next.append(Canned(403, error_body("auth.forbidden", "Di luar wewenang.")))
    outcome = engine_for(outbox, server.url, token).sync_once(NOW)
    assert outcome.attention == 2
    assert {e.error_code for e in outbox.entries(OFFICER)} == {"auth.forbidden"}


def test_too_large_a_batch_is_split(outbox, token):
    small = FakeSyncServer(max_reports=3).start()
    try:
        save_reports(outbox, 7)
        outcome = engine_for(outbox, small.url, small.issue_token(OFFICER), batch_size=10).sync_once(NOW)
        assert outcome.ok and _states(outbox) == {"sent": 7}
        assert len(small.reports) == 7
    finally:
        small.stop()


# ---------------------------------------------------------------- transport failures and backoff


def test_offline_puts_the_batch_back_to_waiting_and_backs_off(outbox):
    save_reports(outbox, 2)
    engine = engine_for(outbox, _dead_url(), "t")
    outcome = engine.sync_once(NOW)
    assert not outcome.ok and outcome.error_code == "sync.offline"
    assert _states(outbox) == {"waiting": 2}
    assert outbox.get(uuid_for(1)).attempts == 1 and outbox.get(uuid_for(1)).error_code == "sync.offline"
    assert outcome.retry_at == engine.next_attempt_at == NOW + timedelta(seconds=5)
    assert not engine.should_run(WakeReason.TIMER, NOW + timedelta(seconds=4))
    assert not engine.should_run(WakeReason.SAVED, NOW + timedelta(seconds=4))
    assert engine.should_run(WakeReason.DEMAND, NOW + timedelta(seconds=1))
    assert engine.should_run(WakeReason.CONNECTIVITY, NOW + timedelta(seconds=1))
    assert engine.should_run(WakeReason.TIMER, NOW + timedelta(seconds=5))


def test_a_server_that_answers_5xx_is_retried_later(outbox, server, token):
    save_reports(outbox, 1)
    server.fail_next.append(Canned(503, b""))
    outcome = engine_for(outbox, server.url, token).sync_once(NOW)
    assert outcome.error_code == "sync.server_unavailable" and _states(outbox) == {"waiting": 1}


def test_backoff_doubles_from_five_seconds_up_to_fifteen_minutes():
    backoff = Backoff()
    assert [backoff.ceiling(n) for n in range(0, 11)] == [0, 5, 10, 20, 40, 80, 160, 320, 640, 900, 900]
    assert backoff.ceiling(500) == 900


def test_backoff_has_full_jitter():
    backoff = Backoff()
    assert backoff.delay(4, lambda: 0.0) == 0.0
    assert backoff.delay(4, lambda: 0.5) == 20.0
    assert backoff.delay(4, lambda: 1.0) == 40.0


def test_the_engine_waits_longer_after_each_failure_and_resets_after_success(outbox, server, token):
    save_reports(outbox, 1)
    engine = engine_for(outbox, _dead_url(), token)
    now, waits = NOW, []
    for _ in range(10):
        engine.sync_once(now)
        waits.append((engine.next_attempt_at - now).total_seconds())
        now = engine.next_attempt_at
    assert waits == [5, 10, 20, 40, 80, 160, 320, 640, 900, 900]
    engine.client = SyncClient(server.url, token)
    assert engine.sync_once(now).ok
    assert (engine.failures, engine.next_attempt_at) == (0, None)


def test_401_stops_syncing_until_the_officer_enrolls_again(outbox, server):
    save_reports(outbox, 1)
    engine = engine_for(outbox, server.url, "revoked")
    outcome = engine.sync_once(NOW)
    assert outcome.auth_revoked and engine.auth_revoked and _states(outbox) == {"waiting": 1}
    assert not any(engine.should_run(reason, NOW + timedelta(hours=1)) for reason in WakeReason)
    engine.reset_auth(SyncClient(server.url, server.issue_token(OFFICER)))
    assert engine.should_run(WakeReason.TIMER, NOW) and engine.sync_once(NOW).ok


def test_429_waits_at_least_retry_after_even_on_demand(outbox, server, token):
    save_reports(outbox, 1)
    server.fail_next.append(Canned(429, error_body("rate_limited", "Sibuk."), {"Retry-After": "120"}))
    engine = engine_for(outbox, server.url, token, random=lambda: 0.0)
    outcome = engine.sync_once(NOW)
    assert outcome.error_code == "rate_limited" and outcome.retry_at == NOW + timedelta(seconds=120)
    assert _states(outbox) == {"waiting": 1}
    assert not engine.should_run(WakeReason.DEMAND, NOW + timedelta(seconds=119))
    assert engine.should_run(WakeReason.DEMAND, NOW + timedelta(seconds=120))


def test_only_one_pass_runs_at_a_time(outbox, server, token):
    engine = engine_for(outbox, server.url, token)
    engine._running.acquire()
    try:
        assert engine.sync_once(NOW).skipped and engine.running
    finally:
        engine._running.release()


# ---------------------------------------------------------------- resumable after a kill


class Killed(BaseException):
    """The OS killed the app: nothing after this point runs."""


class KillAfterPush:
    """Lets the push reach the server, then 'kills' the app before the phone records the answer."""

    def __init__(self, client):
        self.client = client

    def push(self, reports):
        self.client.push(reports)
        raise Killed()


def test_resume_after_a_kill_between_the_servers_answer_and_the_local_update(tmp_path, server, token):
    outbox = Outbox(tmp_path)
    save_reports(outbox, 3)
    engine = SyncEngine(outbox, KillAfterPush(SyncClient(server.url, token)), OFFICER)
    with pytest.raises(Killed):
        engine.sync_once(NOW)
    assert _states(outbox) == {"sending": 3}            # what the disk says when the app died
    outbox.close()

    restarted = Outbox(tmp_path)                        # the officer opens the app again
    assert _states(restarted) == {"waiting": 3}
    outcome = engine_for(restarted, server.url, token).sync_once(NOW + timedelta(minutes=1))
    assert (outcome.sent, outcome.duplicates) == (3, 3)
    assert _states(restarted) == {"sent": 3}
    assert server.created == {uuid_for(n): 1 for n in (1, 2, 3)}      # counted once
    restarted.close()


def test_a_lost_answer_is_resent_and_counted_once(outbox, server, token):
    save_reports(outbox, 2)
    server.drop_answers = 1                             # the server commits, the answer never arrives
    engine = engine_for(outbox, server.url, token)
    assert engine.sync_once(NOW).error_code == "sync.offline"
    assert _states(outbox) == {"waiting": 2} and len(server.reports) == 2
    assert engine.sync_once(NOW + timedelta(seconds=10)).duplicates == 2
    assert server.created == {uuid_for(1): 1, uuid_for(2): 1}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=st.integers(1, 12), batch=st.integers(1, 5),
       failures=st.lists(st.sampled_from(["ok", "drop_request", "drop_answer", "503"]), max_size=8))
def test_whatever_fails_every_report_lands_once_and_ends_sent(tmp_path_factory, count, batch, failures):
    """Pushing twice equals pushing once: after enough passes, server and phone agree exactly."""
    fake = FakeSyncServer().start()
    outbox = Outbox(tmp_path_factory.mktemp("box"))
    try:
        save_reports(outbox, count)
        engine = engine_for(outbox, fake.url, fake.issue_token(OFFICER), batch_size=batch, random=lambda: 0.0)
        for failure in failures:
            if failure == "drop_request":
                fake.fail_next.append(Canned(0, close=True))
            elif failure == "drop_answer":
                fake.drop_answers += 1
            elif failure == "503":
                fake.fail_next.append(Canned(503))
            engine.sync_once(NOW)
        for _ in range(3):
            engine.sync_once(NOW)
        assert _states(outbox) == {"sent": count}
        assert fake.created == {uuid_for(n): 1 for n in range(1, count + 1)}
        assert all(fake.reports[e.id]["hash"] == e.content_hash for e in outbox.entries(OFFICER))
    finally:
        outbox.close()
        fake.stop()


# ---------------------------------------------------------------- photos after text


def test_photos_go_after_text_head_first_put_only_when_missing(outbox, server, token):
    first, second = jpeg_bytes(color=(1, 2, 3)), jpeg_bytes(color=(200, 100, 0))
    shas = [hashlib.sha256(data).hexdigest() for data in (first, second)]
    for data, sha in zip((first, second), shas, strict=True):
        outbox.store_photo(data, sha)
    server.media[shas[1]] = second                      # the server already has the second one
    outbox.save(report(1, media=shas), officer=OFFICER, now=NOW)
    outcome = engine_for(outbox, server.url, token).sync_once(NOW)
    methods = [(call["method"], call["path"].split("/")[3]) for call in server.requests]
    assert methods.index(("POST", "sync")) < methods.index(("HEAD", "media"))
    assert len(server.calls("HEAD", "/api/v1/media/")) == 2
    assert [c["path"].rsplit("/", 1)[1] for c in server.calls("PUT", "/api/v1/media/")] == [shas[0]]
    assert server.media[shas[0]] == first and outcome.media_sent == 2
    assert outbox.media_counts(OFFICER) == {"sent": 2}


def test_a_photo_gone_from_the_phone_is_marked_missing(outbox, server, token):
    sha = "cd" * 32
    outbox.store_photo(b"x", sha).unlink()
    outbox.save(report(1, media=[sha]), officer=OFFICER, now=NOW)
    outcome = engine_for(outbox, server.url, token).sync_once(NOW)
    assert outcome.ok and outbox.media_counts(OFFICER) == {"missing": 1}


# ---------------------------------------------------------------- feedback


def test_pull_stores_feedback_and_the_cursor_until_no_more(outbox, server, token):
    for n in range(5):
        server.add_change("alert", alert_change(0, alert_id=f"a-{n}")["data"])
    server.add_change("notice", {"title": "Untuk orang lain"}, recipient="someone-else")
    outcome = engine_for(outbox, server.url, token, pull_limit=2).sync_once(NOW)
    assert outcome.pulled == 5
    assert outbox.meta.get(OFFICER, CURSOR_KEY) == 5
    assert len(outbox.inbox.entries(OFFICER, "alert")) == 5
    server.add_change("review", {"report_id": uuid_for(1), "review": {"status": "confirmed"}}, recipient=OFFICER)
    engine_for(outbox, server.url, token).sync_once(NOW)
    last_pull = server.calls("GET", "/api/v1/sync/pull")[-1]
    assert outbox.inbox.unread_counts(OFFICER)["review"] == 1
    assert last_pull["headers"]["authorization"] == f"Bearer {token}"


def test_a_successful_pass_records_the_time_and_purges_old_text(outbox, server, token):
    save_reports(outbox, 1)
    engine = engine_for(outbox, server.url, token, purge_after_days=30)
    engine.sync_once(NOW)
    received = outbox.get(uuid_for(1)).sent_at                  # the server's clock, not the phone's
    assert outbox.meta.get(OFFICER, LAST_SYNC_KEY) == received.isoformat()
    later = outbox.get(uuid_for(1)).sent_at + timedelta(days=31)
    engine.sync_once(later)
    assert outbox.get(uuid_for(1)).purged


def test_reports_left_sending_are_requeued_on_the_first_pass(outbox, server, token):
    save_reports(outbox, 1)
    outbox.claim(OFFICER, 1)                            # e.g. another engine died holding it
    assert engine_for(outbox, server.url, token).sync_once(NOW).sent == 1


def test_saving_while_a_sync_runs_in_another_thread_loses_nothing(outbox, server, token):
    import threading
    engine = engine_for(outbox, server.url, token, batch_size=7)
    stop = threading.Event()

    def keep_syncing():
        while not stop.is_set():
            engine.sync_once(NOW)

    worker = threading.Thread(target=keep_syncing)
    worker.start()
    try:
        save_reports(outbox, 60)
    finally:
        stop.set()
        worker.join()
    engine.sync_once(NOW)
    assert _states(outbox) == {"sent": 60}
    assert server.created == {uuid_for(n): 1 for n in range(1, 61)}

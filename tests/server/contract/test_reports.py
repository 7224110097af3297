"""The reports port: store, list, review, and the change feed (``pull`` and the production ``pull_stored``)."""
from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.responses import JSONResponse

from kerawanan.sms_codec import SHORT_MARK
from sync_server.render import change_json, change_page_text, changes_text
from sync_server.scope import Principal
from sync_server.storage import open_storage
from sync_server.storage.base import Area, Device, NewChange, ReportQuery, Review, User
from tests.server.contract.builders import HYPOTHESIS, NOW, OFFICER, parsed
from tests.server.helpers import DESA_A, DESA_B, KOTA_JAMBI_DESA, PESISIR_BUKIT_DESA

HOUR = timedelta(hours=1)
OTHER = User(username="88030999", name="Bhabin Kota", role="officer", scope=(KOTA_JAMBI_DESA,))
PHOTO = "ab" * 32
_names = itertools.count(1)


@pytest.fixture
def twin(backend):
    """A second empty storage of the same backend."""
    with backend() as opened:
        opened.create_user(OFFICER, None, NOW)
        yield opened


def statuses(result) -> list[str]:
    return [outcome.status for outcome in result.outcomes]


def test_store_created_duplicate_conflict(storage):
    first, second = parsed(), parsed()
    result = storage.store_reports(OFFICER.username, None, [first, second], NOW)
    assert statuses(result) == ["created", "created"]
    assert result.outcomes[0].seq < result.outcomes[1].seq == result.cursor
    changed = parsed(id=first.id, facts="lain")
    again = storage.store_reports(OFFICER.username, None, [first, changed], NOW)
    assert statuses(again) == ["duplicate", "conflict"]
    assert again.cursor == result.outcomes[0].seq          # the officer's newest report of the batch
    stored = storage.get_report(first.id)
    assert stored.wire == first.to_wire() and stored.content_hash == first.content_hash()
    assert (stored.officer, stored.seq, stored.review) == (OFFICER.username, result.outcomes[0].seq, Review())
    assert storage.get_report("not-stored") is None


def test_a_batch_repeating_an_id_and_another_officers_id(storage):
    storage.create_user(OTHER, None, NOW)
    one = parsed()
    result = storage.store_reports(OFFICER.username, None, [one, one, parsed(id=one.id, facts="lain")], NOW)
    assert statuses(result) == ["created", "duplicate", "conflict"] and result.cursor == result.outcomes[0].seq
    theirs = storage.store_reports(OTHER.username, None, [one], NOW)
    assert statuses(theirs) == ["duplicate"] and theirs.cursor == 0      # nobody else's seq leaks
    assert storage.get_report(one.id).officer == OFFICER.username
    assert storage.store_reports(OFFICER.username, None, [], NOW).outcomes == []


def test_the_same_push_through_two_nodes_at_once_is_stored_once(storage):
    """Two server processes on one database (two handles): each report created once, never twice."""
    node = open_storage(getattr(storage, "url", None) or storage.path)
    try:
        for _ in range(10):
            batch = [parsed() for _ in range(5)]
            start, results = threading.Barrier(2), [None, None]

            def push(index, handle, batch=batch, start=start, results=results):
                start.wait()
                try:
                    results[index] = handle.store_reports(OFFICER.username, None, batch, NOW)
                except Exception as error:      # e.g. a unique violation: both nodes inserted
                    results[index] = error

            threads = [threading.Thread(target=push, args=pair) for pair in enumerate((storage, node))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert not [r for r in results if isinstance(r, Exception)], results
            assert sorted(statuses(results[0]) + statuses(results[1])) == ["created"] * 5 + ["duplicate"] * 5
            assert results[0].cursor == results[1].cursor == storage.get_report(batch[-1].id).seq
        assert len(stored_state(storage)) == 50
    finally:
        node.close()


def _queued(storage, pushes):
    """Hold the storage's writer, start ``pushes`` (officer, reports) each in a thread, wait until the
    first is writing and the others wait behind it, let go: the others then share one transaction."""
    queue, holding, release = storage.push_queue, threading.Event(), threading.Event()
    results, errors = [None] * len(pushes), [None] * len(pushes)

    def hold():
        with storage.db.writing():
            holding.set()
            release.wait(30)

    def push(index, officer, reports):
        try:
            results[index] = storage.store_reports(officer, None, reports, NOW)
        except Exception as error:                  # noqa: BLE001 — the test looks at whose it is
            errors[index] = error

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(30)
    threads = [threading.Thread(target=push, args=(index, *pair)) for index, pair in enumerate(pushes)]
    threads[0].start()
    assert _until(lambda: queue._writing and not queue._waiting)       # the first leads, blocked on the writer
    for thread in threads[1:]:
        thread.start()
    assert _until(lambda: len(queue._waiting) == len(pushes) - 1)       # the others wait behind it
    release.set()
    for thread in [holder, *threads]:
        thread.join(30)
    return results, errors


def _until(condition, seconds: float = 30) -> bool:
    waited = threading.Event()
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        waited.wait(0.005)
    return True


def test_pushes_that_wait_together_share_a_transaction_and_are_answered_as_if_alone(storage):
    storage.create_user(OTHER, None, NOW)
    first, shared, mine, theirs = parsed(), parsed(), parsed(), parsed(desa_code=KOTA_JAMBI_DESA)
    before = (storage.push_queue.groups, storage.push_queue.pushes)
    results, errors = _queued(storage, [(OFFICER.username, [first]),
                                        (OFFICER.username, [shared, mine, shared]),
                                        (OTHER.username, [shared, theirs, parsed(id=mine.id, facts="lain")])])
    assert errors == [None, None, None]
    assert (storage.push_queue.groups - before[0], storage.push_queue.pushes - before[1]) == (2, 3)
    assert statuses(results[0]) == ["created"]
    assert statuses(results[1]) == ["created", "created", "duplicate"]
    assert statuses(results[2]) == ["duplicate", "created", "conflict"]        # after the second, as if alone
    seqs = [outcome.seq for result in results for outcome in result.outcomes if outcome.status == "created"]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    assert results[1].cursor == results[1].outcomes[1].seq and results[2].cursor == results[2].outcomes[1].seq
    assert {k: storage.get_report(k).officer for k in stored_state(storage)} == {
        first.id: OFFICER.username, shared.id: OFFICER.username, mine.id: OFFICER.username,
        theirs.id: OTHER.username}
    activity = storage.activity()
    assert activity.desa_observed[KOTA_JAMBI_DESA] == theirs.observed_at
    assert set(activity.officer_heard) >= {OFFICER.username, OTHER.username}


def test_a_failing_push_in_a_group_fails_alone(storage):
    ghost = "88039999"                              # no such account: its reports break a foreign key
    kept, lost = parsed(), parsed()
    results, errors = _queued(storage, [(OFFICER.username, [parsed()]), (ghost, [lost]),
                                        (OFFICER.username, [kept])])
    assert errors[0] is None and errors[2] is None and isinstance(errors[1], storage.db.IntegrityError)
    assert statuses(results[0]) == statuses(results[2]) == ["created"]
    assert storage.get_report(kept.id) is not None and storage.get_report(lost.id) is None


def test_corrections_follow_the_supersedes_rules(storage):
    storage.create_user(OTHER, None, NOW)
    original = parsed()
    storage.store_reports(OFFICER.username, None, [original], NOW)
    fix, second_fix = parsed(supersedes=original.id), parsed(supersedes=original.id)
    chained = parsed(supersedes=fix.id)                     # correcting the correction, same batch
    result = storage.store_reports(OFFICER.username, None, [fix, second_fix, chained], NOW)
    assert statuses(result) == ["created", "invalid", "created"] and result.outcomes[1].error == "taken"
    assert storage.get_report(original.id).superseded_by == fix.id
    assert storage.get_report(fix.id).superseded_by == chained.id
    assert storage.get_report(second_fix.id) is None and storage.get_report(chained.id).superseded_by is None
    theirs, missing = parsed(supersedes=chained.id), parsed(supersedes=str(uuid.uuid4()))
    refused = storage.store_reports(OTHER.username, None, [theirs, missing], NOW)
    assert [(o.status, o.error) for o in refused.outcomes] == [("invalid", "unknown")] * 2
    late = parsed()
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    cycle = [parsed(id=a, supersedes=b), parsed(id=b, supersedes=a)]
    result = storage.store_reports(OFFICER.username, None, [parsed(supersedes=late.id), late, *cycle], NOW)
    assert [(o.status, o.error) for o in result.outcomes] == [("invalid", "unknown"), ("created", None),
                                                              ("invalid", "unknown"), ("invalid", "unknown")]
    assert storage.get_report(late.id).superseded_by is None
    listed = {r.id: r.superseded_by for r in storage.list_reports(ReportQuery(limit=1000))[0]}
    assert listed == {original.id: fix.id, fix.id: chained.id, chained.id: None, late.id: None}


reports_strategy = st.lists(
    st.builds(lambda desa, category, stage: parsed(desa_code=desa, category=category, threat_stage=stage),
              st.sampled_from([DESA_A, DESA_B, KOTA_JAMBI_DESA]),
              st.sampled_from(["politik_uang", "bentrok", "logistik"]), st.sampled_from(["PG", "AG", "GN"])),
    min_size=1, max_size=12)


def stored_state(storage) -> dict[str, str]:
    items, _ = storage.list_reports(ReportQuery(limit=1000))
    return {item.id: item.content_hash for item in items}


# The properties share one storage per backend across their examples (a fresh PostgreSQL database per
# example costs a second): every example's reports have fresh ids, so each example starts from the
# state the previous ones left, which the properties must (and do) hold for too.

@HYPOTHESIS
@given(reports=reports_strategy)
def test_pushing_twice_equals_pushing_once(storage, reports):
    once = storage.store_reports(OFFICER.username, None, reports, NOW)
    state = stored_state(storage)
    twice = storage.store_reports(OFFICER.username, None, reports, NOW)
    assert stored_state(storage) == state
    assert twice.cursor == once.cursor
    assert {o.status for o in twice.outcomes} == {"duplicate"}


@HYPOTHESIS
@given(reports=reports_strategy, data=st.data())
def test_order_of_arrival_does_not_change_what_is_stored(storage, twin, reports, data):
    shuffled = data.draw(st.permutations(reports))
    cut = data.draw(st.integers(0, len(reports)))
    storage.store_reports(OFFICER.username, None, reports, NOW)
    twin.store_reports(OFFICER.username, None, shuffled[:cut], NOW)
    twin.store_reports(OFFICER.username, None, shuffled[cut:], NOW)
    assert stored_state(storage) == stored_state(twin)
    query = ReportQuery(region="15.72", category="bentrok", limit=1000)
    assert {r.id for r in storage.list_reports(query)[0]} == {r.id for r in twin.list_reports(query)[0]}


def test_list_filters_scope_and_pages(storage):
    reports = [parsed(desa_code=DESA_A), parsed(desa_code=DESA_B, category="bentrok"),
               parsed(desa_code=KOTA_JAMBI_DESA)]
    storage.store_reports(OFFICER.username, None, reports, NOW)
    ids = [r.id for r in reports]

    def listed(**filters):
        return [r.id for r in storage.list_reports(ReportQuery(**filters))[0]]

    assert listed() == ids[::-1]
    assert listed(scopes=("15.72",)) == ids[1::-1]
    assert listed(scopes=()) == []
    assert listed(scopes=("15.72",), region="15.71") == []
    assert listed(category="bentrok") == [ids[1]]
    assert listed(officer="someone-else") == []
    assert listed(since=NOW + timedelta(seconds=1)) == []
    assert listed(stage=reports[0].stage, review="pending", officer=OFFICER.username, since=NOW) == ids[::-1]
    page, next_seq = storage.list_reports(ReportQuery(limit=2))
    assert [r.id for r in page] == ids[:0:-1] and next_seq == page[-1].seq
    rest, end = storage.list_reports(ReportQuery(limit=2, before_seq=next_seq))
    assert [r.id for r in rest] == [ids[0]] and end is None


def review_change(report, data=None) -> NewChange:
    return NewChange(kind="review", data=data or {"report_id": report.id}, recipient=OFFICER.username,
                     region_code=report.desa_code, ref=report.id)


def test_review_updates_report_and_feeds_the_officer(storage):
    one, two = parsed(), parsed()
    storage.store_reports(OFFICER.username, None, [one, two], NOW)
    verdict = Review(status="confirmed", grade="B2", note="ok", by="polsek", at=NOW)
    reviewed = storage.review_report(one.id, verdict, review_change(one))
    assert reviewed.review == verdict and reviewed.wire == one.to_wire()
    later = Review(status="duplicate", duplicate_of=two.id, by="polres", at=NOW + HOUR)
    assert storage.review_report(one.id, later, review_change(one, {"n": 2})).review == later
    assert storage.get_report(one.id).review == later and storage.get_report(two.id).review == Review()
    page = storage.pull(OFFICER.username, Area(), 0, 100)
    assert [(c.kind, c.data) for c in page.changes] == [("review", {"report_id": one.id}), ("review", {"n": 2})]


def test_a_review_that_fails_changes_nothing(storage):
    one = parsed()
    storage.store_reports(OFFICER.username, None, [one], NOW)
    seq = storage.current_seq()
    with pytest.raises(TypeError):                          # its change cannot be written: all rolls back
        storage.review_report(one.id, Review(status="rejected", by="polsek", at=NOW),
                              review_change(one, {"bad": object()}))
    assert storage.get_report(one.id).review == Review() and storage.current_seq() == seq


def bulk_world(storage):
    """OFFICER's reports over three hours, on two phones and in two kabupaten, and one of OTHER's."""
    storage.create_user(OTHER, None, NOW)
    early, on_b, kota, rejected, late = (parsed(desa_code=desa) for desa in
                                         (DESA_A, DESA_B, KOTA_JAMBI_DESA, DESA_A, DESA_A))
    storage.store_reports(OFFICER.username, "hp-1", [early], NOW)
    storage.store_reports(OFFICER.username, "hp-2", [on_b, kota], NOW + HOUR)
    storage.store_reports(OTHER.username, "hp-3", [parsed(desa_code=DESA_B)], NOW + HOUR)
    storage.store_reports(OFFICER.username, "hp-2", [rejected, late], NOW + 2 * HOUR)
    storage.review_report(rejected.id, Review(status="rejected", by="polsek", at=NOW + 2 * HOUR),
                          review_change(rejected))
    return early, on_b, kota, rejected, late


def test_bulk_review_is_scope_limited_and_skips_the_same_verdict(storage):
    early, on_b, kota, rejected, late = bulk_world(storage)
    before = storage.current_seq()
    verdict = Review(status="rejected", note="akun dicuri", by="polres", at=NOW + 3 * HOUR)
    data = {"status": "rejected", "note": "akun dicuri"}
    ids = storage.review_since(officer=OFFICER.username, device_id=None, since=NOW + HOUR / 2, scopes=("15.72",),
                               review=verdict, review_data=data)
    assert ids == [on_b.id, late.id]                        # oldest first; not kota (scope), not rejected
    assert storage.get_report(on_b.id).review == verdict and storage.get_report(late.id).review == verdict
    assert storage.get_report(early.id).review == Review() and storage.get_report(kota.id).review == Review()
    assert storage.get_report(rejected.id).review.by == "polsek"
    feed = storage.pull(OFFICER.username, Area(), before, 100).changes
    assert [c.data for c in feed] == [{"report_id": on_b.id, "review": data}, {"report_id": late.id, "review": data}]
    by_phone = storage.review_since(officer=None, device_id="hp-1", since=NOW, scopes=("15",), review=verdict,
                                    review_data=data)
    assert by_phone == [early.id]
    assert storage.review_since(officer=OFFICER.username, device_id=None, since=NOW, scopes=(), review=verdict,
                                review_data=data) == []


def test_bulk_review_is_all_or_nothing(storage):
    early, on_b, *_ = bulk_world(storage)
    seq = storage.current_seq()
    with pytest.raises(TypeError):
        storage.review_since(officer=OFFICER.username, device_id=None, since=NOW, scopes=("15",),
                             review=Review(status="confirmed", by="polres", at=NOW), review_data={"bad": object()})
    assert storage.get_report(early.id).review == Review() and storage.get_report(on_b.id).review == Review()
    assert storage.current_seq() == seq


def test_record_sync_and_pushes_tell_when_an_officer_and_a_desa_were_heard(storage):
    storage.add_enrollment_code(OFFICER.username, "kode", created_by="admin", created_at=NOW,
                                expires_at=NOW + 72 * HOUR)
    (code,) = storage.enrollment_codes(OFFICER.username, NOW)
    assert storage.enroll_device(code.id, Device("hp-1", OFFICER.username, "HP", NOW), "hash", NOW)
    newer = parsed(observed_at="2024-11-27T21:40:00+07:00")
    older = parsed(observed_at="2024-11-27T10:00:00+07:00")
    storage.store_reports(OFFICER.username, "hp-1", [newer], NOW)
    storage.store_reports(OFFICER.username, "hp-1", [older, parsed(desa_code=DESA_B)], NOW + HOUR)
    heard = storage.activity()
    assert heard.desa_observed[DESA_A] == newer.observed_at         # an older report arriving later
    assert heard.officer_heard[OFFICER.username] == NOW + HOUR
    assert storage.get_device("hp-1").last_sync_at == NOW + HOUR
    storage.record_sync(OFFICER.username, "hp-1", NOW + 2 * HOUR)   # a pull without reports
    storage.create_user(OTHER, None, NOW)
    storage.record_sync(OTHER.username, None, NOW + 3 * HOUR)
    heard = storage.activity()
    assert heard.officer_heard == {OFFICER.username: NOW + 2 * HOUR, OTHER.username: NOW + 3 * HOUR}
    assert heard.desa_observed[DESA_A] == newer.observed_at and KOTA_JAMBI_DESA not in heard.desa_observed
    assert storage.get_device("hp-1").last_sync_at == NOW + 2 * HOUR
    latest = parsed(observed_at="2024-11-27T23:00:00+07:00")
    storage.store_reports(OFFICER.username, None, [latest], NOW + 4 * HOUR)
    assert storage.activity().desa_observed[DESA_A] == latest.observed_at
    assert storage.get_device("hp-1").last_sync_at == NOW + 2 * HOUR  # a push with no device
    storage.record_sync(OFFICER.username, None, NOW + 3 * HOUR)      # a node whose clock is behind
    assert storage.activity().officer_heard[OFFICER.username] == NOW + 4 * HOUR


def test_an_sms_short_version_is_completed_once(storage):
    full = parsed(facts="Massa membakar kotak suara di TPS 03.", opinion="Meluas malam ini.", media=[PHOTO])
    short = parsed(id=full.id, facts="Massa membakar" + SHORT_MARK)
    stored = storage.store_reports(OFFICER.username, None, [short], NOW).outcomes[0]
    storage.create_user(OTHER, None, NOW)
    assert not storage.complete_short_version(OTHER.username, full, SHORT_MARK, NOW)
    for wrong in (parsed(id=full.id, facts="Warga membakar kotak suara.", opinion="x"),   # not its beginning
                  parsed(id=full.id, facts=full.facts, category="bentrok"),              # another field differs
                  parsed(facts=full.facts)):                                             # not stored
        assert not storage.complete_short_version(OFFICER.username, wrong, SHORT_MARK, NOW)
    assert storage.get_report(full.id).wire == short.to_wire()
    assert storage.complete_short_version(OFFICER.username, full, SHORT_MARK, NOW + HOUR)
    report = storage.get_report(full.id)
    assert (report.wire, report.content_hash, report.seq) == (full.to_wire(), full.content_hash(), stored.seq)
    assert [r.id for r in storage.reports_citing_media(PHOTO)] == [full.id]
    assert not storage.complete_short_version(OFFICER.username, full, SHORT_MARK, NOW + HOUR)
    assert statuses(storage.store_reports(OFFICER.username, None, [full], NOW + HOUR)) == ["duplicate"]
    plain = parsed(facts="Massa membakar kotak.")
    storage.store_reports(OFFICER.username, None, [plain], NOW)
    longer = parsed(id=plain.id, facts="Massa membakar kotak. Dua orang diamankan.")
    assert not storage.complete_short_version(OFFICER.username, longer, SHORT_MARK, NOW)   # no short version
    assert storage.reports_citing_media("cd" * 32) == []


# ---- the change feed


def test_pull_visibility_by_recipient_area_and_audience(storage):
    changes = [
        NewChange(kind="notice", data={"n": 1}, recipient="88030417"),
        NewChange(kind="notice", data={"n": 2}, recipient="someone-else"),
        NewChange(kind="alert", data={"n": 3}, region_code="15.72.07.2004"),   # desa in the subtree
        NewChange(kind="alert", data={"n": 4}, region_code="15.72"),           # an ancestor
        NewChange(kind="alert", data={"n": 5}, region_code="15.72.02"),        # a sibling kecamatan
        NewChange(kind="notice", data={"n": 6}),                               # everyone
        NewChange(kind="report", data={"n": 7}, region_code="15.72.07.2004", audience="supervisors"),
        NewChange(kind="alert", data={"n": 8}, region_code="15.72.071"),       # not under 15.72.07
        NewChange(kind="alert", data={"n": 9}, region_code="15.71"),           # another kabupaten
    ]
    storage.add_changes(changes, NOW)
    officer = Area(subtrees=("15.72.07",), exact=("15.72", "15"))
    seen = [c.data["n"] for c in storage.pull("88030417", officer, 0, 100).changes]
    assert seen == [1, 3, 4, 6]
    supervisor = Area(subtrees=("15.72",), supervisor=True)
    seen = [c.data["n"] for c in storage.pull("polres", supervisor, 0, 100).changes]
    assert seen == [3, 4, 5, 6, 7, 8]


@HYPOTHESIS
@given(count=st.integers(0, 30), limit=st.integers(1, 7), start=st.integers(0, 3))
def test_pull_pages_every_change_exactly_once(storage, count, limit, start):
    caller = f"anyone-{next(_names)}"                       # the feed also holds earlier examples' changes
    last = storage.add_changes([NewChange(kind="notice", data={"n": i}, recipient=caller) for i in range(count)],
                               NOW)
    seqs = [c.seq for c in storage.pull(caller, Area(), 0, 1000).changes]
    assert seqs == sorted(set(seqs)) and len(seqs) == count and storage.current_seq() == last
    start = min(start, count)
    cursor, seen, more = (seqs[start - 1] if start else 0), [], True
    while more:
        page = storage.pull(caller, Area(), cursor, limit)
        assert page.cursor >= cursor and len(page.changes) <= limit
        seen += [c.data["n"] for c in page.changes]
        cursor, more = page.cursor, page.more
    assert seen == list(range(start, count))
    assert cursor == (last if count else 0)


def test_seqs_grow_and_stay_ahead_of_the_wall_clock(storage):
    """docs/reliability.md "What a cursor tells": seq = max(previous + 1, wall clock in µs)."""
    assert storage.current_seq() == 0
    before = time.time_ns() // 1000
    first = storage.add_changes([NewChange(kind="notice", data=None)], NOW)
    assert first >= before and storage.current_seq() == first
    stored = storage.store_reports(OFFICER.username, None, [parsed(), parsed()], NOW)
    assert first < stored.outcomes[0].seq < stored.outcomes[1].seq == storage.current_seq()
    assert storage.add_changes([], NOW) == storage.current_seq()


def test_a_cursor_is_the_callers_last_change_and_misses_nothing(storage):
    officer = Principal(username=OFFICER.username, role="officer", scope=(DESA_A,))
    mine = storage.add_changes([NewChange(kind="notice", data={"n": 1}, recipient=OFFICER.username)], NOW)
    storage.add_changes([NewChange(kind="notice", data={"n": 2}, recipient="someone-else")], NOW)
    for pull in (storage.pull, storage.pull_stored):
        page = pull(OFFICER.username, officer.area(), 0, 100)
        assert (page.cursor, page.more) == (mine, False)      # not the server's newest seq
        assert pull(OFFICER.username, officer.area(), mine, 100).cursor == mine
    news = storage.add_changes([NewChange(kind="alert", data={"n": 3}, region_code=DESA_A)], NOW)
    for pull in (storage.pull, storage.pull_stored):       # the hint the quiet pulls left hides nothing
        assert pull(OFFICER.username, officer.area(), mine, 100).cursor == news


# ---- pull_stored, the production pull path: the page ``pull`` gives, as the API renders it

CALLERS = {
    "officer": Principal(username=OFFICER.username, role="officer", scope=(DESA_A,)),
    "kota officer": Principal(username=OTHER.username, role="officer", scope=(KOTA_JAMBI_DESA,)),
    "supervisor": Principal(username="polsek", role="supervisor", scope=("15.72.07",)),
    "kota supervisor": Principal(username="polresta", role="supervisor", scope=("15.71",)),
    "admin": Principal(username="polda", role="admin", scope=("15",)),
}


def feed_world(storage) -> None:
    """Reports (odd text, times, a correction, a review), and every kind of addressed change."""
    storage.create_user(OTHER, None, NOW)
    odd = parsed(facts='Ada "kutipan" \\ garis miring, é, 选举, emoji 🗳️\n baris baru, 100%.')
    graded = parsed(desa_code=DESA_B, observed_at="2024-11-27T21:40:00.123456+07:00",
                    recorded_at="2024-11-27T22:00:00+08:00", location={"lat": -2.06, "lon": 101.39, "accuracy_m": 12.5},
                    people_count=40, source_reliability="B", info_credibility=2, opinion="observed_at: 1", tps="003")
    storage.store_reports(OFFICER.username, "hp-1", [odd, graded], NOW)
    storage.add_changes([
        NewChange(kind="notice", data={"pesan": "Rapat koordinasi", "n": 1.5}, recipient=OFFICER.username),
        NewChange(kind="notice", data={"n": 2}, recipient=OTHER.username),
        NewChange(kind="alert", data={"region": DESA_A, "level": "rawan"}, region_code=DESA_A),
        NewChange(kind="alert", data={"n": 4}, region_code="15.72"),
        NewChange(kind="alert", data={"n": 5}, region_code="15.71.01"),
        NewChange(kind="notice", data=None),
        NewChange(kind="task", data={"n": 7}, region_code="15.72.07", audience="supervisors"),
        NewChange(kind="report", data=None, region_code=DESA_A, audience="supervisors", ref="no-such-report"),
    ], NOW + timedelta(seconds=1))
    storage.store_reports(OTHER.username, None, [parsed(desa_code=KOTA_JAMBI_DESA, threat_stage=None,
                                                        category="nihil", facts="")], NOW + HOUR)
    fix = parsed(desa_code=PESISIR_BUKIT_DESA, supersedes=odd.id, observed_at="2024-11-27T14:40:00Z")
    storage.store_reports(OFFICER.username, None, [fix], NOW.replace(microsecond=250_000))
    verdict = Review(status="duplicate", grade="B2", duplicate_of=odd.id, note="sama, é", by="polsek",
                     at=NOW + timedelta(minutes=5))
    storage.review_report(graded.id, verdict, review_change(graded))


def pages_agree(storage, principal: Principal, after: int, limit: int):
    area = principal.area()
    fast, page = storage.pull_stored(principal.username, area, after, limit), storage.pull(principal.username, area,
                                                                                            after, limit)
    expected = [change_json(change) for change in page.changes]
    assert json.loads(changes_text(fast)) == expected
    assert (len(fast.changes), fast.cursor, fast.more) == (len(expected), page.cursor, page.more)
    body = JSONResponse({"changes": expected, "cursor": page.cursor, "more": page.more}).body
    assert change_page_text(fast).encode() == body     # byte for byte
    return fast


@pytest.mark.parametrize("limit", [1, 3, 1000])
def test_pull_stored_gives_the_page_pull_gives(storage, limit):
    feed_world(storage)
    for name, principal in CALLERS.items():
        cursor, more, seen = 0, True, 0
        while more:
            fast = pages_agree(storage, principal, cursor, limit)
            cursor, more, seen = fast.cursor, fast.more, seen + len(fast.changes)
        assert seen == len(storage.pull(principal.username, principal.area(), 0, 1000).changes) > 0, name
        pages_agree(storage, principal, 2**62, limit)        # a cursor past the end stays
    everything = json.loads(changes_text(storage.pull_stored("polda", CALLERS["admin"].area(), 0, 1000)))
    reports = {c["data"]["id"]: c["data"] for c in everything if c["kind"] == "report" and c["data"]}
    assert len(reports) == 4 and sum(1 for r in reports.values() if r["superseded_by"]) == 1
    assert any(r["review"]["status"] == "duplicate" for r in reports.values())

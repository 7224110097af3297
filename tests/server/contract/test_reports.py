"""The reports port: store, list, review, and the change feed (``pull`` and the production ``pull_json``)."""
from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from kerawanan import assets
from kerawanan.report import parse_report
from sync_server.storage.base import Area, NewChange, ReportQuery, Review
from tests.server.contract.builders import HYPOTHESIS, NOW, OFFICER, parsed
from tests.server.helpers import DESA_A, DESA_B, KOTA_JAMBI_DESA


def test_store_created_duplicate_conflict(storage):
    first, second = parsed(), parsed()
    result = storage.store_reports(OFFICER.username, None, [first, second], NOW)
    assert [o.status for o in result.outcomes] == ["created", "created"]
    assert result.outcomes[0].seq < result.outcomes[1].seq == result.cursor
    changed = parse_report({**first.to_wire(), "facts": "lain"}, now=NOW, gazetteer=assets.gazetteer(),
                           calendar=assets.calendar())
    again = storage.store_reports(OFFICER.username, None, [first, changed], NOW)
    assert [o.status for o in again.outcomes] == ["duplicate", "conflict"]
    assert again.cursor == result.outcomes[0].seq          # the officer's newest report of the batch
    stored = storage.get_report(first.id)
    assert stored.wire == first.to_wire() and stored.content_hash == first.content_hash()
    assert (stored.officer, stored.seq, stored.review) == (OFFICER.username, result.outcomes[0].seq, Review())


reports_strategy = st.lists(
    st.builds(lambda desa, category, stage: parsed(desa_code=desa, category=category, threat_stage=stage),
              st.sampled_from([DESA_A, DESA_B, KOTA_JAMBI_DESA]),
              st.sampled_from(["politik_uang", "bentrok", "logistik"]), st.sampled_from(["PG", "AG", "GN"])),
    min_size=1, max_size=12)


def stored_state(storage) -> dict[str, str]:
    items, _ = storage.list_reports(ReportQuery(limit=1000))
    return {item.id: item.content_hash for item in items}


@HYPOTHESIS
@given(reports=reports_strategy)
def test_pushing_twice_equals_pushing_once(backend, reports):
    with backend() as storage:
        storage.create_user(OFFICER, None, NOW)
        once = storage.store_reports(OFFICER.username, None, reports, NOW)
        state = stored_state(storage)
        twice = storage.store_reports(OFFICER.username, None, reports, NOW)
        assert stored_state(storage) == state
        assert twice.cursor == once.cursor
        assert {o.status for o in twice.outcomes} == {"duplicate"}


@HYPOTHESIS
@given(reports=reports_strategy, data=st.data())
def test_order_of_arrival_does_not_change_what_is_stored(backend, reports, data):
    shuffled = data.draw(st.permutations(reports))
    cut = data.draw(st.integers(0, len(reports)))
    with backend() as one, backend() as other:
        for storage in (one, other):
            storage.create_user(OFFICER, None, NOW)
        one.store_reports(OFFICER.username, None, reports, NOW)
        other.store_reports(OFFICER.username, None, shuffled[:cut], NOW)
        other.store_reports(OFFICER.username, None, shuffled[cut:], NOW)
        assert stored_state(one) == stored_state(other)
        query = ReportQuery(region="15.72", category="bentrok", limit=1000)
        assert {r.id for r in one.list_reports(query)[0]} == {r.id for r in other.list_reports(query)[0]}


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
    page, next_seq = storage.list_reports(ReportQuery(limit=2))
    assert [r.id for r in page] == ids[:0:-1] and next_seq == page[-1].seq
    rest, end = storage.list_reports(ReportQuery(limit=2, before_seq=next_seq))
    assert [r.id for r in rest] == [ids[0]] and end is None


def test_review_updates_report_and_feeds_the_officer(storage):
    one = parsed()
    storage.store_reports(OFFICER.username, None, [one], NOW)
    verdict = Review(status="confirmed", grade="B2", note="ok", by="polsek", at=NOW)
    change = NewChange(kind="review", data={"report_id": one.id}, recipient=OFFICER.username,
                       region_code=one.desa_code, ref=one.id)
    reviewed = storage.review_report(one.id, verdict, change)
    assert reviewed.review == verdict
    page = storage.pull(OFFICER.username, Area(), 0, 100)
    assert [(c.kind, c.data) for c in page.changes] == [("review", {"report_id": one.id})]



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
def test_pull_pages_every_change_exactly_once(backend, count, limit, start):
    with backend() as storage:
        last = storage.add_changes([NewChange(kind="notice", data={"n": i}) for i in range(count)], NOW)
        seqs = [c.seq for c in storage.pull("anyone", Area(), 0, 1000).changes]
        assert seqs == sorted(set(seqs)) and len(seqs) == count and storage.current_seq() == last
        start = min(start, count)
        cursor, seen, more = (seqs[start - 1] if start else 0), [], True
        while more:
            page = storage.pull("anyone", Area(), cursor, limit)
            assert page.cursor >= cursor and len(page.changes) <= limit
            seen += [c.data["n"] for c in page.changes]
            cursor, more = page.cursor, page.more
        assert seen == list(range(start, count))
        assert cursor == (last if count else 0)


"""The storage contract: every backend of ``sync_server.storage.base.Storage`` must pass this file.

Every test runs once per backend in ``BACKENDS``: SQLite in a temporary file, PostgreSQL in a fresh
database of the throwaway cluster (``tests/pg_cluster.py``). Sync properties are Hypothesis tests: pushing twice equals pushing
once, the order of arrival does not change what is stored, pull pages every change exactly once.
"""
from __future__ import annotations

import tempfile
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kerawanan import assets
from kerawanan.errors import Conflict
from kerawanan.report import parse_report
from sync_server.storage import open_storage
from sync_server.storage.base import Area, Device, NewChange, ReportQuery, Review, User
from tests.server.helpers import DESA_A, DESA_B, KOTA_JAMBI_DESA, report

NOW = datetime(2024, 11, 28, 1, 0, tzinfo=UTC)
OFFICER = User(username="88030417", name="Bhabin", role="officer", scope=(DESA_A,))


@contextmanager
def sqlite_backend():
    with tempfile.TemporaryDirectory() as folder:
        storage = open_storage(Path(folder) / "contract.db", migrate=True)
        try:
            yield storage
        finally:
            storage.close()


def postgres_backend(cluster):
    @contextmanager
    def opened():
        url = cluster.database()
        storage = open_storage(url)
        try:
            yield storage
        finally:
            storage.close()
            cluster.drop(url)
    return opened


BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def backend(request):
    """A context manager yielding a fresh, migrated storage of each backend."""
    if request.param == "postgresql":
        return postgres_backend(request.getfixturevalue("pg_cluster"))
    return sqlite_backend


@pytest.fixture
def storage(backend):
    with backend() as opened:
        opened.create_user(OFFICER, None, NOW)
        yield opened


def parsed(**overrides):
    return parse_report(report(**overrides), now=NOW, gazetteer=assets.gazetteer(), calendar=assets.calendar())


# ---- accounts


def test_users_round_trip_and_names_are_unique(storage):
    assert storage.get_user(OFFICER.username) == OFFICER
    assert storage.get_user("nobody") is None
    with pytest.raises(Conflict):
        storage.create_user(OFFICER, None, NOW)


def test_tokens_expire_and_revoke(storage):
    token_id = storage.add_token("h1", OFFICER.username, "login", created_at=NOW,
                                 expires_at=NOW + timedelta(hours=1))
    grant = storage.find_token("h1", NOW)
    assert (grant.token_id, grant.user, grant.kind) == (token_id, OFFICER, "login")
    assert storage.find_token("h1", NOW + timedelta(hours=1)) is None
    storage.revoke_token(token_id, NOW)
    assert storage.find_token("h1", NOW) is None
    assert storage.find_token("unknown", NOW) is None


def test_enrollment_is_single_use_and_newest_code_only(storage):
    later = NOW + timedelta(hours=72)
    storage.add_enrollment_code(OFFICER.username, "old", created_by="admin", created_at=NOW, expires_at=later)
    storage.add_enrollment_code(OFFICER.username, "new", created_by="admin", created_at=NOW, expires_at=later)
    (code,) = storage.enrollment_codes(OFFICER.username, NOW)
    assert code.code_hash == "new"
    device = Device(id="dev-1", username=OFFICER.username, name="HP", created_at=NOW)
    assert storage.enroll_device(code.id, device, "device-hash", NOW)
    assert not storage.enroll_device(code.id, Device("dev-2", OFFICER.username, "HP", NOW), "h2", NOW)
    assert storage.enrollment_codes(OFFICER.username, NOW) == []
    grant = storage.find_token("device-hash", NOW + timedelta(days=999))
    assert (grant.kind, grant.device_id, grant.expires_at) == ("device", "dev-1", None)
    assert storage.revoke_device("dev-1", NOW) and not storage.revoke_device("dev-x", NOW)
    assert storage.find_token("device-hash", NOW) is None
    assert storage.get_device("dev-1").revoked_at == NOW
    assert [d.id for d in storage.devices_of(OFFICER.username)] == ["dev-1"]
    assert storage.devices_of("nobody") == []


# ---- reports


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
HYPOTHESIS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


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


# ---- media


def test_media_metadata_and_uploaders(storage):
    assert storage.add_media("ab" * 32, 10, "image/png", "u1", NOW)
    assert not storage.add_media("ab" * 32, 10, "image/png", "u2", NOW)
    assert storage.get_media("ab" * 32).size == 10 and storage.get_media("cd" * 32) is None
    assert storage.media_uploaded_by("ab" * 32, "u2") and not storage.media_uploaded_by("ab" * 32, "u3")
    cited = parsed(media=["ab" * 32])
    storage.store_reports(OFFICER.username, None, [cited], NOW)
    assert [r.id for r in storage.reports_citing_media("ab" * 32)] == [cited.id]

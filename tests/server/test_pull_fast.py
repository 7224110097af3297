"""``Storage.pull_stored`` + ``render.change_page_text`` (the pull route's fast path) give the bytes
``pull`` + ``change_json`` gave."""
from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.responses import JSONResponse

from kerawanan import assets
from kerawanan.report import parse_report
from sync_server.render import change_json, change_page_text, changes_text, report_json_text, stored_time_z
from sync_server.scope import Principal
from sync_server.storage import open_storage
from sync_server.storage.base import NewChange, Review, User
from tests.server.helpers import DESA_A, DESA_B, KOTA_JAMBI_DESA, PESISIR_BUKIT_DESA, report

NOW = datetime(2024, 11, 28, 1, 0, 0, 250_000, tzinfo=UTC)
OFFICER = User(username="88030417", name="Bhabin", role="officer", scope=(DESA_A,))
CALLERS = {
    "officer": Principal(username=OFFICER.username, role="officer", scope=(DESA_A,)),
    "other officer": Principal(username="88030999", role="officer", scope=(PESISIR_BUKIT_DESA,)),
    "supervisor": Principal(username="polsek", role="supervisor", scope=("15.72.07",)),
    "kota supervisor": Principal(username="polresta", role="supervisor", scope=("15.71",)),
    "admin": Principal(username="polda", role="admin", scope=("15",)),
}


def parsed(**overrides):
    return parse_report(report(**overrides), now=NOW, gazetteer=assets.gazetteer(), calendar=assets.calendar())


def _mixed_reports():
    return [
        parsed(desa_code=DESA_A, facts='Ada "kutipan" \\ garis miring, é, 选举, emoji 🗳️\n baris baru.'),
        parsed(desa_code=DESA_B, observed_at="2024-11-27T21:40:00.123456+07:00",
               recorded_at="2024-11-27T22:00:00+08:00", location={"lat": -2.06, "lon": 101.39, "accuracy_m": 12.5},
               people_count=40, source_reliability="B", info_credibility=2, opinion="observed_at: 1", tps="003"),
        parsed(desa_code=PESISIR_BUKIT_DESA, observed_at="2024-11-27T14:40:00Z"),
        parsed(desa_code=KOTA_JAMBI_DESA),
    ]


def _mixed_changes():
    return [
        NewChange(kind="notice", data={"pesan": "Rapat koordinasi", "n": 1.5}, recipient=OFFICER.username),
        NewChange(kind="notice", data={"n": 2}, recipient="someone-else"),
        NewChange(kind="alert", data={"region": DESA_A, "level": "tinggi"}, region_code=DESA_A),
        NewChange(kind="alert", data={"n": 4}, region_code="15.72"),
        NewChange(kind="alert", data={"n": 5}, region_code="15.71.01"),
        NewChange(kind="notice", data=None),
        NewChange(kind="task", data={"n": 7}, region_code="15.72.07", audience="supervisors"),
        NewChange(kind="report", data=None, region_code=DESA_A, audience="supervisors", ref="no-such-report"),
    ]


@pytest.fixture(scope="module")
def storage():
    with tempfile.TemporaryDirectory() as folder:
        opened = open_storage(Path(folder) / "fast.db", migrate=True)
        opened.create_user(OFFICER, None, NOW)
        stored = _mixed_reports()
        opened.store_reports(OFFICER.username, None, stored[:2], NOW)
        opened.add_changes(_mixed_changes(), NOW + timedelta(seconds=1))
        opened.store_reports(OFFICER.username, None, stored[2:], NOW.replace(microsecond=0))
        verdict = Review(status="duplicate", grade="B2", duplicate_of=stored[0].id, note="sama, é",
                         by="polsek", at=NOW + timedelta(minutes=5))
        opened.review_report(stored[1].id, verdict, NewChange(
            kind="review", data={"report_id": stored[1].id}, recipient=OFFICER.username,
            region_code=DESA_B, ref=stored[1].id))
        try:
            yield opened
        finally:
            opened.close()


def old_body(storage, principal: Principal, after: int, limit: int) -> bytes:
    page = storage.pull(principal.username, principal.area(), after, limit)
    return JSONResponse({"changes": [change_json(change) for change in page.changes],
                         "cursor": page.cursor, "more": page.more}).body


def fast_body(storage, principal: Principal, after: int, limit: int) -> bytes:
    return change_page_text(storage.pull_stored(principal.username, principal.area(), after, limit)).encode()


@pytest.mark.parametrize("caller", sorted(CALLERS))
@pytest.mark.parametrize("limit", [1, 3, 1000])
def test_fast_pages_are_byte_identical_to_the_old_ones(storage, caller, limit):
    principal, cursor, more, pages = CALLERS[caller], 0, True, 0
    while more:
        page = storage.pull_stored(principal.username, principal.area(), cursor, limit)
        assert fast_body(storage, principal, cursor, limit) == old_body(storage, principal, cursor, limit)
        assert len(page.changes) <= limit
        cursor, more, pages = page.cursor, page.more, pages + 1
    everything = storage.pull(principal.username, principal.area(), 0, 1000).changes
    assert cursor == everything[-1].seq and pages >= 1      # the caller's last change, not the server's


def test_every_caller_sees_changes_and_the_same_ones(storage):
    seen = {name: len(storage.pull_stored(p.username, p.area(), 0, 1000).changes) for name, p in CALLERS.items()}
    old = {name: len(storage.pull(p.username, p.area(), 0, 1000).changes) for name, p in CALLERS.items()}
    assert seen == old
    assert seen["admin"] > seen["supervisor"] > seen["officer"] > 0
    assert seen["kota supervisor"] > 0


def test_a_cursor_past_the_end_stays(storage):
    principal = CALLERS["officer"]
    page = storage.pull_stored(principal.username, principal.area(), 2**62, 10)
    assert (changes_text(page), page.cursor, page.more) == ("[]", 2**62, False)


def test_stored_times_render_like_iso_z():
    assert stored_time_z("2024-11-28T01:00:00.000000Z") == "2024-11-28T01:00:00Z"
    assert stored_time_z("2024-11-28T01:00:00.250000Z") == "2024-11-28T01:00:00.250000Z"
    assert stored_time_z("2024-11-28T08:00:00+07:00") == "2024-11-28T01:00:00Z"
    assert stored_time_z(None) is None


def test_a_wire_time_that_is_no_time_is_kept():
    wire = '{"facts":"x","id":"a","observed_at":"kemarin \\"sore\\"","recorded_at":"besok"}'
    text = report_json_text(wire, "o", None, "2024-11-28T01:00:00.000000Z", 3,
                            ("pending", None, None, None, None, None))
    assert text.startswith('{"facts":"x","id":"a","observed_at":"kemarin \\"sore\\"","recorded_at":"besok",')

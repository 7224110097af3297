"""GET /api/v1/sync/pull against the real server: every change once, cursors only grow, scope."""
from __future__ import annotations

from tests.server.helpers import assert_error, fresh_kecamatan, report


def test_pull_pages_through_every_change_exactly_once(api, world):
    kecamatan, desa = fresh_kecamatan()
    officer = world.officer(desa[0])
    supervisor = world.supervisor(kecamatan)
    sent = [report(desa_code=desa[i % len(desa)]) for i in range(23)]
    api.push(officer.token, sent[:10])
    api.push(officer.token, sent[10:])

    changes, cursors = api.pull_all(supervisor.token, limit=7)

    seqs = [change["seq"] for change in changes]
    assert seqs == sorted(set(seqs))                       # each once, in order
    assert all(a <= b for a, b in zip(cursors, cursors[1:], strict=False))   # cursors only grow
    assert [c["data"]["id"] for c in changes if c["kind"] == "report"] == [r["id"] for r in sent]
    assert len(cursors) >= 5                               # 23 changes in pages of 7
    again = api.get("/api/v1/sync/pull", token=supervisor.token, params={"cursor": cursors[-1]}).json()
    assert again == {"changes": [], "cursor": cursors[-1], "more": False}


def test_report_changes_carry_the_report_as_read_back(api, world):
    kecamatan, desa = fresh_kecamatan()
    officer = world.officer(desa[0])
    supervisor = world.supervisor(kecamatan)
    sent = report(desa_code=desa[0])
    api.push(officer.token, [sent])
    changes, _ = api.pull_all(supervisor.token)
    (change,) = changes
    assert change["kind"] == "report"
    assert change["data"]["officer"] == officer.username
    assert change["data"]["review"]["status"] == "pending"


def test_supervisors_see_only_changes_in_their_scope(api, world):
    kecamatan, desa = fresh_kecamatan()
    other_kecamatan, other_desa = fresh_kecamatan()
    officer = world.officer(desa[0])
    mine, theirs = report(desa_code=desa[0]), report(desa_code=other_desa[0])
    api.push(officer.token, [mine, theirs])
    supervisor = world.supervisor(kecamatan)
    ids = [c["data"]["id"] for c in api.pull_all(supervisor.token)[0]]
    assert mine["id"] in ids and theirs["id"] not in ids
    other = world.supervisor(other_kecamatan)
    ids = [c["data"]["id"] for c in api.pull_all(other.token)[0]]
    assert theirs["id"] in ids and mine["id"] not in ids


def test_officers_do_not_see_other_reports_on_the_feed(api, world):
    kecamatan, desa = fresh_kecamatan()
    writer, reader = world.officer(desa[0]), world.officer(desa[0])
    api.push(writer.token, [report(desa_code=desa[0])])
    assert api.pull_all(reader.token)[0] == []
    assert api.pull_all(writer.token)[0] == []     # your own reports are already on your phone


def test_cursor_never_goes_backwards(api, world):
    officer = world.officer()
    huge = 10**15
    body = api.get("/api/v1/sync/pull", token=officer.token, params={"cursor": huge}).json()
    assert body == {"changes": [], "cursor": huge, "more": False}


def test_bad_cursor_and_limit_are_422(api, world):
    officer = world.officer()
    for params in ({"cursor": -1}, {"cursor": "abc"}, {"limit": 0}, {"limit": 1001}, {"cursor": 2**70}):
        assert_error(api.get("/api/v1/sync/pull", token=officer.token, params=params), 422, "request.invalid")


def test_pull_needs_a_token(api):
    assert_error(api.get("/api/v1/sync/pull"), 401, "auth.unauthorized")

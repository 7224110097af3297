"""Issue 11 §4: pull cursors and seqs do not expose a global counter. A Kota Jambi supervisor's
cursor does not move when Kerinci officers push; a seq measures time, not others' changes; paging
still delivers every change exactly once. Real server."""
from __future__ import annotations

from datetime import datetime

from tests.server.helpers import DESA_A, KOTA_JAMBI_DESA, report

KOTA_JAMBI = "15.71"


def micros(text: str) -> int:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def pull(api, token: str, cursor: int, limit: int = 100) -> dict:
    response = api.get("/api/v1/sync/pull", token=token, params={"cursor": cursor, "limit": limit})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_caught_up_cursor_does_not_move_when_others_push(api, world):
    supervisor, kerinci = world.supervisor(KOTA_JAMBI), world.officer(DESA_A)
    _, cursors = api.pull_all(supervisor.token)
    caught_up = cursors[-1]
    for _ in range(3):
        api.push(kerinci.token, [report(desa_code=DESA_A) for _ in range(10)])
    assert pull(api, supervisor.token, caught_up) == {"changes": [], "cursor": caught_up, "more": False}
    assert pull(api, supervisor.token, caught_up) == {"changes": [], "cursor": caught_up, "more": False}


def test_a_seq_measures_time_not_the_changes_of_others(api, world):
    officer, kerinci = world.officer(KOTA_JAMBI_DESA), world.officer(DESA_A)
    first = report(desa_code=KOTA_JAMBI_DESA)
    api.push(officer.token, [first])
    api.push(kerinci.token, [report(desa_code=DESA_A) for _ in range(25)])
    second = report(desa_code=KOTA_JAMBI_DESA)
    api.push(officer.token, [second])
    one, two = (api.get(f"/api/v1/reports/{sent['id']}", token=officer.token).json() for sent in (first, second))
    # seq = max(previous + 1, the wall clock in µs when stored): never below the time it was received,
    # so the 25 reports of Kerinci between the two are not what separates them
    assert micros(one["received_at"]) <= one["seq"] < micros(two["received_at"]) <= two["seq"]


def test_paging_after_others_pushed_delivers_each_change_once(api, world):
    supervisor = world.supervisor(KOTA_JAMBI)
    officer, kerinci = world.officer(KOTA_JAMBI_DESA), world.officer(DESA_A)
    _, cursors = api.pull_all(supervisor.token)
    mine = []
    for _ in range(3):
        batch = [report(desa_code=KOTA_JAMBI_DESA) for _ in range(2)]
        api.push(officer.token, batch)
        api.push(kerinci.token, [report(desa_code=DESA_A) for _ in range(5)])
        mine += [sent["id"] for sent in batch]
    changes, pages = api.pull_all(supervisor.token, cursor=cursors[-1], limit=2)
    reports = [change for change in changes if change["kind"] == "report"]
    assert [change["data"]["id"] for change in reports] == mine
    assert all(change["data"]["desa_code"].startswith(KOTA_JAMBI + ".") for change in changes)
    assert pages == sorted(pages) and pages[-1] == changes[-1]["seq"]
    assert pull(api, supervisor.token, pages[-1]) == {"changes": [], "cursor": pages[-1], "more": False}


def test_the_push_cursor_is_the_officers_own(api, world):
    officer, kerinci = world.officer(KOTA_JAMBI_DESA), world.officer(DESA_A)
    sent = report(desa_code=KOTA_JAMBI_DESA)
    first = api.push(officer.token, [sent])
    stored = api.get(f"/api/v1/reports/{sent['id']}", token=officer.token).json()
    assert first["cursor"] == stored["seq"]
    api.push(kerinci.token, [report(desa_code=DESA_A) for _ in range(10)])
    assert api.push(officer.token, [sent])["cursor"] == stored["seq"]      # a retry: the same answer

"""Issue 11 item 1, as a property: any report the server accepts can be read back through every
read route, export and pull page without a 5xx (real server; times drawn near and far past the
edges of the rule: offsets beyond ±14:00, years 1 and 9999, stages that contradict the day)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kerawanan import assets
from kerawanan.moments import parse_moment
from kerawanan.tahapan import WIB
from kerawanan.vocab import CATEGORY_CODES, RELIABILITY, THREAT_STAGES
from tests.server.alerts_support import ClockedServer, wib
from tests.server.helpers import PASSWORD, Actor, World, fresh_kecamatan, report

T = wib("11-27 22:00")
EDGE_TEXTS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T06:00:00+07:00",
              "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:00-00:01", "0001-01-01T13:59:00+14:00",
              "2024-11-27T21:40:00+14:00", "2024-11-27T21:40:00-14:00", "2024-11-27T21:40:00+23:59",
              "2023-12-31T23:59:59+07:00", "2024-01-01T00:00:00+07:00", "2024-11-27T22:10:00+07:00",
              "2024-11-27T22:10:01+07:00", "2024-11-27T15:00:00Z", "2024-11-27"]
OFFSETS = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda minutes: timezone(timedelta(minutes=minutes)))


def times(low: datetime, high: datetime):
    """ISO texts: near the clock, anywhere in years 1…9999, or one of the known edges."""
    return st.one_of(st.datetimes(low, high, timezones=OFFSETS).map(datetime.isoformat),
                     st.datetimes(timezones=OFFSETS).map(datetime.isoformat), st.sampled_from(EDGE_TEXTS))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = ClockedServer(tmp_path_factory.mktemp("poison-property"), T)
    yield process
    process.stop()
    assert "Traceback" not in process.log(), process.log()


@pytest.fixture(scope="module")
def area(server):
    admin = Actor(username="admin", role="admin", scope=["15"], token=server.api.login("admin", PASSWORD))
    world = World(api=server.api, admin=admin)
    kecamatan, desa = fresh_kecamatan()
    return {"api": server.api, "kecamatan": kecamatan, "desa": desa, "polsek": world.supervisor(kecamatan),
            "owners": [world.officer(code) for code in desa[:2]], "cursors": {}}


def near_times():
    """Valid-looking times around the clock, in any allowed offset."""
    near = st.datetimes(datetime(2024, 11, 20), datetime(2024, 11, 27, 22), timezones=st.just(WIB))
    return near.flatmap(lambda moment: st.integers(-14 * 60, 14 * 60).map(
        lambda minutes: moment.astimezone(timezone(timedelta(minutes=minutes))).isoformat()))


@st.composite
def wire_reports(draw, desa: list[str]) -> dict:
    """Mostly acceptable reports (so many get stored), a quarter with a time from anywhere."""
    wild = times(datetime(2023, 12, 30), datetime(2024, 11, 28))
    observed = draw(wild if draw(st.integers(0, 3)) == 0 else near_times())
    body = {"observed_at": observed, "category": draw(st.sampled_from(CATEGORY_CODES)),
            "threat_stage": draw(st.sampled_from(THREAT_STAGES)), "desa_code": draw(st.sampled_from(desa)),
            "facts": draw(st.text(min_size=1, max_size=40))}
    stage = draw(st.sampled_from(("derived", "any", "absent")))
    if stage == "derived" and (moment := parse_moment(observed)) is not None:
        body["stage"] = assets.calendar().stage_for(moment)
    elif stage == "any":
        body["stage"] = draw(st.sampled_from(assets.calendar().codes))
    optional = {"recorded_at": near_times() | st.sampled_from(EDGE_TEXTS) | wild, "source_reliability": st.sampled_from(RELIABILITY),
                "info_credibility": st.integers(1, 6), "people_count": st.integers(0, 100_000),
                "tps": st.text(max_size=16)}
    for key, values in optional.items():
        if draw(st.booleans()):
            body[key] = draw(st.none() | values)
    return report(**body)


def ok(response, what: str):
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
    return response


def read_everything(area: dict, owner: Actor, sent: dict) -> None:
    api, polsek = area["api"], area["polsek"]
    listed = ok(api.get("/api/v1/reports", token=polsek.token, params={"region": area["kecamatan"], "limit": 1000}),
                "list")
    assert sent["id"] in {item["id"] for item in listed.json()["items"]}
    for reader in (owner.token, polsek.token):
        assert ok(api.get(f"/api/v1/reports/{sent['id']}", token=reader), "one").status_code == 200
    alerts = ok(api.get("/api/v1/alerts", token=polsek.token, params={"limit": 1000}), "alerts").json()["items"]
    for alert in alerts:
        assert ok(api.get(f"/api/v1/alerts/{alert['id']}", token=polsek.token), "alert").status_code == 200
    for reader in (polsek, owner):                      # each page answers 200 (pull_all asserts it)
        _, cursors = api.pull_all(reader.token, area["cursors"].get(reader.username, 0))
        area["cursors"][reader.username] = cursors[-1]
    exported = ok(api.get("/api/v1/export/reports.csv", token=polsek.token), "csv")
    assert sent["id"] in exported.text
    ok(api.get("/api/v1/export/alerts.geojson", token=polsek.token), "geojson")
    ok(api.get("/api/v1/export/sitrep.pdf", token=polsek.token), "sitrep")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_accepted_report_reads_back_everywhere(area, data):
    sent = data.draw(wire_reports(area["desa"][:3]))
    owner = area["owners"][0] if sent["desa_code"] == area["desa"][0] else area["owners"][-1]
    (result,) = area["api"].push(owner.token, [sent])["results"]
    assert result["status"] in ("created", "invalid"), result
    event(result["status"])
    if result["status"] == "created":
        read_everything(area, owner, sent)

"""The Sungai Penuh voting-night scenario on a real server whose clock the test drives.

The demo scenario is seeded at its REAL 2024 dates (voting night 27 November 2024, 21:40 WIB) with
the CLI, the server runs with ``PETA_CLOCK_FILE`` and no background evaluation, and the timeline
below runs once (``story``): each test then checks one thing that happened.

| WIB | what |
|---|---|
| 27 Nov 22:30 | evaluate: Koto Baru burns ballot boxes; one alert per hot desa opens, owned by Polsek Pesisir Bukit; the kecamatan, the kota and the province show them and open no copy |
| 27 Nov 23:45 | evaluate: Desa Koto Baru's 1 h deadline passed, unacknowledged: that one alert goes to Polres Kerinci; Polres acknowledges Desa Dujung Sakti's alert |
| 28 Nov 01:00 | evaluate: escalated again (to Polda): the Kapolda's board holds one alert per hot desa; Polsek rejects a report: the score drops at once |
| 10 Dec 12:00 | evaluate after 12 days of silence: back to kurang_rawan, alerts still open and saying so; the unacknowledged rawan alert went up, the acknowledged one stayed |
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from sync_server.demo import KOTO_BARU_NRP, OFFICER_PASSWORD, VOTING_NIGHT_2024, demo_accounts, scenario_id
from tests.server.alerts_support import ClockedServer, if_match, wib
from tests.server.helpers import PASSWORD, assert_error

pytestmark = pytest.mark.slow
KOTO_BARU_DESA, KOTO_BARU_KEC, SUNGAI_PENUH, KOTA_JAMBI = "15.72.07.2001", "15.72.07", "15.72", "15.71"
DUJUNG_SAKTI, KAMPUNG_TENGAH, KOTO_LOLO = "15.72.07.2004", "15.72.07.2003", "15.72.02.2004"
HOT_DESA = {KOTO_BARU_DESA, DUJUNG_SAKTI, KAMPUNG_TENGAH, KOTO_LOLO}
PASSWORDS = {**{account["username"]: account["password"] for account in demo_accounts()},
             "admin": PASSWORD}                                      # made by the fixture, kept by seed-demo
REJECTED = scenario_id("pemungutan/koto-baru/tps03-dibakar")


@dataclass
class Story:
    server: ClockedServer
    levels: dict[str, dict[str, str]] = field(default_factory=dict)      # moment -> code -> level
    alerts: dict[str, dict[str, dict]] = field(default_factory=dict)     # moment -> region -> alert (admin view)
    scores: dict[str, float] = field(default_factory=dict)
    facts: dict[str, object] = field(default_factory=dict)

    def login(self, username: str) -> str:
        return self.server.api.login(username, PASSWORDS.get(username, OFFICER_PASSWORD))

    def snapshot(self, moment: str) -> None:
        self.levels[moment] = {code: level for code, (level, *_rest) in self.server.states().items()}
        body = self.server.api.get("/api/v1/alerts", token=self.login("admin"), params={"limit": 1000}).json()
        self.alerts[moment] = {item["region_code"]: item for item in body["items"]}


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Story:
    server = ClockedServer(tmp_path_factory.mktemp("scenario"), wib("11-28 17:40"))
    try:
        yield _run(Story(server))
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()


def _run(story: Story) -> Story:
    server, api = story.server, story.server.api
    seeded = server.cli("seed-demo", "--hours-ago", "20")          # anchor = the clock − 20 h = voting night
    assert seeded.returncode == 0, seeded.stderr
    story.facts["seed"] = seeded.stdout
    server.set_clock(wib("11-27 22:30"))
    story.facts["first_pass"] = server.evaluate()
    story.snapshot("22:30")
    officer = story.login(KOTO_BARU_NRP)
    story.facts["pull_22:30"], _ = api.pull_all(officer)

    server.set_clock(wib("11-27 23:45"))
    server.evaluate()
    story.snapshot("23:45")
    polres = story.login("polres.kerinci")
    neighbour = story.alerts["23:45"][DUJUNG_SAKTI]
    story.facts["ack"] = api.post(f"/api/v1/alerts/{neighbour['id']}/actions", token=polres,
                                  json={"action": "acknowledge", "note": "Dalmas Polres berangkat."},
                                  headers=if_match(neighbour["version"]))

    server.set_clock(wib("11-28 01:00"))
    server.evaluate()
    story.snapshot("01:00")
    story.facts["polda_board"] = api.get("/api/v1/alerts", token=story.login("polda.jambi"),
                                         params={"limit": 1000}).json()["items"]
    story.scores["before_review"] = server.states()[KOTO_BARU_DESA][1]
    polsek = story.login("polsek.pesisirbukit")
    story.facts["review"] = api.post(f"/api/v1/reports/{REJECTED}/review", token=polsek,
                                     json={"verdict": "reject", "note": "Laporan ganda dari TPS 03."})
    story.scores["after_review"] = server.states()[KOTO_BARU_DESA][1]
    story.facts["pull_01:00"], _ = api.pull_all(story.login(KOTO_BARU_NRP))

    server.set_clock(wib("12-10 12:00"))
    server.evaluate()
    story.snapshot("12-10")
    story.facts["region_12-10"] = api.get(f"/api/v1/regions/{KOTO_BARU_KEC}", token=story.login("polres.kerinci"))
    return story


def test_the_demo_is_seeded_at_the_real_2024_dates(story):
    assert "created 36" in story.facts["seed"]
    (observed,) = story.server.query("SELECT max(observed_at) FROM reports")
    assert observed[0] <= "2024-11-28T10:40"                             # before 17:40 WIB, 28 Nov 2024
    assert VOTING_NIGHT_2024.isoformat().startswith("2024-11-27T21:40")


def test_levels_after_voting_night(story):
    levels = story.levels["22:30"]
    assert levels[KOTO_BARU_DESA] == "sangat_rawan"
    assert levels[KOTO_BARU_KEC] in ("rawan", "sangat_rawan")
    assert levels[SUNGAI_PENUH] in ("rawan", "sangat_rawan")
    assert levels[KOTA_JAMBI] == "kurang_rawan"
    assert all(level == "kurang_rawan" for code, level in levels.items() if code.startswith(KOTA_JAMBI + "."))


def test_an_alert_opens_owned_by_the_polsek(story):
    alert = story.alerts["22:30"][KOTO_BARU_DESA]
    assert (alert["status"], alert["owner"], alert["level"], alert["escalations"]) == (
        "open", "polsek.pesisirbukit", "sangat_rawan", 0)
    assert alert["opened_at"] == "2024-11-27T15:30:00Z" and alert["deadline_at"] == "2024-11-27T16:30:00Z"
    assert alert["stage"] == "pemungutan_suara" and alert["report_count"] >= 3
    assert alert["personnel"]["pattern"] == "2:1" and alert["personnel"]["reinforcement"] > 0
    assert alert["context"]["polda_baseline"] == "rawan"
    assert set(story.alerts["22:30"]) == HOT_DESA            # one alert per hot desa; no parent copies
    assert {story.alerts["22:30"][code]["owner"] for code in HOT_DESA} == {"polsek.pesisirbukit"}
    assert KOTA_JAMBI not in story.alerts["22:30"]


def test_unacknowledged_past_the_deadline_it_escalates_to_polres_then_polda(story):
    escalated = story.alerts["23:45"][KOTO_BARU_DESA]
    assert (escalated["owner"], escalated["escalations"], escalated["version"]) == ("polres.kerinci", 1, 2)
    assert escalated["deadline_at"] == "2024-11-27T17:30:00Z"
    again = story.alerts["01:00"][KOTO_BARU_DESA]
    assert (again["owner"], again["escalations"]) == ("polda.jambi", 2)
    history = story.server.query("SELECT event, at, owner FROM alert_history WHERE alert_id = ? ORDER BY id",
                                 escalated["id"])
    assert [row[0] for row in history][:3] == ["opened", "escalated", "escalated"]
    assert history[1][1:] == ("2024-11-27T16:30:00.000000Z", "polres.kerinci")


def test_the_kapoldas_board_holds_one_alert_per_hot_spot(story):
    board = {alert["region_code"]: alert for alert in story.facts["polda_board"]}
    assert set(board) == HOT_DESA                             # was 8: desa, kecamatan, kota and province copies
    assert [code for code, alert in board.items() if alert["owner"] == "polda.jambi"] == [KOTO_BARU_DESA]
    assert story.levels["01:00"][KOTO_BARU_KEC] == story.levels["01:00"][SUNGAI_PENUH] == "sangat_rawan"
    parents = story.server.query("SELECT count(*) FROM alerts WHERE region_code IN (?, ?, '15')",
                                 KOTO_BARU_KEC, SUNGAI_PENUH)
    assert parents == [(0,)]


def test_an_acknowledged_alert_stops_escalating(story):
    response = story.facts["ack"]
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{response.json()["version"]}"'
    after = story.alerts["12-10"][DUJUNG_SAKTI]
    assert (after["status"], after["owner"], after["deadline_at"], after["escalations"]) == (
        "acknowledged", "polsek.pesisirbukit", None, 0)
    ignored = story.alerts["12-10"][KAMPUNG_TENGAH]          # the same level, never acknowledged
    assert (ignored["owner"], ignored["escalations"]) == ("polda.jambi", 2)
    actors = story.server.query("SELECT actor, event, note FROM alert_history WHERE alert_id = ? AND "
                                "actor != 'system'", after["id"])
    assert actors == [("polres.kerinci", "acknowledge", "Dalmas Polres berangkat.")]


def test_a_rejected_report_lowers_the_score_at_once(story):
    assert story.facts["review"].status_code == 200, story.facts["review"].text
    assert story.scores["after_review"] < story.scores["before_review"] - 5


def test_the_officers_pull_shows_the_alert_and_the_review_of_their_report(story):
    first = story.facts["pull_22:30"]
    alerts = [change["data"] for change in first if change["kind"] == "alert"]
    assert {alert["region_code"] for alert in alerts} == {KOTO_BARU_DESA, DUJUNG_SAKTI, KAMPUNG_TENGAH}
    assert not any(alert["region_code"].startswith(KOTA_JAMBI) for alert in alerts)
    assert {alert["event"] for alert in alerts} == {"opened"}
    later = story.facts["pull_01:00"]
    reviews = [change["data"] for change in later if change["kind"] == "review"]
    assert [(review["report_id"], review["review"]["status"]) for review in reviews] == [(REJECTED, "rejected")]
    events = {alert["event"] for alert in (c["data"] for c in later if c["kind"] == "alert")}
    assert {"escalated", "acknowledge"} <= events


def test_days_of_silence_decay_the_levels_and_the_alert_says_so(story):
    levels = story.levels["12-10"]
    assert levels[KOTO_BARU_DESA] == levels[KOTO_BARU_KEC] == levels[SUNGAI_PENUH] == "kurang_rawan"
    alert = story.alerts["12-10"][KOTO_BARU_DESA]
    assert (alert["level"], alert["peak_level"], alert["deadline_at"]) == ("kurang_rawan", "sangat_rawan", None)
    assert alert["status"] != "resolved" and alert["stage"] == "rekapitulasi"
    history = story.server.query("SELECT level, previous_level FROM alert_history WHERE alert_id = ? "
                                 "AND event = 'level' ORDER BY id", alert["id"])
    assert history == [("rawan", "sangat_rawan"),            # the rejection at 01:00
                       ("kurang_rawan", "rawan")]             # twelve quiet days later


def test_the_region_shows_no_news_rather_than_safe(story):
    response = story.facts["region_12-10"]
    assert response.status_code == 200, response.text
    region = response.json()
    assert region["level"] == "kurang_rawan" and region["coverage"]["critical_stage"]
    assert region["summary"] == "tidak_ada_kabar" and region["coverage_gap"]
    assert region["coverage"]["silent_desa"] == region["coverage"]["desa"] > 0
    assert {alert["region_code"] for alert in region["open_alerts"]} == {KOTO_BARU_DESA, DUJUNG_SAKTI, KAMPUNG_TENGAH}
    assert region["open_alert"] is None and region["alerts_below"]["count"] == 3
    assert [child["code"] for child in region["children"]] == [f"{KOTO_BARU_KEC}.200{n}" for n in range(1, 7)]
    assert {child["summary"] for child in region["children"]} == {"tidak_ada_kabar"}


def test_a_stale_version_changes_nothing(story):
    api = story.server.api
    alert = story.alerts["12-10"][KOTO_BARU_DESA]
    token = story.login("polres.kerinci")
    stale = api.post(f"/api/v1/alerts/{alert['id']}/actions", token=token, json={"action": "resolve", "response": "Kondusif"},
                     headers=if_match(alert["version"] - 1))
    error = assert_error(stale, 412, "precondition.stale")
    assert error["details"]["current"]["version"] == alert["version"]
    assert error["details"]["current"]["status"] == alert["status"]
    now = api.get(f"/api/v1/alerts/{alert['id']}", token=token)
    assert now.json()["status"] == alert["status"] and now.headers["etag"] == f'"{alert["version"]}"'


def test_alerts_carry_the_tahapan_their_reports_belong_to(story):
    opened = story.alerts["22:30"]
    assert opened[KOTO_BARU_DESA]["stage"] == "pemungutan_suara"

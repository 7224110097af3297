"""Rekap berjenjang through the real server with an injected clock: a scenario with known answers.

Polres Kerinci (15.01 + 15.72) has two Polsek: Koto Baru (15.72.07), which never acknowledges, and
a Polsek over Gunung Kerinci (15.01.01) and Pesisir Bukit (15.72.02), which acknowledges its alert in
Gunung Kerinci in 30 min and responds in 60 min, and closes the Pesisir Bukit alert after 2 h with
no action recorded. Bhabin: two in Koto Baru (one reports, one is silent), one in Gunung Kerinci
(reports), two in Pesisir Bukit (one reports, one sends a laporan nihil). At 17:00 WIB:

| row | open | escalated | unacknowledged | opened | ack min | action min | resolved w/o action | missed | Bhabin |
|---|---|---|---|---|---|---|---|---|---|
| Kecamatan Koto Baru | 1 | 1 | 1 | 1 | — | — | 0 | 1 | 1 of 2 |
| Kecamatan Gunung Kerinci | 1 | 0 | 0 | 1 | 30.0 | 60.0 | 0 | 0 | 1 of 1 |
| Kecamatan Pesisir Bukit | 0 | 0 | 0 | 1 | 120.0 | — | 1 | 0 | 2 of 2 |
| Polres Kerinci (at Polda) | 2 | 1 | 1 | 3 | 75.0 (30, 120) | 60.0 | 1 | 1 | 4 of 5 |

Each incident weighs 2.5 × 9 × 0.81 = 18.2: its desa is rawan (≥ 18), no kecamatan (< 25), kabupaten
or kota (two of them: 36.5 < 40) reaches rawan, so every alert is a desa's.
"""
from __future__ import annotations

import pytest

from kerawanan import assets
from tests.server.alerts_support import ClockedServer, if_match, wib
from tests.server.helpers import PASSWORD, Actor, Api, assert_error, report

T0 = wib("11-27 10:00")
KOTO_BARU, GUNUNG_KERINCI, PESISIR_BUKIT = "15.72.07", "15.01.01", "15.72.02"
POLRES = ("15.01", "15.72")


def desa_of(kecamatan: str) -> list[str]:
    return [region.code for region in assets.gazetteer().desa_under(kecamatan)]


def incident(desa: str) -> dict:
    """GN threat to the organisers graded B2: 2.5 × 9 × 0.81 = 18.225 → the desa is rawan (≥ 18)."""
    return report(observed_at=T0.isoformat(), category="ancaman_penyelenggara", threat_stage="GN", desa_code=desa,
                  source_reliability="B", info_credibility=2)


class Scene:
    def __init__(self, server: ClockedServer):
        self.server, self.api = server, server.api
        self.admin = server.api.login("admin", PASSWORD)
        ka, kg, kb = desa_of(KOTO_BARU), desa_of(GUNUNG_KERINCI), desa_of(PESISIR_BUKIT)
        self.ka, self.kg, self.kb = ka, kg, kb
        self.polda = self.user("sv-polda", "AKBP Irwan Syahputra", "supervisor", ["15"])
        self.polres = self.user("sv-polres", "Kompol Hendra Wijaya Lubis", "supervisor", list(POLRES))
        self.polsek_a = self.user("sv-kotobaru", "AKP Dedi Kurnia", "supervisor", [KOTO_BARU])
        self.polsek_b = self.user("sv-pesisir", "AKP Syafrizal Anwar", "supervisor", [GUNUNG_KERINCI, PESISIR_BUKIT])
        self.a1 = self.user("88030417", "Brigpol Reza Pratama", "officer", [ka[0]])
        self.s1 = self.user("88030418", "Bripka Sunyi", "officer", [ka[1]], login=False)
        self.b1 = self.user("88030419", "Aipda Fadli Gusman", "officer", [kg[0]])
        self.b2 = self.user("88030420", "Brigpol Yoga", "officer", [kb[1]])
        self.n1 = self.user("88030421", "Bripka Nihil", "officer", [kb[2]])

    def user(self, username: str, name: str, role: str, scope: list[str], *, login: bool = True) -> Actor:
        body = {"username": username, "name": name, "role": role, "scope": scope, "password": PASSWORD}
        response = self.api.post("/api/v1/users", token=self.admin, json=body)
        assert response.status_code == 201, response.text
        return Actor(username, role, scope, self.api.login(username) if login else "")

    def alert(self, token: str, desa: str) -> dict:
        response = self.api.get("/api/v1/alerts", token=token, params={"region": desa, "limit": 1000})
        assert response.status_code == 200, response.text
        (found,) = [item for item in response.json()["items"] if item["region_code"] == desa]
        return found

    def act(self, actor: Actor, alert: dict, **body) -> dict:
        response = self.api.post(f"/api/v1/alerts/{alert['id']}/actions", token=actor.token, json=body,
                                 headers=if_match(alert["version"]))
        assert response.status_code == 200, response.text
        return response.json()

    def play(self) -> None:
        self.api.push(self.a1.token, [incident(self.ka[0])])
        self.api.push(self.b1.token, [incident(self.kg[0])])
        self.api.push(self.b2.token, [incident(self.kb[1])])
        self.api.push(self.n1.token, [report(observed_at=T0.isoformat(), category="nihil", threat_stage=None,
                                             desa_code=self.kb[2], facts="")])
        b1 = self.alert(self.polsek_b.token, self.kg[0])
        self.server.advance(minutes=30)
        b1 = self.act(self.polsek_b, b1, action="acknowledge")
        self.server.advance(minutes=30)
        self.act(self.polsek_b, b1, action="respond", response="Patroli gabungan, massa dibubarkan.")
        self.server.advance(minutes=60)
        b2 = self.alert(self.polsek_b.token, self.kb[1])
        self.act(self.polsek_b, b2, action="resolve", response="Situasi kondusif.")
        self.server.set_clock(wib("11-27 17:00"))        # Koto Baru's 16:00 deadline passed unacknowledged
        self.server.evaluate()


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    server = ClockedServer(tmp_path_factory.mktemp("rekap"), T0)
    try:
        scene = Scene(server)
        scene.play()
        yield scene
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()


def rekap(api: Api, token: str, **params) -> dict:
    response = api.get("/api/v1/rekap", token=token, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def row(body: dict, unit: str) -> dict:
    (found,) = [line for line in body["rows"] if line["unit"] == unit]
    return found


FIGURES = ("open", "escalated", "unacknowledged", "opened", "ack_minutes", "action_minutes",
           "resolved_without_action", "deadlines_missed", "bhabin", "bhabin_reported", "bhabin_share")
SILENT_POLSEK = (1, 1, 1, 1, None, None, 0, 1, 2, 1, 0.5)
ACTING = (1, 0, 0, 1, 30.0, 60.0, 0, 0, 1, 1, 1.0)
CLOSING = (0, 0, 0, 1, 120.0, None, 1, 0, 2, 2, 1.0)
POLRES_KERINCI = (2, 1, 1, 3, 75.0, 60.0, 1, 1, 5, 4, 0.8)


def figures(line: dict) -> tuple:
    return tuple(line[key] for key in FIGURES)


def test_at_the_polres_the_polsek_that_never_acknowledges_stands_out(scene):
    body = rekap(scene.api, scene.polres.token)
    assert body["unit"]["name"] == "Polres Kerinci" and body["level_below"] == "kecamatan"
    assert body["date"] == "2024-11-27"
    assert figures(row(body, KOTO_BARU)) == SILENT_POLSEK
    assert figures(row(body, GUNUNG_KERINCI)) == ACTING
    assert figures(row(body, PESISIR_BUKIT)) == CLOSING
    assert row(body, KOTO_BARU)["overdue"] == 0                # escalated: the Polres's deadline runs to 22:00
    koto_baru, pesisir = row(body, KOTO_BARU), row(body, PESISIR_BUKIT)
    assert koto_baru["silent_desa"] - koto_baru["unassigned_desa"] == 1     # the Bhabin who never synced
    assert koto_baru["silent_desa"] == koto_baru["desa"] - 1                # every desa but the one heard from
    assert pesisir["silent_desa"] == pesisir["unassigned_desa"] == pesisir["desa"] - 2
    quiet = [line for line in body["rows"] if line["unit"] not in (KOTO_BARU, GUNUNG_KERINCI, PESISIR_BUKIT)]
    assert quiet and all(line["open"] == 0 and line["bhabin_share"] is None for line in quiet)
    assert figures(body["total"]) == POLRES_KERINCI
    for key in ("open", "escalated", "unacknowledged", "opened", "resolved_without_action", "deadlines_missed"):
        assert body["total"][key] == sum(line[key] for line in body["rows"]) + body["own"][key], key
    assert body["own"]["open"] == body["own"]["opened"] == 0                  # no kabupaten/kota alert


def test_at_the_polda_polres_kerinci_is_one_row_of_both_kabupaten(scene):
    body = rekap(scene.api, scene.polda.token)
    assert body["level_below"] == "polres"
    kerinci = row(body, "15.01,15.72")
    assert kerinci["name"] == "Polres Kerinci" and kerinci["codes"] == list(POLRES)
    assert figures(kerinci) == POLRES_KERINCI
    others = [line for line in body["rows"] if line is not kerinci]
    assert len(others) >= 9 and all(line["open"] == 0 and line["opened"] == 0 for line in others)
    drilled = rekap(scene.api, scene.polda.token, unit=kerinci["unit"])      # tap the row: one level down
    assert figures(row(drilled, KOTO_BARU)) == SILENT_POLSEK


def test_at_the_polsek_one_row_per_desa_with_its_bhabin(scene):
    body = rekap(scene.api, scene.polres.token, unit=KOTO_BARU)
    assert body["level_below"] == "desa" and body["unit"]["name"] == "Kecamatan Koto Baru"
    reporting = row(body, scene.ka[0])
    assert (reporting["open"], reporting["unacknowledged"], reporting["bhabin_share"]) == (1, 1, 1.0)
    assert reporting["officers"] == [{"username": scene.a1.username,
                                      "name": "Brigpol Reza Pratama, Bhabin " + assets.gazetteer().find(
                                          scene.ka[0]).title}]
    silent = row(body, scene.ka[1])
    assert (silent["silent_desa"], silent["unassigned_desa"], silent["bhabin_share"], silent["drill"]) == (
        1, 0, 0.0, False)
    assert row(body, scene.ka[2])["unassigned_desa"] == 1 and row(body, scene.ka[2])["bhabin_share"] is None


def test_another_day_counts_no_bhabin_report(scene):
    body = rekap(scene.api, scene.polres.token, date="2024-11-28", days=1)
    assert row(body, PESISIR_BUKIT)["bhabin_reported"] == 0 and body["total"]["opened"] == 0


def test_nothing_outside_scope(scene):
    assert_error(scene.api.get("/api/v1/rekap", token=scene.polsek_b.token, params={"unit": KOTO_BARU}), 404)
    assert_error(scene.api.get("/api/v1/rekap", token=scene.polres.token, params={"unit": "15.71"}), 404)
    assert_error(scene.api.get("/api/v1/rekap", token=scene.polres.token, params={"unit": "15"}), 404)
    assert_error(scene.api.get("/api/v1/rekap", token=scene.a1.token), 403)
    assert_error(scene.api.get("/api/v1/rekap", token=scene.polres.token, params={"unit": "x"}), 422)
    assert_error(scene.api.get("/api/v1/rekap", token=scene.polres.token, params={"date": "27-11"}), 422)
    assert_error(scene.api.get("/api/v1/rekap", token=scene.polres.token, params={"days": 0}), 422)
    assert_error(scene.api.get("/api/v1/rekap", token=scene.polres.token, params={"unit": "15.01,15.71"}), 404)
    own = rekap(scene.api, scene.polsek_b.token)
    assert [line["unit"] for line in own["rows"]] == desa_of(GUNUNG_KERINCI) + desa_of(PESISIR_BUKIT)
    assert (own["total"]["open"], own["total"]["opened"], own["total"]["bhabin"]) == (1, 2, 3)


def test_the_escalation_says_from_whom_to_whom_and_who_let_it_pass(scene):
    alert = scene.alert(scene.polres.token, scene.ka[0])
    assert alert["owner"] == scene.polres.username
    assert alert["owner_name"] == "Kompol Hendra Wijaya Lubis, Polres Kerinci"
    detail = scene.api.get(f"/api/v1/alerts/{alert['id']}", token=scene.polres.token).json()
    (hop,) = [line for line in detail["history"] if line["event"] == "escalated"]
    assert hop["at"] == "2024-11-27T09:00:00Z"                                # 16:00 WIB, the deadline
    data = hop["data"]
    assert (data["from_owner"], data["to_owner"], data["missed_by"]) == (
        scene.polsek_a.username, scene.polres.username, scene.polsek_a.username)
    assert data["missed_by_name"] == "AKP Dedi Kurnia, Polsek Koto Baru"
    assert hop["actor_name"] == "sistem"
    (opened,) = [line for line in detail["history"] if line["event"] == "opened"]
    assert opened["owner_name"] == "AKP Dedi Kurnia, Polsek Koto Baru"


def test_resolving_needs_an_outcome(scene):
    alert = scene.alert(scene.polres.token, scene.ka[0])
    for body in ({"action": "resolve"}, {"action": "resolve", "response": "   "}):
        response = scene.api.post(f"/api/v1/alerts/{alert['id']}/actions", token=scene.polres.token, json=body,
                                  headers=if_match(alert["version"]))
        error = assert_error(response, 422, "request.invalid")
        assert "hasil penanganan" in error["details"]["fields"]["response"]
    assert scene.alert(scene.polres.token, scene.ka[0])["version"] == alert["version"]    # nothing changed


def test_officers_of_a_region_with_their_last_sync(scene):
    response = scene.api.get(f"/api/v1/regions/{PESISIR_BUKIT}/officers", token=scene.polsek_b.token)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert {item["username"] for item in items} == {scene.b2.username, scene.n1.username}
    items = scene.api.get(f"/api/v1/regions/{GUNUNG_KERINCI}/officers", token=scene.polsek_b.token).json()["items"]
    b1 = next(item for item in items if item["username"] == scene.b1.username)
    title = assets.gazetteer().find(scene.kg[0]).title                   # "Kelurahan Lempur Tengah"
    assert b1["label"] == f"Aipda Fadli Gusman, Bhabin {title}" and b1["last_sync_at"]
    assert_error(scene.api.get(f"/api/v1/regions/{KOTO_BARU}/officers", token=scene.polsek_b.token), 404)
    assert_error(scene.api.get("/api/v1/regions/99/officers", token=scene.polres.token), 404)
    assert_error(scene.api.get(f"/api/v1/regions/{KOTO_BARU}/officers", token=scene.a1.token), 403)


def test_reports_carry_the_officers_name_and_the_desa_name(scene):
    response = scene.api.get("/api/v1/reports", token=scene.polsek_b.token)
    items = response.json()["items"]
    assert {item["officer_name"].split(",")[0] for item in items} == {
        "Aipda Fadli Gusman", "Brigpol Yoga", "Bripka Nihil"}
    assert {item["desa_name"] for item in items} == {assets.gazetteer().find(code).title
                                                     for code in (scene.kg[0], scene.kb[1], scene.kb[2])}


def test_the_csv_export_names_the_officer(scene):
    import csv
    import io

    response = scene.api.get("/api/v1/export/reports.csv", token=scene.polsek_b.token)
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = {row["officer"]: row["officer_name"] for row in rows}
    title = assets.gazetteer().find(scene.kg[0]).title
    assert names[scene.b1.username] == f"Aipda Fadli Gusman, Bhabin {title}"
    assert set(names) == {scene.b1.username, scene.b2.username, scene.n1.username}

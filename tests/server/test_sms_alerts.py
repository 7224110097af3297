"""SMS out, through a real gammu-smsd with the fake phone: commanders and officers are told of a
sangat_rawan alert (quiet hours do not hold it), an escalation (exactly one SMS to the new owner and
one to the one who let the deadline pass), a task; a storm of 200 alert changes sends a bounded number."""
from __future__ import annotations

from datetime import timedelta

import pytest

from kerawanan import assets, sms_codec
from tests.server.alerts_support import if_match, wib
from tests.server.helpers import PASSWORD, Actor, World, fresh_kecamatan, report, wait_until
from tests.server.sms_support import needs_gammu, sms_fixtures

pytestmark = needs_gammu
T = wib("11-27 22:00")
STORM_KABUPATEN = "15.01"          # Kabupaten Kerinci: fresh_kecamatan() never hands it out
_numbers = iter(range(1, 10_000))


sms, world = sms_fixtures("sms-out", T)


def with_phone(world: World, actor: Actor, **contact) -> str:
    number = f"+62813{next(_numbers):07d}"
    response = world.api.request("PUT", f"/api/v1/sms/contacts/{actor.username}", token=world.admin.token,
                                 json={"phone": number, **contact})
    assert response.status_code == 200, response.text
    return number


def incident(desa: str, at=T) -> dict:
    return report(observed_at=at.isoformat(), category="bentrok", threat_stage="GN", desa_code=desa,
                  source_reliability="A", info_credibility=1)


def told_of(text: str, phrase: str, region: str, code: str) -> bool:
    """An SMS about one alert: alone ("… di <region> … Kode <code>.") or in a batch ("<region> … (<code>)")."""
    return (text.startswith("PETA RAWAN: ") and phrase in text.lower() and region in text and code in text
            and len(text) <= 160)



def caught_up(server) -> bool:
    """The notifier has read every alert event there is."""
    (last,) = server.query("SELECT coalesce(max(id), 0) FROM alert_history")[0]
    rows = server.query("SELECT value FROM sms_state WHERE name = 'history_id'")
    return bool(rows) and rows[0][0] >= last


def settled(server, gammu) -> None:
    assert wait_until(lambda: caught_up(server) and gammu.idle(), 30), gammu.log()


@pytest.fixture
def area(world):
    kecamatan, desa = fresh_kecamatan()
    polsek, polres = world.supervisor(kecamatan), world.supervisor(kecamatan.rpartition(".")[0])
    return {"kecamatan": kecamatan, "desa": desa, "polsek": polsek, "polres": polres,
            "a": world.officer(desa[0]), "b": world.officer(desa[0])}


def test_an_escalation_sends_exactly_one_sms_to_each_person_it_should(sms, world, area):
    server, gammu = sms
    polsek_phone, polres_phone = with_phone(world, area["polsek"]), with_phone(world, area["polres"])
    bystander = with_phone(world, world.supervisor(area["kecamatan"]), events=["sangat_rawan"])
    world.api.push(area["a"].token, [incident(area["desa"][0], server.now)])
    (alert,) = world.api.get("/api/v1/alerts", token=area["polres"].token,
                             params={"region": area["desa"][0]}).json()["items"]
    assert (alert["level"], alert["owner"]) == ("rawan", area["polsek"].username)
    settled(server, gammu)
    assert gammu.sent(polsek_phone) == [] and gammu.sent(polres_phone) == []     # a rawan alert: no SMS

    server.advance(hours=6, minutes=1)
    server.evaluate()
    sent = gammu.wait_sent(lambda s: any(m.number == polres_phone for m in s) and
                           any(m.number == polsek_phone for m in s))
    server.evaluate()                                   # a second pass finds nothing new to tell
    settled(server, gammu)
    code = sms_codec.short_code(alert["id"])
    region = assets.gazetteer().get(area["desa"][0]).title
    (to_polres,) = gammu.sent(polres_phone)
    (to_polsek,) = gammu.sent(polsek_phone)
    # one SMS each, even when the kecamatan's alert escalates in the same pass (then batched)
    assert told_of(to_polres.text, "eskalasi ke anda", region, code)
    assert told_of(to_polsek.text, "dinaikkan ke atasan", region, code)
    assert gammu.sent(bystander) == [] and len(sent) == len(gammu.sent())
    assert all(len(m.text) <= 160 for m in sent)


def test_sangat_rawan_reaches_the_owner_even_in_quiet_hours_and_a_task_reaches_the_officer(sms, world, area):
    server, gammu = sms
    polsek_phone = with_phone(world, area["polsek"], quiet="00-23")
    officer_phone = with_phone(world, area["a"], events=["assigned"])
    desa = area["desa"][0]
    world.api.push(area["a"].token, [incident(desa, server.now)])
    world.api.push(area["b"].token, [incident(desa, server.now)])
    (alert,) = world.api.get("/api/v1/alerts", token=area["polsek"].token, params={"region": desa}).json()["items"]
    assert alert["level"] == "sangat_rawan"
    gammu.wait_sent(lambda s: any(m.number == polsek_phone for m in s))
    (message,) = gammu.sent(polsek_phone)
    # one SMS, deadline 1 h (batched with the kecamatan's alert when it turns sangat_rawan in the same pass)
    region = assets.gazetteer().get(desa).title
    assert told_of(message.text, "sangat rawan", region, sms_codec.short_code(alert["id"]))
    assert f"{(server.now + timedelta(hours=1)):%H:%M}" in message.text

    response = world.api.post(f"/api/v1/alerts/{alert['id']}/actions", token=area["polsek"].token,
                              headers=if_match(alert["version"]), json={"action": "assign",
                                                                        "assignee": area["a"].username})
    assert response.status_code == 200, response.text
    gammu.wait_sent(lambda s: any(m.number == officer_phone for m in s))
    (task,) = gammu.sent(officer_phone)
    assert task.text.startswith("PETA RAWAN: Tugas untuk Anda: SANGAT RAWAN di ")
    settled(server, gammu)
    assert len(gammu.sent(polsek_phone)) == 1 and len(gammu.sent(officer_phone)) == 1
    for secret in (area["a"].token, PASSWORD):
        assert all(secret not in m.text for m in gammu.sent())


def test_the_owner_is_told_once_before_the_deadline_passes(sms, world, area):
    server, gammu = sms
    polsek_phone = with_phone(world, area["polsek"], events=["deadline"])
    world.api.push(area["a"].token, [incident(area["desa"][0], server.now)])
    (alert,) = world.api.get("/api/v1/alerts", token=area["polsek"].token,
                             params={"region": area["desa"][0]}).json()["items"]
    settled(server, gammu)
    assert gammu.sent(polsek_phone) == []
    server.advance(hours=5, minutes=50)                  # rawan: 6 h; 10 minutes left
    gammu.wait_sent(lambda s: any(m.number == polsek_phone for m in s))
    server.advance(minutes=2)
    assert server.cli("sms-notify").returncode == 0      # another pass: nothing new to tell
    settled(server, gammu)
    (message,) = gammu.sent(polsek_phone)                # once, even if the kecamatan's alert is due too
    region = assets.gazetteer().get(area["desa"][0]).title
    assert told_of(message.text, "batas", region, sms_codec.short_code(alert["id"]))
    assert "menit lagi" in message.text or "batas hampir lewat" in message.text


def test_a_storm_of_200_alert_changes_sends_a_bounded_number_of_sms(sms, world):
    """200 desa of Kerinci turn rawan over 10 pushes, then all escalate in one pass: each person gets
    at most one SMS per pass and at most PETA_SMS_PER_HOUR (6) in the hour, the rest held and logged."""
    server, gammu = sms
    desa = [region.code for region in assets.gazetteer().desa_under(STORM_KABUPATEN)][:200]
    polres, polda = world.supervisor(STORM_KABUPATEN), world.supervisor("15")
    phones = {with_phone(world, polres), with_phone(world, polda)}
    settled(server, gammu)
    earlier = {message.name for message in gammu.sent()}
    history_before = server.query("SELECT count(*) FROM alert_history")[0][0]
    for start in range(0, 200, 20):
        officer = world.officer(*desa[start:start + 20])
        world.api.push(officer.token, [incident(code, server.now) for code in desa[start:start + 20]])
    settled(server, gammu)                             # the openings: their hour on the server's clock
    opening = [message for message in gammu.sent() if message.name not in earlier]
    assert all(sum(m.number == phone for m in opening) <= 6 for phone in phones), [m.number for m in opening]
    earlier |= {message.name for message in opening}   # the hour below starts 6 h later: a budget of its own
    server.advance(hours=6, minutes=1)
    server.evaluate()                                  # every one of them escalates at once
    changes = server.query("SELECT count(*) FROM alert_history")[0][0] - history_before
    assert changes >= 200                              # opened, then escalated, in the alert history
    gammu.wait_sent(lambda s: all(any(m.number == p for m in s) for p in phones))
    settled(server, gammu)
    storm = [message for message in gammu.sent() if message.name not in earlier]
    per_person = {phone: sum(m.number == phone for m in storm) for phone in phones}
    assert all(1 <= count <= 6 for count in per_person.values()), per_person     # PETA_SMS_PER_HOUR
    assert len(storm) <= 12 and all(len(m.text) <= 160 for m in storm)
    admin = server.api.login("admin", PASSWORD)        # the clock moved past the first login's 12 h
    log = world.api.get("/api/v1/sms/log", token=admin,
                        params={"direction": "out", "limit": 1000}).json()["items"]
    held = [e for e in log if e["number"] in phones and e["state"] == "suppressed"]
    assert all(e["reason"] in ("rate", "daily_cap") for e in held)
    # what did not go is either counted in a message that did ("+N lainnya") or logged as held
    assert held or any("lainnya" in m.text for m in storm), [m.text for m in storm]

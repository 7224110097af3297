"""SMS in, through a real gammu-smsd with the fake phone: an officer's signed report by SMS is stored
like a push (the same report by data later is a duplicate) and answered by SMS; forged, replayed,
garbled, truncated and revoked messages are refused, counted for the admin, and store nothing."""
from __future__ import annotations

import uuid

import pytest

from kerawanan import sms_codec
from tests.server.alerts_support import wib
from tests.server.helpers import World, assert_error, fresh_kecamatan, report, wait_until
from tests.server.sms_support import (
    SECRET,
    enroll_phone,
    needs_gammu,
    sms_fixtures,
    wire_of,
)

pytestmark = needs_gammu
T = wib("11-27 22:00")


sms, world = sms_fixtures("sms", T)


@pytest.fixture
def area(world):
    kecamatan, desa = fresh_kecamatan()
    return {"desa": desa, "polres": world.supervisor(kecamatan.rpartition(".")[0]),
            "phone": enroll_phone(world.api, world.admin.token, [desa[0]])}


def incident(desa: str, **overrides) -> dict:
    """One GN clash graded A1 at the clock's time: the desa turns rawan (as in test_alerts_api)."""
    return wire_of(report(**{"observed_at": T.isoformat(), "recorded_at": T.isoformat(), "category": "bentrok",
                             "threat_stage": "GN", "desa_code": desa, "source_reliability": "A",
                             "info_credibility": 1, **overrides}), T)


def refusals(world: World) -> dict[str, int]:
    response = world.api.get("/api/v1/sms/refusals", token=world.admin.token)
    assert response.status_code == 200, response.text
    return response.json()["refusals"]


def wait_refused(world: World, reason: str, before: dict[str, int]) -> None:
    assert wait_until(lambda: refusals(world).get(reason, 0) == before.get(reason, 0) + 1, 30), refusals(world)


def test_enrollment_gives_the_phone_its_sms_key_and_the_gateway_number(area):
    phone = area["phone"]
    assert len(phone.key) == 32
    assert phone.device_id and phone.username


def test_an_sms_report_becomes_an_alert_then_the_same_report_by_data_is_a_duplicate(sms, world, area):
    server, gammu = sms
    phone, desa = area["phone"], area["desa"][0]
    wire = incident(desa)
    for text in phone.texts(wire):
        gammu.receive(phone.number, text)
    (reply,) = gammu.wait_sent(lambda sent: any(s.number == phone.number for s in sent))[-1:]
    assert reply.number == phone.number
    assert reply.text == f"Laporan {sms_codec.short_code(wire['id'])} diterima 22:00."
    stored = world.api.get(f"/api/v1/reports/{wire['id']}", token=phone.token).json()
    times = ("observed_at", "recorded_at")                              # read back in UTC
    assert {k: stored[k] for k in wire if k not in times} == {k: v for k, v in wire.items() if k not in times}
    assert stored["officer"] == phone.username
    alerts = world.api.get("/api/v1/alerts", token=area["polres"].token, params={"region": desa}).json()["items"]
    assert [(a["region_code"], a["level"], a["report_count"]) for a in alerts] == [(desa, "rawan", 1)]
    result = world.api.push(phone.token, [wire])["results"]         # same content hash, else "conflict"
    assert result == [{"id": wire["id"], "status": "duplicate"}]

    def logged() -> set:
        log = world.api.get("/api/v1/sms/log", token=world.admin.token).json()["items"]
        return {(e["direction"], e["kind"], e["state"]) for e in log if e["number"] == phone.number}
    assert wait_until(lambda: logged() == {("in", "report", "accepted"), ("out", "reply", "sent")}), logged()


def test_a_long_report_in_parts_out_of_order_and_a_short_version_counted_once(sms, world, area):
    _, gammu = sms
    phone, desa = area["phone"], area["desa"][0]
    long_wire = incident(desa, facts="Massa dari dua desa berkumpul di depan kantor PPS. " * 5, opinion=None)
    parts = phone.texts(long_wire)
    assert len(parts) > 1
    for text in reversed(parts):
        gammu.receive(phone.number, text)
    code = sms_codec.short_code(long_wire["id"])
    gammu.wait_sent(lambda sent: any(code in s.text for s in sent))
    stored = world.api.get(f"/api/v1/reports/{long_wire['id']}", token=phone.token).json()
    assert stored["facts"] == long_wire["facts"]

    huge = incident(desa, facts="Kronologi lengkap kejadian di lapangan malam ini. " * 60)
    short = phone.texts(huge)
    assert len(short) <= sms_codec.MAX_PARTS
    for text in short:
        gammu.receive(phone.number, text)
    code = sms_codec.short_code(huge["id"])
    replies = gammu.wait_sent(lambda sent: any(code in s.text for s in sent))
    assert any(s.text.startswith(f"Laporan singkat {code} diterima") for s in replies)
    stored = world.api.get(f"/api/v1/reports/{huge['id']}", token=phone.token).json()
    assert stored["facts"].endswith(sms_codec.SHORT_MARK) and stored["media"] == []
    assert world.api.push(phone.token, [huge])["results"] == [{"id": huge["id"], "status": "duplicate"}]
    mine = world.api.get("/api/v1/reports", token=area["polres"].token, params={"region": desa}).json()["items"]
    assert sorted(r["id"] for r in mine) == sorted([long_wire["id"], huge["id"]])
    # counted once, and nothing the phone saved is lost: the full text replaced the short one
    stored = world.api.get(f"/api/v1/reports/{huge['id']}", token=area["polres"].token).json()
    assert stored["facts"] == huge["facts"] and stored["opinion"] == huge["opinion"]
    assert world.api.push(phone.token, [huge])["results"] == [{"id": huge["id"], "status": "duplicate"}]


def test_laporan_nihil_is_one_short_sms(sms, world, area):
    _, gammu = sms
    phone, desa = area["phone"], area["desa"][0]
    nihil = wire_of({"id": str(uuid.uuid4()), "observed_at": T.isoformat(), "category": "nihil",
                     "desa_code": desa}, T)
    (text,) = phone.texts(nihil)
    assert len(text) < 80
    gammu.receive(phone.number, text)
    code = sms_codec.short_code(nihil["id"])
    gammu.wait_sent(lambda sent: any(s.text == f"Laporan nihil {code} diterima 22:00." for s in sent))


def test_forged_replayed_garbled_and_revoked_messages_are_refused_and_store_nothing(sms, world, area):
    server, gammu = sms
    phone, desa = area["phone"], area["desa"][0]
    before = refusals(world)
    forged_wire = incident(desa)
    forged = enroll_phone(world.api, world.admin.token, [desa])
    forged.device_id, forged.key = phone.device_id, bytes(32)          # the right device, the wrong key
    for text in forged.texts(forged_wire):
        gammu.receive(phone.number, text)
    wait_refused(world, "forged", before)

    wire = incident(desa)
    texts = phone.texts(wire)
    for text in texts:
        gammu.receive(phone.number, text)
    gammu.wait_sent(lambda sent: any(sms_codec.short_code(wire["id"]) in s.text for s in sent))
    replies = len(gammu.sent(phone.number))
    for text in texts:                                                  # the same signed message again
        gammu.receive(phone.number, text)
    wait_refused(world, "replayed", before)

    gammu.receive(phone.number, "PR1 " + phone.device_id[:8] + " 9 1/1 F*garbled#0123456789")
    wait_refused(world, "forged", {**before, "forged": before.get("forged", 0) + 1})
    gammu.receive(phone.number, "Selamat malam pak, laporan aman")
    wait_refused(world, "garbled", before)

    assert world.api.request("DELETE", f"/api/v1/devices/{phone.device_id}",
                             token=world.admin.token).status_code == 204
    revoked_wire = incident(desa)
    for text in phone.texts(revoked_wire):
        gammu.receive(phone.number, text)
    wait_refused(world, "revoked", before)

    for refused in (forged_wire, revoked_wire):
        assert world.api.get(f"/api/v1/reports/{refused['id']}", token=world.admin.token).status_code == 404
    assert len(gammu.sent(phone.number)) == replies                     # refusals get no answer


def test_the_inbound_route_takes_an_android_webhook_and_wants_the_secret(sms, world, area):
    server, _ = sms
    phone, desa = area["phone"], area["desa"][0]
    nihil = wire_of({"id": str(uuid.uuid4()), "observed_at": T.isoformat(), "category": "nihil",
                     "desa_code": desa}, T)
    (text,) = phone.texts(nihil)
    body = {"event": "sms:received", "payload": {"phoneNumber": phone.number, "message": text}}
    assert_error(server.api.post("/api/v1/sms/inbound", json=body), 401, "sms.bad_secret")
    assert_error(server.api.post("/api/v1/sms/inbound", json=body, headers={"X-SMS-Secret": "salah"}),
                 401, "sms.bad_secret")
    assert world.api.get(f"/api/v1/reports/{nihil['id']}", token=phone.token).status_code == 404
    answer = server.api.post("/api/v1/sms/inbound", json=body, headers={"X-SMS-Secret": SECRET})
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"] == [{"state": "accepted", "reason": None, "report_id": nihil["id"],
                                         "status": "created"}]
    assert_error(server.api.post("/api/v1/sms/inbound", json={"messages": "x"}, headers={"X-SMS-Secret": SECRET}),
                 422)


def test_the_sms_admin_routes_are_for_admins(world, area):
    for path in ("/api/v1/sms/log", "/api/v1/sms/refusals", "/api/v1/sms/contacts"):
        assert_error(world.api.get(path, token=area["polres"].token), 403)
        assert_error(world.api.get(path), 401)

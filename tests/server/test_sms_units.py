"""The SMS pieces in-process: message wording and bounds, quiet hours, the gateway's failure path,
parts that never complete, RunOnReceive's environment. (Through the real daemon: test_sms*.py.)"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kerawanan import assets
from sync_server.settings import Quotas
from sync_server.sms import notify, on_receive
from sync_server.sms.config import SmsSettings, parse_hours, sms_settings
from sync_server.sms.gateway import GammuSmsd, NoGateway, clean_number
from sync_server.sms.service import SmsService, runs_notifications
from sync_server.sms.store import Contact
from sync_server.storage import open_storage

T = datetime(2024, 11, 27, 15, 0, tzinfo=UTC)          # 22:00 WIB


class Recording:
    name = "recording"

    def __init__(self):
        self.sent: list[tuple[str, str, bool]] = []

    def send(self, number: str, text: str, *, urgent: bool = False) -> str:
        self.sent.append((number, text, urgent))
        return f"ref-{len(self.sent)}"

    def state(self, ref: str) -> str:
        return "sent"


@pytest.fixture
def service(tmp_path):
    storage = open_storage(tmp_path / "peta.db", migrate=True)
    now = {"t": T}
    sms = SmsService(storage, SmsSettings(per_hour=2, per_day=3), Quotas(), lambda: now["t"], assets.gazetteer(),
                     assets.calendar(), gateway=Recording())
    sms.now = now
    yield sms
    storage.close()


def notice(alert: str, *, urgent: bool = False, label: str = "eskalasi ke Anda") -> notify.Notice:
    return notify.Notice("polres", alert, "escalated:2", "escalated", urgent,
                         f"Eskalasi ke Anda: RAWAN di Desa X. Batas baru 04:00 WIB 28/11. Kode {alert[:4]}.",
                         f"RAWAN Desa Dengan Nama Yang Panjang Sekali batas 04:00 ({alert[:4]})", label)


def test_one_notice_is_its_sentence_and_many_fit_160_characters_with_the_rest_counted():
    assert notify.compose([notice("AAAA-1")], 0).startswith("PETA RAWAN: Eskalasi ke Anda: RAWAN di Desa X.")
    many = notify.compose([notice(f"A{i:03d}-x") for i in range(200)], 3)
    assert len(many) <= 160
    assert many.startswith("PETA RAWAN: 200 eskalasi ke Anda: ") and "lainnya" in many
    assert many.endswith("(+3 tertunda, lihat aplikasi)")
    same_alert = notify.compose([notice("BBBB-1"), notice("BBBB-1", label="peringatan baru")], 0)
    assert same_alert.startswith("PETA RAWAN: Eskalasi ke Anda")          # one line per alert


@pytest.mark.parametrize(("hour_wib", "quiet", "expected"), [
    (22, (22, 5), True), (4, (22, 5), True), (5, (22, 5), False), (21, (22, 5), False),
    (12, (9, 17), True), (17, (9, 17), False), (3, (0, 0), False)])
def test_quiet_hours_wrap_midnight(hour_wib, quiet, expected):
    moment = datetime(2024, 11, 27, hour_wib, 30, tzinfo=notify.WIB)
    assert notify.in_quiet_hours(moment, quiet) is expected


def test_settings_and_numbers():
    assert parse_hours("-") == (0, 0) and parse_hours("22-05") == (22, 5)
    with pytest.raises(ValueError):
        parse_hours("25-01")
    settings = sms_settings({"PETA_SMS_GATEWAY": "Gammu", "PETA_SMS_OUTBOX": "/var/spool/gammu/outbox"})
    assert settings.gateway == "gammu" and str(settings.sent) == "/var/spool/gammu/sent"
    assert clean_number("+62 812-3456-7890") == "+6281234567890"
    for bad in ("", "+", "halo", "+62812345678901234567890", "٠٨١٢٣٤٥٦٧"):
        with pytest.raises(Exception, match="Nomor telepon"):
            clean_number(bad)


def test_a_gateway_that_cannot_write_is_logged_failed_never_raised(service, tmp_path):
    service.gateway = GammuSmsd(tmp_path / "missing-outbox")
    assert service.send("+6281200000001", "polres", "alert", "PETA RAWAN: uji") == "failed"
    (entry,) = service.store.entries()
    assert (entry.direction, entry.state, entry.text) == ("out", "failed", "PETA RAWAN: uji")
    service.gateway = NoGateway()
    assert service.send("+6281200000001", "polres", "alert", "PETA RAWAN: uji") == "undelivered"


def test_rate_and_daily_caps_hold_and_count_what_did_not_go(service):
    with service.storage.db.writing() as conn:
        conn.execute("INSERT INTO users (username, name, role, scope, created_at) VALUES ('polres', 'Polres', "
                     "'supervisor', '[\"15.72\"]', '2024-11-27T15:00:00.000000Z')")
    service.store.set_contact(Contact("polres", "+6281200000009", ("escalated",), "-"), T)
    contact = service.store.contacts()["polres"]
    noon = datetime(2024, 11, 27, 5, 0, tzinfo=UTC)      # 12:00 WIB: the day's cap counts from 00:00 WIB

    def tell(alert: str, at: datetime) -> int:
        service.now["t"] = at
        return notify._tell(service, contact, [notice(alert)], at)

    assert [tell(f"C{i:03d}-x", noon + timedelta(minutes=i)) for i in range(4)] == [1, 1, 0, 0]   # 2 an hour
    held = [e for e in service.store.entries() if e.state == "suppressed"]
    assert [e.reason for e in held] == ["rate", "rate"]
    assert tell("D001-x", noon + timedelta(hours=2)) == 1
    assert service.gateway.sent[-1][1].endswith("(+2 tertunda, lihat aplikasi)")
    assert tell("D002-x", noon + timedelta(hours=4)) == 0                                         # 3 a day
    assert service.store.entries()[0].reason == "daily_cap"
    assert tell("D001-x", noon + timedelta(days=1)) == 0                                           # told once
    assert len(service.gateway.sent) == 3


def test_parts_that_never_complete_are_refused_as_truncated(service):
    from kerawanan.sms_codec import Part
    service.store.issue_key("3f2a9c1e-0b7d-4e55-9a61-1c2d3e4f5a6b", T)
    assert service.receive("+6281200000002", "PR1 3f2a9c1e 5 1/2 F1234").state == "waiting"
    service.now["t"] = T + timedelta(hours=7)
    assert service.receive("+6281200000002", "halo").reason == "garbled"
    assert service.store.refusals() == {"garbled": 1, "truncated": 1}
    assert service.store.add_part(Part("3f2a9c1e", 5, 2, 2, "x"), "+6281200000002", T) == [Part("3f2a9c1e", 5, 2, 2, "x")]


def test_run_on_receive_reads_smsds_environment():
    one = {"SMS_MESSAGES": "1", "SMS_1_NUMBER": "+62812", "SMS_1_TEXT": "PR1 a", "DECODED_PARTS": "0"}
    assert on_receive.messages_from_env(one) == [{"number": "+62812", "text": "PR1 a"}]
    long = {"SMS_MESSAGES": "2", "SMS_1_NUMBER": "+62812", "SMS_1_TEXT": "PR1 ", "SMS_2_TEXT": "a",
            "DECODED_PARTS": "2", "DECODED_1_TEXT": "PR1 a"}
    assert on_receive.messages_from_env(long) == [{"number": "+62812", "text": "PR1 a"}]
    assert on_receive.main({"SMS_MESSAGES": "0"}) == 0
    assert on_receive.main({**one, "PETA_SMS_URL": "http://127.0.0.1:9/none", "PETA_SMS_SECRET": "x"}) == 1


def test_the_android_gateway_posts_the_message_with_basic_auth_and_reads_its_state():
    import base64
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from sync_server.sms.gateway import AndroidGateway
    seen: list[tuple[str, str, dict, str | None]] = []

    class Phone(BaseHTTPRequestHandler):
        def _answer(self, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(("POST", self.path, body, self.headers.get("Authorization")))
            self._answer({"id": "msg-1", "state": "Pending"})

        def do_GET(self):  # noqa: N802
            seen.append(("GET", self.path, {}, self.headers.get("Authorization")))
            self._answer({"id": "msg-1", "state": "Delivered"})

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Phone)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        gateway = AndroidGateway(f"http://127.0.0.1:{server.server_port}/message", "sms:rahasia")
        assert gateway.send("+62 812 0000 0001", "PETA RAWAN: uji") == "msg-1"
        assert gateway.state("msg-1") == "sent"
        auth = "Basic " + base64.b64encode(b"sms:rahasia").decode()
        assert seen == [("POST", "/message", {"message": "PETA RAWAN: uji", "phoneNumbers": ["+6281200000001"]}, auth),
                        ("GET", "/message/msg-1", {}, auth)]
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(Exception, match="Gateway SMS"):
        AndroidGateway(f"http://127.0.0.1:{server.server_port}/message", "").send("+6281200000001", "x")


def test_among_several_nodes_only_one_with_a_gateway_runs_the_notification_pass(tmp_path, pg_cluster):
    """A notice is claimed by the node that sends it: a PostgreSQL node without a gateway must not run
    the pass (it would claim notices and log them undelivered while the modem's node stays silent);
    one machine without a gateway still runs it, so its log shows what would have been sent."""
    from sync_server.coordination import coordination_for

    url = pg_cluster.database()
    lone, shared = open_storage(tmp_path / "solo.db", migrate=True), open_storage(url)
    try:
        solo, nodes = coordination_for(lone), coordination_for(shared)
        modem, bare = SmsSettings(gateway="gammu", outbox=tmp_path / "outbox"), SmsSettings()
        assert (solo.several_nodes, nodes.several_nodes) == (False, True)
        assert [runs_notifications(s, several_nodes=solo.several_nodes) for s in (modem, bare)] == [True, True]
        assert [runs_notifications(s, several_nodes=nodes.several_nodes) for s in (modem, bare)] == [True, False]
        assert not runs_notifications(SmsSettings(gateway="gammu", poll_seconds=0), several_nodes=False)
    finally:
        lone.close()
        shared.close()
        pg_cluster.drop(url)

"""The officer's side of the loop, view-model by view-model (issue 14): an alert or a task opened,
a task acknowledged and answered offline then sent once, a report opened and corrected, the quick
report's note and category order, and the one sync state on the strip and the cards."""
from __future__ import annotations

from datetime import timedelta

from field_app.errors import Offline
from field_app.sync_client import PullPage, PushResult
from field_app.sync_engine import SyncEngine, SyncOutcome, WakeReason
from field_app.viewmodels import Feedback, OutboxList
from field_app.viewmodels.quick_report import QuickReport
from tests.app.builders import NOW, OFFICER, alert_change, save_reports, uuid_for

TASK = {"seq": 7, "kind": "task", "data": {
    "alert_id": "a-9", "region_code": "15.71.01.2001", "region_name": "Kelurahan Pasar Sungai Penuh",
    "level": "rawan", "note": "Cek posko di Jl. Muradi dan laporkan situasi.", "by": "polsek.sp",
    "by_name": "Iptu Hendra", "at": "2024-11-27T14:56:00Z",
    "alert": {"id": "a-9", "level": "rawan", "status": "in_progress", "score": 27.0, "report_count": 3,
              "officer_count": 2, "region_name": "Kelurahan Pasar Sungai Penuh", "stage": "pemungutan_suara",
              "top_categories": [{"category": "bentrok", "score": 27.0}], "response": None}}}


class FakeClient:
    """Answers like the server; ``offline`` makes every call fail like a dead link."""

    def __init__(self):
        self.offline = False
        self.answers: dict[str, dict] = {}          # the server's history: answer id -> body
        self.pushed: list[dict] = []
        self.changes: list[dict] = []

    def _link(self):
        if self.offline:
            raise Offline(reason="no route")

    def push(self, reports):
        self._link()
        self.pushed += reports
        return [PushResult(id=item["id"], status="created", error=None, received_at=NOW + timedelta(minutes=1)) for item in reports]

    def pull(self, cursor, limit):
        self._link()
        return PullPage(self.changes, cursor + len(self.changes), False)

    def answer_task(self, alert_id, body):
        self._link()
        status = "duplicate" if body["id"] in self.answers else "created"
        self.answers.setdefault(body["id"], {"alert_id": alert_id, **body})
        return {"status": status, "at": "2024-11-27T14:58:00Z"}

    def healthz(self):
        self._link()
        return {"now": "2024-11-27T15:00:30Z"}

    def media_exists(self, sha256):
        return True


def _feedback(outbox, clock, wakes=None):
    return Feedback(outbox, OFFICER, clock=clock, on_answer=(lambda: wakes.append(1)) if wakes is not None else None)


def test_an_opened_alert_says_level_why_and_what_the_supervisor_asked(outbox, clock):
    change = alert_change(5, "a-5", level="sangat_rawan", status="in_progress")
    change["data"].update(report_count=4, officer_count=3, score=64.5, region_name="Desa Dujung Sakti",
                          top_categories=[{"category": "bentrok"}, {"category": "politik_uang"}],
                          events=[{"event": "respond", "actor": "polsek.sp", "note": "Patroli ke TPS 03."}])
    outbox.inbox.add(OFFICER, [change], now=NOW)
    screen = _feedback(outbox, clock)
    screen.open(5)
    opened = screen.opened
    assert opened.level == "Tingkat: Sangat Rawan"
    assert opened.why[0] == "4 laporan dari 3 petugas di Desa Dujung Sakti."
    assert opened.why[1] == "Terbanyak: Bentrok antar pendukung, Politik uang."
    assert opened.asked == ("Patroli ke TPS 03. — polsek.sp",)
    assert screen.unread["alert"] == 0                        # opening it reads it


def test_a_task_acknowledged_and_answered_offline_is_sent_once_when_the_link_returns(outbox, clock):
    outbox.inbox.add(OFFICER, [TASK], now=NOW)
    wakes: list[int] = []
    screen = _feedback(outbox, clock, wakes)
    assert screen.unacknowledged_tasks == 1
    screen.open(7)
    assert screen.opened.title == "Tugas: Kelurahan Pasar Sungai Penuh"
    assert screen.opened.asked == ("Cek posko di Jl. Muradi dan laporkan situasi. — Iptu Hendra",)
    screen.acknowledge()
    screen.acknowledge()                                     # a second tap is the same answer
    assert not screen.report_task("  ") and screen.message == "Tuliskan apa yang sudah dilakukan, atau tambahkan foto."
    assert screen.report_task("Posko sudah dicek, kondusif.")
    assert screen.unacknowledged_tasks == 0 and len(wakes) == 2
    assert screen.opened.answers == ("Diterima · Belum terkirim", "Jawaban: Posko sudah dicek, kondusif. · Belum terkirim")
    client = FakeClient()
    client.offline = True
    engine = SyncEngine(outbox, client, OFFICER)
    assert not engine.sync_once(NOW).ok and outbox.tasks.pending(OFFICER) == 2
    client.offline = False
    assert engine.sync_once(NOW + timedelta(minutes=1)).ok
    outbox.tasks.release([answer.id for answer in outbox.tasks.for_alert(OFFICER, "a-9")])   # no-op: all sent
    engine.sync_once(NOW + timedelta(minutes=2))
    assert [body["action"] for body in client.answers.values()] == ["acknowledge", "report"]
    screen.reopen()
    assert screen.opened.answers[0] == "Diterima · Terkirim hari ini 21:58 WIB"


def test_a_report_opened_shows_its_review_and_a_correction_supersedes_it(outbox, clock):
    save_reports(outbox, 1)
    outbox.claim(OFFICER, 1)
    outbox.mark_sent(uuid_for(1), received_at=NOW)
    outbox.inbox.add(OFFICER, [{"seq": 3, "kind": "review", "data": {
        "report_id": uuid_for(1), "review": {"status": "rejected", "note": "Desa salah."}}}], now=NOW)
    screen = OutboxList(outbox, OFFICER, clock=clock)
    screen.open(uuid_for(1))
    assert screen.opened.review == "Ditolak — Desa salah." and screen.opened.can_correct
    assert screen.correct(uuid_for(1))
    draft = outbox.meta.get(OFFICER, "draft")
    assert draft["supersedes"] == uuid_for(1) and draft["report_id"] != uuid_for(1)
    assert draft["facts"] == outbox.get(uuid_for(1)).wire["facts"]


def test_the_strip_and_the_cards_say_the_same_through_an_outage(outbox, clock):
    save_reports(outbox, 2)
    client = FakeClient()
    engine = SyncEngine(outbox, client, OFFICER, random=lambda: 1.0)
    wakes: list[WakeReason] = []
    screen = OutboxList(outbox, OFFICER, clock=clock, engine=engine, wake=wakes.append)
    screen.sync_now()                                         # visible at once, before any pass
    assert screen.sync_text == "Mengirim… 0 dari 2" and wakes == [WakeReason.DEMAND]
    assert {item.state_text for item in screen.items} == {screen.sync_text}
    client.offline = True
    screen.sync_started()
    screen.show_outcome(engine.sync_once(clock()))
    assert screen.sync_text == "Menunggu sinyal · dicoba lagi dalam 5 detik"
    assert {item.state_text.split(" · sudah")[0] for item in screen.items} == {screen.sync_text}
    clock.advance(seconds=3)
    screen.refresh()
    assert screen.sync_text == "Menunggu sinyal · dicoba lagi dalam 2 detik"
    client.offline = False
    screen.show_outcome(engine.sync_once(clock()))
    assert screen.sync_text is None and {item.state for item in screen.items} == {"sent"}
    assert screen.last_sync_text == "Sinkron terakhir: hari ini 22:01 WIB"     # the server's clock


def test_a_failed_pass_says_the_reason(outbox, clock):
    save_reports(outbox, 1)
    screen = OutboxList(outbox, OFFICER, clock=clock)
    screen.show_outcome(SyncOutcome(started_at=NOW, ok=False, error_code="sync.server_unavailable",
                                    retry_at=NOW + timedelta(seconds=30)))
    assert screen.sync_text == "Gagal: server sedang bermasalah · dicoba lagi dalam 30 detik"
    assert screen.items[0].state_text == screen.sync_text


def test_the_quick_report_takes_a_note_and_orders_categories_by_tahapan(outbox, clock):
    quick = QuickReport(outbox, OFFICER, clock=clock)            # 22:00 WIB on voting day
    codes = [choice.code for choice in quick.category_choices]
    assert codes[0] == "gangguan_tps" and "nihil" not in codes
    quick.choose_category("bentrok")
    quick.choose_threat_stage("GN")
    quick.set_note("Sekitar 40 orang saling dorong")
    assert quick.facts_to_send() == "Laporan cepat: Bentrok antar pendukung (GN - Gangguan Nyata). Sekitar 40 orang saling dorong"

"""The outbox screen's view-model: honest state words, counts, last sync, and sync on demand."""
from __future__ import annotations

from datetime import timedelta

from field_app.i18n import Translator
from field_app.sync_client import SyncClient
from field_app.sync_engine import LAST_SYNC_KEY, SyncEngine, SyncOutcome, WakeReason
from field_app.viewmodels import OutboxList
from tests.app.builders import NOW, OFFICER, OTHER_OFFICER, save_reports, uuid_for


def _screen(outbox, clock, **options) -> OutboxList:
    return OutboxList(outbox, OFFICER, clock=clock, **options)


def _item(screen: OutboxList, number: int):
    return next(item for item in screen.items if item.id == uuid_for(number))


def test_each_state_is_said_honestly(outbox, clock):
    save_reports(outbox, 4)
    outbox.claim(OFFICER, 3)
    outbox.mark_sent(uuid_for(1), received_at=NOW + timedelta(minutes=3))
    outbox.mark_attention(uuid_for(2), code="report.conflict", message="ID sama, isi berbeda.")
    screen = _screen(outbox, clock)
    assert _item(screen, 1).state_text == "Terkirim hari ini 22:03 WIB"
    assert _item(screen, 2).state_text == (
        "Perlu perhatian: server sudah menyimpan laporan dengan ID yang sama tetapi isinya berbeda. "
        "Laporan di server tetap berlaku; buat laporan koreksi bila perlu.")
    assert _item(screen, 3).state_text == "Mengirim…"
    assert _item(screen, 4).state_text == "Menunggu sinyal"
    assert _item(screen, 2).can_retry and not _item(screen, 4).can_retry


def test_a_report_tried_before_says_so(outbox, clock):
    save_reports(outbox, 1)
    outbox.claim(OFFICER, 1)
    outbox.release([uuid_for(1)], code="sync.offline", message="Tidak ada sinyal")
    assert _screen(outbox, clock).items[0].state_text == "Menunggu sinyal · sudah dicoba 1 kali"


def test_an_invalid_report_names_the_fields_and_what_to_do(outbox, clock):
    save_reports(outbox, 1)
    outbox.claim(OFFICER, 1)
    outbox.mark_attention(uuid_for(1), code="report.invalid", message="Laporan tidak valid.",
                          fields={"desa_code": "Bukan kode desa/kelurahan yang dikenal."})
    assert _screen(outbox, clock).items[0].state_text == (
        "Perlu perhatian: server menolak isinya (Desa/kelurahan: Bukan kode desa/kelurahan yang dikenal). "
        "Buat laporan baru dengan isian yang sudah diperbaiki.")


def test_an_unknown_refusal_keeps_the_servers_words(outbox, clock):
    save_reports(outbox, 1)
    outbox.claim(OFFICER, 1)
    outbox.mark_attention(uuid_for(1), code="something.new", message="Alasan baru dari server")
    assert _screen(outbox, clock).items[0].state_text == (
        "Perlu perhatian: server menolak laporan (Alasan baru dari server). "
        "Laporan tetap tersimpan di HP; hubungi operator.")


def test_items_show_category_desa_and_time_in_words(outbox, clock):
    save_reports(outbox, 1)
    item = _screen(outbox, clock).items[0]
    assert (item.title, item.threat_stage, item.desa) == ("Gangguan di TPS dan rekapitulasi", "GN", "Desa Dujung Sakti")
    assert item.observed == "hari ini 21:40 WIB" and item.facts.startswith("Massa")


def test_pending_count_and_last_sync_are_always_there(outbox, clock):
    save_reports(outbox, 3)
    save_reports(outbox, 2, officer=OTHER_OFFICER, start=10)
    screen = _screen(outbox, clock)
    assert screen.pending_count == 3 and screen.pending_text == "3 laporan belum terkirim"
    assert screen.last_sync_text == "Belum pernah sinkron"
    outbox.meta.set(OFFICER, LAST_SYNC_KEY, (NOW - timedelta(days=1)).isoformat())
    assert screen.last_sync_text == "Sinkron terakhir: 26 Nov 2024 22:00 WIB"


def test_nothing_pending_says_all_sent(outbox, clock):
    screen = _screen(outbox, clock)
    assert screen.pending_text == "Semua laporan terkirim" and screen.empty_text == "Belum ada laporan."


def test_sync_line_after_a_failed_and_a_good_pass(outbox, clock):
    save_reports(outbox, 2)
    screen = _screen(outbox, clock)
    assert screen.sync_text is None                         # queued: the cards say "Menunggu sinyal"
    screen.sync_started()
    assert screen.sync_text == "Mengirim… 0 dari 2"
    screen.show_outcome(SyncOutcome(started_at=NOW, ok=False, error_code="sync.offline",
                                    retry_at=NOW + timedelta(seconds=42)))
    assert screen.sync_text == "Menunggu sinyal · dicoba lagi dalam 42 detik"
    assert {item.state_text for item in screen.items} == {screen.sync_text}    # the strip's words on every card
    screen.show_outcome(SyncOutcome(started_at=NOW, ok=False, error_code="rate_limited",
                                    retry_at=NOW + timedelta(seconds=60)))
    assert screen.sync_text == "Gagal: server sedang sibuk · dicoba lagi dalam 60 detik"
    outbox.claim(OFFICER, 2)
    for number in (1, 2):
        outbox.mark_sent(uuid_for(number), received_at=NOW)
    screen.show_outcome(SyncOutcome(started_at=NOW, ok=True))
    assert screen.sync_text is None and screen.pending_text == "Semua laporan terkirim"


def test_sync_now_and_retry_wake_the_engine_on_demand(outbox, clock):
    wakes = []
    save_reports(outbox, 1)
    outbox.claim(OFFICER, 1)
    outbox.mark_attention(uuid_for(1), code="report.conflict", message="x")
    screen = _screen(outbox, clock, wake=wakes.append)
    screen.sync_now()
    screen.retry(uuid_for(1))
    assert wakes == [WakeReason.DEMAND, WakeReason.DEMAND]
    assert screen.items[0].state == "waiting" and screen.attention_count == 0


def test_purged_reports_say_where_their_text_is(outbox, clock):
    save_reports(outbox, 1)
    outbox.claim(OFFICER, 1)
    outbox.mark_sent(uuid_for(1), received_at=NOW - timedelta(days=60))
    outbox.purge_text(OFFICER, now=NOW, older_than_days=30)
    assert _screen(outbox, clock).items[0].facts == "Isi laporan sudah dihapus dari HP ini; tersimpan di server."


def test_the_screen_speaks_english_when_asked(outbox, clock):
    save_reports(outbox, 1)
    screen = _screen(outbox, clock, translator=Translator("en"))
    assert screen.items[0].state_text == "Waiting for signal" and screen.items[0].title.startswith("Disruption")


def test_paging_loads_more(outbox, clock):
    save_reports(outbox, 5)
    screen = _screen(outbox, clock, page_size=2)
    assert len(screen.items) == 2 and screen.has_more
    screen.load_more()
    screen.load_more()
    assert len(screen.items) == 5 and not screen.has_more


def test_from_waiting_to_sent_through_a_real_sync(outbox, clock, server, token):
    save_reports(outbox, 2)
    screen = _screen(outbox, clock)
    assert {item.state for item in screen.items} == {"waiting"}
    engine = SyncEngine(outbox, SyncClient(server.url, token), OFFICER)
    screen.show_outcome(engine.sync_once(clock()))
    assert {item.state for item in screen.items} == {"sent"}
    sent_at = outbox.get(uuid_for(1)).sent_at                    # the server's clock
    assert screen.pending_count == 0 and screen.last_sync_text == "Sinkron terakhir: " + screen.t.time(sent_at, now=clock())
    assert all(item.state_text.startswith("Terkirim ") for item in screen.items)

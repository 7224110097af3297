"""Feedback, enrollment and PIN unlock view-models."""
from __future__ import annotations

import socket
from datetime import timedelta

import pytest

from field_app.pin import MemoryTokenStore, PinLock
from field_app.viewmodels import Enrollment, Feedback, Unlock
from tests.app.builders import NOW, OFFICER, OTHER_OFFICER, alert_change, report, uuid_for

# ---------------------------------------------------------------- feedback


def _feedback(outbox, clock) -> Feedback:
    outbox.inbox.add(OFFICER, [
        alert_change(1, alert_id="a-1", level="rawan", status="open"),
        alert_change(2, alert_id="a-2", level="sangat_rawan", status="acknowledged"),
        {"seq": 3, "kind": "review", "data": {"id": uuid_for(1), "category": "bentrok", "desa_code": "15.72.07.2004",
                                              "review": {"status": "confirmed", "note": "Terima kasih."}}},
        {"seq": 4, "kind": "task", "data": {"id": "t-1", "title": "Patroli TPS 03 malam ini"}},
    ], now=NOW)
    return Feedback(outbox, OFFICER, clock=clock)


def test_alerts_in_words_with_unread_counts(outbox, clock):
    screen = _feedback(outbox, clock)
    assert screen.unread == {"alert": 2, "review": 1, "task": 1, "notice": 0} and screen.total_unread == 4
    assert [(i.title, i.detail) for i in screen.items] == [
        ("Kecamatan Koto Baru: Sangat Rawan", "sudah diterima pimpinan"),
        ("Kecamatan Koto Baru: Rawan", "baru"),
    ]
    assert screen.tabs[0] == ("alert", "Peringatan wilayah", 2)


def test_reviews_and_tasks_in_words(outbox, clock):
    screen = _feedback(outbox, clock)
    screen.choose_kind("review")
    [review] = screen.items
    assert (review.title, review.detail) == (
        "Laporan Bentrok antar pendukung di Desa Dujung Sakti: dikonfirmasi", "Terima kasih.")
    screen.choose_kind("task")
    assert screen.items[0].title == "Tugas: Patroli TPS 03 malam ini"


def test_a_review_names_the_officers_own_report_from_the_local_copy(outbox, clock):
    outbox.save(report(7), officer=OFFICER, now=NOW)
    outbox.inbox.add(OFFICER, [{"seq": 9, "kind": "review", "data": {
        "report_id": uuid_for(7), "review": {"status": "rejected", "note": "Bukan wilayah Anda."}}}], now=NOW)
    screen = Feedback(outbox, OFFICER, clock=clock)
    screen.choose_kind("review")
    assert (screen.items[0].title, screen.items[0].detail) == (
        "Laporan Gangguan di TPS dan rekapitulasi di Desa Dujung Sakti: ditolak", "Bukan wilayah Anda.")


def test_mark_read_and_mark_all_read(outbox, clock):
    screen = _feedback(outbox, clock)
    screen.mark_read(2)
    assert screen.unread["alert"] == 1 and [i.read for i in screen.items] == [True, False]
    screen.mark_all_read()
    assert screen.unread["alert"] == 0 and screen.total_unread == 2


def test_feedback_is_readable_offline_and_per_officer(outbox, clock):
    _feedback(outbox, clock)
    other = Feedback(outbox, OTHER_OFFICER, clock=clock)
    assert other.total_unread == 0
    assert other.empty_text == "Belum ada umpan balik. Akan muncul setelah sinkron."


# ---------------------------------------------------------------- enrollment


@pytest.fixture
def tokens() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def pins(outbox) -> PinLock:
    return PinLock(outbox.meta, iterations=1_000)


def _enrollment(outbox, tokens, pins, clock, url: str) -> Enrollment:
    screen = Enrollment(outbox, tokens, pins=pins, clock=clock)
    screen.set_server_url(url)
    screen.set_nrp(OFFICER)
    screen.set_code("ABCD-1234")
    return screen


def test_enroll_keeps_the_token_in_the_token_store_not_in_the_outbox(outbox, tokens, pins, clock, server):
    screen = _enrollment(outbox, tokens, pins, clock, server.url)
    assert screen.enroll(clock()) is True
    token = tokens.get(OFFICER)
    assert token in server.tokens and screen.step == "pin"
    assert screen.message == "Terdaftar sebagai Brigpol Andi. Sekarang buat PIN."
    record = outbox.meta.get(OFFICER, "enrollment")
    assert record["server_url"] == server.url and record["user"]["name"] == "Brigpol Andi"
    assert token not in str(record)


def test_enroll_with_a_wrong_code_says_to_ask_for_a_new_one(outbox, tokens, pins, clock, server):
    screen = _enrollment(outbox, tokens, pins, clock, server.url)
    screen.set_code("SALAH")
    assert screen.enroll(clock()) is False
    assert screen.message == "Kode salah, sudah dipakai, atau kedaluwarsa. Minta kode baru ke atasan."
    assert tokens.get(OFFICER) is None and screen.step == "form"


def test_enroll_without_signal_says_so(outbox, tokens, pins, clock):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    screen = _enrollment(outbox, tokens, pins, clock, dead)
    assert screen.enroll(clock()) is False
    assert screen.message.startswith("Tidak ada sinyal. Pendaftaran pertama butuh internet")


def test_enroll_checks_its_fields_before_going_online(outbox, tokens, pins, clock):
    screen = Enrollment(outbox, tokens, pins=pins, clock=clock)
    screen.set_nrp("NRP 123")
    assert screen.enroll(clock()) is False
    assert screen.errors == {"server_url": "Isi alamat server.", "nrp": "NRP hanya berisi angka.",
                             "code": "Isi kode pendaftaran dari atasan."}


def test_set_pin_after_enrolling(outbox, tokens, pins, clock, server):
    screen = _enrollment(outbox, tokens, pins, clock, server.url)
    screen.enroll(clock())
    assert screen.set_pin("274916", "274915") is False and screen.errors == {"confirm": "Kedua PIN tidak sama."}
    assert screen.set_pin("111111", "111111") is False
    assert screen.errors["pin"].startswith("PIN terlalu mudah ditebak")
    assert screen.set_pin("274916", "274916") is True and screen.step == "done"
    session = screen.session()
    assert (session.officer, session.server_url, session.token) == (OFFICER, server.url, tokens.get(OFFICER))


# ---------------------------------------------------------------- unlock


def _enrolled(outbox, tokens, pins, officer: str, name: str, pin: str) -> None:
    outbox.meta.set(officer, "enrollment", {"server_url": "http://127.0.0.1:1", "device_id": "d",
                                            "user": {"username": officer, "name": name, "role": "officer",
                                                     "scope": ["15.72.07.2004"]}})
    tokens.set(officer, f"token-{officer}")
    pins.set_pin(officer, pin)


def test_unlock_with_the_right_pin_gives_the_session(outbox, tokens, pins, clock):
    _enrolled(outbox, tokens, pins, OFFICER, "Brigpol Andi", "274916")
    screen = Unlock(outbox, tokens, pins=pins, clock=clock)
    assert screen.officers == [(OFFICER, "Brigpol Andi")] and screen.selected == OFFICER
    session = screen.enter_pin("274916", clock())
    assert (session.officer, session.name, session.token, session.scope) == (
        OFFICER, "Brigpol Andi", f"token-{OFFICER}", ("15.72.07.2004",))


def test_wrong_pins_count_down_then_lock_with_a_wait_in_words(outbox, tokens, pins, clock):
    _enrolled(outbox, tokens, pins, OFFICER, "Brigpol Andi", "274916")
    screen = Unlock(outbox, tokens, pins=pins, clock=clock)
    assert screen.enter_pin("000001", NOW) is None and screen.message == "PIN salah. Sisa 4 kali percobaan."
    for _ in range(3):
        screen.enter_pin("000001", NOW)
    assert screen.message == "PIN salah. Sisa 1 kali percobaan."
    assert screen.enter_pin("000001", NOW) is None
    assert screen.message == "Terlalu banyak PIN salah. Coba lagi dalam 30 detik."
    assert screen.enter_pin("274916", NOW + timedelta(seconds=10)) is None
    assert screen.message == "Terlalu banyak PIN salah. Coba lagi dalam 20 detik."
    assert screen.enter_pin("274916", NOW + timedelta(seconds=31)) is not None


def test_a_shared_phone_asks_which_officer(outbox, tokens, pins, clock):
    _enrolled(outbox, tokens, pins, OFFICER, "Brigpol Andi", "274916")
    _enrolled(outbox, tokens, pins, OTHER_OFFICER, "Bripka Sari", "583920")
    screen = Unlock(outbox, tokens, pins=pins, clock=clock)
    assert screen.selected is None and screen.enter_pin("583920", NOW) is None
    assert screen.message == "Pilih petugas"
    screen.choose_officer(OTHER_OFFICER)
    assert screen.enter_pin("274916", NOW) is None                 # the other officer's PIN does not open it
    assert screen.enter_pin("583920", NOW).officer == OTHER_OFFICER


def test_a_missing_token_still_unlocks_offline_but_says_to_enroll_again(outbox, tokens, pins, clock):
    _enrolled(outbox, tokens, pins, OFFICER, "Brigpol Andi", "274916")
    tokens.delete(OFFICER)
    screen = Unlock(outbox, tokens, pins=pins, clock=clock)
    session = screen.enter_pin("274916", NOW)
    assert session.token is None and screen.message.startswith("Token perangkat hilang")


def test_forget_removes_the_officer_from_the_phone(outbox, tokens, pins, clock):
    _enrolled(outbox, tokens, pins, OFFICER, "Brigpol Andi", "274916")
    screen = Unlock(outbox, tokens, pins=pins, clock=clock)
    screen.forget(OFFICER)
    assert screen.officers == [] and screen.message == "Belum ada petugas terdaftar di HP ini."
    assert tokens.get(OFFICER) is None and not pins.has_pin(OFFICER)

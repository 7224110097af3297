"""Settings (language, server, purge, lock, sign out), the honest "needs attention" state, the supervisor door."""
from __future__ import annotations

from field_app.strings import STRINGS
from tests.ui.conftest import OFFICER, start_app, unlock
from tests.ui.flet_harness import HeadlessApp
from tests.ui.test_ui_officer_shell import DUJUNG_SAKTI, _choose_tab, _open_shell

SETTINGS, HOME, OUTBOX, FEEDBACK = 3, 0, 1, 2


def _words(lang: str) -> set[str]:
    """Catalogue strings without placeholders that differ between the two languages."""
    index = 0 if lang == "id" else 1
    return {texts[index] for texts in STRINGS.values() if texts[0] != texts[1] and "{" not in texts[index]}


async def _visible_words_of_every_tab(app: HeadlessApp) -> set[str]:
    seen: set[str] = set()
    for tab in (HOME, OUTBOX, FEEDBACK, SETTINGS):
        await _choose_tab(app, tab)
        seen |= {text for text in app.texts() if text}
        seen |= {d.label for d in app.find("nav").destinations}
    return seen


async def test_switching_to_english_changes_every_word_and_is_remembered(enrolled):
    app = await _open_shell(enrolled)
    indonesian_seen = await _visible_words_of_every_tab(app)
    assert indonesian_seen & _words("en") == set()                 # no English in the Indonesian UI
    assert {"Kirim sekarang", "Beranda", "Pengaturan"} <= indonesian_seen | {app.find("status-sync-now").content.value}

    mark = app.mark
    await app.click("settings-lang-en")
    sent = app.conn.sent_values(mark)
    assert "Send now" in sent and "Settings" in sent
    english_seen = await _visible_words_of_every_tab(app)
    assert english_seen & _words("id") == set()                    # and no Indonesian left behind
    assert [d.label for d in app.find("nav").destinations] == ["Home", "Outbox", "Feedback", "Settings"]
    assert enrolled.language == "en"
    await app.close()

    again = await start_app(enrolled)                              # a new session starts in English
    assert "Enter your PIN" in again.texts() and "Masukkan PIN" not in again.texts()
    await again.close()


async def test_settings_change_the_purge_delay_and_the_server_address(enrolled, server):
    app = await _open_shell(enrolled)
    await _choose_tab(app, SETTINGS)
    assert app.find("settings-interval").value.startswith("Laporan dikirim otomatis")
    await app.select("settings-purge", "7")
    assert enrolled.purge_after_days == 7
    assert enrolled.hubs[OFFICER].engine.policy.purge_after_days == 7

    await app.type("settings-server", "")
    mark = app.mark
    await app.click("settings-server-save")
    assert ("error", "Isi alamat server.") in app.conn.sent_props(mark)
    await app.type("settings-server", "http://192.168.1.20:8000")
    await app.click("settings-server-save")
    assert app.find("settings-message").value.startswith("Alamat server disimpan")
    assert enrolled.hubs[OFFICER].engine.client.server_url == "http://192.168.1.20:8000"
    await app.close()


async def test_lock_keeps_syncing_and_sign_out_stops_it(enrolled):
    app = await _open_shell(enrolled)
    hub = enrolled.hubs[OFFICER]
    await app.click("shell-lock")
    assert app.has("unlock-submit") and hub.started
    await unlock(app)
    await _choose_tab(app, SETTINGS)
    await app.click("settings-sign-out")
    await app.wait_for(lambda: not hub.started, what="sync to stop")
    assert app.has("unlock-submit")
    await app.close()


async def test_a_refused_report_needs_attention_says_why_and_can_be_retried(enrolled, server):
    app = await _open_shell(enrolled)
    hub = enrolled.hubs[OFFICER]
    await app.wait_for(lambda: hub.last is not None and not hub.running, what="first pass")
    hub.stop()                                                     # no pass between save and refusal
    await app.wait_for(lambda: not hub.started)
    await app.click("home-full")
    await app.select("form-category", "logistik")
    await app.click("form-stage-PG")
    await app.click(f"form-desa-option-{DUJUNG_SAKTI}")
    await app.type("form-facts", "Surat suara datang terlambat.")
    await app.click("form-save")
    [entry] = enrolled.outbox.entries(OFFICER)
    server.force_invalid.add(entry.id)
    hub.start(app.page)
    await app.click("form-to-outbox")
    await app.wait_for(lambda: enrolled.outbox.get(entry.id).state == "attention", what="refusal")
    await app.wait_for(lambda: app.has(f"outbox-retry-{entry.id}"), what="retry button")
    words = app.find(f"outbox-state-{entry.id}").content.controls[1].value
    assert words.startswith("Perlu perhatian: server menolak isinya (Desa/kelurahan: Bukan desa)")
    assert words.endswith("Buat laporan baru dengan isian yang sudah diperbaiki.")
    assert app.find("status-pending").value.endswith("1 laporan perlu perhatian")
    await _choose_tab(app, HOME)
    assert app.find("home-attention").content.controls[1].value.startswith("1 laporan perlu perhatian")
    await app.click("home-attention")
    assert app.has(f"outbox-retry-{entry.id}")

    server.force_invalid.clear()
    await app.click(f"outbox-retry-{entry.id}")
    await app.wait_for(lambda: enrolled.outbox.get(entry.id).state == "sent", what="sent after retry")
    await app.close()


async def test_the_supervisor_door_logs_in_and_shows_the_alert_board(enrolled, server):
    server.users["polsek.kotobaru"] = {"username": "polsek.kotobaru", "name": "AKP Syafrizal", "role": "supervisor",
                                       "scope": ["15.72.07"]}
    server.passwords["polsek.kotobaru"] = "kata-sandi"
    app = await start_app(enrolled)
    await app.click("unlock-supervisor")
    await app.type("sup-username", OFFICER)
    await app.type("sup-password", "rahasia")
    await app.click("sup-submit")
    await app.wait_for(lambda: app.find("sup-message").value.startswith("Akun ini bukan akun atasan"))

    await app.type("sup-username", "polsek.kotobaru")
    await app.type("sup-password", "salah")
    await app.click("sup-submit")
    await app.wait_for(lambda: app.find("sup-message").value == "Nama pengguna atau kata sandi salah.")

    await app.type("sup-password", "kata-sandi")
    await app.click("sup-submit")
    await app.wait_for(lambda: app.has("sv-board-summary"), what="the alert board")
    assert app.find("sup-signed-in").value == "AKP Syafrizal"
    await app.click("sup-sign-out")
    await app.wait_for(lambda: app.has("unlock-submit"), what="back at unlock")
    await app.close()


async def test_after_an_admins_reset_the_door_asks_for_a_new_password_before_the_board(enrolled, server):
    server.users["polsek.reset"] = {"username": "polsek.reset", "name": "AKP Reset", "role": "supervisor",
                                    "scope": ["15.72.07"]}
    server.passwords["polsek.reset"] = "KQ7M-3XPA-W9HD"
    server.must_change.add("polsek.reset")
    app = await start_app(enrolled)
    await app.click("unlock-supervisor")
    await app.type("sup-username", "polsek.reset")
    await app.type("sup-password", "KQ7M-3XPA-W9HD")
    await app.click("sup-submit")
    await app.wait_for(lambda: app.find("sup-message").value.startswith("Ini kata sandi sementara dari admin"))
    assert app.find("sup-new-password").visible and not app.has("sv-board-summary")
    await app.type("sup-new-password", "pendek")
    await app.type("sup-repeat-password", "pendek")
    await app.click("sup-submit")
    await app.wait_for(lambda: app.find("sup-message").value.startswith("Kata sandi baru terlalu lemah."))
    await app.type("sup-new-password", "sandi-baru-Kerinci-1")
    await app.type("sup-repeat-password", "sandi-baru-Kerinci-2")
    await app.click("sup-submit")
    await app.wait_for(lambda: app.find("sup-message").value == "Kata sandi baru dan ulangannya tidak sama.")
    await app.type("sup-repeat-password", "sandi-baru-Kerinci-1")
    await app.click("sup-submit")
    await app.wait_for(lambda: app.has("sv-board-summary"), what="the alert board")
    assert server.passwords["polsek.reset"] == "sandi-baru-Kerinci-1" and "polsek.reset" not in server.must_change
    await app.close()

"""End to end in Debian chromium: the real sync server, a signal proxy, and ``python -m field_app``.

One officer's day, in order (the tests share the module's processes and run top to bottom):
enrol and set a PIN; lose signal; file a full report and a quick report and see both waiting;
restart the app process (the outbox survives, unlock with the PIN); signal returns, "Kirim
sekarang", both sent; the server holds each exactly once; a supervisor's review reaches the
officer's feedback after the next sync. Screenshots of every screen go to $PETA_SHOTS (docs/screenshots/ when refreshing them).
"""
from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from field_app.sync_client import SyncClient
from tests.ui.e2e_pages import (
    LOAD_TIMEOUT,
    STEP_TIMEOUT,
    button,
    enrol,
    open_app,
    sign_in,
    textbox,
    type_into,
)
from tests.ui.e2e_support import ROOT, FieldApp, SignalProxy, SyncServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Screenshots refresh docs/screenshots/ only when asked (PETA_SHOTS=docs/screenshots make test);
# otherwise they go to a scratch folder so a test run never dirties the tracked tree.
SHOTS = Path(os.environ.get("PETA_SHOTS") or Path(tempfile.gettempdir()) / "peta-rawan-shots")
OFFICER, OFFICER_NAME = "90110233", "Brigpol Reza Pratama"      # demo Bhabin of Desa Dujung Sakti
SUPERVISOR, SUPERVISOR_PASSWORD = "polsek.pesisirbukit", "demo-polsek-pb"
PIN = "274916"
DUJUNG_SAKTI = "15.72.07.2004"
GPS = {"latitude": -2.0339, "longitude": 101.3922, "accuracy": 12}
FULL_FACTS = "Dua kelompok pendukung saling dorong di depan balai desa, sekitar 40 orang."
REVIEW_NOTE = "Sudah dicek Polsek; personel ditebalkan malam ini."


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e")
    server = SyncServer(workdir)
    proxy = SignalProxy(server.port).restore()
    app = FieldApp(workdir, proxy.url).start()
    yield {"server": server, "proxy": proxy, "app": app, "ids": {}}
    app.stop()
    proxy.stop()
    server.stop()
    ours = [line for line in app.process.log().splitlines() if f'File "{ROOT / "field_app"}' in line]
    assert ours == [], app.process.log()[-6000:]             # no error raised in our code (Flet's own
    #                                                          disconnect noise on shutdown is not ours)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
        context = chromium.new_context(viewport={"width": 412, "height": 915}, geolocation=GPS,
                                       permissions=["geolocation"], locale="id-ID")
        yield context
        context.close()
        chromium.close()


@pytest.fixture(scope="module")
def screen(browser, world):
    """The one browser tab; reopened after the app restarts."""
    holder = {"page": open_app(browser, world["app"].url)}
    yield holder
    holder["page"].close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)                            # no hover tooltip left over from the last tap
    page.wait_for_timeout(600)                       # the canvas paints a frame after the semantics tree
    page.screenshot(path=str(SHOTS / f"officer-{name}.png"))


def tap(page: Page, identifier: str) -> None:
    page.locator(f'[flt-semantics-identifier="{identifier}"]').click()


def outbox_item(page: Page, report_id: str):
    return page.locator(f'[flt-semantics-identifier="outbox-item-{report_id}"]')


def enter_pin(page: Page, pin: str) -> None:
    for digit in pin:
        tap(page, f"pin-key-{digit}")
    tap(page, "unlock-submit")


def outbox_ids(app: FieldApp) -> list[str]:
    with sqlite3.connect(f"file:{app.data_dir / 'peta_rawan_outbox.db'}?mode=ro", uri=True) as db:
        return [row[0] for row in db.execute("SELECT id FROM reports ORDER BY created_at")]


def supervisor(world) -> SyncClient:
    client = SyncClient(world["server"].url)
    client.login(SUPERVISOR, SUPERVISOR_PASSWORD)
    return client


def file_full_report(page: Page) -> None:
    """Save empty first (every field says what it needs), then fill it in: desa from the searchable list."""
    tap(page, "home-full")
    expect(button(page, "Simpan laporan")).to_be_visible(timeout=STEP_TIMEOUT)
    button(page, "Simpan laporan").click()
    expect(page.get_by_text("Laporan belum bisa disimpan", exact=False)).to_be_visible(timeout=STEP_TIMEOUT)
    shot(page, "04-form-errors")
    tap(page, "form-category")
    button(page, "Bentrok antar pendukung").click()
    expect(page.get_by_text("Adu mulut, saling dorong", exact=False)).to_be_visible(timeout=STEP_TIMEOUT)
    tap(page, "form-stage-AG")
    type_into(page, "Cari desa", "Dujung")
    tap(page, f"form-desa-option-{DUJUNG_SAKTI}")
    expect(page.get_by_text("Dipilih dari daftar.")).to_be_visible(timeout=STEP_TIMEOUT)
    type_into(page, "Fakta", FULL_FACTS)
    type_into(page, "Jumlah orang", "40")
    shot(page, "05-form-filled")
    button(page, "Simpan laporan").click()
    expect(page.get_by_text("Laporan tersimpan di HP", exact=False)).to_be_visible(timeout=STEP_TIMEOUT)
    button(page, "Ke Beranda").click()


def file_quick_report(page: Page) -> None:
    """Three taps; the desa comes from the browser's (faked) GPS fix, found offline in the boundaries."""
    tap(page, "home-quick")
    expect(page.get_by_text("1. Pilih kategori")).to_be_visible(timeout=STEP_TIMEOUT)
    shot(page, "06-quick-category")
    tap(page, "quick-cat-politik_uang")
    expect(page.get_by_text("2. Pilih tingkat ancaman")).to_be_visible(timeout=STEP_TIMEOUT)
    shot(page, "07-quick-threat-stage")
    tap(page, "quick-stage-PG")
    expect(page.get_by_text("3. Periksa lalu kirim")).to_be_visible(timeout=STEP_TIMEOUT)
    expect(page.get_by_text("Dari GPS: di dalam batas desa", exact=False)).to_be_visible(timeout=STEP_TIMEOUT)
    expect(page.get_by_text("Desa Dujung Sakti").first).to_be_visible()
    shot(page, "08-quick-confirm")
    button(page, "Simpan laporan").click()
    expect(page.get_by_text("Tersimpan", exact=True)).to_be_visible(timeout=STEP_TIMEOUT)
    shot(page, "09-quick-saved")


# ---------------------------------------------------------------- the officer's day


def test_enrol_with_a_one_time_code_and_set_a_pin(screen, world):
    page = screen["page"]
    expect(textbox(page, "Alamat server")).to_be_visible(timeout=LOAD_TIMEOUT)  # prefilled from PETA_SERVER_URL
    enrol(page, OFFICER, world["server"].enrollment_code(OFFICER), PIN, OFFICER_NAME,
          filled=lambda form: shot(page, {"enrol": "01-enroll", "pin": "02-set-pin"}[form]))
    expect(page.get_by_text("Sinkron terakhir", exact=False)).to_be_visible(timeout=STEP_TIMEOUT)
    shot(page, "03-home")


def test_without_signal_a_full_and_a_quick_report_wait_in_the_outbox(screen, world):
    page = screen["page"]
    world["proxy"].cut()
    file_full_report(page)
    file_quick_report(page)
    button(page, "Lihat Kotak Keluar").click()

    world["ids"] = outbox_ids(world["app"])
    assert len(world["ids"]) == 2
    for report_id in world["ids"]:
        expect(outbox_item(page, report_id)).to_contain_text("Menunggu sinyal", timeout=STEP_TIMEOUT)
    expect(page.get_by_text("2 laporan belum terkirim", exact=False)).to_be_visible()
    expect(page.get_by_text("Menunggu sinyal · dicoba lagi", exact=False).first).to_be_visible(timeout=STEP_TIMEOUT)
    shot(page, "10-outbox-waiting")


def test_the_outbox_survives_a_restart_and_the_pin_unlocks_offline(browser, screen, world):
    screen["page"].close()
    world["app"].restart()
    page = screen["page"] = open_app(browser, world["app"].url)
    expect(page.get_by_text("Masukkan PIN")).to_be_visible(timeout=LOAD_TIMEOUT)
    shot(page, "11-unlock")
    enter_pin(page, "111222")
    expect(page.get_by_text("PIN salah. Sisa 4 kali percobaan.")).to_be_visible(timeout=STEP_TIMEOUT)
    shot(page, "12-unlock-wrong-pin")
    enter_pin(page, PIN)
    expect(page.get_by_text(OFFICER_NAME)).to_be_visible(timeout=STEP_TIMEOUT)
    page.get_by_role("tab", name="Kotak Keluar").click()
    for report_id in world["ids"]:
        expect(outbox_item(page, report_id)).to_contain_text("Menunggu sinyal", timeout=STEP_TIMEOUT)


def test_when_signal_returns_both_are_sent_and_the_server_holds_each_once(screen, world):
    page = screen["page"]
    world["proxy"].restore()
    button(page, "Kirim sekarang").click()
    for report_id in world["ids"]:
        expect(outbox_item(page, report_id)).to_contain_text(re.compile(r"Terkirim hari ini \d\d:\d\d WIB"),
                                                    timeout=STEP_TIMEOUT)
    expect(page.get_by_text("Semua laporan terkirim")).to_be_visible()
    shot(page, "13-outbox-sent")

    client = supervisor(world)
    held = [item["id"] for item in client.list_reports(region=DUJUNG_SAKTI, limit=1000)["items"]]
    assert all(held.count(report_id) == 1 for report_id in world["ids"]), held
    full = client.get_report(world["ids"][0])
    assert (full["facts"], full["officer"], full["threat_stage"]) == (FULL_FACTS, OFFICER, "AG")
    quick = client.get_report(world["ids"][1])
    assert (quick["category"], quick["desa_code"]) == ("politik_uang", DUJUNG_SAKTI)
    assert quick["location"] is not None                 # the quick report kept its GPS fix


def test_a_supervisors_review_reaches_the_officers_feedback(screen, world):
    page = screen["page"]
    supervisor(world).review_report(world["ids"][0], "confirm", note=REVIEW_NOTE)
    button(page, "Kirim sekarang").click()
    page.get_by_role("tab", name="Umpan Balik").click()
    page.get_by_role("tab", name=re.compile("^Tinjauan")).click()
    expect(page.get_by_text(REVIEW_NOTE)).to_be_visible(timeout=STEP_TIMEOUT)
    expect(page.get_by_text("Laporan Bentrok antar pendukung di Desa Dujung Sakti: dikonfirmasi")).to_be_visible()
    shot(page, "14-feedback-review")
    page.get_by_role("tab", name=re.compile("^Peringatan")).click()
    page.wait_for_timeout(500)
    shot(page, "15-feedback-alerts")


def test_settings_switch_the_language_and_back(screen, world):
    page = screen["page"]
    page.get_by_role("tab", name="Pengaturan").click()
    expect(page.locator('[flt-semantics-identifier="settings-lang-en"]')).to_be_visible(timeout=STEP_TIMEOUT)
    expect(page.get_by_text("Penyimpanan di HP", exact=True)).to_be_visible()
    shot(page, "16-settings")
    tap(page, "settings-lang-en")
    expect(button(page, "Send now")).to_be_visible(timeout=STEP_TIMEOUT)
    expect(page.get_by_role("tab", name="Outbox")).to_be_visible()
    shot(page, "17-settings-english")
    tap(page, "settings-lang-id")
    expect(button(page, "Kirim sekarang")).to_be_visible(timeout=STEP_TIMEOUT)


def test_the_supervisor_door_on_the_unlock_screen(screen, world):
    page = screen["page"]
    page.get_by_role("button", name=re.compile("Kunci aplikasi")).first.click()
    expect(page.get_by_text("Masukkan PIN")).to_be_visible(timeout=STEP_TIMEOUT)
    sign_in(page, SUPERVISOR, SUPERVISOR_PASSWORD, filled=lambda form: shot(page, "18-supervisor-login"))
    shot(page, "19-supervisor-board")

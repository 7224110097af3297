"""End to end in Debian chromium: the real sync server with the demo scenario and ``python -m field_app``.

In order (the tests share the module's processes): an officer's phone is enrolled once (the
supervisor door sits on the unlock screen); a Polres Kerinci supervisor signs in, sees the Kota
Sungai Penuh alert on the board and the map, opens it and acknowledges it; a second session (Polda)
that still shows the old version is told who changed it and shown the current state; a Kota Jambi
supervisor sees it nowhere; an admin issues an enrollment code that an officer then uses, sees whose
password is being guessed and resets it.
Screenshots of every supervisor screen at 1366×768 and 412×915 go to $PETA_SHOTS (docs/screenshots/ when refreshing them).
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from field_app.errors import ServerRejected
from field_app.sync_client import SyncClient
from tests.ui.e2e_pages import PHONE, STEP_TIMEOUT, WIDE, button, enrol, open_app, sign_in, tid, type_into
from tests.ui.e2e_support import FieldApp, SyncServer, server_cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Screenshots refresh docs/screenshots/ only when asked (PETA_SHOTS=docs/screenshots make test);
# otherwise they go to a scratch folder so a test run never dirties the tracked tree.
SHOTS = Path(os.environ.get("PETA_SHOTS") or Path(tempfile.gettempdir()) / "peta-rawan-shots")
OFFICER, PIN = "90110233", "274916"
NEW_OFFICER = "88030417"
GUESSED = "polsek.pesisirbukit"
SUNGAI_PENUH = "15.72"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-sup")
    server = SyncServer(workdir)
    server_cli(server.db, "evaluate", env=server.env)          # alerts exist before anyone looks
    app = FieldApp(workdir, server.url).start()
    client = SyncClient(server.url)
    client.login("polres.kerinci", "demo-polres-kerinci")
    # One incident, one alert: the demo's hot spots in Sungai Penuh are desa alerts (the Polsek's); take the worst.
    alerts = [a for a in client.list_alerts(status="active")["items"] if a["region_code"].startswith(SUNGAI_PENUH)]
    alert = max(alerts, key=lambda a: (a["level"] == "sangat_rawan", a["region_code"]))
    yield {"server": server, "app": app, "alert": alert}
    app.stop()
    server.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
        yield chromium
        chromium.close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.mouse.move(size["width"] - 2, size["height"] // 2)
    page.wait_for_timeout(900)
    page.screenshot(path=str(SHOTS / f"supervisor-{name}-{size['width']}x{size['height']}.png"))


def sign_out(page: Page) -> None:
    tid(page, "sup-sign-out").click()
    expect(button(page, "Masuk sebagai atasan")).to_be_visible(timeout=STEP_TIMEOUT)


def go(page: Page, section: str) -> None:
    """A section by its label: a rail destination (wide) or a bar tab / the "Lainnya" list (phone)."""
    target = page.get_by_role("tab", name=re.compile(f"^{section}"))
    if target.count() == 0:
        target = page.get_by_role("button", name=re.compile(f"^{section}"))
    if target.count() == 0:
        page.get_by_role("tab", name=re.compile("^Lainnya")).click()
        target = page.get_by_role("button", name=re.compile(f"^{section}"))
    target.first.click()
    page.wait_for_timeout(1500)


@pytest.fixture(scope="module")
def tab(browser, world):
    page = open_app(browser, world["app"].url, PHONE)
    yield page
    page.close()


def show_every_alert(page: Page) -> None:
    tid(page, "sv-filter-open").click()
    expect(page.get_by_text("Saring peringatan")).to_be_visible(timeout=STEP_TIMEOUT)
    button(page, "Hapus saringan").click()
    expect(tid(page, "sv-filter-chip")).to_contain_text("semua peringatan", timeout=STEP_TIMEOUT)


def test_an_officer_phone_is_enrolled_so_the_supervisor_door_shows(tab, world):
    page = tab
    enrol(page, OFFICER, world["server"].enrollment_code(OFFICER), PIN, "Brigpol Reza Pratama")
    page.get_by_role("tab", name="Pengaturan").click()
    page.get_by_role("button", name=re.compile("Kunci aplikasi")).first.click(timeout=STEP_TIMEOUT)
    expect(button(page, "Masuk sebagai atasan")).to_be_visible(timeout=STEP_TIMEOUT)


def test_polres_kerinci_sees_the_alert_on_board_and_map_and_acknowledges_it(tab, world):
    page, alert = tab, world["alert"]
    sign_in(page, "polres.kerinci", "demo-polres-kerinci")
    show_every_alert(page)                      # the board opens on "milik saya"; the alert is the Polsek's
    card = tid(page, f"sv-alert-{alert['region_code']}")
    expect(card).to_be_visible(timeout=STEP_TIMEOUT)
    expect(page.get_by_text(alert["region_name"]).first).to_be_visible()
    shot(page, "board")
    page.set_viewport_size(WIDE)
    page.wait_for_timeout(1500)
    shot(page, "board")
    go(page, "Peta")
    expect(page.get_by_text("Daftar wilayah")).to_be_visible(timeout=STEP_TIMEOUT)
    region = tid(page, f"sv-region-{SUNGAI_PENUH}")
    expect(region).to_be_attached(timeout=STEP_TIMEOUT)
    region.click()
    expect(page.get_by_text(re.compile(r"^Kota Sungai Penuh: Sangat rawan", re.IGNORECASE))).to_be_visible(timeout=STEP_TIMEOUT)
    shot(page, "map")
    for section, name in (("Tinjau", "review"), ("Cakupan", "coverage"), ("Tren", "trends"),
                          ("Unduh", "exports")):
        go(page, section)
        shot(page, name)
    with page.expect_download(timeout=STEP_TIMEOUT) as download:      # web mode: the browser saves it
        button(page, "Laporan (CSV, untuk Excel)").click()
    assert download.value.suggested_filename.startswith("laporan-")
    csv_text = download.value.path().read_text(encoding="utf-8-sig")
    assert "15.72.07.2004" in csv_text and "15.71." not in csv_text           # Polres Kerinci's reports only
    go(page, "Peringatan")
    tid(page, f"sv-alert-{alert['region_code']}").click()
    expect(page.get_by_text(re.compile(r"Versi 1 · status Baru"))).to_be_visible(timeout=STEP_TIMEOUT)
    shot(page, "detail")
    button(page, "Terima").click()
    expect(page.get_by_text("Peringatan diterima.")).to_be_visible(timeout=STEP_TIMEOUT)
    expect(page.get_by_text(re.compile(r"Versi 2 · status Diterima"))).to_be_visible()
    shot(page, "detail-acknowledged")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(1500)
    shot(page, "detail-acknowledged")
    client = SyncClient(world["server"].url)
    client.login("polres.kerinci", "demo-polres-kerinci")
    assert client.get_alert(alert["id"])["status"] == "acknowledged"


def test_a_second_session_on_the_stale_alert_is_told_and_shown_the_current_state(browser, world):
    """Polda opened the alert at version 1 (before the acknowledgement lands), then acts on it."""
    page = open_app(browser, world["app"].url, PHONE)
    try:
        sign_in(page, "polda.jambi", "demo-polda-jambi")
        other = SyncClient(world["server"].url)
        other.login("polres.kerinci", "demo-polres-kerinci")
        current = other.get_alert(world["alert"]["id"])
        tid(page, f"sv-alert-{world['alert']['region_code']}").click()
        expect(page.get_by_text(re.compile(r"Versi \d+ · status"))).to_be_visible(timeout=STEP_TIMEOUT)
        other.act_on_alert(world["alert"]["id"], "assign", current["version"], assignee=OFFICER, note="Cek TPS")
        type_into(page, "Catatan", "Polda ikut memantau")
        type_into(page, "Tindakan yang diambil", "Polda mengirim satu SST Brimob")
        button(page, "Catat tindakan").click()
        expect(page.get_by_text(re.compile(r"Peringatan ini sudah diubah oleh Kompol Hendra Wijaya Lubis, Polres "
                                           r"Kerinci — berikut keadaan terbaru"))).to_be_visible(timeout=STEP_TIMEOUT)
        expect(page.get_by_text(re.compile(r"Ditugaskan ke \S.*, Bhabin "))).to_be_visible()   # the other's change, by name
        shot(page, "detail-stale")
        assert other.get_alert(world["alert"]["id"])["assignee"] == OFFICER     # not overwritten
    finally:
        page.close()


def test_a_kota_jambi_supervisor_sees_the_alert_nowhere(tab, world):
    page = tab
    sign_out(page)
    sign_in(page, "polresta.jambi", "demo-polresta-jambi")
    expect(page.get_by_text("Kota Sungai Penuh")).to_have_count(0)
    expect(tid(page, f"sv-alert-{world['alert']['region_code']}")).to_have_count(0)
    go(page, "Peta")
    expect(page.get_by_text("Daftar wilayah")).to_be_visible(timeout=STEP_TIMEOUT)
    page.wait_for_timeout(1500)
    expect(tid(page, f"sv-region-{SUNGAI_PENUH}")).to_have_count(0)
    expect(page.get_by_text(re.compile("Sungai Penuh"))).to_have_count(0)
    client = SyncClient(world["server"].url)
    client.login("polresta.jambi", "demo-polresta-jambi")
    for call in (lambda: client.get_alert(world["alert"]["id"]), lambda: client.get_region(SUNGAI_PENUH)):
        with pytest.raises(ServerRejected) as refused:
            call()
        assert refused.value.status in (403, 404)
    sign_out(page)


def test_an_admin_issues_an_enrollment_code_that_an_officer_then_uses(tab, world):
    page = tab
    page.set_viewport_size(WIDE)
    page.wait_for_timeout(1000)
    sign_in(page, "admin", "demo-admin-jambi")
    for guess in ("tebakan-1", "tebakan-2", "tebakan-3"):     # someone is guessing a Polsek's password
        with pytest.raises(ServerRejected):
            SyncClient(world["server"].url).login(GUESSED, guess)
    go(page, "Admin")
    expect(page.get_by_text(re.compile(f"^Percobaan gagal: {re.escape(GUESSED)} dari 127.0.0.1 · 3×"))
           ).to_be_visible(timeout=STEP_TIMEOUT)
    type_into(page, "NRP petugas", NEW_OFFICER)
    button(page, "Buat kode").click()
    code_text = page.get_by_text(re.compile(r"^Kode: \S+ · berlaku"))
    expect(code_text).to_be_visible(timeout=STEP_TIMEOUT)
    expect(page.get_by_role("img").first).to_be_attached()   # the QR code (its PNG is checked in-process)
    shot(page, "admin")
    code = re.search(r"Kode: (\S+) ·", code_text.inner_text()).group(1)
    officer = SyncClient()
    body = officer.enroll(world["server"].url, NEW_OFFICER, code, "HP uji E2E")
    assert body["user"]["username"] == NEW_OFFICER and body["token"]
    # the phone is lost: the admin finds it by name in the officer's list and revokes it
    type_into(page, "NRP pemilik HP", NEW_OFFICER)
    button(page, "Lihat HP").click()
    expect(page.get_by_text("HP uji E2E", exact=True)).to_be_visible(timeout=STEP_TIMEOUT)
    button(page, "Cabut").click()
    expect(page.get_by_text(re.compile(r"^Dicabut "))).to_be_visible(timeout=STEP_TIMEOUT)
    expect(page.get_by_text("Perangkat HP uji E2E dicabut.")).to_be_visible()
    page.mouse.move(700, 500)
    page.mouse.wheel(0, 400)
    page.wait_for_timeout(800)
    shot(page, "admin-devices")
    with pytest.raises(ServerRejected) as refused:
        officer.pull(0)
    assert refused.value.status == 401
    # the Polsek's password may have leaked: the admin resets it (a one-time password) and ends its sessions
    type_into(page, "Nama pengguna atau NRP", GUESSED)
    button(page, "Lihat akun").click()
    expect(page.get_by_text(re.compile(r"^AKP Syafrizal Anwar · Atasan · aktif"))).to_be_visible(timeout=STEP_TIMEOUT)
    button(page, "Reset kata sandi").click()
    temporary_text = page.get_by_text(re.compile(r"^Kata sandi sementara: \S+ · sekali pakai"))
    expect(temporary_text).to_be_visible(timeout=STEP_TIMEOUT)
    temporary = re.search(r"sementara: (\S+) ·", temporary_text.inner_text()).group(1)
    assert SyncClient(world["server"].url).login(GUESSED, temporary)["password_change_required"] is True
    temporary_text.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    shot(page, "admin-accounts")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(1500)
    page.get_by_text(re.compile(r"^AKP Syafrizal Anwar · Atasan")).scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    shot(page, "admin-accounts")
    page.mouse.move(200, 400)
    page.mouse.wheel(0, -20000)
    page.wait_for_timeout(800)
    shot(page, "admin")
    go(page, "Peta")
    shot(page, "map")
    for section, name in (("Tinjau", "review"), ("Cakupan", "coverage"), ("Tren", "trends"), ("Unduh", "exports")):
        go(page, section)
        shot(page, name)
    # the same supervisor in English, and back (the device keeps the choice)
    tid(page, "sv-language").click()
    expect(page.get_by_text("Exports").first).to_be_visible(timeout=STEP_TIMEOUT)
    go(page, "Alerts")
    expect(page.get_by_text(re.compile(r"HIGHLY VULNERABLE|VULNERABLE")).first).to_be_visible(timeout=STEP_TIMEOUT)
    shot(page, "board-en")
    tid(page, "sv-language").click()
    expect(page.get_by_text("Peringatan").first).to_be_visible(timeout=STEP_TIMEOUT)

"""Silence is never green, in Debian chromium: the demo replayed at voting night 2024 (a critical
tahapan) on the real sync server and ``python -m field_app``, the server and the app on one replay clock.

In order (the tests share the module's processes): a Bhabin enrolls, loses signal, sends today's
laporan nihil with one tap, sees it confirmed and waiting, and it syncs when the signal returns; then
Polres Kerinci signs in on the same phone: the coverage screen names who sent today's nihil and who did
not, and shows a silent kecamatan with its level *and* "tanpa kabar", never a green safe badge; the map's
region list does the same. Screenshots at 412×915 and 1366×768 go to $PETA_SHOTS.
"""
from __future__ import annotations

import io
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect, sync_playwright

from field_app.sync_client import SyncClient
from tests.ui.e2e_pages import PHONE, STEP_TIMEOUT, WIDE, button, enrol, open_app, sign_in, tid
from tests.ui.e2e_support import FieldApp, SignalProxy, SyncServer, server_cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(os.environ.get("PETA_SHOTS") or Path(tempfile.gettempdir()) / "peta-rawan-shots")
OFFICER, OFFICER_NAME, PIN = "90110233", "Brigpol Reza Pratama", "274916"     # Bhabin of Dujung Sakti
DESA = ("15.72.07.2003", "15.72.07.2004")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-coverage")
    replay = {"PETA_REPLAY": f"2024-11-27T21:00:00+07:00@{datetime.now(UTC).isoformat()}"}
    server = SyncServer(workdir, env=replay)
    server_cli(server.db, "evaluate", env=server.env)          # alerts exist before anyone looks
    proxy = SignalProxy(server.port).restore()
    app = FieldApp(workdir, proxy.url, env=replay).start()
    polres = SyncClient(server.url)
    polres.login("polres.kerinci", "demo-polres-kerinci")
    yield {"server": server, "proxy": proxy, "app": app, "polres": polres}
    app.stop()
    proxy.stop()
    server.stop()


@pytest.fixture(scope="module")
def page(world):
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
        yield open_app(chromium, world["app"].url, PHONE)
        chromium.close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.mouse.move(size["width"] - 2, size["height"] // 2)
    page.wait_for_timeout(900)
    page.screenshot(path=str(SHOTS / f"{name}-{size['width']}x{size['height']}.png"))


def nihil_button(page: Page, status: str):
    """The home's nihil button, whose accessible name holds its title and its status line."""
    return page.get_by_role("button", name=re.compile(f"^Situasi aman terkendali {status}"))


def go(page: Page, section: str) -> None:
    target = page.get_by_role("tab", name=re.compile(f"^{section}"))
    if target.count() == 0:
        target = page.get_by_role("button", name=re.compile(f"^{section}"))
    if target.count() == 0:
        page.get_by_role("tab", name=re.compile("^Lainnya")).click()
        target = page.get_by_role("button", name=re.compile(f"^{section}"))
    target.first.click()
    page.wait_for_timeout(1500)


def to_top(page: Page) -> None:
    """Scroll the section back to its top (Flet scrolls inside its canvas: a wheel, not the window)."""
    size = page.viewport_size
    page.mouse.move(size["width"] * 0.6, size["height"] * 0.5)
    for _ in range(8):
        page.mouse.wheel(0, -4000)
        page.wait_for_timeout(150)


def green_share(page: Page, locator) -> float:
    """The share of clearly green pixels in what the locator covers on screen."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    image = Image.open(io.BytesIO(page.screenshot(clip=box))).convert("RGB")
    data = image.tobytes()
    pixels = [tuple(data[i:i + 3]) for i in range(0, len(data), 3)]
    return sum(1 for r, g, b in pixels if g > r + 20 and g > b + 20) / max(1, len(pixels))


def quiet_kecamatan(world) -> str:
    """A kurang_rawan kecamatan of Polres Kerinci that is not reporting (from the API)."""
    children = world["polres"].get_region("15.01")["children"]
    return next(child["code"] for child in children
                if child["level"] == "kurang_rawan" and child["coverage"]["state"] != "reporting")


def test_the_officer_sends_todays_nihil_with_one_tap_offline_and_it_syncs(page, world):
    enrol(page, OFFICER, world["server"].enrollment_code(OFFICER), PIN, OFFICER_NAME)
    expect(nihil_button(page, "Laporan nihil hari ini untuk desa binaan: satu ketukan")).to_be_visible(
        timeout=STEP_TIMEOUT)

    world["proxy"].cut()
    tid(page, "home-nihil-button").click()                                   # one tap, no signal
    expect(nihil_button(page, r"Tersimpan pukul 21:\d\d WIB: laporan nihil hari ini menunggu sinyal")).to_be_visible(
        timeout=STEP_TIMEOUT)
    shot(page, "officer-20-nihil-saved")
    page.get_by_role("tab", name="Kotak Keluar").click()
    expect(page.get_by_text("Menunggu sinyal").first).to_be_visible(timeout=STEP_TIMEOUT)
    expect(page.get_by_text("NIHIL").first).to_be_visible()

    world["proxy"].restore()
    button(page, "Kirim sekarang").click()
    expect(page.get_by_text("Semua laporan terkirim")).to_be_visible(timeout=STEP_TIMEOUT)
    held = world["polres"].list_reports(category="nihil", limit=100)["items"]
    assert sorted(item["desa_code"] for item in held) == list(DESA)
    assert {(item["officer"], item["threat_stage"]) for item in held} == {(OFFICER, None)}
    page.get_by_role("tab", name="Beranda").click()
    expect(nihil_button(page, r"Laporan nihil hari ini sudah dikirim \(pukul 21:\d\d WIB\)")).to_be_visible(
        timeout=STEP_TIMEOUT)
    shot(page, "officer-21-nihil-sent")


def test_the_coverage_screen_names_the_nihil_and_never_greens_a_silent_kecamatan(page, world):
    page.get_by_role("tab", name="Pengaturan").click()
    page.get_by_role("button", name=re.compile("Kunci aplikasi")).first.click(timeout=STEP_TIMEOUT)
    sign_in(page, "polres.kerinci", "demo-polres-kerinci")
    active = world["polres"].list_alerts(status="active")["items"]
    assert active
    page.wait_for_timeout(1500)
    clear = page.get_by_role("button", name=re.compile("^Hapus saringan"))    # a default filter (mine only)
    if clear.count():
        clear.first.click()
        page.wait_for_timeout(1500)
    for alert in active:                         # a card says TANPA KABAR exactly when its region is not reporting
        card = tid(page, f"sv-alert-{alert['region_code']}")               # one button: its name is its words
        words = re.compile("TANPA KABAR|BELUM ADA BHABIN")
        if card.count() == 0:                                               # filtered out of the board
            continue
        if alert["coverage"]["state"] == "reporting":
            expect(card).not_to_have_accessible_name(words, timeout=STEP_TIMEOUT)
        else:
            expect(card).to_have_accessible_name(words, timeout=STEP_TIMEOUT)
    shot(page, "supervisor-board-critical")
    go(page, "Cakupan")
    expect(page.get_by_text(re.compile("^TAHAPAN KRITIS"))).to_be_visible(timeout=STEP_TIMEOUT)
    expect(page.get_by_text(re.compile(rf"^{OFFICER_NAME} · .* · nihil"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"· BELUM kirim nihil ·")).first).to_be_visible()
    expect(page.get_by_text("Tidak ada desa tanpa kabar")).to_have_count(0)
    silent_desa = tid(page, "sv-gap-15.72.05.2007")              # Renah Kayu Embun: its Bhabin never synced
    expect(silent_desa).to_be_attached()
    silent_desa.scroll_into_view_if_needed()
    expect(page.get_by_text("Desa Renah Kayu Embun · terakhir ada kabar belum pernah")).to_be_visible()
    assert green_share(page, silent_desa) < 0.02
    code = quiet_kecamatan(world)
    level, coverage = tid(page, f"sv-coverage-badge-{code}"), tid(page, f"sv-coverage-badge-{code}-coverage")
    expect(coverage).to_be_attached()
    coverage.scroll_into_view_if_needed()
    expect(level).to_be_visible()
    assert green_share(page, level) < 0.02                                  # grey, not the safe green
    to_top(page)
    shot(page, "supervisor-coverage-critical")
    page.set_viewport_size(WIDE)
    page.wait_for_timeout(1500)
    shot(page, "supervisor-coverage-critical")


def test_the_map_list_shows_the_level_and_tanpa_kabar(page, world):
    go(page, "Peta")
    button(page, "Kecamatan").click()
    code = quiet_kecamatan(world)
    row = tid(page, f"sv-region-{code}")
    expect(row).to_have_accessible_name(re.compile(r"^KURANG RAWAN (TANPA KABAR|BELUM ADA BHABIN)"),
                                        timeout=STEP_TIMEOUT)
    row.scroll_into_view_if_needed()
    assert green_share(page, row) < 0.02                                    # no green anywhere in the row
    to_top(page)
    button(page, "Kabupaten/kota").click()
    page.wait_for_timeout(2500)                                             # the map draws its layers
    shot(page, "supervisor-map-critical")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(1500)
    go(page, "Peringatan")                                                  # the section is laid out anew
    go(page, "Peta")
    page.wait_for_timeout(2500)
    shot(page, "supervisor-map-critical")

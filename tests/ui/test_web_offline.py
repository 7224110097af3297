"""The officer app as an installed web app in Debian chromium: Python in the browser, no network at all.

One officer, in order (the tests share the module's server, browser profile and ids):
publish (``scripts/publish_web.py``) and serve it from the real sync server under /app/; enrol
online and wait until the service worker holds every file; then with the browser offline *and the
server stopped* (nothing but the service worker can answer): reload, unlock with the PIN, file a
quick report from a GPS fix and a full report with a camera photo (shrunk by the browser: there is
no Pillow in Pyodide), close the browser right after "Tersimpan", reopen the same profile and find
both waiting in the outbox; the server back and the network on: both are sent, the server holds
each exactly once, and the photo arrives upright, at most 1024 px, WebP, with no EXIF.
"""
from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

from field_app.sync_client import SyncClient
from tests.ui.e2e_support import ROOT, SyncServer, wait_http
from tests.ui.test_e2e_officer import (
    DUJUNG_SAKTI,
    FULL_FACTS,
    GPS,
    OFFICER,
    OFFICER_NAME,
    PIN,
    SUPERVISOR,
    SUPERVISOR_PASSWORD,
    button,
    enter_pin,
    outbox_item,
    tap,
    type_into,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(os.environ.get("PETA_SHOTS") or Path(tempfile.gettempdir()) / "peta-rawan-shots")
LOAD_TIMEOUT = 180_000          # a cold Pyodide start on a busy 2-core machine
STEP_TIMEOUT = 30_000
OUTBOX_ITEM = re.compile(r"^outbox-item-(.+)$")


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The app, published once for this module, exactly as ``make web-offline`` does."""
    import scripts.publish_web as publish_web

    return publish_web.publish(tmp_path_factory.mktemp("web-offline"), "app")


@pytest.fixture(scope="module")
def world(tmp_path_factory, published):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PETA_WEB_APP_DIR", str(published))
        server = SyncServer(tmp_path_factory.mktemp("server"))
    yield {"server": server, "profile": tmp_path_factory.mktemp("profile"), "ids": []}
    server.stop()


@pytest.fixture(scope="module")
def playwright():
    with sync_playwright() as running:
        yield running


def launch(playwright, profile: Path, *, offline: bool) -> BrowserContext:
    """Chromium with a persistent profile (the phone's browser); every non-loopback name fails."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path="/usr/bin/chromium", viewport={"width": 412, "height": 915},
        geolocation=GPS, permissions=["geolocation"], locale="id-ID", service_workers="allow",
        args=["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
    context.set_offline(offline)
    return context


def open_app(context: BrowserContext, url: str) -> Page:
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(url)
    return enable_semantics(page)


def open_app_in_new_tab(context: BrowserContext, url: str) -> Page:
    page = context.new_page()
    page.goto(url)
    return enable_semantics(page)


def enable_semantics(page: Page) -> Page:
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=LOAD_TIMEOUT)
    page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
    page.locator("flt-semantics").first.wait_for(state="attached", timeout=LOAD_TIMEOUT)
    return page


# What the service worker has not cached yet, asked of the worker itself (a promise of a list).
STATUS = """await new Promise((done) => {
    navigator.serviceWorker.addEventListener("message", (e) => done(e.data.missing), {once: true});
    navigator.serviceWorker.controller.postMessage("peta-rawan-status");
})"""


def missing_offline_files(page: Page) -> list[str]:
    return page.evaluate(f"async () => {STATUS}")


def shot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)
    page.wait_for_timeout(600)                       # the canvas paints after the semantics tree
    path = SHOTS / f"web-offline-{name}.png"
    page.screenshot(path=str(path))
    return path


def camera_photo() -> bytes:
    """A 3000x2000 JPEG taken with the phone on its side (EXIF orientation 6) and a GPS tag."""
    from PIL import Image

    image = Image.new("RGB", (3000, 2000), (200, 40, 40))
    image.paste((20, 20, 220), (0, 0, 600, 2000))           # a blue band on the left edge
    exif = Image.Exif()
    exif[0x0112] = 6                                         # rotate 90 degrees clockwise to view
    exif[0x0110] = "Phone X"
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=exif)
    return out.getvalue()


def file_full_report_with_photo(page: Page) -> None:
    tap(page, "home-full")
    expect(button(page, "Simpan laporan")).to_be_visible(timeout=STEP_TIMEOUT)
    tap(page, "form-category")
    button(page, "Bentrok antar pendukung").click()
    tap(page, "form-stage-AG")
    type_into(page, "Cari desa", "Dujung")
    choose_desa(page, DUJUNG_SAKTI)
    type_into(page, "Fakta", FULL_FACTS)
    with page.expect_file_chooser() as chooser:
        button(page, "Tambah foto").click()
    chooser.value.set_files(files=[{"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": camera_photo()}])
    expect(page.get_by_text("1 dari 5 foto", exact=False)).to_be_visible(timeout=STEP_TIMEOUT)
    button(page, "Simpan laporan").click()
    expect(page.get_by_text("Laporan tersimpan di HP", exact=False)).to_be_visible(timeout=STEP_TIMEOUT)


def choose_desa(page: Page, code: str) -> None:
    """Tap the desa in the filtered list until the form says it was picked (choosing it twice is
    harmless): on a loaded machine a tap can reach the list while Python is still re-rendering it."""
    chosen = page.get_by_text("Dipilih dari daftar.")
    for _ in range(3):
        tap(page, f"form-desa-option-{code}")
        try:
            expect(chosen).to_be_visible(timeout=STEP_TIMEOUT // 3)
            return
        except AssertionError:
            continue
    expect(chosen).to_be_visible()


def supervisor(server: SyncServer) -> SyncClient:
    client = SyncClient(server.url)
    client.login(SUPERVISOR, SUPERVISOR_PASSWORD)
    return client


# ---------------------------------------------------------------- the officer's day, in a browser


def test_online_once_enrol_and_every_file_is_cached(playwright, world):
    server = world["server"]
    context = launch(playwright, world["profile"], offline=False)
    try:
        page = open_app(context, f"{server.url}/app/")
        expect(page.get_by_role("textbox", name=re.compile("NRP"))).to_be_visible(timeout=LOAD_TIMEOUT)
        type_into(page, "NRP", OFFICER)
        type_into(page, "Kode pendaftaran", server.enrollment_code(OFFICER))
        button(page, "Daftar").click()
        expect(page.get_by_text("Buat PIN", exact=True)).to_be_visible(timeout=STEP_TIMEOUT)
        type_into(page, "PIN baru", PIN)
        type_into(page, "Ulangi PIN", PIN)
        button(page, "Simpan PIN").click()
        expect(page.get_by_text(OFFICER_NAME)).to_be_visible(timeout=STEP_TIMEOUT)
        page.wait_for_function(f"async () => navigator.serviceWorker.controller !== null && ({STATUS})"
                               ".length === 0", polling=500, timeout=LOAD_TIMEOUT)
        assert missing_offline_files(page) == []
        second = open_app_in_new_tab(context, f"{server.url}/app/")
        expect(second.get_by_text("sudah terbuka di jendela atau tab lain", exact=False)).to_be_visible(
            timeout=LOAD_TIMEOUT)                    # one window holds the outbox: no lost writes
        shot(second, "second-window")
        second.close()
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []   # Chrome offers "Install"
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [] and '"name": "Peta Rawan"' in manifest["data"]
    finally:
        context.close()


def test_offline_reload_unlock_and_a_quick_report_survives_closing_the_browser(playwright, world):
    server = world["server"]
    server.process.stop()                            # nothing but the service worker can answer now
    context = launch(playwright, world["profile"], offline=True)
    try:
        page = open_app(context, f"{server.url}/app/")
        expect(page.get_by_text("Masukkan PIN")).to_be_visible(timeout=LOAD_TIMEOUT)
        enter_pin(page, PIN)
        expect(page.get_by_text(OFFICER_NAME)).to_be_visible(timeout=STEP_TIMEOUT)
        tap(page, "home-quick")
        tap(page, "quick-cat-politik_uang")
        tap(page, "quick-stage-PG")
        expect(page.get_by_text("Dari GPS: di dalam batas desa", exact=False)).to_be_visible(timeout=STEP_TIMEOUT)
        expect(page.get_by_text("Desa Dujung Sakti").first).to_be_visible()
        button(page, "Simpan laporan").click()
        expect(page.get_by_text("Tersimpan", exact=True)).to_be_visible(timeout=STEP_TIMEOUT)
        button(page, "Ke Beranda").click()
        file_full_report_with_photo(page)
    finally:
        context.close()                              # at once: "Tersimpan" promised it is in IndexedDB

    context = launch(playwright, world["profile"], offline=True)
    try:
        page = open_app(context, f"{server.url}/app/")
        expect(page.get_by_text("Masukkan PIN")).to_be_visible(timeout=LOAD_TIMEOUT)
        enter_pin(page, PIN)
        expect(page.get_by_text(OFFICER_NAME)).to_be_visible(timeout=STEP_TIMEOUT)
        page.get_by_role("tab", name="Kotak Keluar").click()
        items = page.locator('[flt-semantics-identifier^="outbox-item-"]')
        expect(items).to_have_count(2, timeout=STEP_TIMEOUT)
        for index in range(2):
            expect(items.nth(index)).to_contain_text("Menunggu sinyal", timeout=STEP_TIMEOUT)
        expect(items.first).to_contain_text("1 foto")                 # newest first: the full report
        world["ids"] = [OUTBOX_ITEM.match(items.nth(index).get_attribute("flt-semantics-identifier")).group(1)
                        for index in (1, 0)]                           # in the order they were filed
        shot(page, "outbox-offline")
    finally:
        context.close()


def test_with_the_network_back_both_are_sent_exactly_once(playwright, world):
    server = world["server"]
    server.process.start()
    wait_http(f"{server.url}/healthz", process=server.process.popen)
    context = launch(playwright, world["profile"], offline=False)
    try:
        page = open_app(context, f"{server.url}/app/")
        expect(page.get_by_text("Masukkan PIN")).to_be_visible(timeout=LOAD_TIMEOUT)
        enter_pin(page, PIN)
        page.get_by_role("tab", name="Kotak Keluar").click()
        button(page, "Kirim sekarang").click()
        for report_id in world["ids"]:
            expect(outbox_item(page, report_id)).to_contain_text(re.compile(r"Terkirim hari ini \d\d:\d\d WIB"),
                                                                 timeout=STEP_TIMEOUT)
        shot(page, "outbox-sent")
    finally:
        context.close()
    client = supervisor(server)
    held = [item["id"] for item in client.list_reports(region=DUJUNG_SAKTI, limit=1000)["items"]]
    assert all(held.count(report_id) == 1 for report_id in world["ids"]), held
    quick, full = (client.get_report(report_id) for report_id in world["ids"])
    assert (quick["officer"], quick["category"], quick["threat_stage"]) == (OFFICER, "politik_uang", "PG")
    assert quick["location"] is not None and abs(quick["location"]["lat"] - GPS["latitude"]) < 1e-6
    assert (full["category"], full["facts"], len(full["media"])) == ("bentrok", FULL_FACTS, 1)
    assert_shrunk_upright_without_exif(client.get_media(full["media"][0]))


def assert_shrunk_upright_without_exif(data: bytes) -> None:
    from PIL import Image

    photo = Image.open(io.BytesIO(data))
    assert photo.format == "WEBP" and photo.size[1] == 1024 and abs(photo.size[0] - 683) <= 1  # upright 2:3
    assert dict(photo.getexif()) == {}
    red, green, blue = photo.convert("RGB").getpixel((341, 32))      # the blue band is now on top
    assert blue > 150 and red < 100, (red, green, blue)


def test_the_published_folder_holds_only_what_the_officer_app_needs(published):
    names = {path.relative_to(published).as_posix() for path in published.rglob("*") if path.is_file()}
    assert {"index.html", "flutter_service_worker.js", "manifest.json", "app.tar.gz",
            "pyodide/pyodide.asm.wasm", "icons/icon-512.png"} <= names
    assert not [name for name in names if name.endswith((".symbols", "main.dart.wasm", "skwasm.wasm"))]
    assert str(ROOT) not in (published / "index.html").read_text(encoding="utf-8")

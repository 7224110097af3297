"""The command view in Debian chromium, on the real server with the demo scenario: the rekap berjenjang
(Polda → Polres Kerinci, a tap goes down one level), the board's one filter control with "milik saya"
for a Polres, and the review panel by names (never "??" or an NRP; photo, opinion, location on a
small map), at 1366×768 and 412×915.
A supervisor's bookmark ``/atasan`` opens straight on the sign-in. Screenshots go to $PETA_SHOTS.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from field_app.sync_client import SyncClient
from tests.ui.e2e_pages import PHONE, STEP_TIMEOUT, WIDE, button, sign_in_at_atasan, tid
from tests.ui.e2e_support import FieldApp, SyncServer, server_cli
from tests.ui.test_e2e_supervisor import (
    browser,  # noqa: F401 — the module's chromium
    go,
    shot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-command")
    server = SyncServer(workdir)
    server_cli(server.db, "evaluate", env=server.env)
    app = FieldApp(workdir, server.url).start()
    yield {"server": server, "app": app}
    app.stop()
    server.stop()


def test_the_polda_rekap_goes_down_from_polres_to_kecamatan(browser, world):  # noqa: F811
    client = SyncClient(world["server"].url)
    client.login("polda.jambi", "demo-polda-jambi")
    expected = client.get_rekap()
    kerinci = next(row for row in expected["rows"] if row["name"] == "Polres Kerinci")
    page = sign_in_at_atasan(browser, world["app"].url, WIDE, "polda.jambi", "demo-polda-jambi")
    try:
        go(page, "Rekap")
        expect(page.get_by_text("Provinsi Jambi: per Polres")).to_be_visible(timeout=STEP_TIMEOUT)
        expect(page.get_by_text("Polres Kerinci", exact=True)).to_be_visible()
        shot(page, "rekap-polda")
        page.get_by_role("cell", name=re.compile("Polres Kerinci")).first.click()     # tap the row
        expect(page.get_by_text("Polres Kerinci: per Polsek (kecamatan)")).to_be_visible(timeout=STEP_TIMEOUT)
        below = client.get_rekap(unit=kerinci["unit"])
        first = below["rows"][0]["name"]
        expect(page.get_by_text(first, exact=True).first).to_be_visible()
        shot(page, "rekap-polres")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(1500)
        go(page, "Rekap")
        expect(page.get_by_text("Provinsi Jambi", exact=True).first).to_be_visible(timeout=STEP_TIMEOUT)
        shot(page, "rekap-polres")
        button(page, "Provinsi Jambi").click()                                     # back up the trail
        expect(page.get_by_text("Provinsi Jambi: per Polres")).to_be_visible(timeout=STEP_TIMEOUT)
        expect(tid(page, f"sv-rekap-row-{kerinci['unit']}")).to_be_visible()
        shot(page, "rekap-polda")
    finally:
        page.close()


def test_the_polres_board_opens_on_milik_saya_with_the_filters_behind_one_button(browser, world):  # noqa: F811
    client = SyncClient(world["server"].url)
    client.login("polres.kerinci", "demo-polres-kerinci")
    page = sign_in_at_atasan(browser, world["app"].url, PHONE, "polres.kerinci", "demo-polres-kerinci")
    try:
        expect(tid(page, "sv-filter-chip")).to_contain_text("milik saya")
        expect(page.get_by_role("textbox", name="Tingkat")).to_have_count(0)      # no dropdowns on the board
        # the demo's deadlines passed long ago: whatever the Polres still holds is its own, by name
        expect(page.get_by_text(re.compile("penanggung jawab (?!Kompol Hendra Wijaya Lubis, Polres Kerinci)")))\
            .to_have_count(0)
        shot(page, "board-mine")
        tid(page, "sv-filter-open").click()
        expect(page.get_by_text("Saring peringatan")).to_be_visible(timeout=STEP_TIMEOUT)
        shot(page, "board-filters")
        button(page, "Hapus saringan").click()
        total = len(client.list_alerts(status="active")["items"])
        expect(page.get_by_text(re.compile(rf"^{total} peringatan aktif"))).to_be_visible(timeout=STEP_TIMEOUT)
        expect(tid(page, "sv-filter-chip")).to_contain_text("semua peringatan")
        expect(page.get_by_text(re.compile(r"penanggung jawab \S+ .*, Pol(sek|res|da) ")).first).to_be_visible()
        page.set_viewport_size(WIDE)
        page.wait_for_timeout(1500)
        shot(page, "board-all")
        page.locator('[flt-semantics-identifier^="sv-alert-"]').first.click()       # the detail, by names
        expect(page.get_by_text(re.compile(r"· peringatan dibuka")).first).to_be_visible(timeout=STEP_TIMEOUT)
        expect(page.get_by_text(re.compile(r"· sistem · peringatan dibuka"))).to_be_visible()
        expect(page.get_by_role("textbox", name=re.compile("NRP"))).to_have_count(0)     # assign picks, no NRP typed
        expect(tid(page, "sv-assignee").or_(tid(page, "sv-assignee-none"))).to_be_attached()
        shot(page, "detail-names")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(1500)
        shot(page, "detail-names")
    finally:
        page.close()


def test_the_review_panel_reads_by_names_and_says_belum_dinilai(browser, world):  # noqa: F811
    page = sign_in_at_atasan(browser, world["app"].url, WIDE, "polres.kerinci", "demo-polres-kerinci")
    try:
        go(page, "Tinjau")
        expect(page.get_by_text(re.compile(r"laporan menunggu tinjauan"))).to_be_visible(timeout=STEP_TIMEOUT)
        expect(page.get_by_text(re.compile(r"· oleh (Brigpol|Bripka|Aipda) ")).first).to_be_visible()
        expect(page.get_by_text(re.compile(r"\?\?"))).to_have_count(0)
        expect(page.get_by_text(re.compile(r"oleh \d{8}"))).to_have_count(0)           # no NRP in place of a name
        page.get_by_text(re.compile(r"· oleh ")).first.click()
        expect(page.get_by_text(re.compile(r"^(Lokasi: |Tanpa lokasi GPS)"))).to_be_visible(timeout=STEP_TIMEOUT)
        shot(page, "review-panel")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(1500)
        shot(page, "review-panel")
        expect(page.get_by_text(re.compile(r"\?\?"))).to_have_count(0)   # ungraded: "belum dinilai" (view-model test)
    finally:
        page.close()

"""The tahapan timeline, the map as of masa tenang and the rencana penebalan, in Debian chromium on the
real server with the demo replayed at voting night 2024 (as ``make run``), at 1366×768 and 412×915.
Screenshots go to $PETA_SHOTS (supervisor-timeline-*, supervisor-map-masa-tenang-*, supervisor-plan-*)."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from field_app.sync_client import SyncClient
from tests.server.helpers import wait_until
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
    workdir = tmp_path_factory.mktemp("e2e-timeline")
    replay = {"PETA_REPLAY": f"2024-11-27T21:00:00+07:00@{datetime.now(UTC).isoformat()}",
              "PETA_SITREP_SECONDS": "1"}             # the 18.00 sitreps are kept a second after the start
    server = SyncServer(workdir, env=replay)
    server_cli(server.db, "evaluate", env=server.env)
    app = FieldApp(workdir, server.url, env=replay).start()
    yield {"server": server, "app": app}
    app.stop()
    server.stop()


def test_the_timeline_says_voting_day_and_opens_the_map_as_of_masa_tenang(browser, world):  # noqa: F811
    page = sign_in_at_atasan(browser, world["app"].url, WIDE, "polres.kerinci", "demo-polres-kerinci")
    try:
        go(page, "Tahapan")
        expect(page.get_by_text("Sekarang: Pemungutan dan penghitungan suara")).to_be_visible(timeout=STEP_TIMEOUT)
        expect(page.get_by_text(re.compile(r"^Rekapitulasi hasil penghitungan suara H-1 "))).to_be_visible()
        expect(tid(page, "sv-timeline-stage-masa_tenang")).to_be_visible()
        expect(page.get_by_text("kosong: tidak ada laporan atau peringatan").first).to_be_visible()   # pencalonan
        shot(page, "timeline")
        tid(page, "sv-timeline-map-masa_tenang").click()
        expect(page.get_by_text(re.compile("Menampilkan tingkat per 26 Nov 2024 23:59 WIB \\(Masa tenang\\)"))
               ).to_be_visible(timeout=STEP_TIMEOUT)
        shot(page, "map-masa-tenang")
        button(page, "Per tanggal…").click()                                        # or any day, from a calendar
        page.get_by_role("button", name="25, Senin, 25 November 2024").click()
        button(page, "OK").click()
        expect(page.get_by_text(re.compile("Menampilkan tingkat per 25 Nov 2024"))).to_be_visible(timeout=STEP_TIMEOUT)
        expect(button(page, "25 Nov 2024")).to_be_visible()
        for code in ("15.01", "15.72"):           # the list beside the map is of then too: no silence of today
            expect(tid(page, f"sv-region-{code}")).to_have_accessible_name(
                re.compile(r"^KURANG RAWAN KABAR TAK DINILAI "), timeout=STEP_TIMEOUT)
        tid(page, "sv-region-15.01").click()
        expect(page.get_by_text("Rincian ini keadaan sekarang, bukan per tanggal peta.")).to_be_visible(
            timeout=STEP_TIMEOUT)                                                   # the details are of now
        shot(page, "map-as-of-day")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(1500)
        go(page, "Tahapan")
        expect(page.get_by_text("Sekarang: Pemungutan dan penghitungan suara")).to_be_visible(timeout=STEP_TIMEOUT)
        shot(page, "timeline")
        tid(page, "sv-timeline-map-masa_tenang").click()
        expect(page.get_by_text(re.compile("Menampilkan tingkat per 26 Nov 2024"))).to_be_visible(timeout=STEP_TIMEOUT)
        shot(page, "map-masa-tenang")
        expect(page.get_by_role("button", name=re.compile(r"^KURANG RAWAN KABAR TAK DINILAI ")).first
               ).to_be_attached()                                   # the list (Kerinci's kecamatan) is of then
        page.mouse.move(200, 600)
        page.mouse.wheel(0, 1400)                 # Flutter's canvas scrolls by the wheel, not by the DOM
        page.wait_for_timeout(800)
        shot(page, "map-masa-tenang-list")
    finally:
        page.close()


def test_polda_adjusts_the_proposal_and_saves_version_1(browser, world):  # noqa: F811
    client = SyncClient(world["server"].url)
    client.login("polda.jambi", "demo-polda-jambi")
    proposal = client.get_plan()["proposal"]
    kerinci = next(row for row in proposal["rows"] if row["region_code"] == "15.01")
    page = sign_in_at_atasan(browser, world["app"].url, WIDE, "polda.jambi", "demo-polda-jambi")
    try:
        go(page, "Penebalan")
        expect(page.get_by_text("Rencana penebalan: Polda Jambi")).to_be_visible(timeout=STEP_TIMEOUT)
        expect(page.get_by_text(f"Kekuatan tersedia: {proposal['pool']['total']} personel")).to_be_visible()
        shot(page, "plan")
        field = page.get_by_role("textbox", name=re.compile("Alokasi")).first
        field.click()
        field.fill(str(max(0, kerinci["proposed"] - 10)))
        page.keyboard.press("Enter")
        button(page, "Simpan sebagai versi baru").click()
        expect(page.get_by_text(re.compile(r"^Versi 1 disimpan"))).to_be_visible(timeout=STEP_TIMEOUT)
        saved = client.get_plan()["saved"]
        assert saved["version"] == 1 and saved["saved_by"] == "polda.jambi"
        assert sum(row["allocated"] for row in saved["rows"]) <= saved["pool"]["total"]
        with page.expect_download(timeout=STEP_TIMEOUT) as download:
            button(page, "Unduh lampiran PDF").click()                  # the annex of the saved plan
        assert download.value.suggested_filename == "rencana-penebalan.pdf"
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(1500)
        go(page, "Penebalan")
        expect(page.get_by_text("Rencana penebalan: Polda Jambi")).to_be_visible(timeout=STEP_TIMEOUT)
        shot(page, "plan")
    finally:
        page.close()


def test_the_sitrep_of_any_day_and_the_scheduled_ones_are_in_the_exports(browser, world):  # noqa: F811
    client = SyncClient(world["server"].url)
    client.login("polres.kerinci", "demo-polres-kerinci")
    assert wait_until(lambda: any(item["slot"] == "20241127-1800" for item in client.list_sitreps()["items"]))
    page = sign_in_at_atasan(browser, world["app"].url, PHONE, "polres.kerinci", "demo-polres-kerinci")
    try:
        go(page, "Unduh")
        expect(page.get_by_text("Sitrep terjadwal (06:00, 18:00 WIB)")).to_be_visible(timeout=STEP_TIMEOUT)
        kept = page.get_by_role("button", name=re.compile("^Polres Kerinci · 27 Nov 18.00 WIB"))
        expect(kept).to_be_visible()
        expect(page.get_by_role("button", name=re.compile("^Polda Jambi"))).to_have_count(0)    # not in scope
        day = page.get_by_role("button", name=re.compile("^Sitrep hari ini, 27 Nov 2024"))  # the replay's today
        expect(day).to_be_visible()
        day.click()
        picked = page.get_by_role("button", name="26, Selasa, 26 November 2024")     # a Flutter date picker, in Indonesian
        expect(picked).to_be_visible(timeout=STEP_TIMEOUT)
        expect(page.get_by_role("button", name="28, Kamis, 28 November 2024")).to_be_disabled()   # no future day
        shot(page, "exports-day-picker")
        picked.click()
        page.get_by_role("button", name="OK").click()
        expect(page.get_by_role("button", name=re.compile("^Sitrep tanggal 26 Nov 2024"))).to_be_visible()
        shot(page, "exports")
        with page.expect_download(timeout=STEP_TIMEOUT) as download:
            page.get_by_role("button", name=re.compile("^Laporan situasi")).click()
        assert download.value.suggested_filename == "sitrep-2024-11-26.pdf"
        with page.expect_download(timeout=STEP_TIMEOUT) as download:
            kept.click()
        assert download.value.suggested_filename == "sitrep-20241127-1800.pdf"
        page.set_viewport_size(WIDE)
        page.wait_for_timeout(1500)
        go(page, "Unduh")
        expect(page.get_by_text("Sitrep terjadwal (06:00, 18:00 WIB)")).to_be_visible(timeout=STEP_TIMEOUT)
        expect(page.get_by_text(re.compile("^REPLAY Pilkada 2024"))).to_be_visible()   # still a replay when wide
        shot(page, "exports")
    finally:
        page.close()


def test_an_admin_corrects_a_polres_strength_and_the_plan_reads_it(browser, world):  # noqa: F811
    client = SyncClient(world["server"].url)
    client.login("admin", "demo-admin-jambi")
    before = next(unit for unit in client.get_strength()["units"] if unit["unit"] == "Polres Kerinci")
    page = sign_in_at_atasan(browser, world["app"].url, WIDE, "admin", "demo-admin-jambi")
    try:
        go(page, "Penebalan")
        expect(page.get_by_text("Kekuatan personel")).to_be_visible(timeout=STEP_TIMEOUT)
        card = tid(page, "sv-strength-polres-kerinci")
        expect(page.get_by_role("group", name=re.compile(f"^Polres Kerinci Tersedia {before['available']} · "))
               ).to_be_visible()
        available = card.get_by_role("textbox", name="Tersedia")
        available.click()
        available.fill(str(before["available"] + 40))
        source = card.get_by_role("textbox", name=re.compile("Sumber angka"))
        source.click()
        source.fill("Sprin Kapolda Jambi (uji)")
        button(page, "Simpan angka Polres Kerinci").click()
        expect(page.get_by_text("Angka Polres Kerinci disimpan.")).to_be_visible(timeout=STEP_TIMEOUT)
        expect(page.get_by_role("group", name=re.compile(
            f"^Polres Kerinci Tersedia {before['available'] + 40} · .*Sprin Kapolda Jambi \\(uji\\) · diubah oleh admin"))
               ).to_be_visible()
        after = next(unit for unit in client.get_strength()["units"] if unit["unit"] == "Polres Kerinci")
        assert (after["available"], after["source"], after["set_by"]) == (
            before["available"] + 40, "Sprin Kapolda Jambi (uji)", "admin")
        shot(page, "plan-strength")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(1500)
        go(page, "Penebalan")
        expect(page.get_by_text("Kekuatan personel")).to_be_visible(timeout=STEP_TIMEOUT)
        tid(page, "sv-strength-polres-kerinci").scroll_into_view_if_needed()
        shot(page, "plan-strength")
    finally:
        page.close()

"""Personnel a Kapolda can trust, in Debian chromium: the demo replayed at voting night 2024 (critical
tahapan), Polres Kerinci signs in and reads an alert's personnel ("Penebalan +N personel untuk X dari
Y TPS (perkiraan)") and, on the map's region panel, Kerinci's standing plan (baseline Polda) with the
Polres' strength and shortfall marked as examples. Screenshots at 412×915 and 1366×768 go to $PETA_SHOTS.
"""
from __future__ import annotations

import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.ui.e2e_pages import BOARD, PHONE, STEP_TIMEOUT, WIDE, button, open_app, sign_in, tid
from tests.ui.e2e_support import FieldApp, SyncServer
from tests.ui.test_e2e_coverage import go, shot, to_top

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(os.environ.get("PETA_SHOTS") or Path(tempfile.gettempdir()) / "peta-rawan-shots")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-personnel")
    replay = {"PETA_REPLAY": f"2024-11-27T21:00:00+07:00@{datetime.now(UTC).isoformat()}"}
    server = SyncServer(workdir, env=replay)
    app = FieldApp(workdir, server.url, env=replay).start()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
        yield open_app(chromium, app.url, PHONE)
        chromium.close()
    app.stop()
    server.stop()


def reveal(page: Page, pattern: str) -> None:
    """Scroll the section (a wheel inside Flet's canvas) until the text matching ``pattern`` is on screen."""
    size = page.viewport_size
    page.mouse.move(size["width"] * 0.5, size["height"] - 150)     # below the map: a wheel over it zooms
    for _ in range(30):
        box = page.get_by_text(re.compile(pattern)).first.bounding_box()
        if box and box["y"] + box["height"] < size["height"] - 120:
            return
        page.mouse.wheel(0, 150)
        page.wait_for_timeout(200)


def both_sizes(page: Page, name: str, pattern: str) -> None:
    reveal(page, pattern)
    shot(page, name)
    page.set_viewport_size(WIDE)
    page.wait_for_timeout(1500)
    reveal(page, pattern)
    shot(page, name)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(1500)


def test_the_alert_detail_says_reinforcement_for_which_tps_as_an_estimate(page):
    sign_in(page, "polres.kerinci", "demo-polres-kerinci")
    # one incident, one alert: the hot spots are desa alerts, the Polsek's; the Polres shows every alert
    tid(page, "sv-filter-open").click(timeout=STEP_TIMEOUT)
    button(page, "Hapus saringan").click(timeout=STEP_TIMEOUT)
    expect(page.get_by_text(BOARD)).to_be_visible(timeout=STEP_TIMEOUT)
    page.locator("[flt-semantics-identifier^='sv-alert-']").first.click()
    expect(page.get_by_text(re.compile(r"^Penebalan \+\d+ personel untuk \d+ dari \d+ TPS \(perkiraan\)$")).first
           ).to_be_attached(timeout=STEP_TIMEOUT)
    both_sizes(page, "supervisor-alert-personnel", r"^perkiraan: jumlah TPS")


def test_the_region_panel_shows_kerinci_standing_plan_and_strength_with_its_gap(page):
    to_top(page)
    go(page, "Peta")
    region = tid(page, "sv-region-15.01")
    expect(region).to_be_attached(timeout=STEP_TIMEOUT)
    region.scroll_into_view_if_needed()
    region.click()
    expect(page.get_by_text(re.compile(r"^Polres Kerinci: kebutuhan [\d.]+, tersedia [\d.]+, kekurangan [\d.]+ "
                                       r"\(angka kekuatan CONTOH, ditetapkan Polda\)$"))).to_be_attached(
        timeout=STEP_TIMEOUT)
    expect(page.get_by_text(re.compile(r"rencana tetap \(baseline Polda\) \+\d+")).first).to_be_attached()
    both_sizes(page, "supervisor-region-personnel", r"^Polres Kerinci: kebutuhan")

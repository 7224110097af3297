"""The commander's map in Debian chromium, on the real server with the demo scenario (Pilkada 2024 replay).

Polres Kerinci's map opens on Kerinci and Sungai Penuh filling the box (not a speck in grey Jambi),
a tap on Sungai Penuh shows its kecamatan and a tap on Koto Baru its desa, the breadcrumb goes back
up; Polda's opens on the province and drills into Kerinci. On a phone (412×915) a swipe over the map
scrolls the page (no scroll trap) until "Geser peta" hands the drag to the map. The IKP layer is one
tap away. Screenshots go to $PETA_SHOTS (docs/screenshots/ when refreshing them).
"""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.ui.e2e_pages import PHONE, STEP_TIMEOUT, WIDE, sign_in_at_atasan, tid
from tests.ui.e2e_support import FieldApp, SyncServer, server_cli
from tests.ui.test_e2e_supervisor import (
    browser,  # noqa: F401 — the module's chromium
    go,
    shot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SUNGAI_PENUH, KERINCI, KOTO_BARU = "15.72", "15.01", "15.72.07"
OUTSIDE_GREY = (0xD6, 0xD6, 0xD6)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-map")
    server = SyncServer(workdir)
    server_cli(server.db, "evaluate", env=server.env)
    app = FieldApp(workdir, server.url).start()
    yield {"server": server, "app": app}
    app.stop()
    server.stop()


def open_map(browser, world, viewport, username: str, password: str) -> Page:  # noqa: F811
    """``/atasan`` on a touch screen, signed in, on the map."""
    page = sign_in_at_atasan(browser, world["app"].url, viewport, username, password, touch=True)
    go(page, "Peta")
    expect(tid(page, "sv-map-frame")).to_be_visible(timeout=STEP_TIMEOUT)
    return page


def filled_span(page: Page) -> float:
    """How much of the map box's width or height the regions in scope span (the larger share): all but the
    light grey of the background and of regions outside the scope (in scope is coloured, or dark grey when
    not reporting)."""
    box = tid(page, "sv-map-frame").bounding_box()
    image = Image.open(io.BytesIO(page.screenshot(clip=box))).convert("RGB").resize((120, 90))
    width, height = image.size
    pixels = image.load()
    ours = [(x, y) for x in range(width) for y in range(height)
            if not (min(pixels[x, y]) > 200 and max(pixels[x, y]) - min(pixels[x, y]) < 16)]
    if not ours:
        return 0.0
    xs, ys = [p[0] for p in ours], [p[1] for p in ours]
    return max((max(xs) - min(xs) + 1) / width, (max(ys) - min(ys) + 1) / height)


def test_polres_kerinci_opens_on_its_scope_drills_down_and_back(browser, world):  # noqa: F811
    page = open_map(browser, world, WIDE, "polres.kerinci", "demo-polres-kerinci")
    try:
        expect(tid(page, f"sv-map-label-{SUNGAI_PENUH}")).to_be_visible(timeout=STEP_TIMEOUT)
        expect(tid(page, f"sv-map-label-{KERINCI}")).to_be_visible()
        page.wait_for_timeout(1000)
        assert filled_span(page) > 0.85                          # Kerinci + Sungai Penuh fill it, not a speck
        shot(page, "map-polres")
        tid(page, f"sv-map-label-{SUNGAI_PENUH}").click()          # a tap on the map opens the kota
        expect(tid(page, f"sv-map-label-{KOTO_BARU}")).to_be_visible(timeout=STEP_TIMEOUT)
        expect(page.get_by_text(re.compile(r"^Kota Sungai Penuh: Sangat rawan", re.I))).to_be_visible()
        expect(page.get_by_role("button", name="Seluruh wilayah Anda")).to_be_visible()
        shot(page, "map-polres-kota")
        tid(page, f"sv-region-{KOTO_BARU}").click()                # ... its kecamatan (from the list) its desa
        expect(page.get_by_text(re.compile(r"^Kecamatan Koto Baru: "))).to_be_visible(timeout=STEP_TIMEOUT)
        expect(tid(page, "sv-region-15.72.07.2004")).to_be_attached(timeout=STEP_TIMEOUT)
        expect(page.get_by_role("button", name="Kota Sungai Penuh")).to_be_visible()
        shot(page, "map-polres-desa")
        page.get_by_role("button", name="Seluruh wilayah Anda").click()
        expect(tid(page, f"sv-map-label-{KERINCI}")).to_be_visible(timeout=STEP_TIMEOUT)
        expect(tid(page, f"sv-map-label-{KOTO_BARU}")).to_have_count(0)
    finally:
        page.context.close()


def test_polda_opens_on_the_province_drills_into_kerinci_and_shows_the_ikp_layer(browser, world):  # noqa: F811
    page = open_map(browser, world, WIDE, "polda.jambi", "demo-polda-jambi")
    try:
        expect(tid(page, f"sv-map-label-{KERINCI}")).to_be_visible(timeout=STEP_TIMEOUT)
        page.wait_for_timeout(1000)
        shot(page, "map-polda")
        expect(tid(page, "sv-map-label-15.05")).to_be_visible()                          # Muaro Jambi
        assert filled_span(page) > 0.85                                                 # the province fills it
        tid(page, f"sv-map-label-{KERINCI}").click()
        expect(tid(page, "sv-region-15.01.01")).to_be_attached(timeout=STEP_TIMEOUT)      # its kecamatan
        expect(tid(page, "sv-map-label-15.05")).to_have_count(0)
        expect(page.get_by_text(re.compile(r"^Kabupaten Kerinci: "))).to_be_visible()
        page.wait_for_timeout(1000)
        shot(page, "map-polda-kerinci")
        expect(page.get_by_text(re.compile(r"^IKP Bawaslu: sedang \(skor 6\.32\) · baseline Polda: Rawan"))
               ).to_be_visible()
        expect(page.get_by_text(re.compile(r"^Cakupan: "))).to_be_visible()
        page.get_by_role("button", name="IKP Bawaslu").click()
        expect(page.get_by_text(re.compile(r"^IKP Bawaslu Pilkada 2024 per kabupaten/kota"))).to_be_visible(
            timeout=STEP_TIMEOUT)
        expect(page.get_by_text(re.compile(r"IKP sedang")).first).to_be_attached()
        shot(page, "map-polda-kerinci-ikp")
        page.get_by_role("button", name="Keduanya").click()                      # the two layers at once
        expect(tid(page, "sv-map-both-kamtibmas")).to_be_visible(timeout=STEP_TIMEOUT)
        expect(tid(page, "sv-map-both-ikp")).to_be_visible()
        expect(tid(page, "sv-map-label-15.01.01")).to_be_attached()                     # a kecamatan, live level
        expect(tid(page, "sv-map-label-15.01.01-ikp")).to_be_attached()                 # the same, its IKP
        page.wait_for_timeout(1000)
        shot(page, "map-polda-kerinci-both")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(1500)
        go(page, "Peta")
        page.get_by_role("button", name="Keduanya").click()
        expect(tid(page, "sv-map-both-ikp")).to_be_attached(timeout=STEP_TIMEOUT)
        page.wait_for_timeout(1000)
        shot(page, "map-polda-both")
    finally:
        page.context.close()


def swipe_up_over(page: Page, box: dict) -> None:
    """A finger dragging up across the middle of ``box`` (a touch gesture, as on a phone)."""
    session = page.context.new_cdp_session(page)
    session.send("Input.synthesizeScrollGesture", {
        "x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] * 0.75, "yDistance": -250,
        "gestureSourceType": "touch", "speed": 600})
    session.detach()
    page.wait_for_timeout(800)


def test_on_a_phone_the_page_scrolls_over_the_map_until_geser_peta_and_a_tap_drills(browser, world):  # noqa: F811
    page = open_map(browser, world, PHONE, "polres.kerinci", "demo-polres-kerinci")
    try:
        frame = tid(page, "sv-map-frame")
        expect(tid(page, f"sv-map-label-{SUNGAI_PENUH}")).to_be_visible(timeout=STEP_TIMEOUT)
        page.wait_for_timeout(1000)
        shot(page, "map-polres")
        page.get_by_role("button", name="Geser peta").click()                  # the map takes the drag
        expect(page.get_by_role("button", name="Selesai menggeser")).to_be_visible(timeout=STEP_TIMEOUT)
        before = frame.bounding_box()
        swipe_up_over(page, before)
        assert abs(frame.bounding_box()["y"] - before["y"]) < 5                # the page did not move
        page.get_by_role("button", name="Selesai menggeser").click()           # locked again: no scroll trap
        expect(page.get_by_role("button", name="Geser peta")).to_be_visible(timeout=STEP_TIMEOUT)
        page.wait_for_timeout(1000)
        before = frame.bounding_box()
        swipe_up_over(page, before)
        assert frame.bounding_box()["y"] < before["y"] - 100                   # the page scrolled over the map
        page.mouse.wheel(0, -2000)
        page.wait_for_timeout(800)
        tid(page, f"sv-map-label-{SUNGAI_PENUH}").click()                       # a tap still opens a region
        expect(page.get_by_text(re.compile(r"^Kota Sungai Penuh: Sangat rawan", re.I))).to_be_visible(
            timeout=STEP_TIMEOUT)
        page.wait_for_timeout(1000)
        shot(page, "map-polres-kota")
        before = frame.bounding_box()
        page.mouse.move(before["x"] + before["width"] / 2, before["y"] + before["height"] / 2)
        page.mouse.wheel(0, 700)                                               # the wheel over the map too
        page.wait_for_timeout(1000)
        assert frame.bounding_box()["y"] < before["y"] - 100
        page.wait_for_timeout(2500)
        shot(page, "map-polres-panel")
    finally:
        page.context.close()

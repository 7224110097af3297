"""End to end at 412x915 (issue 14.1): a task answered offline with a photo reaches the supervisor after
the link returns, and the supervisor sees the photo.

The real sync server (demo accounts), a signal proxy in front of it for the officer's app, and two
``python -m field_app`` processes in web mode in Debian chromium: the Bhabin's (through the proxy)
and the Polsek's (straight to the server). In order (the tests share the module's processes): the
Bhabin enrols; the Polsek assigns him the Dujung Sakti alert; with the signal cut he accepts, writes
what was done and attaches a photo (the browser's file chooser, shrunk by the app), sends the answer
and sees it wait; signal back, the photo and the answer go; the Polsek opens the alert and sees the
answer under its history with the photo itself. Screenshots at 412x915 and 1366x768: $PETA_SHOTS,
named officer-task-photo-*.png and supervisor-task-photo-*.png.
"""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect, sync_playwright

from field_app.sync_client import SyncClient
from tests.server.helpers import wait_until
from tests.ui.e2e_pages import PHONE, STEP_TIMEOUT, WIDE, button, enrol, open_app, sign_in, tid, type_into
from tests.ui.e2e_support import ROOT, FieldApp, SignalProxy, SyncServer
from tests.ui.test_e2e_officer import DUJUNG_SAKTI, GPS, OFFICER, OFFICER_NAME, PIN, SHOTS, shot
from tests.ui.test_e2e_officer_loop import ANSWER, TASK_NOTE, _assigned_alert, until
from tests.ui.test_e2e_supervisor import show_every_alert

pytestmark = [pytest.mark.browser, pytest.mark.slow]

POLSEK, POLSEK_PASSWORD = "polsek.pesisirbukit", "demo-polsek-pb"
RED, BLUE = (210, 30, 30), (20, 40, 200)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-task-photo")
    server = SyncServer(workdir)
    proxy = SignalProxy(server.port).restore()
    (workdir / "officer").mkdir()
    (workdir / "polsek").mkdir()
    officer = FieldApp(workdir / "officer", proxy.url).start()
    polsek = FieldApp(workdir / "polsek", server.url).start()
    yield {"server": server, "proxy": proxy, "app": officer, "polsek_app": polsek}
    officer.stop()
    polsek.stop()
    proxy.stop()
    server.stop()
    for app in (officer, polsek):
        ours = [line for line in app.process.log().splitlines() if f'File "{ROOT / "field_app"}' in line]
        assert ours == [], app.process.log()[-6000:]


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(chromium, world):
    context = chromium.new_context(viewport=PHONE, geolocation=GPS, permissions=["geolocation"], locale="id-ID")
    tab = open_app(context, world["app"].url)
    yield tab
    context.close()


def posko_photo() -> bytes:
    """A 2400x1800 camera JPEG: red on the left, blue on the right, so the shrunk picture is recognisable."""
    image = Image.new("RGB", (2400, 1800), RED)
    image.paste(BLUE, (1200, 0, 2400, 1800))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def shot_both(page: Page, name: str) -> None:
    shot(page, f"{name}-412x915")
    page.set_viewport_size(WIDE)
    page.wait_for_timeout(1500)
    shot(page, f"{name}-1366x768")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(1500)


def test_enrol(page, world):
    enrol(page, OFFICER, world["server"].enrollment_code(OFFICER), PIN, OFFICER_NAME)


def test_a_task_answered_offline_with_a_photo_reaches_the_server_after_the_link_returns(page, world):
    alert = world["alert"] = _assigned_alert(world)
    button(page, "Kirim sekarang").click()
    expect(page.get_by_text("1 tugas belum diterima", exact=False)).to_be_visible(timeout=STEP_TIMEOUT)
    world["proxy"].cut()
    page.get_by_text("1 tugas belum diterima", exact=False).click()
    page.get_by_text(TASK_NOTE).first.click()
    expect(page.get_by_text("Arahan pimpinan")).to_be_visible(timeout=STEP_TIMEOUT)
    type_into(page, "Apa yang sudah dilakukan", ANSWER)
    with page.expect_file_chooser(timeout=STEP_TIMEOUT) as chooser:
        button(page, "Tambah foto").click()
    chooser.value.set_files(files=[{"name": "posko.jpg", "mimeType": "image/jpeg", "buffer": posko_photo()}])
    expect(page.get_by_text("Foto terlampir, dikirim bersama jawaban.")).to_be_visible(timeout=STEP_TIMEOUT)
    expect(tid(page, "task-photo")).to_be_visible()
    expect(button(page, "Ganti foto")).to_be_visible()
    shot_both(page, "task-photo-attached")
    button(page, "Kirim jawaban").click()
    expect(page.get_by_text(f"Jawaban: {ANSWER} (+1 foto) · Belum terkirim")).to_be_visible(timeout=STEP_TIMEOUT)
    expect(tid(page, "task-photo")).to_be_hidden()                      # gone with the answer
    shot_both(page, "task-photo-waiting")
    polsek = _polsek(world)
    assert not [line for line in polsek.get_alert(alert["id"])["history"] if line["event"].startswith("task_")]
    world["proxy"].restore()
    button(page, "Kirim sekarang").click()
    expect(page.get_by_text(re.compile(r"^Jawaban: .* \(\+1 foto\) · Terkirim hari ini"))).to_be_visible(
        timeout=STEP_TIMEOUT)
    shot_both(page, "task-photo-sent")
    detail = until(lambda: (lambda d: d if d["task"]["reported_at"] else None)(polsek.get_alert(alert["id"])),
                   "the answer on the server")
    (answer,) = [line for line in detail["history"] if line["event"] == "task_report"]
    assert answer["note"] == ANSWER and len(answer["data"]["media"]) == 1
    sha = world["sha"] = answer["data"]["media"][0]
    sent = polsek.get_answer_photo(alert["id"], sha)
    assert sent == (world["app"].data_dir / "media" / f"{sha}.jpg").read_bytes()     # the phone's shrunk photo
    picture = Image.open(io.BytesIO(sent))
    assert picture.format == "WEBP" and picture.size == (1024, 768)
    button(page, "Tutup").click()


def test_the_supervisor_sees_the_answer_and_its_photo(chromium, world):
    sha = world["sha"]
    context = chromium.new_context(viewport=PHONE, locale="id-ID")
    try:
        page = open_app(context, world["polsek_app"].url)
        sign_in(page, POLSEK, POLSEK_PASSWORD)
        show_every_alert(page)
        tid(page, f"sv-alert-{DUJUNG_SAKTI}").click()
        expect(page.get_by_text(re.compile(rf"^Jawaban {OFFICER_NAME} .*: {re.escape(ANSWER)}"))).to_be_visible(
            timeout=STEP_TIMEOUT)
        photo = tid(page, f"sv-answer-photo-{sha[:12]}")
        expect(photo).to_be_attached(timeout=STEP_TIMEOUT)
        assert wait_until(lambda: _scrolled_into_view(page, photo), STEP_TIMEOUT / 1000), "the photo stays off screen"
        # the picture is decoded after its box is laid out: wait (with a deadline) until it is painted
        assert wait_until(lambda: _painted(photo), STEP_TIMEOUT / 1000), "the photo is not drawn"
        _supervisor_shots(page)
    finally:
        context.close()


def _polsek(world) -> SyncClient:
    client = SyncClient(world["server"].url)
    client.login(POLSEK, POLSEK_PASSWORD)
    return client


def _scrolled_into_view(page: Page, element) -> bool:
    """Flutter draws on a canvas: scrolling the DOM does not move it. Turn the wheel over the screen
    until the element's box lies inside the viewport (above the navigation bar)."""
    box = element.bounding_box()
    bottom = page.viewport_size["height"] - 90
    if box is not None and box["y"] >= 60 and box["y"] + box["height"] <= bottom:
        return True
    page.mouse.move(page.viewport_size["width"] / 2, bottom / 2)
    page.mouse.wheel(0, 250 if box is None or box["y"] > 60 else -250)
    return False


def _painted(photo) -> bool:
    drawn = Image.open(io.BytesIO(photo.screenshot())).convert("RGB")
    return _has(drawn, RED) and _has(drawn, BLUE)


def _has(picture: Image.Image, colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    """Whether a good part (a tenth) of ``picture`` is near ``colour``."""
    near = sum(count for count, pixel in picture.getcolors(picture.width * picture.height)
               if all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True)))
    return near >= picture.width * picture.height // 10


def _supervisor_shots(page: Page) -> None:
    for size in (PHONE, WIDE):
        page.set_viewport_size(size)
        page.wait_for_timeout(1500)
        page.get_by_text(re.compile(rf"^Jawaban {OFFICER_NAME}")).scroll_into_view_if_needed()
        page.mouse.move(size["width"] - 2, size["height"] // 2)
        page.wait_for_timeout(900)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"supervisor-task-photo-{size['width']}x{size['height']}.png"))

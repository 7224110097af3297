"""Web mode (issue 14.2): losing the app server shows the app's Indonesian words at once, never Flet's
English "Working...", and the page comes back by itself.

``python -m field_app`` in Debian chromium at 412x915. The app process is killed (a crash: SIGKILL)
and started again on the same port; then the browser itself goes offline and back; then the process
is stopped (SIGSTOP: a hang that closes no socket) and continued. The words are in the page
(``field_app/web/link_banner.js``, inlined into ``index.html`` by ``field_app/web_index.py``): the
side that would otherwise speak is the one that is gone. Screenshots (412x915 and 1366x768):
$PETA_SHOTS, named officer-app-server-lost-*.png and officer-app-server-silent-*.png.
"""
from __future__ import annotations

import http.client
import os
import signal
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.ui.e2e_pages import LOAD_TIMEOUT, STEP_TIMEOUT, open_app, textbox
from tests.ui.e2e_support import FieldApp
from tests.ui.test_e2e_officer import shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TITLE = "Koneksi ke server aplikasi terputus — menyambung ulang…"
SILENT = "Server aplikasi tidak menjawab — layar ini mungkin tidak terbaru"
WIDE = {"width": 1366, "height": 768}
PROBE_SECONDS = "1"          # the page asks every second, and waits a second for the answer


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    started = FieldApp(tmp_path_factory.mktemp("app-server-lost"), "http://127.0.0.1:9",
                       env={"PETA_LINK_PROBE_SECONDS": PROBE_SECONDS}).start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def context():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
        made = chromium.new_context(viewport={"width": 412, "height": 915}, locale="id-ID")
        yield made
        made.close()
        chromium.close()


def fetch(app: FieldApp, path: str) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(app.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def signal_app(app: FieldApp, number: int) -> None:
    os.killpg(app.process.popen.pid, number)


def crash(app: FieldApp) -> None:
    signal_app(app, signal.SIGKILL)
    app.process.popen.wait(timeout=10)


def cover(page: Page):
    return page.locator("#peta-link-lost")


@pytest.mark.parametrize("path", ["/", "/tugas/123"])
def test_every_page_carries_the_words_before_flutter_starts(app, path):
    status, headers, body = fetch(app, path)
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert int(headers["content-length"]) == len(body)                   # the new length, not Flet's
    assert TITLE.encode() in body
    assert body.index(TITLE.encode()) < body.index(b"</head>") < body.index(b"flutter_bootstrap.js")
    assert b"const PROBE_MS = 1000;" in body                                # PETA_LINK_PROBE_SECONDS


def test_the_probe_is_answered_beside_flet_and_never_cached(app):
    status, headers, body = fetch(app, "/_peta/link")
    assert (status, body, headers["cache-control"]) == (204, b"", "no-store")


def test_a_crashed_app_server_shows_the_indonesian_banner_at_once_and_the_page_returns(context, app):
    page = open_app(context, app.url)
    expect(textbox(page, "NRP")).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(cover(page)).to_be_hidden()
    crash(app)
    expect(page.get_by_text(TITLE)).to_be_visible(timeout=STEP_TIMEOUT)
    box = cover(page).bounding_box()                                       # over the whole page: Flet's
    assert box is not None and (box["width"], box["height"]) == (412, 915)   # "Working..." stays under it
    shot(page, "app-server-lost-412")
    page.set_viewport_size(WIDE)
    expect(page.get_by_text(TITLE)).to_be_visible()
    shot(page, "app-server-lost-1366")
    page.set_viewport_size({"width": 412, "height": 915})
    app.start()                                                            # the same port, a new process
    expect(cover(page)).to_be_hidden(timeout=LOAD_TIMEOUT)
    expect(textbox(page, "NRP")).to_be_visible(timeout=STEP_TIMEOUT)
    page.close()


def test_the_browser_going_offline_shows_it_too_and_back_online_it_goes(context, app):
    page = open_app(context, app.url)
    expect(textbox(page, "NRP")).to_be_visible(timeout=LOAD_TIMEOUT)
    context.set_offline(True)
    try:
        expect(page.get_by_text(TITLE)).to_be_visible(timeout=STEP_TIMEOUT)
    finally:
        context.set_offline(False)
    expect(cover(page)).to_be_hidden(timeout=LOAD_TIMEOUT)
    expect(textbox(page, "NRP")).to_be_visible(timeout=STEP_TIMEOUT)
    page.close()


def test_a_hung_app_server_is_told_after_two_unanswered_probes_and_the_page_returns_when_it_answers(context, app):
    """A stopped process keeps its sockets: Flet's page would stay as it was, looking live."""
    page = open_app(context, app.url)
    expect(textbox(page, "NRP")).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(cover(page)).to_be_hidden()
    signal_app(app, signal.SIGSTOP)
    try:
        expect(page.get_by_text(SILENT)).to_be_visible(timeout=STEP_TIMEOUT)
        box = cover(page).bounding_box()
        assert box is not None and (box["width"], box["height"]) == (412, 915)
        assert page.evaluate("() => window.petaLinkBanner.shown()")
        shot(page, "app-server-silent-412")
        page.set_viewport_size(WIDE)
        expect(page.get_by_text(SILENT)).to_be_visible()
        shot(page, "app-server-silent-1366")
        page.set_viewport_size({"width": 412, "height": 915})
    finally:
        signal_app(app, signal.SIGCONT)
    expect(cover(page)).to_be_hidden(timeout=LOAD_TIMEOUT)                # the next probe is answered
    expect(textbox(page, "NRP")).to_be_visible()
    page.close()

"""Driving the app's pages in Debian chromium, for every ``test_e2e_*`` module: the two screen sizes and the
timeouts, opening the app, its controls by their accessible names, enrolling an officer's phone, and signing in
as a supervisor (through the door on the officer's unlock screen, or at the ``/atasan`` bookmark) — one home
for each. ``filled(form)``, where a step takes it, is called with that form filled in, before it is sent (a test
takes its screenshot there).
"""
from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Browser, BrowserContext, Page, expect

WIDE, PHONE = {"width": 1366, "height": 768}, {"width": 412, "height": 915}
LOAD_TIMEOUT, STEP_TIMEOUT = 60_000, 20_000
BOARD = re.compile(r"^\d+ peringatan aktif")     # the alert board's count: a supervisor is signed in


def load(page: Page, url: str) -> Page:
    """``url`` in ``page``, its semantics tree switched on (Flet draws on a canvas) and its first frame settled."""
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=LOAD_TIMEOUT)
    page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
    page.locator("flt-semantics").first.wait_for(state="attached", timeout=LOAD_TIMEOUT)
    page.wait_for_timeout(1000)                      # first frame settles before the first tap
    return page


def open_app(browser: Browser | BrowserContext, url: str, viewport: dict | None = None, *,
             touch: bool = False) -> Page:
    """The app at ``url`` in a new page: of a browser context as it is set up, or of a browser at ``viewport``
    (a touch screen when ``touch``), in Indonesian."""
    if viewport is None:
        return load(browser.new_page(), url)
    return load(browser.new_page(viewport=viewport, locale="id-ID", has_touch=touch), url)


def tid(page: Page, identifier: str):
    return page.locator(f'[flt-semantics-identifier="{identifier}"]')


def button(page: Page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def textbox(page: Page, name: str):
    return page.get_by_role("textbox", name=re.compile(re.escape(name)))


def type_into(page: Page, name: str, value: str) -> None:
    """Focus first: a fill right after a screen change can reach the DOM but not Flutter's field."""
    box = textbox(page, name)
    box.click()
    page.wait_for_timeout(200)
    box.fill(value)


def enrol(page: Page, nrp: str, code: str, pin: str, name: str, *,
          filled: Callable[[str], None] | None = None) -> None:
    """An officer's phone enrolled with a one-time ``code`` and given a new ``pin`` (forms ``"enrol"`` and
    ``"pin"``), done when the home greets the officer by ``name``."""
    expect(textbox(page, "NRP")).to_be_visible(timeout=LOAD_TIMEOUT)
    type_into(page, "NRP", nrp)
    type_into(page, "Kode pendaftaran", code)
    _send(page, "Daftar", "enrol", filled)
    expect(page.get_by_text("Buat PIN", exact=True)).to_be_visible(timeout=STEP_TIMEOUT)
    type_into(page, "PIN baru", pin)
    type_into(page, "Ulangi PIN", pin)
    _send(page, "Simpan PIN", "pin", filled)
    expect(page.get_by_text(name)).to_be_visible(timeout=STEP_TIMEOUT)


def sign_in(page: Page, username: str, password: str, *, door: bool = True,
            filled: Callable[[str], None] | None = None) -> None:
    """Signed in as a supervisor (form ``"sign_in"``), done when the alert board counts its active alerts:
    through the door on the officer's unlock screen ("Masuk sebagai atasan"), or (``door=False``) on the
    sign-in form already shown."""
    if door:
        button(page, "Masuk sebagai atasan").click(timeout=LOAD_TIMEOUT)
    type_into(page, "Nama pengguna", username)
    type_into(page, "Kata sandi", password)
    _send(page, "Masuk", "sign_in", filled)
    expect(page.get_by_text(BOARD)).to_be_visible(timeout=STEP_TIMEOUT)


def sign_in_at_atasan(browser: Browser, app_url: str, viewport: dict, username: str, password: str, *,
                      touch: bool = False) -> Page:
    """A supervisor's bookmark ``/atasan``: straight on the sign-in form (no officer PIN pad, enrollment or
    door on the way), signed in; the new page."""
    page = open_app(browser, app_url + "atasan", viewport, touch=touch)
    expect(textbox(page, "Nama pengguna")).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(button(page, "Masuk sebagai atasan")).to_have_count(0)
    sign_in(page, username, password, door=False)
    return page


def _send(page: Page, label: str, form: str, filled: Callable[[str], None] | None) -> None:
    if filled is not None:
        filled(form)
    button(page, label).click()

"""End to end in Debian chromium: after the link has been down, a waiting report's outbox card offers
"Kirim lewat SMS" (the phone enrolled on a server with SMS, so it holds its SMS key and the gateway's
number). Screenshot: officer-outbox-sms-412x915.png in $PETA_SHOTS."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.ui.e2e_pages import STEP_TIMEOUT, button, enrol, open_app
from tests.ui.e2e_support import FieldApp, SignalProxy, SyncServer
from tests.ui.test_e2e_officer import (
    OFFICER,
    OFFICER_NAME,
    PIN,
    browser,  # noqa: F401 — the module's browser fixture
    file_quick_report,
    outbox_ids,
    outbox_item,
    shot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-sms")
    server = SyncServer(workdir, env={"PETA_SMS_SECRET": "rahasia", "PETA_SMS_NUMBER": "+628110000001"})
    proxy = SignalProxy(server.port).restore()
    app = FieldApp(workdir, proxy.url, env={"PETA_SMS_AFTER_MINUTES": "0"}).start()   # no 10-minute wait here
    yield {"server": server, "proxy": proxy, "app": app}
    app.stop()
    proxy.stop()
    server.stop()


def test_a_waiting_report_offers_kirim_lewat_sms_after_the_link_went_down(browser, world):  # noqa: F811
    page = open_app(browser, world["app"].url)
    enrol(page, OFFICER, world["server"].enrollment_code(OFFICER), PIN, OFFICER_NAME)

    world["proxy"].cut()
    file_quick_report(page)
    button(page, "Lihat Kotak Keluar").click()
    (report_id,) = outbox_ids(world["app"])
    card = outbox_item(page, report_id)
    expect(card).to_have_attribute("aria-label", re.compile("Menunggu sinyal.*sudah dicoba"), timeout=STEP_TIMEOUT)
    expect(card.get_by_role("button", name="Kirim lewat SMS", exact=True)).to_be_visible(timeout=STEP_TIMEOUT)
    shot(page, "outbox-sms-412x915")
    page.close()

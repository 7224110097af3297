"""The officer's shell, in-process: reports land in the outbox, sync states, feedback, language."""
from __future__ import annotations

from datetime import datetime, time

from tests.ui.conftest import DESA_POINT, OFFICER, closed_port_url, enroll, make_device, start_app, unlock
from tests.ui.flet_harness import HeadlessApp

DUJUNG_SAKTI = "15.72.07.2004"


async def _open_shell(device, **options) -> HeadlessApp:
    app = await start_app(device, **options)
    await unlock(app)
    assert app.has("nav")
    return app


async def _wait_sync(app: HeadlessApp, device) -> None:
    hub = device.hubs[OFFICER]
    await app.wait_for(lambda: hub.last is not None and not hub.running, what="a sync pass")


async def test_the_main_screens_build_with_their_words(enrolled):
    app = await _open_shell(enrolled)
    assert app.find("home-quick") and app.find("home-full")
    assert app.find("status-sync-now") and app.find("status-pending").value == "Semua laporan terkirim"
    labels = [d.label for d in app.find("nav").destinations]
    assert labels == ["Beranda", "Kotak Keluar", "Umpan Balik", "Pengaturan"]
    for index, probe in ((1, "outbox-list"), (2, "feedback-tabs"), (3, "settings-server"), (0, "home-quick")):
        await _choose_tab(app, index)
        assert app.has(probe), probe
    await app.close()


async def _choose_tab(app: HeadlessApp, index: int, key: str = "nav") -> None:
    """A tap on a tab of the navigation bar (or of ``key``): the client sets the index, then fires change."""
    control = app.find(key)
    app.session.apply_patch(control._i, {"selected_index": index})
    await app.session.dispatch_event(control._i, "change", str(index))
    await app.settle()


def _sent_badges(app: HeadlessApp, since: int) -> list[str]:
    badges = []
    for message in app.conn.sent[since:]:
        if getattr(message.body, "patch", None) is None:
            continue
        found: list = []
        _walk(message.body.patch, found)
        badges += found
    return badges


def _walk(value, found: list) -> None:
    if type(value).__name__ == "Badge":
        found.append(value.label)
    elif isinstance(value, list | tuple):
        for item in value:
            _walk(item, found)
    elif hasattr(value, "__dataclass_fields__"):
        for name in ("icon", "destinations", "badge"):
            if hasattr(value, name):
                _walk(getattr(value, name), found)


async def test_a_quick_report_in_three_taps_waits_in_the_outbox_without_signal(tmp_path, server):
    device = make_device(tmp_path / "data", server.url)
    enroll(device, server.url)
    device.outbox.meta.set(OFFICER, "enrollment", {**device.outbox.meta.get(OFFICER, "enrollment"),
                                                   "server_url": closed_port_url()})    # no signal from now on
    app = await _open_shell(device, responders={"get_current_position": lambda args: DESA_POINT})
    await app.click("home-quick")
    await app.click("quick-cat-bentrok")
    await app.click("quick-stage-GN")
    await app.wait_for(lambda: app.find("quick-desa-name").value == "Desa Dujung Sakti", what="desa from GPS")
    assert app.find("quick-desa-how").value == "Dari GPS: di dalam batas desa (akurasi ± 9 m)."
    mark = app.mark
    await app.click("quick-confirm")
    assert "Tersimpan" in app.conn.sent_values(mark)

    await app.click("quick-to-outbox")
    [report_id] = [entry.id for entry in device.outbox.entries(OFFICER)]
    await _wait_sync(app, device)
    chip = app.find(f"outbox-state-{report_id}")
    assert chip.content.controls[1].value.startswith("Menunggu sinyal")
    assert "Menunggu sinyal" in " ".join(str(v) for v in app.conn.sent_values(mark))
    assert app.find("status-pending").value == "1 laporan belum terkirim"
    assert app.find("status-sync").value.startswith("Menunggu sinyal · dicoba lagi")
    assert chip.content.controls[1].value.startswith(app.find("status-sync").value)   # strip and card agree
    await app.close()
    device.close()


async def test_without_a_gps_fix_the_quick_report_asks_for_the_desa(enrolled):
    def no_fix(args):
        raise RuntimeError("User denied Geolocation")

    app = await _open_shell(enrolled, responders={"get_current_position": no_fix})
    await app.click("home-quick")
    await app.click("quick-cat-logistik")
    await app.click("quick-stage-AG")
    await app.wait_for(lambda: app.find("quick-desa-how").value.startswith("GPS belum dapat lokasi"))
    mark = app.mark
    await app.click("quick-confirm")
    assert ("value", "Pilih desa dari daftar, atau ambil lokasi GPS.") in app.conn.sent_props(mark)
    await app.click(f"quick-desa-option-{DUJUNG_SAKTI}")
    assert app.find("quick-desa-how").value == "Dipilih dari daftar."
    await app.click("quick-confirm")
    assert app.has("quick-done")
    assert [entry.desa_code for entry in enrolled.outbox.entries(OFFICER)] == [DUJUNG_SAKTI]
    await app.close()


async def test_the_full_form_marks_each_field_then_saves(enrolled):
    app = await _open_shell(enrolled)
    await app.click("home-full")
    mark = app.mark
    await app.click("form-save")
    sent = app.conn.sent_props(mark)
    assert ("error_text", "Pilih kategori kerawanan.") in sent                # Dropdown: error_text
    assert ("error", "Tuliskan fakta yang dilihat atau didengar.") in sent    # TextField: error
    assert ("value", "Pilih tingkat ancaman: PG, AG atau GN.") in sent
    assert ("value", "Laporan belum bisa disimpan: periksa 4 isian yang ditandai.") in sent

    await app.select("form-category", "pengerahan_massa")
    assert app.find("form-category-hint").value.startswith("Massa dikumpulkan")
    await app.click("form-stage-AG")
    await app.type("form-desa-search", "dujung")
    await app.click(f"form-desa-option-{DUJUNG_SAKTI}")
    await app.type("form-facts", "Massa konvoi menuju kantor PPK.")
    await app.type("form-people-count", "banyak")
    mark = app.mark
    await app.click("form-save")
    assert ("error", "Jumlah orang harus berupa angka bulat, mis. 40.") in app.conn.sent_props(mark)

    await app.type("form-people-count", "120")
    await app.select("form-reliability", "B")
    await app.select("form-credibility", "2")
    await app.click("form-save")
    assert app.has("form-done")
    [entry] = enrolled.outbox.entries(OFFICER)
    assert (entry.category, entry.threat_stage, entry.wire["people_count"], entry.wire["source_reliability"],
            entry.wire["info_credibility"]) == ("pengerahan_massa", "AG", 120, "B", 2)
    await app.close()


async def test_the_time_observed_is_picked_as_a_date_then_a_time_in_wib(enrolled):
    app = await _open_shell(enrolled)
    await app.click("home-full")
    await app.click("form-time-change")
    await app.event("form-date-picker", "change", value=datetime(2024, 11, 27))
    await app.event("form-time-picker", "change", value=time(21, 40))
    assert app.find("form-time").value == "27 Nov 2024 21:40 WIB"
    assert app.find("form-time-stage").value == "Tahapan: Pemungutan dan penghitungan suara"
    await app.click("form-time-now")
    assert app.find("form-time").value.startswith("hari ini")
    await app.close()


async def test_leaving_the_form_keeps_a_draft(enrolled):
    app = await _open_shell(enrolled)
    await app.click("home-full")
    await app.type("form-facts", "Baliho dirobek orang tak dikenal.")
    await app.click("shell-back")
    await app.click("home-full")
    assert app.find("form-facts").value == "Baliho dirobek orang tak dikenal."
    await app.type("form-tps", "07")
    await _lifecycle(app, "hide")                                   # the phone puts the app away
    assert enrolled.outbox.meta.get(OFFICER, "draft")["tps"] == "07"
    await app.close()


async def _lifecycle(app: HeadlessApp, state: str) -> None:
    await app.session.dispatch_event(app.page._i, "app_lifecycle_state_change", {"state": state})
    await app.settle()


async def test_sending_then_a_review_shows_in_feedback_with_a_badge(enrolled, server):
    app = await _open_shell(enrolled)
    await app.click("home-full")
    await app.select("form-category", "bentrok")
    await app.click("form-stage-GN")
    await app.click(f"form-desa-option-{DUJUNG_SAKTI}")
    await app.type("form-facts", "Dua kubu saling lempar batu.")
    await app.click("form-save")
    [entry] = enrolled.outbox.entries(OFFICER)
    await app.click("form-to-outbox")
    await app.wait_for(lambda: enrolled.outbox.get(entry.id).state == "sent", what="sent")
    await app.wait_for(lambda: app.find(f"outbox-state-{entry.id}").content.controls[1].value.startswith("Terkirim"))

    server.add_change("review", {"report_id": entry.id, "review": {"status": "confirmed", "note": "Dicek."}},
                      recipient=OFFICER)
    mark = app.mark
    await app.click("status-sync-now")
    await app.wait_for(lambda: app.find("nav").destinations[2].icon.badge is not None, what="unread badge")
    assert app.find("nav").destinations[2].icon.badge.label == "1"
    assert "1" in _sent_badges(app, mark)

    await _choose_tab(app, 0)
    assert app.find("home-unread").content.controls[1].value == "1 umpan balik baru dari atasan"
    await _choose_tab(app, 2)
    assert [tab.label for tab in app.find("feedback-tab-bar").tabs] == ["Peringatan", "Tinjauan (1)", "Tugas"]
    await _choose_tab(app, 1, key="feedback-tabs")
    [item] = enrolled.outbox.inbox.entries(OFFICER, "review")
    title = app.find(f"feedback-title-{item.seq}").value
    assert title == "Laporan Bentrok antar pendukung di Desa Dujung Sakti: dikonfirmasi"
    assert app.find(f"feedback-detail-{item.seq}").value == "Dicek."
    await app.click(f"feedback-item-{item.seq}")
    assert app.find("nav").destinations[2].icon.badge is None
    await app.close()

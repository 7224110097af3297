"""The supervisor shell in-process (no browser): board, detail, acknowledge, the 412 notice, the layouts."""
from __future__ import annotations

from datetime import timedelta

from field_app.views.router import AppSession
from field_app.views.supervisor import SupervisorSession, SupervisorShell
from tests.app.supervisor_fakes import NOW, FakeSupervisorClient, an_alert
from tests.ui.conftest import closed_port_url, make_device
from tests.ui.flet_harness import HeadlessApp


async def open_shell(tmp_path, client, *, width=412, height=915, role="supervisor") -> tuple[HeadlessApp, SupervisorShell]:
    device = make_device(tmp_path / "data", closed_port_url())
    session = SupervisorSession("polres.kerinci", "Kompol Hendra", role, ("15.01", "15.72"), client)
    holder = {}

    def main(page):
        app = AppSession(page, device)
        app.start()
        app.open_session(session)
        holder["app"] = app

    app = await HeadlessApp(main, width=width, height=height).start()
    await app.wait_for(lambda: app.has("sv-alert-a1") or app.has("sv-board-empty"), what="board loaded")
    return app, holder["app"].screen


async def test_the_board_shows_the_alert_with_words_for_overdue_and_escalated(tmp_path):
    client = FakeSupervisorClient([an_alert("a1", deadline=NOW - timedelta(hours=2), escalations=1)])
    app, shell = await open_shell(tmp_path, client)
    try:
        assert isinstance(shell, SupervisorShell)
        assert app.has("sv-overdue-a1") and app.has("sv-escalated-a1")
        texts = app.texts()
        assert "LEWAT BATAS WAKTU" in texts and "DIESKALASI ×1" in texts and "SANGAT RAWAN" in texts
        assert "Kota Sungai Penuh" in app.conn.sent_values()
        assert app.page.navigation_bar is not None and app.has("sv-nav")         # phone: a bottom bar
    finally:
        await app.close()


async def test_open_acknowledge_then_a_stale_action_is_told_and_shown(tmp_path):
    client = FakeSupervisorClient([an_alert("a1")])
    app, shell = await open_shell(tmp_path, client)
    try:
        await app.click("sv-alert-a1")
        await app.wait_for(lambda: app.has("sv-act-acknowledge"), what="detail")
        assert app.find("sv-detail-version").value.endswith("Versi 1 · status Baru")
        texts = app.texts()
        assert "Penebalan +148 personel untuk 276 dari 299 TPS (perkiraan)" in texts
        assert "dari laporan +12 · rencana tetap (baseline Polda) +136" in texts
        assert "Polres Kerinci: kebutuhan 1.012, tersedia 650, kekurangan 362 (angka kekuatan CONTOH, ditetapkan Polda)" \
            in texts
        assert app.has("sv-estimate")
        await app.click("sv-act-acknowledge")
        await app.wait_for(lambda: app.has("sv-done"), what="acknowledged")
        assert app.find("sv-detail-version").value.endswith("Versi 2 · status Diterima")

        client.change("a1", "polda.jambi", "assign", assignee="90110233")      # another supervisor, meanwhile
        mark = app.mark
        await app.wait_for(lambda: app.has("sv-assignee"), what="the officers of the region")
        await app.select("sv-assignee", "88030417")                             # picked by name, not typed
        await app.click("sv-act-assign")
        await app.wait_for(lambda: app.has("sv-stale"), what="stale notice")
        notice = app.find("sv-stale").value
        assert notice.startswith("Peringatan ini sudah diubah oleh polda.jambi — berikut keadaan terbaru")
        assert notice in app.conn.sent_values(mark)                             # it reached the client
        assert app.find("sv-detail-version").value.endswith("Versi 3 · status Ditangani")
        assert "Ditugaskan ke 90110233" in app.texts()
        assert client.alerts["a1"]["assignee"] == "90110233"                    # not overwritten
    finally:
        await app.close()


async def test_a_wide_window_gets_a_rail_and_every_section_renders(tmp_path):
    client = FakeSupervisorClient([an_alert("a1")])
    client.regions = {code: {"code": code, "name": code, "level": "rawan", "children": [], "coverage": {}}
                      for code in ("15.01", "15.72")}
    app, shell = await open_shell(tmp_path, client, width=1366, height=768, role="admin")
    try:
        assert app.page.navigation_bar is None and app.has("sv-rail")
        assert len(app.find("sv-rail").destinations) == 10                     # admins also get "Admin"
        for section in ("map", "review", "rekap", "timeline", "plan", "coverage", "trends", "exports", "admin"):
            shell.show_section(section)
            shell.app.push()
            await app.wait_for(lambda section=section: shell.title.value == shell.t(f"sv.nav.{section}"),
                               timeout=30, what=f"the {section} section")
        shell.show_section("map")
        shell.app.push()
        await app.wait_for(lambda: app.has("sv-map") and app.has("sv-region-15.72"), timeout=30, what="the map")
    finally:
        await app.close()


async def test_the_board_refreshes_by_itself(tmp_path, monkeypatch):
    monkeypatch.setattr("field_app.viewmodels.supervisor_board.REFRESH_SECONDS", 0.2)
    client = FakeSupervisorClient([an_alert("a1")])
    app, shell = await open_shell(tmp_path, client)
    try:
        client.alerts["a2"] = client.alerts["a1"] | {"id": "a2", "region_code": "15.01", "region_name": "Kerinci",
                                                      "level": "rawan"}
        await app.wait_for(lambda: app.has("sv-alert-a2"), timeout=3, what="the new alert without a tap")
        assert app.find("sv-board-summary").value.startswith("2 peringatan aktif")
    finally:
        await app.close()


async def test_the_supervisor_switches_to_english_and_back_and_the_device_remembers(tmp_path):
    client = FakeSupervisorClient([an_alert("a1")])
    app, shell = await open_shell(tmp_path, client)
    try:
        assert app.find("sv-title").value == "Peringatan" and "SANGAT RAWAN" in app.texts()
        await app.click("sv-language")
        await app.wait_for(lambda: app.find("sv-title").value == "Alerts", what="English shell")
        await app.wait_for(lambda: app.has("sv-alert-a1"), what="board reloaded")
        texts = app.texts()
        assert "HIGHLY VULNERABLE" in texts and "SANGAT RAWAN" not in texts
        assert [d.label for d in app.page.navigation_bar.destinations][:3] == ["Alerts", "Map", "Review"]
        assert shell.app.device.language == "en"
        await app.click("sv-language")
        await app.wait_for(lambda: app.find("sv-title").value == "Peringatan", what="Bahasa again")
        assert shell.app.device.language == "id"
    finally:
        await app.close()


async def test_the_admin_screen_resets_disables_ends_sessions_and_changes_the_own_password(tmp_path):
    client = FakeSupervisorClient([an_alert("a1")])
    app, shell = await open_shell(tmp_path, client, width=1366, height=768, role="admin")
    try:
        shell.show_section("admin")
        shell.app.push()
        await app.wait_for(lambda: app.has("sv-admin-failure-0"), timeout=30, what="who is being guessed")
        assert app.find("sv-admin-failure-0").value.startswith("Sedang ditebak: polres.kerinci dari 10.9.8.7 · 7×")
        await app.type("sv-account-for", "88030417")
        await app.click("sv-account-load")
        await app.wait_for(lambda: app.has("sv-account-card"), what="the account")
        assert app.find("sv-account-state").value == "Bripka Andri Saputra · Petugas (Bhabin) · aktif"
        await app.click("sv-account-reset")
        await app.wait_for(lambda: app.has("sv-account-temporary"), what="the one-time password")
        assert app.find("sv-account-temporary").value.startswith("Kata sandi sementara: KQ7M-3XPA-W9HD · sekali pakai")
        await app.click("sv-account-disable")
        await app.wait_for(lambda: "NONAKTIF sejak" in app.find("sv-account-state").value, what="disabled")
        assert app.find("sv-account-disable").content.value == "Aktifkan"           # the button turns around
        await app.click("sv-account-sessions")
        await app.wait_for(lambda: "2 sesi login 88030417 diakhiri (HP tetap jalan)." in app.texts(),
                           what="sessions ended")
        for key, value in (("sv-password-old", "lama-benar-123"), ("sv-password-new", "baru-sekali-123"),
                           ("sv-password-repeat", "baru-sekali-123")):
            await app.type(key, value)
        await app.click("sv-password-change")
        await app.wait_for(lambda: ("change_password", "lama-benar-123", "baru-sekali-123") in client.calls,
                           what="the change sent")
        assert ("disabled", "88030417", True) in client.calls and ("revoke_sessions", "88030417") in client.calls
    finally:
        await app.close()

"""Pengaturan → Foto: "Kirim foto nanti (Wi-Fi)" switched on the screen reaches the officer's sync
engine, and the phone's link (flet Connectivity) decides whether the photos go."""
from __future__ import annotations

from types import SimpleNamespace

from tests.ui.conftest import OFFICER
from tests.ui.test_ui_officer_shell import _choose_tab, _open_shell

SETTINGS = 3


async def test_the_switch_holds_photos_until_wifi(enrolled):
    app = await _open_shell(enrolled)
    await _choose_tab(app, SETTINGS)
    switch = app.find("settings-photos-wifi")
    assert switch.value is False and switch.label == "Kirim foto nanti (Wi-Fi)"
    assert app.find("settings-photos-held").value == "Tidak ada foto yang menunggu"
    assert app.find("settings-photos-send").visible is False

    await app.event("settings-photos-wifi", "change", True, True)
    engine = enrolled.hubs[OFFICER].engine
    assert enrolled.photos_wifi_only is True and engine.policy.photos_wifi_only is True

    enrolled.set_link(["mobile"])
    assert engine.photos_held() is True
    enrolled.set_link([SimpleNamespace(value="wifi")])                    # as flet's ConnectivityType arrives
    assert engine.photos_held() is False

    await app.event("settings-photos-wifi", "change", False, False)
    assert enrolled.photos_wifi_only is False and engine.policy.photos_wifi_only is False
    await app.close()

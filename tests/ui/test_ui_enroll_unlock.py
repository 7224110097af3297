"""Enrol and unlock, in-process: what the officer sees reaches the client (asserted on what was sent)."""
from __future__ import annotations

from field_app.pin import MAX_TRIES
from tests.ui.conftest import CODE, NAME, OFFICER, PIN, start_app, unlock


async def test_first_run_enrols_sets_a_pin_twice_and_opens_home(device, server):
    app = await start_app(device)
    assert app.find("enroll-server-url").value == server.url
    mark = app.mark
    await app.click("enroll-submit")
    await app.wait_for(lambda: not app.find("enroll-submit").disabled)
    sent = app.conn.sent_props(mark)
    assert ("error", "Isi NRP Anda.") in sent and ("error", "Isi kode pendaftaran dari atasan.") in sent
    labels = [value for prop, value in sent if prop == "value" and value in ("Daftar", "Menghubungi server…")]
    assert labels == ["Menghubungi server…", "Daftar"]        # busy while the request runs, then back
    assert [value for prop, value in sent if prop == "disabled"][-1] is False

    await app.type("enroll-nrp", OFFICER)
    await app.type("enroll-code", "WRONG-0000")
    await app.click("enroll-submit")
    await app.wait_for(lambda: app.find("enroll-message").visible, what="refusal")
    assert app.find("enroll-message").value.startswith("Kode salah, sudah dipakai")

    await app.type("enroll-code", CODE)
    await app.click("enroll-submit")
    await app.wait_for(lambda: app.has("enroll-pin"), what="PIN step")
    assert device.file_tokens.get(OFFICER)                       # the token went to the token store

    await app.type("enroll-pin", PIN)
    await app.type("enroll-pin-confirm", "999999")
    mark = app.mark
    await app.click("enroll-pin-submit")
    await app.wait_for(lambda: ("error", "Kedua PIN tidak sama.") in app.conn.sent_props(mark), what="mismatch")

    await app.type("enroll-pin-confirm", PIN)
    await app.click("enroll-pin-submit")
    await app.wait_for(lambda: app.has("nav"), what="home")
    assert app.find("home-officer").value == NAME
    assert app.find("status-pending").value == "Semua laporan terkirim"
    await app.close()


async def test_a_wrong_pin_says_how_many_tries_are_left(enrolled):
    app = await start_app(enrolled)
    assert app.has("unlock-officer-" + OFFICER)
    mark = app.mark
    await unlock(app, "111222")
    sent = app.conn.sent_props(mark)
    assert ("value", f"PIN salah. Sisa {MAX_TRIES - 1} kali percobaan.") in sent
    assert ("visible", True) in sent
    assert not app.has("nav")

    await unlock(app, PIN)
    assert app.has("nav") and app.find("home-officer").value == NAME
    await app.close()


async def test_repeated_wrong_pins_lock_unlocking_out(enrolled):
    app = await start_app(enrolled)
    for _ in range(MAX_TRIES):
        await unlock(app, "111222")
    assert app.find("unlock-message").value == "Terlalu banyak PIN salah. Coba lagi dalam 30 detik."
    await unlock(app, PIN)                                       # even the right PIN waits out the lockout
    assert not app.has("nav")
    assert app.find("unlock-message").value.startswith("Terlalu banyak PIN salah")
    await app.close()


async def test_the_pin_pad_shows_dots_and_deletes_a_digit(enrolled):
    app = await start_app(enrolled)
    for digit in "123":
        await app.click(f"pin-key-{digit}", settle=0)
    await app.click("pin-backspace")
    assert [dot.data for dot in app.find("pin-dots").controls] == [True, True, False, False, False, False]
    await app.close()


async def test_unlock_offers_another_officer_and_the_supervisor_door(enrolled):
    app = await start_app(enrolled)
    await app.click("unlock-add-officer")
    assert app.has("enroll-nrp") and app.has("enroll-back-link")
    await app.click("enroll-back-link")
    await app.click("unlock-supervisor")
    assert app.has("sup-username")
    await app.close()


async def test_officers_sharing_a_phone_choose_themselves_before_the_pin(enrolled, server):
    server.users["88030417"] = {"username": "88030417", "name": "Bripka Andri Saputra", "role": "officer",
                                "scope": ["15.72.07.2001"]}
    server.codes.add(("88030417", "WXYZ-9876"))
    app = await start_app(enrolled)
    await app.click("unlock-add-officer")
    await app.type("enroll-nrp", "88030417")
    await app.type("enroll-code", "WXYZ-9876")
    await app.click("enroll-submit")
    await app.wait_for(lambda: app.has("enroll-pin"), what="PIN step")
    await app.type("enroll-pin", "580213")
    await app.type("enroll-pin-confirm", "580213")
    await app.click("enroll-pin-submit")
    await app.wait_for(lambda: app.has("nav"), what="second officer's home")
    await app.click("shell-lock")

    assert app.has(f"unlock-officer-{OFFICER}") and app.has("unlock-officer-88030417")
    await unlock(app, PIN)                                   # nobody chosen yet
    assert app.find("unlock-message").value == "Pilih petugas"
    await app.click("unlock-officer-88030417")
    await unlock(app, PIN)                                   # the first officer's PIN is not hers
    assert app.find("unlock-message").value.startswith("PIN salah")
    await unlock(app, "580213")
    assert app.find("home-officer").value == "Bripka Andri Saputra"
    await app.close()

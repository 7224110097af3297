"""Sitrep on a schedule (issue 13.7): through the real server with an injected clock, the 06.00 WIB
sitrep of each Polres and of Polda is produced once the clock passes 06.00, kept, listed in scope
and downloadable; one process at a time holds the lease. No sleeps: wait for the file with a deadline."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from kerawanan.tahapan import WIB
from sync_server.sitrep_schedule import latest_slot, parse_times, slot_id
from sync_server.storage import open_storage
from tests.server.alerts_support import ClockedServer, wib
from tests.server.helpers import PASSWORD, Actor, World, assert_error, wait_until
from tests.server.test_exports_render import pdf_text

KERINCI = "15.01,15.72"
UNITS = 11                  # Polda and the 10 Polres (Polres Kerinci holds Kerinci and Sungai Penuh)


def test_times_and_slots_are_wib():
    assert parse_times("18:00, 06:00") == (time(6), time(18))
    for bad in ("6:00", "06:00,25:00", "pagi"):
        with pytest.raises(ValueError, match="PETA_SITREP_TIMES"):
            parse_times(bad)
    times = (time(6), time(18))
    assert latest_slot(wib("11-28 05:59"), times) == wib("11-27 18:00")
    assert latest_slot(wib("11-28 06:00"), times) == wib("11-28 06:00")
    assert slot_id(datetime(2024, 11, 27, 23, 0, tzinfo=WIB) - timedelta(hours=17)) == "20241127-0600"


def test_one_holder_at_a_time_until_the_lease_runs_out(tmp_path):
    storage = open_storage(tmp_path / "s.db", migrate=True)
    try:
        store, now = storage.plans, wib("11-28 06:00")
        assert store.take_lease("sitrep-schedule", "a", now, now + timedelta(minutes=2))
        assert not store.take_lease("sitrep-schedule", "b", now + timedelta(minutes=1), now + timedelta(minutes=3))
        assert store.take_lease("sitrep-schedule", "a", now + timedelta(minutes=1), now + timedelta(minutes=3))
        assert store.take_lease("sitrep-schedule", "b", now + timedelta(minutes=4), now + timedelta(minutes=6))
        assert store.save_sitrep(KERINCI, "20241128-0600", "Polres Kerinci", b"%PDF-1", now)
        assert not store.save_sitrep(KERINCI, "20241128-0600", "Polres Kerinci", b"%PDF-2", now)   # kept once
        assert store.sitrep_pdf(KERINCI, "20241128-0600") == b"%PDF-1"
    finally:
        storage.close()


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    server = ClockedServer(tmp_path_factory.mktemp("sitreps"), wib("11-28 05:30"),
                           env={"PETA_SITREP_SECONDS": "0.2", "PETA_SITREP_TIMES": "06:00,18:00"})
    try:
        admin = Actor("admin", "admin", ["15"], server.api.login("admin", PASSWORD))
        world = World(server.api, admin)
        yield server, world.supervisor("15"), world.supervisor("15.01", "15.72")
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()


def kept(server, token) -> list[dict]:
    response = server.api.get("/api/v1/sitreps", token=token)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_past_0600_wib_the_sitreps_of_every_polres_and_polda_are_kept_and_listed_in_scope(scene, tmp_path):
    server, polda, polres = scene
    assert wait_until(lambda: len([item for item in kept(server, polda.token)
                                   if item["slot"] == "20241127-1800"]) == UNITS, seconds=90)
    saved = server.api.post("/api/v1/plans", token=polres.token, json={"rows": [], "note": "Rencana pagi"})
    assert saved.status_code == 201, saved.text
    server.set_clock(wib("11-28 06:01"))
    assert wait_until(lambda: len([item for item in kept(server, polda.token)
                                   if item["slot"] == "20241128-0600"]) == UNITS, seconds=90)
    mine = kept(server, polres.token)
    assert {item["unit"] for item in mine} == {KERINCI}                    # not Polda's, not another Polres'
    assert [item["slot"] for item in mine] == ["20241128-0600", "20241127-1800"]
    assert mine[0]["unit_name"] == "Polres Kerinci" and mine[0]["produced_at"] == "2024-11-27T23:01:00Z"
    body = server.api.get("/api/v1/sitreps", token=polres.token).json()
    assert body["times_wib"] == ["06:00", "18:00"]
    pdf = server.api.get(mine[0]["path"], token=polres.token)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and len(pdf.content) == mine[0]["size"]
    words = pdf_text(pdf.content, tmp_path)
    assert "LAMPIRAN: REKAP BERJENJANG" in words and "Kecamatan Koto Baru" in words
    assert "LAMPIRAN: RENCANA PENEBALAN PERSONEL" in words and "Rencana pagi" in words
    assert "Belum ada rencana penebalan" in pdf_text(server.api.get(mine[1]["path"], token=polres.token).content,
                                                     tmp_path)             # 18.00: before the plan was saved
    polda_unit = next(item for item in kept(server, polda.token) if item["unit"] == "15")
    assert_error(server.api.get(f"/api/v1/sitreps/{polda_unit['slot']}.pdf", token=polres.token,
                                params={"unit": "15"}), 404)
    assert_error(server.api.get("/api/v1/sitreps/kemarin.pdf", token=polres.token, params={"unit": KERINCI}), 404)
    assert_error(server.api.get("/api/v1/sitreps", token=None), 401)

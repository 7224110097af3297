"""Drill-down on the map's view-model: kabupaten -> kecamatan -> desa by tapping, the breadcrumb back up."""
from __future__ import annotations

from field_app.viewmodels.supervisor_regions import RegionMap, shapes
from tests.app.supervisor_fakes import NOW, FakeSupervisorClient

KOTO_BARU, DUJUNG_SAKTI = "15.72.07", "15.72.07.2004"


def region(code, name, level="kurang_rawan", children=()):
    return {"code": code, "name": name, "level": level, "score": 1.0, "children": list(children),
            "coverage": {"state": "reporting", "desa": 3, "silent_desa": 0}}


def polres() -> tuple[FakeSupervisorClient, RegionMap]:
    client = FakeSupervisorClient()
    client.regions = {
        "15.01": region("15.01", "Kabupaten Kerinci", children=[region("15.01.01", "Gunung Raya")]),
        "15.72": region("15.72", "Kota Sungai Penuh", "sangat_rawan",
                        children=[region(KOTO_BARU, "Koto Baru", "sangat_rawan")]),
        KOTO_BARU: region(KOTO_BARU, "Koto Baru", "sangat_rawan",
                          children=[region(DUJUNG_SAKTI, "Dujung Sakti", "sangat_rawan")]),
        DUJUNG_SAKTI: region(DUJUNG_SAKTI, "Dujung Sakti", "sangat_rawan")}
    vm = RegionMap(client, ("15.01", "15.72"), clock=lambda: NOW, translator=None)
    assert vm.refresh()
    return client, vm


def inner_point(code: str, tier: str) -> tuple[float, float]:
    shape = next(s for s in shapes(tier) if s.code == code)
    return shape.centre


def test_a_polres_opens_on_its_kabupaten_and_drills_to_kecamatan_then_desa_and_back():
    _, vm = polres()
    assert vm.shown_tier() == "kabupaten" and [c for c, _ in vm.breadcrumb()] == [0]
    assert {r["code"] for r in vm.region_list()} == {"15.01", "15.72"}
    assert vm.drill("15.72") and vm.path == ["15.72"] and vm.selected["name"] == "Kota Sungai Penuh"
    assert vm.shown_tier() == "kecamatan" and {s.parent_code for s in vm.shown()} == {"15.72"}
    assert [r["code"] for r in vm.region_list()] == [KOTO_BARU]
    assert vm.tap(*inner_point(KOTO_BARU, "kecamatan")) and vm.path == ["15.72", KOTO_BARU]
    assert vm.shown_tier() == "desa" and all(s.parent_code == KOTO_BARU for s in vm.shown())
    assert vm.level_of(DUJUNG_SAKTI) == "sangat_rawan"                # the desa' levels came with the tap
    assert [name for _, name in vm.breadcrumb()][1:] == ["Kota Sungai Penuh", "Koto Baru"]
    assert vm.drill(DUJUNG_SAKTI) and vm.path == ["15.72", KOTO_BARU]  # a desa opens, nothing below it
    assert vm.selected["name"] == "Dujung Sakti"
    assert vm.up(1) and vm.path == ["15.72"] and vm.selected["code"] == "15.72"
    assert vm.up(0) and vm.path == [] and vm.selected is None and vm.shown_tier() == "kabupaten"


def test_the_breadcrumb_survives_a_refresh_and_a_sibling_replaces_the_drilled_region():
    _, vm = polres()
    vm.drill("15.72")
    vm.drill(KOTO_BARU)
    assert vm.refresh() and vm.level_of(DUJUNG_SAKTI) == "sangat_rawan"  # the desa are fetched again
    assert vm.drill("15.01") and vm.path == ["15.01"]                   # not under Koto Baru: a new path


def test_a_region_outside_the_scope_does_not_drill_and_says_so():
    _, vm = polres()
    assert vm.drill("15.71") is False and vm.path == []
    assert vm.problem == "Wilayah ini di luar wilayah Anda."


def test_the_map_fits_the_region_drilled_into():
    _, vm = polres()
    everything = len(vm.fit_rings())
    vm.drill("15.72")
    sungai_penuh = next(s for s in shapes("kabupaten") if s.code == "15.72")
    assert vm.fit_rings() == list(sungai_penuh.rings) and len(vm.fit_rings()) <= everything


def test_the_ikp_layer_reads_the_kabupaten_of_any_region():
    _, vm = polres()
    vm.set_layer("ikp")
    assert vm.layer == "ikp"
    kerinci = vm.ikp_of("15.01.01.1004")
    assert kerinci["ikp_category"] == "sedang" and kerinci["polda_baseline"] == "rawan"
    assert vm.ikp_of("99.01") is None


def test_at_the_top_every_kecamatan_of_the_scope_can_be_shown_and_one_opens_its_desa():
    _, vm = polres()
    vm.set_tier("kecamatan")
    assert vm.shown_tier() == "kecamatan" and {r["code"] for r in vm.region_list()} == {"15.01.01", KOTO_BARU}
    fitted = {s.code for s in shapes("kecamatan") if any(r in vm.fit_rings() for r in s.rings)}
    assert fitted and all(code.startswith(("15.01.", "15.72.")) for code in fitted)
    assert vm.drill(KOTO_BARU) and vm.path == [KOTO_BARU] and vm.shown_tier() == "desa"

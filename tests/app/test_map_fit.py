"""The map opens fitted to the commander's scope: bounds from the scope's polygons, the zoom that fills the box."""
from __future__ import annotations

import pytest

from field_app.viewmodels.supervisor_regions import RegionMap, shapes
from field_app.views.supervisor.map_fit import Bounds, bounds, fit, from_box, to_box
from tests.app.supervisor_fakes import NOW, FakeSupervisorClient

BOX = (700.0, 520.0)


def corners_in_box(box: Bounds, view, width, height, padding=12) -> list[tuple[float, float]]:
    return [to_box(p, view, width, height) for p in ((box.north, box.west), (box.south, box.east))]


def test_bounds_hold_every_point_and_refuse_nothing():
    assert bounds([((0.0, 1.0), (2.0, -1.0)), ((-3.0, 4.0),)]) == Bounds(-3.0, -1.0, 2.0, 4.0)
    with pytest.raises(ValueError):
        bounds([])


@pytest.mark.parametrize("width,height", [(700.0, 520.0), (380.0, 400.0)])
def test_the_fitted_box_touches_the_padding_on_one_side_and_stays_inside_on_the_other(width, height):
    box = Bounds(-2.4, 101.0, -1.6, 101.9)
    view = fit(box, width, height, padding=12)
    (x0, y0), (x1, y1) = corners_in_box(box, view, width, height)
    assert x0 >= 12 - 1e-6 and x1 <= width - 12 + 1e-6 and y0 >= 12 - 1e-6 and y1 <= height - 12 + 1e-6
    assert min(x0 - 12, y0 - 12) == pytest.approx(0, abs=1e-6)          # not a speck: one side is filled
    assert abs((x0 + x1) / 2 - width / 2) < 1e-6 and abs((y0 + y1) / 2 - height / 2) < 1e-6


def test_a_pixel_and_a_point_round_trip():
    view = fit(Bounds(-2.4, 101.0, -1.6, 101.9), *BOX)
    lat, lon = from_box(123.0, 321.0, view, *BOX)
    assert to_box((lat, lon), view, *BOX) == pytest.approx((123.0, 321.0), abs=1e-6)


def scope_fit(scope: tuple[str, ...]):
    vm = RegionMap(FakeSupervisorClient(), scope, clock=lambda: NOW)
    return fit(bounds(vm.fit_rings()), *BOX, padding=12)


def test_polres_kerinci_fills_the_map_polda_sees_the_province_a_polsek_its_kecamatan():
    polda, polres, polsek = scope_fit(("15",)), scope_fit(("15.01", "15.72")), scope_fit(("15.72.07",))
    assert polda.zoom < polres.zoom < polsek.zoom
    kerinci = bounds(r for s in shapes("kabupaten") if s.code in ("15.01", "15.72") for r in s.rings)
    (x0, y0), (x1, y1) = corners_in_box(kerinci, polres, *BOX)
    assert (x1 - x0) >= BOX[0] - 25 or (y1 - y0) >= BOX[1] - 25          # Kerinci + Sungai Penuh fill it
    jambi = bounds(r for s in shapes("kabupaten") for r in s.rings)
    (jx0, jy0), (jx1, jy1) = corners_in_box(jambi, polres, *BOX)
    assert jx1 - jx0 > 2 * BOX[0]                                       # the province runs off the box
    assert -2.3 < polsek.lat < -1.9 and 101.2 < polsek.lon < 101.6      # Koto Baru, Sungai Penuh
    koto_baru = bounds(next(s for s in shapes("kecamatan") if s.code == "15.72.07").rings)
    (kx0, ky0), (kx1, ky1) = corners_in_box(koto_baru, polsek, *BOX)
    assert (kx1 - kx0) >= BOX[0] - 25 or (ky1 - ky0) >= BOX[1] - 25    # a small kecamatan fills it too

"""GPS → desa offline: point-in-polygon, fallbacks, and never a wrong village outside Jambi."""
import json
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kerawanan import assets, geometry
from kerawanan.regions import Located, load_gazetteer


@pytest.fixture(scope="module")
def gaz():
    return assets.gazetteer()


@pytest.fixture(scope="module")
def desa_layer():
    return geometry.features_of(assets.read_text("regions", "jambi_desa.geojson"))


@pytest.fixture(scope="module")
def kecamatan_layer():
    return {p["code"]: shape for p, shape in geometry.features_of(assets.read_text("regions",
                                                                                   "jambi_kecamatan.geojson"))}


# --- builders ----------------------------------------------------------------------------------

def square(x, y, half):
    """An outer ring, counter-clockwise, of a square centred on (x, y)."""
    return [[x - half, y - half], [x + half, y - half], [x + half, y + half], [x - half, y + half],
            [x - half, y - half]]


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": rings}}
        for code, rings in features]})


def small_gazetteer(desa_points, desa_polygons, kecamatan=None, kabupaten=None):
    """Province 15, kabupaten 15.01, kecamatan 15.01.01 and desa 15.01.01.20NN at the given points."""
    rows = ["code,level,name,parent_code,lat,lon", "15,provinsi,Jambi,,-1.0,102.0",
            "15.01,kabupaten,Kabupaten Uji,15,-1.0,102.0", "15.01.01,kecamatan,Uji,15.01,-1.0,102.0"]
    rows += [f"15.01.01.20{n:02d},desa,Desa {n},15.01.01,{lat},{lon}" for n, (lat, lon) in desa_points.items()]
    polygons = [(f"15.01.01.20{n:02d}", [square(*spec)]) for n, spec in desa_polygons.items()]
    return load_gazetteer(
        "\n".join(rows) + "\n", desa_geojson=collection(*polygons),
        kecamatan_geojson=collection(("15.01.01", [square(*kecamatan)])) if kecamatan else None,
        kabupaten_geojson=collection(("15.01", [square(*kabupaten)])) if kabupaten else None)


# --- the shipped data --------------------------------------------------------------------------

def test_every_desa_with_a_polygon_is_found_at_its_own_point(gaz, desa_layer):
    with_polygon = {properties["code"] for properties, _ in desa_layer}
    assert len(with_polygon) == 1568
    misses = []
    for code in sorted(with_polygon):
        region = gaz.get(code)
        located = gaz.locate_desa(region.lat, region.lon)
        if located != Located(code, region.parent_code, "polygon", 0.0):
            misses.append((code, located))
    assert misses == []


def overlap_points(desa_layer, count):
    """Points held by two or more desa polygons: just beside the edge midpoints of the first few."""
    index = geometry.ShapeIndex([shape for _, shape in desa_layer])
    for _, shape in desa_layer[:count]:
        for x1, y1, x2, y2 in shape.segments:
            for dx, dy in ((1e-4, 0), (-1e-4, 0), (0, 1e-4), (0, -1e-4)):
                x, y = (x1 + x2) / 2 + dx, (y1 + y2) / 2 + dy
                holders = index.containing(x, y)
                if len(holders) > 1:
                    yield x, y, [desa_layer[item][0]["code"] for item in holders]


def test_an_overlap_goes_to_the_holder_whose_own_point_is_nearest(gaz, desa_layer):
    """Simplification made neighbouring polygons overlap along their borders."""
    checked = 0
    for x, y, holders in overlap_points(desa_layer, 150):
        points = {code: (gaz.get(code).lon, gaz.get(code).lat) for code in holders}
        nearest = min(holders, key=lambda code: geometry.equirectangular_m(x, y, *points[code]))
        assert gaz.locate_desa(y, x) == Located(nearest, nearest[:8], "polygon", 0.0)
        checked += 1
    assert checked > 100


OUTSIDE_JAMBI = {
    "Padang": (-0.95, 100.35), "Jakarta": (-6.2, 106.8), "Palembang": (-2.99, 104.76),
    "Pekanbaru": (0.5, 101.45), "Bengkulu": (-3.8, 102.26), "Selat Berhala (sea)": (-0.95, 104.9),
    "Laut Cina Selatan": (-1.2, 105.4), "null island": (0.0, 0.0), "antipode": (1.7, -77.3),
}


@pytest.mark.parametrize("place", OUTSIDE_JAMBI)
def test_points_outside_jambi_find_no_village(gaz, place):
    assert gaz.locate_desa(*OUTSIDE_JAMBI[place]) == Located(None, None, "none", None)


def test_a_few_kilometres_beyond_the_outermost_border_finds_nothing(gaz, desa_layer):
    vertices = [(x, y) for _, shape in desa_layer for x, y, _, _ in shape.segments]
    step = 0.03  # about 3.3 km
    north = max(vertices, key=lambda v: v[1])
    south = min(vertices, key=lambda v: v[1])
    west = min(vertices, key=lambda v: v[0])
    east = max(vertices, key=lambda v: v[0])
    for x, y in [(north[0], north[1] + step), (south[0], south[1] - step), (west[0] - step, west[1]),
                 (east[0] + step, east[1])]:
        assert not gaz.locate_desa(y, x).found, (y, x)


@pytest.mark.parametrize("lat, lon", [
    (float("nan"), 102.0), (-1.6, float("nan")), (float("inf"), 102.0), (-1.6, float("-inf")),
    (91.0, 102.0), (-1.6, 181.0), (-90.5, 0.0), (None, 102.0), ("-1.6", "102.0"), (True, False), ([], {}),
])
def test_bad_coordinates_are_not_located_and_never_raise(gaz, lat, lon):
    located = gaz.locate_desa(lat, lon)
    assert located == Located(None, None, "none", None) and not located.found


def test_integer_coordinates_are_accepted(gaz):
    assert gaz.locate_desa(-2, 102).found


@settings(max_examples=300, deadline=None)
@given(lat=st.floats(allow_nan=True, allow_infinity=True), lon=st.floats(allow_nan=True, allow_infinity=True))
def test_any_float_pair_gives_a_consistent_answer(gaz, lat, lon):
    located = gaz.locate_desa(lat, lon)
    assert located.method in {"polygon", "nearest", "kecamatan", "none"}
    assert located.found == (located.method in {"polygon", "nearest"})
    if located.found:
        assert gaz.is_desa(located.desa_code) and located.kecamatan_code == located.desa_code[:8]
        assert located.distance_m == 0.0 if located.method == "polygon" else located.distance_m > 0


def in_no_desa_polygon(desa_layer, lat, lon):
    return not any(shape.contains(lon, lat) for _, shape in desa_layer)


# Points inside a kabupaten polygon but in no desa polygon (the layers do not nest exactly).
SLIVERS = [(-2.5862270782282124, 102.6977529844932), (-0.9798089324257415, 102.36932998621809),
           (-1.2601536898788757, 104.41508540208741), (-0.7630012, 103.2276335)]


@pytest.mark.parametrize("lat, lon", SLIVERS)
def test_a_point_between_polygons_goes_to_the_desa_with_the_nearest_border(gaz, desa_layer, lat, lon):
    assert in_no_desa_polygon(desa_layer, lat, lon)
    distance, code = min((shape.distance_m(lon, lat), p["code"]) for p, shape in desa_layer)
    located = gaz.locate_desa(lat, lon)
    assert (located.desa_code, located.method) == (code, "nearest")
    assert located.distance_m == pytest.approx(distance, abs=0.1) and 0 < located.distance_m <= 1000


TEBO_KECAMATAN_WITHOUT_POLYGONS = ["15.09.02", "15.09.04", "15.09.07", "15.09.08", "15.09.09"]


@pytest.mark.parametrize("kecamatan", TEBO_KECAMATAN_WITHOUT_POLYGONS)
def test_kecamatan_of_the_villages_without_polygons_resolve_to_a_neighbour(gaz, kecamatan_layer, kecamatan):
    """The 17 newer Tebo villages have no point and no polygon: a fix in their kecamatan finds a desa
    of that kecamatan (their mother villages' polygons still cover them) or of a neighbour — never
    one of them, and never an error."""
    missing = {r.code for r in gaz.children(kecamatan) if r.lat is None}
    assert missing
    own = gaz.get(kecamatan)
    at_point = gaz.locate_desa(own.lat, own.lon)
    assert at_point.found and at_point.kecamatan_code == kecamatan
    shape = kecamatan_layer[kecamatan]
    min_x, min_y, max_x, max_y = shape.bbox
    rng = random.Random(kecamatan)
    points = [(rng.uniform(min_y, max_y), rng.uniform(min_x, max_x)) for _ in range(400)]
    inside = [(lat, lon) for lat, lon in points if shape.contains(lon, lat)]
    assert len(inside) > 50
    for lat, lon in inside:
        located = gaz.locate_desa(lat, lon)
        assert located.method in {"polygon", "nearest", "kecamatan"}
        assert located.desa_code not in missing
        holder = kecamatan_layer[located.kecamatan_code]   # its own kecamatan, or one next to the point
        assert located.kecamatan_code == kecamatan or holder.contains(lon, lat) or holder.distance_m(lon, lat) < 1000


def test_readme_notable_cases(gaz):
    # Muara Semerah Mudik lies wholly inside the polygon of the other kecamatan: the desa still wins.
    for code in ("15.01.05.2035", "15.01.21.2009", "15.71.03.1005", "15.71.10.1002"):
        region = gaz.get(code)
        assert gaz.locate_desa(region.lat, region.lon).desa_code == code


def test_random_points_in_jambi_always_name_a_real_desa(gaz):
    rng = random.Random(7)
    for _ in range(3000):
        located = gaz.locate_desa(rng.uniform(-2.69, -0.77), rng.uniform(101.18, 104.39))
        if located.found:
            assert gaz.is_desa(located.desa_code)
            assert gaz.get(located.desa_code).parent_code == located.kecamatan_code


# --- each fallback, on small made-up data ------------------------------------------------------

def test_overlap_goes_to_the_desa_whose_point_is_nearest():
    gaz = small_gazetteer({1: (-1.0, 102.0), 2: (-1.0, 102.03)},
                          {1: (102.0, -1.0, 0.02), 2: (102.03, -1.0, 0.02)})   # overlap 102.01…102.02
    assert gaz.locate_desa(-1.0, 102.012).desa_code == "15.01.01.2001"
    assert gaz.locate_desa(-1.0, 102.018).desa_code == "15.01.01.2002"
    assert gaz.locate_desa(-1.0, 102.018).method == "polygon"


def test_border_then_point_then_kecamatan_then_nothing():
    gaz = small_gazetteer({1: (-1.0, 102.0), 2: (-1.2, 102.2)}, {1: (102.0, -1.0, 0.01)},
                          kecamatan=(102.0, -1.0, 0.3), kabupaten=(102.0, -1.0, 0.2))
    near_border = gaz.locate_desa(-1.0, 102.015)              # 0.005° ≈ 556 m east of desa 1, inside Jambi
    assert (near_border.desa_code, near_border.method) == ("15.01.01.2001", "nearest")
    assert near_border.distance_m == pytest.approx(556, abs=2)
    by_point = gaz.locate_desa(-1.17, 102.17)                 # far from the polygon, ≈ 4.7 km from desa 2
    assert (by_point.desa_code, by_point.method) == ("15.01.01.2002", "nearest")
    assert by_point.distance_m == pytest.approx(geometry.geodesic_m(102.17, -1.17, 102.2, -1.2), abs=0.1)
    assert 4000 < by_point.distance_m < 5000
    in_kecamatan = gaz.locate_desa(-0.75, 102.25)             # outside the kabupaten, inside the kecamatan
    assert in_kecamatan == Located(None, "15.01.01", "kecamatan", None)
    assert not in_kecamatan.found
    assert gaz.locate_desa(-0.5, 102.5) == Located(None, None, "none", None)


def test_outside_jambi_only_a_very_close_desa_counts():
    gaz = small_gazetteer({1: (-1.0, 102.0), 2: (-1.5, 102.5)}, {1: (102.0, -1.0, 0.01)},
                          kabupaten=(102.0, -1.0, 0.011))
    by_border = gaz.locate_desa(-1.0, 102.0112)        # outside Jambi, 133 m from desa 1's border
    assert (by_border.desa_code, by_border.distance_m) == ("15.01.01.2001", pytest.approx(133.4, abs=0.5))
    by_point = gaz.locate_desa(-1.0, 102.0125)         # 278 m from its border: too far; 1.39 km from its point
    assert (by_point.desa_code, by_point.distance_m) == ("15.01.01.2001", pytest.approx(1382, abs=10))
    assert gaz.locate_desa(-1.0, 102.03).found is False           # 2.2 km from its border, 3.3 km from its point
    assert gaz.locate_desa(-1.5, 102.51).desa_code == "15.01.01.2002"  # 1.1 km from desa 2's point
    assert gaz.locate_desa(-1.5, 102.52).found is False                # 2.2 km


# --- geometry ----------------------------------------------------------------------------------

def naive_contains(rings, x, y):
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


DONUT = {"type": "MultiPolygon", "coordinates": [
    [square(0.0, 0.0, 1.0), square(0.0, 0.0, 0.5)[::-1]],   # a square with a square hole
    [square(3.0, 0.0, 0.5)],                                 # and an island
]}


@pytest.mark.parametrize("x, y, inside", [
    (0.0, 0.0, False), (0.75, 0.0, True), (-0.9, 0.9, True), (1.1, 0.0, False), (3.0, 0.2, True),
    (2.0, 0.0, False), (3.6, 0.0, False), (0.0, -0.75, True),
])
def test_holes_and_parts(x, y, inside):
    assert geometry.shape_from_geojson(DONUT).contains(x, y) is inside


@settings(max_examples=400, deadline=None)
@given(index=st.integers(min_value=0, max_value=1567), u=st.floats(0, 1), v=st.floats(0, 1))
def test_banded_point_in_polygon_agrees_with_plain_ray_casting(desa_layer, index, u, v):
    _, shape = desa_layer[index]
    min_x, min_y, max_x, max_y = shape.bbox
    x, y = min_x + u * (max_x - min_x), min_y + v * (max_y - min_y)
    crossings = sum((y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1)
                    for x1, y1, x2, y2 in shape.segments)  # every edge, no bands
    assert shape.contains(x, y) == (crossings % 2 == 1)


def test_rings_from_geojson_match_naive_test():
    rings = [[tuple(p) for p in ring[:-1]] for polygon in DONUT["coordinates"] for ring in polygon]
    shape = geometry.shape_from_geojson(DONUT)
    rng = random.Random(3)
    for _ in range(2000):
        x, y = rng.uniform(-1.5, 4.0), rng.uniform(-1.5, 1.5)
        assert shape.contains(x, y) == naive_contains(rings, x, y)


def test_distances():
    assert geometry.geodesic_m(102.0, -1.6, 102.01, -1.61) == pytest.approx(1568.733, abs=0.01)
    flat = geometry.equirectangular_m(102.0, -1.6, 102.05, -1.63)
    assert flat == pytest.approx(geometry.geodesic_m(102.0, -1.6, 102.05, -1.63), rel=0.005)
    segment = (102.0, -1.0, 102.0, -1.1)
    assert geometry.segment_distance_m(102.001, -1.05, segment, math.cos(math.radians(-1.05))) == \
        pytest.approx(111.2, abs=0.5)
    assert geometry.segment_distance_m(102.0, -0.99, segment, 1.0) == pytest.approx(1111.9, abs=1)


def test_grid_index_finds_boxes_around_points():
    grid = geometry.GridIndex([(0.0, 0.0, 1.0, 1.0), (2.0, 2.0, 2.5, 2.5)], cell_deg=0.4)
    assert grid.at(0.5, 0.5) == (0,) and grid.at(2.1, 2.1) == (1,) and grid.at(1.7, 0.1) == ()
    assert grid.around((0.9, 0.9, 2.1, 2.1)) == {0, 1}
    with pytest.raises(ValueError):
        geometry.GridIndex([], cell_deg=0)


def test_unsupported_geometry_is_refused():
    with pytest.raises(ValueError):
        geometry.shape_from_geojson({"type": "Point", "coordinates": [102.0, -1.0]})
    with pytest.raises(ValueError):
        geometry.features_of('{"type": "Feature"}')


def test_geojson_naming_a_region_of_the_wrong_tier_is_refused():
    csv_text = "code,level,name,parent_code,lat,lon\n15,provinsi,Jambi,,,\n15.01,kabupaten,Uji,15,,\n"
    with pytest.raises(ValueError):
        load_gazetteer(csv_text, desa_geojson=collection(("15.01", [square(102.0, -1.0, 0.1)])))

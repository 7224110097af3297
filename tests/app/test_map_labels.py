"""Map labels never overlap: greedy placement by level, then a region not reporting, then size."""
from __future__ import annotations

import random

from field_app.views.supervisor.map_labels import Label, beside_if_small, overlaps, place, spots_inside


def label(key, x, y, level="kurang_rawan", area=100.0, quiet=False, lines=("Nama",)):
    return Label(key, tuple(lines), x, y, 11, level, quiet, area)


def test_the_more_serious_region_keeps_its_label_when_two_collide():
    calm = label("calm", 100, 100, area=10_000)
    hot = label("hot", 110, 104, level="sangat_rawan", area=10)
    assert [p.key for p in place([calm, hot], 400, 400)] == ["hot"]


def test_at_one_level_a_quiet_region_then_the_larger_wins_and_outside_regions_come_last():
    small_quiet = label("quiet", 100, 100, quiet=True, area=10)
    big = label("big", 105, 100, area=10_000)
    outside = label("outside", 100, 102, level=None, area=99_999)
    assert [p.key for p in place([outside, big, small_quiet], 400, 400)] == ["quiet"]
    assert [p.key for p in place([outside, big], 400, 400)] == ["big"]


def test_labels_apart_are_all_kept_and_one_crossing_the_edge_is_left_out():
    apart = [label(str(i), 60 + 120 * i, 50) for i in range(3)]
    assert len(place(apart, 400, 400)) == 3
    assert place([label("edge", 2, 50)], 400, 400) == []


def test_no_two_placed_labels_overlap_in_a_crowd():
    rng = random.Random(13)
    crowd = [label(f"r{i}", rng.uniform(0, 400), rng.uniform(0, 300), rng.choice(["rawan", "kurang_rawan", None]),
                   rng.uniform(1, 1000), lines=("Kecamatan", "kurang rawan")) for i in range(200)]
    placed = place(crowd, 400, 300)
    assert 3 < len(placed) < 200
    assert not any(overlaps(a.box(), b.box()) for i, a in enumerate(placed) for b in placed[i + 1:])
    assert all(p.box()[0] >= 0 and p.box()[2] <= 400 and p.box()[1] >= 0 and p.box()[3] <= 300 for p in placed)


def test_a_label_moves_to_its_next_spot_inside_the_region_when_the_first_is_taken():
    hot = label("hot", 100, 100, level="sangat_rawan")
    around = Label(
        "around", ("Nama",), 100, 100, 11, "kurang_rawan", False, 9_999, ((102, 104), (100, 200)))
    placed = {p.key: p for p in place([around, hot], 400, 400)}
    assert (placed["hot"].x, placed["hot"].y) == (100, 100) and (placed["around"].x, placed["around"].y) == (100, 200)


def test_spots_lie_inside_a_concave_region_nearest_its_middle_first():
    ell = [(0, 0), (100, 0), (100, 20), (20, 20), (20, 100), (0, 100)]      # an L: its box's middle is outside
    found = spots_inside(ell)
    assert found and all(x < 20 or y < 20 for x, y in found)
    assert spots_inside([]) == []


def test_a_region_smaller_than_its_label_gets_it_beside_so_its_colour_shows():
    tiny = label("tiny", 100, 100, level="sangat_rawan")
    moved = beside_if_small(tiny, (95, 95, 105, 105))
    assert not overlaps(moved.box(), (95, 95, 105, 105)) and moved.y > 105
    blocked = place([label("other", 100, 100 + 105 - 95 + tiny.height / 2, area=1e9, level="sangat_rawan"), moved],
                    400, 400)
    assert {p.key for p in blocked} == {"other", "tiny"}                 # below taken: it goes above instead
    assert next(p for p in blocked if p.key == "tiny").y < 95
    big = label("big", 100, 100)
    assert beside_if_small(big, (0, 0, 300, 300)) == big

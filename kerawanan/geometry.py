"""Plane geometry on lon/lat degrees, in pure Python: point-in-polygon, grid indexes, distances.

Small enough for a phone (no shapely, no numpy). Coordinates follow GeoJSON: ``x`` is longitude,
``y`` is latitude. Distances are equirectangular metres — good to a fraction of a percent over the
few kilometres they are used for; callers that report a distance refine it with geopy.

A polygon is tested with the even-odd rule over *all* its rings (outer rings and holes of every
part), which is exact for valid Polygons and MultiPolygons. Each shape keeps its edges bucketed
into horizontal bands, so a test only walks the handful of edges that cross the point's latitude.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180.0

BBox = tuple[float, float, float, float]  # min_x, min_y, max_x, max_y
Ring = Sequence[Sequence[float]]           # [[x, y], ...], closed or not
Edge = tuple[float, float, float, float, float]  # y_low, y_high, x1, y1, dx/dy (no horizontal edges)
Segment = tuple[float, float, float, float]      # x1, y1, x2, y2


def rings_of(geometry: dict) -> list[Ring]:
    """Every ring of a GeoJSON Polygon or MultiPolygon geometry (outer rings and holes)."""
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coordinates)
    if kind == "MultiPolygon":
        return [ring for polygon in coordinates for ring in polygon]
    raise ValueError(f"unsupported geometry type: {kind!r}")


def bbox_of(rings: Iterable[Ring]) -> BBox:
    xs = [point[0] for ring in rings for point in ring]
    ys = [point[1] for ring in rings for point in ring]
    if not xs:
        raise ValueError("empty geometry")
    return min(xs), min(ys), max(xs), max(ys)


def segments_of(rings: Iterable[Ring]) -> Iterator[Segment]:
    for ring in rings:
        for index, (x1, y1, *_) in enumerate(ring):
            x2, y2, *_ = ring[index - 1]
            if (x1, y1) != (x2, y2):
                yield x1, y1, x2, y2


@dataclass(frozen=True, slots=True)
class Shape:
    """A polygonal area prepared for fast point-in-polygon tests."""

    bbox: BBox
    segments: tuple[Segment, ...]
    bands: tuple[tuple[Edge, ...], ...]
    band_height: float

    def contains(self, x: float, y: float) -> bool:
        min_x, min_y, max_x, max_y = self.bbox
        if not (min_x <= x <= max_x and min_y <= y <= max_y):
            return False
        band = min(int((y - min_y) / self.band_height), len(self.bands) - 1)
        inside = False
        for y_low, y_high, x1, y1, slope in self.bands[band]:
            if y_low <= y < y_high and x < x1 + (y - y1) * slope:
                inside = not inside
        return inside

    def distance_m(self, x: float, y: float) -> float:
        """Metres from the point to the nearest edge (also for a point inside: use ``contains`` first)."""
        scale = math.cos(math.radians(y))
        return min(segment_distance_m(x, y, segment, scale) for segment in self.segments)


def make_shape(rings: Sequence[Ring]) -> Shape:
    bbox = bbox_of(rings)
    segments = tuple(segments_of(rings))
    edges = [_edge(segment) for segment in segments if segment[1] != segment[3]]
    count = max(1, min(256, len(edges) // 3))
    height = max((bbox[3] - bbox[1]) / count, 1e-12)
    buckets: list[list[Edge]] = [[] for _ in range(count)]
    for edge in edges:
        first = int((edge[0] - bbox[1]) / height)
        last = min(int((edge[1] - bbox[1]) / height), count - 1)
        for band in range(first, last + 1):
            buckets[band].append(edge)
    return Shape(bbox, segments, tuple(tuple(bucket) for bucket in buckets), height)


def _edge(segment: Segment) -> Edge:
    x1, y1, x2, y2 = segment
    return min(y1, y2), max(y1, y2), x1, y1, (x2 - x1) / (y2 - y1)


def shape_from_geojson(geometry: dict) -> Shape:
    return make_shape(rings_of(geometry))


class GridIndex:
    """Uniform grid over bounding boxes: which items may touch a point or a box."""

    def __init__(self, boxes: Sequence[BBox], cell_deg: float):
        if cell_deg <= 0:
            raise ValueError("cell_deg must be positive")
        self.cell = cell_deg
        self._cells: dict[tuple[int, int], list[int]] = {}
        for item, box in enumerate(boxes):
            for key in self._keys(box):
                self._cells.setdefault(key, []).append(item)
        self._frozen = {key: tuple(items) for key, items in self._cells.items()}

    def _keys(self, box: BBox) -> Iterator[tuple[int, int]]:
        min_x, min_y, max_x, max_y = box
        for column in range(math.floor(min_x / self.cell), math.floor(max_x / self.cell) + 1):
            for row in range(math.floor(min_y / self.cell), math.floor(max_y / self.cell) + 1):
                yield column, row

    def at(self, x: float, y: float) -> tuple[int, ...]:
        """Items whose box's cells include the point's cell (a superset of the boxes holding it)."""
        return self._frozen.get((math.floor(x / self.cell), math.floor(y / self.cell)), ())

    def around(self, box: BBox) -> set[int]:
        """Items whose cells meet the box's cells."""
        found: set[int] = set()
        for key in self._keys(box):
            found.update(self._frozen.get(key, ()))
        return found


class ShapeIndex:
    """Shapes with a grid index: which of them contain a point, which lie near it."""

    def __init__(self, shapes: Sequence[Shape], cell_deg: float = 0.02):
        self.shapes = tuple(shapes)
        self._grid = GridIndex([shape.bbox for shape in self.shapes], cell_deg)

    def containing(self, x: float, y: float) -> list[int]:
        shapes = self.shapes
        return [item for item in self._grid.at(x, y) if shapes[item].contains(x, y)]

    def within(self, x: float, y: float, radius_m: float) -> list[tuple[float, int]]:
        """(edge distance in metres, item) for shapes whose boundary is within the radius, nearest first."""
        found = []
        for item in self._grid.around(box_around(x, y, radius_m)):
            distance = self.shapes[item].distance_m(x, y)
            if distance <= radius_m:
                found.append((distance, item))
        return sorted(found)


class PointIndex:
    """Points on a grid, for the nearest few within a radius."""

    def __init__(self, points: Sequence[tuple[float, float]], cell_deg: float = 0.05):
        self.points = tuple(points)
        self._grid = GridIndex([(x, y, x, y) for x, y in self.points], cell_deg)

    def within(self, x: float, y: float, radius_m: float) -> list[tuple[float, int]]:
        """(equirectangular metres, item) of the points within the radius, nearest first."""
        scale = math.cos(math.radians(y))
        found = []
        for item in self._grid.around(box_around(x, y, radius_m)):
            px, py = self.points[item]
            distance = equirectangular_m(x, y, px, py, scale)
            if distance <= radius_m:
                found.append((distance, item))
        return sorted(found)


def box_around(x: float, y: float, radius_m: float) -> BBox:
    dy = radius_m / METRES_PER_DEGREE
    dx = dy / max(math.cos(math.radians(y)), 0.01)
    return x - dx, y - dy, x + dx, y + dy


def equirectangular_m(x1: float, y1: float, x2: float, y2: float, scale: float | None = None) -> float:
    """Metres between two lon/lat points on a local flat projection; ``scale`` is cos(latitude)."""
    if scale is None:
        scale = math.cos(math.radians((y1 + y2) / 2.0))
    return METRES_PER_DEGREE * math.hypot((x2 - x1) * scale, y2 - y1)


def segment_distance_m(x: float, y: float, segment: Segment, scale: float) -> float:
    """Metres from a point to a segment on the local flat projection (x scaled by cos latitude)."""
    x1, y1, x2, y2 = segment
    ax, ay = (x1 - x) * scale, y1 - y
    bx, by = (x2 - x) * scale, y2 - y
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
    return METRES_PER_DEGREE * math.hypot(ax + t * dx, ay + t * dy)

"""Plane geometry on lon/lat degrees, in pure Python: point-in-polygon, grid indexes, distances.

Small enough for a phone (no shapely, no numpy). Coordinates follow GeoJSON: ``x`` is longitude,
``y`` is latitude. Distances are equirectangular metres — good to a fraction of a percent over the
few kilometres they are used for; ``geodesic_m`` gives the exact ellipsoidal distance.

A polygon is tested with the even-odd rule over *all* its rings (outer rings and holes of every
part), which is exact for valid Polygons and MultiPolygons. Each shape keeps its edges bucketed
into horizontal bands, so a test only walks the handful of edges that cross the point's latitude.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from geographiclib.geodesic import Geodesic

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180.0

BBox = tuple[float, float, float, float]  # min_x, min_y, max_x, max_y
Ring = Sequence[Sequence[float]]           # [[x, y], ...], closed or not
Segment = tuple[float, float, float, float]  # x1, y1, x2, y2


def rings_of(geometry: dict) -> list[Ring]:
    """Every ring of a GeoJSON Polygon or MultiPolygon geometry (outer rings and holes)."""
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coordinates)
    if kind == "MultiPolygon":
        return [ring for polygon in coordinates for ring in polygon]
    raise ValueError(f"unsupported geometry type: {kind!r}")


def segments_of(rings: Iterable[Ring]) -> list[Segment]:
    """The edges of the rings, closing each ring, without zero-length edges."""
    segments: list[Segment] = []
    for ring in rings:
        points = [(point[0], point[1]) for point in ring]
        segments.extend((x1, y1, x2, y2) for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
                        if x1 != x2 or y1 != y2)
    return segments


@dataclass(frozen=True, slots=True)
class Shape:
    """A polygonal area prepared for fast point-in-polygon tests.

    ``bands[i]`` holds, flattened, ``y_low, y_high, x_at_y_low, dx/dy`` of every non-horizontal
    edge that crosses the i-th horizontal band of the bounding box (flat tuples keep it small).
    """

    bbox: BBox
    bands: tuple[tuple[float, ...], ...]
    band_height: float
    outline: tuple[float, ...]  # x1, y1, x2, y2 of every edge, flattened (for distances)

    def contains(self, x: float, y: float) -> bool:
        min_x, min_y, max_x, max_y = self.bbox
        if not (min_x <= x <= max_x and min_y <= y <= max_y):
            return False
        edges = iter(self.bands[min(int((y - min_y) / self.band_height), len(self.bands) - 1)])
        inside = False
        for y_low, y_high, x_low, slope in zip(edges, edges, edges, edges, strict=True):
            if y_low <= y < y_high and x < x_low + (y - y_low) * slope:
                inside = not inside
        return inside

    @property
    def segments(self) -> list[Segment]:
        edges = iter(self.outline)
        return list(zip(edges, edges, edges, edges, strict=True))

    def distance_m(self, x: float, y: float) -> float:
        """Metres from the point to the nearest edge (also for a point inside: use ``contains`` first)."""
        scale = math.cos(math.radians(y))
        return min(segment_distance_m(x, y, segment, scale) for segment in self.segments)


def make_shape(rings: Sequence[Ring]) -> Shape:
    segments = segments_of(rings)
    if not segments:
        raise ValueError("empty geometry")
    xs = [x for segment in segments for x in segment[0::2]]
    ys = [y for segment in segments for y in segment[1::2]]
    bbox = min(xs), min(ys), max(xs), max(ys)
    edges = [(y1, y2, x1, (x2 - x1) / (y2 - y1)) if y1 < y2 else (y2, y1, x2, (x2 - x1) / (y2 - y1))
             for x1, y1, x2, y2 in segments if y1 != y2]
    count = max(1, min(256, len(edges) // 3))
    height = max((bbox[3] - bbox[1]) / count, 1e-12)
    buckets: list[list[float]] = [[] for _ in range(count)]
    for edge in edges:
        first = int((edge[0] - bbox[1]) / height)
        last = min(int((edge[1] - bbox[1]) / height), count - 1)
        for band in range(first, last + 1):
            buckets[band].extend(edge)
    outline = tuple(value for segment in segments for value in segment)
    return Shape(bbox, tuple(tuple(bucket) for bucket in buckets), height, outline)


def shape_from_geojson(geometry: dict) -> Shape:
    return make_shape(rings_of(geometry))


def features_of(geojson_text: str) -> list[tuple[dict, Shape]]:
    """(properties, shape) of every feature of a GeoJSON FeatureCollection of (Multi)Polygons."""
    collection = json.loads(geojson_text)
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ValueError("not a GeoJSON FeatureCollection")
    return [(feature.get("properties") or {}, shape_from_geojson(feature["geometry"]))
            for feature in collection.get("features", [])]


class GridIndex:
    """Uniform grid over bounding boxes: which items may touch a point or a box."""

    def __init__(self, boxes: Sequence[BBox], cell_deg: float):
        if not cell_deg > 0:
            raise ValueError("cell_deg must be positive")
        self.cell = cell_deg
        cells: dict[int, list[int]] = {}
        for item, box in enumerate(boxes):
            for key in self._keys(box):
                cells.setdefault(key, []).append(item)
        self._cells = {key: tuple(items) for key, items in cells.items()}

    def _key(self, x: float, y: float) -> int:
        return math.floor(x / self.cell) * _ROWS + math.floor(y / self.cell)

    def _keys(self, box: BBox) -> Iterator[int]:
        min_x, min_y, max_x, max_y = box
        for column in range(math.floor(min_x / self.cell), math.floor(max_x / self.cell) + 1):
            for row in range(math.floor(min_y / self.cell), math.floor(max_y / self.cell) + 1):
                yield column * _ROWS + row

    def at(self, x: float, y: float) -> tuple[int, ...]:
        """Items whose box's cells include the point's cell (a superset of the boxes holding it)."""
        return self._cells.get(self._key(x, y), ())

    def around(self, box: BBox) -> set[int]:
        """Items whose cells meet the box's cells."""
        found: set[int] = set()
        for key in self._keys(box):
            found.update(self._cells.get(key, ()))
        return found


_ROWS = 1 << 24  # a key is column * _ROWS + row; rows stay far below this for cells of 1e-5° and up


def cell_size_for(boxes: Sequence[BBox]) -> float:
    """A grid cell about half the median box: a handful of candidates per cell, few cells per box."""
    sizes = sorted(max(box[2] - box[0], box[3] - box[1]) for box in boxes)
    return max(sizes[len(sizes) // 2] / 2, 1e-3) if sizes else 1.0


class ShapeIndex:
    """Shapes with a grid index: which of them contain a point, which lie near it.

    ``anchors`` (one point per shape, e.g. its published centroid) settle overlaps: where several
    shapes contain a point, ``best_containing`` takes the one whose anchor is nearest.
    """

    def __init__(self, shapes: Sequence[Shape], anchors: Sequence[tuple[float, float]] | None = None,
                 cell_deg: float | None = None):
        self.shapes = tuple(shapes)
        self.anchors = tuple(anchors) if anchors is not None else tuple(middle(s.bbox) for s in self.shapes)
        if len(self.anchors) != len(self.shapes):
            raise ValueError("one anchor per shape")
        boxes = [shape.bbox for shape in self.shapes]
        self._grid = GridIndex(boxes, cell_deg or cell_size_for(boxes))

    def containing(self, x: float, y: float) -> list[int]:
        shapes = self.shapes
        return [item for item in self._grid.at(x, y) if shapes[item].contains(x, y)]

    def best_containing(self, x: float, y: float) -> int | None:
        hits = self.containing(x, y)
        if len(hits) > 1:
            anchors = self.anchors
            return min(hits, key=lambda item: (anchors[item][0] - x) ** 2 + (anchors[item][1] - y) ** 2)
        return hits[0] if hits else None

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

    def nearest(self, x: float, y: float, radius_m: float, refine: int = 3) -> tuple[float, int] | None:
        """(geodesic metres, item) of the nearest point within the radius; the ``refine`` nearest on
        the flat projection are measured again on the WGS84 ellipsoid to choose between them."""
        candidates = self.within(x, y, radius_m)[:refine]
        measured = [(geodesic_m(x, y, *self.points[item]), item) for _, item in candidates]
        best = min(measured, default=None)
        return best if best is not None and best[0] <= radius_m else None


def middle(box: BBox) -> tuple[float, float]:
    return (box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0


def box_around(x: float, y: float, radius_m: float) -> BBox:
    dy = radius_m / METRES_PER_DEGREE
    dx = dy / max(math.cos(math.radians(y)), 0.01)
    return x - dx, y - dy, x + dx, y + dy


def equirectangular_m(x1: float, y1: float, x2: float, y2: float, scale: float | None = None) -> float:
    """Metres between two lon/lat points on a local flat projection; ``scale`` is cos(latitude)."""
    if scale is None:
        scale = math.cos(math.radians((y1 + y2) / 2.0))
    return METRES_PER_DEGREE * math.hypot((x2 - x1) * scale, y2 - y1)


def geodesic_m(x1: float, y1: float, x2: float, y2: float) -> float:
    """Metres between two lon/lat points on the WGS84 ellipsoid, as ``geopy.distance.geodesic``.

    geographiclib is what geopy measures with; it is called directly because importing the
    ``geopy`` package also imports its geocoders and, with them, ``requests`` — which the core
    must not load.
    """
    return Geodesic.WGS84.Inverse(y1, x1, y2, x2, Geodesic.DISTANCE)["s12"]


def segment_distance_m(x: float, y: float, segment: Segment, scale: float) -> float:
    """Metres from a point to a segment on the local flat projection (x scaled by cos latitude)."""
    x1, y1, x2, y2 = segment
    ax, ay = (x1 - x) * scale, y1 - y
    bx, by = (x2 - x) * scale, y2 - y
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
    return METRES_PER_DEGREE * math.hypot(ax + t * dx, ay + t * dy)

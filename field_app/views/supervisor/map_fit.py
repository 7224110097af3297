"""Fitting the map to a commander's scope: bounds of polygons and the Web Mercator view that fills a box.

Pure arithmetic, no Flet: the map opens on the scope's own polygons (Polres Kerinci sees Kerinci and
Sungai Penuh fill the box), and the same projection places labels (``map_labels``) and turns a tap on
the box into a point. Coordinates are (lat, lon); pixels are (x, y) from the box's top-left corner.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

TILE = 256                    # flutter_map's world is 256 px wide at zoom 0
MAX_ZOOM = 17.0               # a desa never fills more than this (a kecamatan of Kota Sungai Penuh needs ~15.6)
Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Bounds:
    south: float
    west: float
    north: float
    east: float


@dataclass(frozen=True, slots=True)
class View:
    lat: float
    lon: float
    zoom: float


def bounds(rings: Iterable[Sequence[Point]]) -> Bounds:
    """The smallest box holding every point of every ring; ``ValueError`` when there are none."""
    lats, lons = [], []
    for ring in rings:
        for lat, lon in ring:
            lats.append(lat)
            lons.append(lon)
    if not lats:
        raise ValueError("no points to fit")
    return Bounds(min(lats), min(lons), max(lats), max(lons))


def world_xy(lat: float, lon: float, zoom: float) -> Point:
    """Web Mercator pixels of (lat, lon) at ``zoom`` (the world is ``TILE * 2**zoom`` px wide)."""
    size = TILE * 2 ** zoom
    sin = math.sin(math.radians(max(min(lat, 85.0), -85.0)))
    return (lon + 180.0) / 360.0 * size, (0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * size


def world_latlon(x: float, y: float, zoom: float) -> Point:
    size = TILE * 2 ** zoom
    lon = x / size * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / size))))
    return lat, lon


def fit(box: Bounds, width: float, height: float, padding: float = 16.0, max_zoom: float = MAX_ZOOM) -> View:
    """The centre and the largest zoom at which ``box`` fits ``width`` x ``height`` px inside ``padding``."""
    x0, y0 = world_xy(box.north, box.west, 0)
    x1, y1 = world_xy(box.south, box.east, 0)
    span_x, span_y = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
    room_x, room_y = max(width - 2 * padding, 1.0), max(height - 2 * padding, 1.0)
    zoom = min(math.log2(room_x / span_x), math.log2(room_y / span_y), max_zoom)
    lat, lon = world_latlon((x0 + x1) / 2, (y0 + y1) / 2, 0)
    return View(lat, lon, zoom)


def to_box(point: Point, view: View, width: float, height: float) -> Point:
    """Where (lat, lon) falls in the box showing ``view``."""
    cx, cy = world_xy(view.lat, view.lon, view.zoom)
    x, y = world_xy(point[0], point[1], view.zoom)
    return x - cx + width / 2, y - cy + height / 2


def from_box(x: float, y: float, view: View, width: float, height: float) -> Point:
    """The (lat, lon) under pixel (x, y) of the box showing ``view``."""
    cx, cy = world_xy(view.lat, view.lon, view.zoom)
    return world_latlon(cx + x - width / 2, cy + y - height / 2, view.zoom)

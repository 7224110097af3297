"""Shipped data the renderers draw on, read once per process through ``kerawanan.assets``.

Boundaries come from ``assets/regions/jambi_{kabupaten,kecamatan,desa}.geojson`` (lon/lat, RFC
7946). Coordinates are frozen into tuples so that a cached geometry can be handed to any number
of exports without a copy and without a caller being able to change it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kerawanan import assets
from kerawanan.regions import Region, parse_regions

LAYER_FILES = {
    "kabupaten": "jambi_kabupaten.geojson",
    "kecamatan": "jambi_kecamatan.geojson",
    "desa": "jambi_desa.geojson",
}


@dataclass(frozen=True, slots=True)
class Boundary:
    """One region's published polygon: a GeoJSON geometry with tuple coordinates."""

    code: str
    name: str
    parent_code: str | None
    geometry: dict[str, Any]  # {"type": "Polygon"|"MultiPolygon", "coordinates": (...)}

    @property
    def polygons(self) -> tuple:
        """Every polygon as a tuple of rings (outer ring first), for Polygon and MultiPolygon."""
        coordinates = self.geometry["coordinates"]
        return (coordinates,) if self.geometry["type"] == "Polygon" else coordinates


@lru_cache(maxsize=len(LAYER_FILES))
def boundaries(tier: str) -> dict[str, Boundary]:
    """The polygons of one tier (``kabupaten``, ``kecamatan`` or ``desa``) by code; ``{}`` for
    ``provinsi`` (no province polygon is shipped)."""
    if tier not in LAYER_FILES:
        return {}
    document = json.loads(assets.read_text("regions", LAYER_FILES[tier]))
    found = {}
    for feature in document["features"]:
        properties, geometry = feature["properties"], feature["geometry"]
        frozen = {"type": geometry["type"], "coordinates": _freeze(geometry["coordinates"])}
        found[properties["code"]] = Boundary(properties["code"], properties["name"],
                                             properties.get("parent_code"), frozen)
    return found


def _freeze(value: Any) -> Any:
    return tuple(_freeze(item) for item in value) if isinstance(value, list) else value


@lru_cache(maxsize=1)
def regions_by_code() -> dict[str, Region]:
    """Every region of the shipped gazetteer CSV (names, parents, interior points) by code.

    Lighter than ``kerawanan.assets.gazetteer()``: no polygons, no search index."""
    return {region.code: region for region in parse_regions(assets.read_text("regions", "jambi_wilayah.csv"))}


def lineage(code: str) -> tuple[Region | None, Region | None, Region | None]:
    """The desa, kecamatan and kabupaten of a region code (``None`` where unknown or not apply)."""
    regions = regions_by_code()
    parts = code.split(".") if isinstance(code, str) else []
    desa = regions.get(code) if len(parts) == 4 else None
    kecamatan = regions.get(".".join(parts[:3])) if len(parts) >= 3 else None
    kabupaten = regions.get(".".join(parts[:2])) if len(parts) >= 2 else None
    return desa, kecamatan, kabupaten

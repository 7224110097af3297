"""Regions for the map and the coverage screen: shapes from the shipped GeoJSON, levels from the server.

The map needs no tiles: each kabupaten/kecamatan is a polygon from ``assets/regions``. Levels come
from ``GET /regions/{code}`` for the supervisor's scope codes (and, for a province scope, each
kabupaten); regions outside the scope stay grey with no level (nothing leaks). Tapping the map
gives a point; ``locate`` finds the polygon holding it (flet-map has no tap-on-polygon event).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from field_app.errors import Offline, ServerRejected
from field_app.viewmodels.base import ViewModel
from field_app.viewmodels.supervisor_board import LEVEL_RANK
from kerawanan import assets

TIERS = ("kabupaten", "kecamatan")
QUIET_STATES = ("silent", "unassigned")          # coverage states that are never shown as safe
Ring = tuple[tuple[float, float], ...]          # (lat, lon) pairs


@dataclass(frozen=True, slots=True)
class Shape:
    code: str
    name: str
    parent_code: str
    rings: tuple[Ring, ...]
    centre: tuple[float, float]


@cache
def shapes(tier: str) -> tuple[Shape, ...]:
    """The kabupaten or kecamatan of Jambi (outer rings only, GeoJSON [lon, lat] swapped)."""
    data = json.loads(assets.read_text("regions", f"jambi_{tier}.geojson"))
    found = []
    for feature in data["features"]:
        geometry, props = feature["geometry"], feature["properties"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings = tuple(tuple((float(lat), float(lon)) for lon, lat in polygon[0]) for polygon in polygons)
        biggest = max(rings, key=len)
        centre = (sum(p[0] for p in biggest) / len(biggest), sum(p[1] for p in biggest) / len(biggest))
        found.append(Shape(str(props["code"]), str(props["name"]), str(props.get("parent_code") or ""), rings,
                           centre))
    return tuple(found)


def inside(point: tuple[float, float], ring: Ring) -> bool:
    """Ray casting: is (lat, lon) inside the ring?"""
    lat, lon = point
    hit = False
    for (lat1, lon1), (lat2, lon2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (lat1 > lat) != (lat2 > lat) and lon < (lon2 - lon1) * (lat - lat1) / (lat2 - lat1) + lon1:
            hit = not hit
    return hit


class RegionMap(ViewModel):
    def __init__(self, client: Any, scope: tuple[str, ...], **kwargs: Any):
        super().__init__(**kwargs)
        self.client = client
        self.scope = scope
        self.tier = "kecamatan" if scope and all(code.count(".") >= 2 for code in scope) else "kabupaten"
        self.regions: dict[str, dict[str, Any]] = {}    # code -> summary (self or child) from the server
        self.selected: dict[str, Any] | None = None
        self.problem: str | None = None

    # ------------------------------------------------------------ intents

    def refresh(self) -> bool:
        try:
            found: dict[str, dict[str, Any]] = {}
            for code in self.scope:
                self._gather(code, found, depth=0)
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected as exc:
            return self._fail(exc.message)
        self.regions, self.problem = found, None
        self.changed()
        return True

    def set_tier(self, tier: str) -> None:
        if tier not in TIERS:
            raise KeyError(tier)
        self.tier = tier
        self.changed()

    def select(self, code: str) -> bool:
        """The region's summary and open alerts (``GET /regions/{code}``); out of scope -> a plain refusal."""
        try:
            self.selected = self.client.get_region(code)
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected:
            self.selected = None
            return self._fail(self.t("sv.map.out_of_scope"))
        self.problem = None
        self.changed()
        return True

    def tap(self, lat: float, lon: float) -> bool:
        code = self.locate(lat, lon)
        return self.select(code) if code else False

    # ------------------------------------------------------------ what the screen shows

    def view(self) -> tuple[float, float, float]:
        """Where the map opens: the centre of the scope's regions and a zoom that fits them."""
        depth = max(code.count(".") for code in self.scope) if self.scope else 0
        if depth == 0:
            return -1.65, 102.75, 7.4
        tier = "kabupaten" if depth == 1 else "kecamatan"
        centres = [s.centre for s in shapes(tier) if s.code in self.scope]
        if not centres:
            return -1.65, 102.75, 7.4
        lat = sum(c[0] for c in centres) / len(centres)
        lon = sum(c[1] for c in centres) / len(centres)
        return lat, lon, 9.2 if depth == 1 else 10.0   # a Polres fills the map

    def locate(self, lat: float, lon: float) -> str | None:
        for shape in shapes(self.tier):
            if any(inside((lat, lon), ring) for ring in shape.rings):
                return shape.code
        return None

    def level_of(self, code: str) -> str | None:
        """The region's level, or None when it is outside scope or unknown (drawn grey, "di luar wilayah")."""
        region = self.regions.get(code)
        return str(region.get("level") or "kurang_rawan") if region else None

    def coverage_of(self, code: str) -> dict[str, Any]:
        """The region's coverage object from the server (``{}`` when unknown)."""
        return (self.regions.get(code) or {}).get("coverage") or {}

    def is_gap(self, code: str) -> bool:
        """Not reporting (silent or no officer): never drawn or badged as safe."""
        region = self.regions.get(code) or {}
        state = self.coverage_of(code).get("state")
        return state in QUIET_STATES if state else bool(region.get("coverage_gap"))

    def region_list(self) -> list[dict[str, Any]]:
        """In-scope regions of the current tier, most serious first (the map's list twin); at one level the
        regions not reporting come first — highlighted, never sorted away among the quiet ones."""
        tier_depth = 2 if self.tier == "kabupaten" else 3
        chosen = [r for code, r in self.regions.items() if code.count(".") + 1 == tier_depth]
        return sorted(chosen, key=lambda r: (LEVEL_RANK.get(str(r.get("level")), 9), not self.is_gap(str(r["code"])),
                                             -float(r.get("score") or 0), str(r.get("code"))))

    def coverage_rows(self) -> list[dict[str, Any]]:
        """Every desa in scope not heard from: silent ones (an officer to call) first, then those with no
        officer; oldest last-heard first."""
        seen: dict[str, dict[str, Any]] = {}
        for code in self.scope:
            for gap in self.coverage_of(code).get("gaps") or []:
                seen[gap["code"]] = gap
        return sorted(seen.values(), key=lambda g: (g.get("state") == "unassigned", g.get("last_heard") or "",
                                                    g["code"]))

    def officer_rows(self) -> list[dict[str, Any]]:
        """Every Bhabin of the scope with today's laporan nihil (or not): those without one first."""
        seen: dict[str, dict[str, Any]] = {}
        for code in self.scope:
            for row in self.coverage_of(code).get("officers") or []:
                seen.setdefault(row["username"], row)
        return sorted(seen.values(), key=lambda r: (r.get("nihil_today_at") is not None, str(r.get("name"))))

    def coverage_summary(self) -> dict[str, Any]:
        coverages = [self.coverage_of(code) for code in self.scope]
        return {"desa": sum(int(c.get("desa") or 0) for c in coverages),
                "silent_desa": sum(int(c.get("silent_desa") or 0) for c in coverages),
                "unassigned_desa": sum(int(c.get("unassigned_desa") or 0) for c in coverages),
                "loaded": bool(coverages) and all(coverages),
                "critical_stage": any(c.get("critical_stage") for c in coverages),
                "stage": next((c.get("stage") for c in coverages if c.get("stage")), None),
                "silence_hours": next((c.get("silence_hours") for c in coverages if c.get("silence_hours")), None)}

    def _gather(self, code: str, found: dict[str, dict[str, Any]], depth: int) -> None:
        region = self.client.get_region(code)
        found[code] = region
        for child in region.get("children") or []:
            found.setdefault(child["code"], child)
        if code.count(".") == 0 and depth == 0:           # a province scope: its kabupaten's kecamatan too
            for child in region.get("children") or []:
                self._gather(child["code"], found, depth + 1)

    def _fail(self, message: str) -> bool:
        self.problem = message
        self.changed()
        return False

"""Regions for the map and the coverage screen: shapes from the shipped GeoJSON, levels from the server.

The map needs no tiles: each kabupaten/kecamatan is a polygon from ``assets/regions``. Levels come
from ``GET /regions/{code}`` for the supervisor's scope codes (and, for a province scope, each
kabupaten); regions outside the scope stay grey with no level (nothing leaks). Tapping the map
gives a point; ``locate`` finds the polygon holding it (flet-map has no tap-on-polygon event).

Drill-down: the map opens on the scope's own tier (kabupaten for Polda and Polres, kecamatan for a
Polsek); tapping a region in scope shows its children (kabupaten -> kecamatan -> desa) and ``path``
is the breadcrumb back up. Two layers colour the same shapes: live kamtibmas levels from the server,
and Bawaslu's IKP of the region's kabupaten/kota (``assets/jambi_context.csv``).
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
from kerawanan.context import parse_context

TIERS = ("kabupaten", "kecamatan")
DEPTH_TIER = {1: "kabupaten", 2: "kecamatan", 3: "desa"}      # dots in a code -> its tier
LAYERS = ("kamtibmas", "ikp", "both")     # both: the two side by side
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


@cache
def ikp_context() -> dict[str, Any]:
    """Bawaslu IKP and Polda's baseline per kabupaten/kota, as shipped."""
    return parse_context(assets.read_text("jambi_context.csv"))


def tier_of(code: str) -> str:
    return DEPTH_TIER.get(code.count("."), "provinsi")


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
        self.path: list[str] = []                         # drilled into, outermost first ([] = the scope)
        self.layer = "kamtibmas"

    # ------------------------------------------------------------ intents

    def refresh(self) -> bool:
        try:
            found: dict[str, dict[str, Any]] = {}
            for code in self.scope:
                self._gather(code, found, depth=0)
            for code in self.path:                         # the desa of a kecamatan drilled into
                self._gather(code, found, depth=1)
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
        """A tap on the map: the region under it opens, and shows its children when it has any."""
        code = self.locate(lat, lon)
        return self.drill(code) if code else False

    def drill(self, code: str) -> bool:
        """Select ``code`` and, above desa, show its children (its kecamatan or desa) with a breadcrumb."""
        if not self.select(code):
            return False
        for child in (self.selected or {}).get("children") or []:
            self.regions[child["code"]] = child
        if code.count(".") < 3:
            self.path = [c for c in self.path if code.startswith(c + ".")] + [code]
        self.changed()
        return True

    def up(self, depth: int) -> bool:
        """Back to breadcrumb step ``depth`` (0: the whole scope)."""
        self.path = self.path[:max(depth, 0)]
        if not self.path:
            self.selected = None
            self.changed()
            return True
        return self.select(self.path[-1])

    def set_layer(self, layer: str) -> None:
        if layer not in LAYERS:
            raise KeyError(layer)
        self.layer = layer
        self.changed()

    # ------------------------------------------------------------ what the screen shows

    def focus(self) -> str | None:
        return self.path[-1] if self.path else None

    def shown_tier(self) -> str:
        focus = self.focus()
        return DEPTH_TIER[focus.count(".") + 1] if focus else self.tier

    def shown(self) -> tuple[Shape, ...]:
        """The polygons drawn: the root tier (regions outside the scope grey around it), or the focus' children."""
        focus = self.focus()
        every = shapes(self.shown_tier())
        return tuple(s for s in every if s.parent_code == focus) if focus else every

    def fit_rings(self) -> list[Ring]:
        """What the map opens on: the scope's own polygons, or the region drilled into."""
        focus = self.focus()
        if focus:
            chosen = [s for s in shapes(tier_of(focus)) if s.code == focus] or list(self.shown())
        elif any(code.count(".") == 0 for code in self.scope) or not self.scope:
            chosen = list(shapes(self.tier))
        else:
            chosen = [s for s in shapes(self.tier) if s.code in self.scope or s.parent_code in self.scope
                      or any(s.code.startswith(code + ".") for code in self.scope)]
        return [ring for shape in chosen for ring in shape.rings]

    def breadcrumb(self) -> list[tuple[int, str]]:
        """(depth, name) from the whole scope down to the region drilled into."""
        names = {s.code: s.name for code in self.path for s in shapes(tier_of(code)) if s.code == code}
        return [(0, self.t("sv.map.crumb.root"))] + [
            (i + 1, str((self.regions.get(code) or {}).get("name") or names.get(code) or code))
            for i, code in enumerate(self.path)]

    def ikp_of(self, code: str) -> dict[str, Any] | None:
        """The IKP category/score and Polda's baseline of the region's kabupaten/kota (None outside Jambi's)."""
        context = ikp_context().get(".".join(code.split(".")[:2]))
        return context.to_dict() if context else None

    def locate(self, lat: float, lon: float) -> str | None:
        """The shown region under the point; outside them (beside a region drilled into) the root tier's."""
        for shape in (*self.shown(), *(shapes(self.tier) if self.path else ())):
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
        depth, focus = {"kabupaten": 1, "kecamatan": 2, "desa": 3}[self.shown_tier()], self.focus()
        chosen = [r for code, r in self.regions.items() if code.count(".") == depth
                  and (focus is None or code.startswith(focus + "."))]
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

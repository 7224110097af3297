"""Regions with their alert level as an RFC 7946 GeoJSON FeatureCollection (for QGIS, web maps).

One feature per region given, in the order given, with the region's polygon from the shipped
boundaries (kabupaten/kota, kecamatan or desa layer, by the depth of its code). Coordinates are
WGS84 ``[lon, lat]``; outer rings run counter-clockwise as the shipped files do; no ``crs`` member.

A region without a shipped polygon is not dropped (a coverage gap must stay on the map): it gets a
``Point`` at its own gazetteer point, else at the point of its nearest ancestor that has one (the
17 new Tebo villages, whose README says to use the kecamatan's point), else ``geometry: null``
(an unknown code). The province has no shipped polygon, so it is always a point.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from kerawanan.regions import parent_code, tier_of
from sync_server.exports import places, wording
from sync_server.render import iso_z

PROPERTIES = ("code", "name", "tier", "level", "level_label", "score", "alert_id", "status", "owner",
              "deadline_at", "alerts_below", "coverage_gap", "coverage", "coverage_label", "summary", "summary_label", "desa",
              "silent_desa", "unassigned_desa", "last_heard_at", "critical_stage", "reinforcement", "reinforced_tps",
              "personnel_standing", "personnel_estimate")
# coverage state -> words; a region that is not "reporting" is never labelled safe (``summary``).
COVERAGE_LABELS = {"reporting": "Ada kabar", "silent": "Tanpa kabar", "unassigned": "Belum ada Bhabin"}


def render_alerts_geojson(regions: Iterable[Mapping], gazetteer: Any = None) -> dict:
    """A FeatureCollection of the given regions.

    Each mapping holds ``code`` and any of ``name``, ``level``, ``score``, ``alert_id``,
    ``status``, ``owner``, ``deadline_at`` (datetime or ISO text; sent as UTC ``...Z``),
    ``coverage_gap`` and ``personnel`` (the API's personnel object). ``gazetteer`` (anything with ``find(code) -> Region | None``; the shipped
    gazetteer when omitted) supplies names and points.
    """
    find = gazetteer.find if gazetteer is not None else places.regions_by_code().get
    return {"type": "FeatureCollection",
            "features": [_feature(region, find) for region in regions]}


def _feature(region: Mapping, find) -> dict:
    code = str(region["code"])
    known = find(code)
    tier = _tier(code)
    properties = {
        "code": code,
        "name": region.get("name") or (known.name if known else None),
        "tier": tier,
        "level": region.get("level"),
        "level_label": wording.level_label(region.get("level")) or None,
        "score": region.get("score"),
        "alert_id": region.get("alert_id"),
        "status": region.get("status"),
        "owner": region.get("owner"),
        "deadline_at": _time(region.get("deadline_at")),
        "alerts_below": int(region.get("alerts_below") or 0),      # one incident, one alert: shown, not copied
        "coverage_gap": bool(region.get("coverage_gap", False)),
        **_coverage(region),
        **_personnel(region),
    }
    return {"type": "Feature", "id": code, "geometry": _geometry(code, tier, find),
            "properties": properties}


def _coverage(region: Mapping) -> dict[str, Any]:
    """``coverage`` (reporting|silent|unassigned) and ``summary``: the level, or ``tidak_ada_kabar`` for a
    kurang_rawan region that is not reporting, with its words (level and "tanpa kabar" side by side)."""
    state = region.get("coverage_state") or ("silent" if region.get("coverage_gap") else "reporting")
    level = region.get("level")
    quiet = state != "reporting"
    summary = "tidak_ada_kabar" if quiet and level in (None, "kurang_rawan") else level
    words = wording.level_label(level) or "Belum dinilai"
    return {"coverage": state, "coverage_label": COVERAGE_LABELS.get(state, state),
            "summary": summary, "summary_label": f"{words} · {COVERAGE_LABELS.get(state, state)}" if quiet else words,
            "desa": region.get("desa"), "silent_desa": region.get("silent_desa"),
            "unassigned_desa": region.get("unassigned_desa"), "last_heard_at": _time(region.get("last_heard")),
            "critical_stage": region.get("critical_stage")}


def _personnel(region: Mapping) -> dict[str, Any]:
    """The region's share of the personnel plan (``personnel``, as on the API; absent: null):
    reinforcement and the TPS it is for, whether Polda's standing plan adds to it, and that the TPS
    counts are estimates."""
    plan = region.get("personnel") or {}
    return {"reinforcement": plan.get("reinforcement"), "reinforced_tps": plan.get("reinforced_tps"),
            "personnel_standing": plan.get("standing"), "personnel_estimate": plan.get("estimate")}


def _tier(code: str) -> str | None:
    try:
        return tier_of(code)
    except ValueError:
        return None


def _geometry(code: str, tier: str | None, find) -> dict | None:
    boundary = places.boundaries(tier).get(code) if tier else None
    if boundary is not None:
        return boundary.geometry
    if find(code) is None:
        return None
    while code is not None:
        region = find(code)
        if region is not None and region.lat is not None:
            return {"type": "Point", "coordinates": (region.lon, region.lat)}
        code = parent_code(code)
    return None


def _time(value: Any) -> Any:
    return iso_z(value) if isinstance(value, datetime) else value

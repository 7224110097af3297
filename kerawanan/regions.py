"""The gazetteer of Jambi: regions by Kemendagri code, search by name, and GPS → desa offline.

Codes look like ``15`` (provinsi), ``15.01`` (kabupaten/kota), ``15.01.01`` (kecamatan) and
``15.01.01.2001`` (desa/kelurahan). The code functions here (``parent_code``, ``tier_of``,
``level_of``, ``in_scope``) work on strings alone; ``load_gazetteer`` builds a ``Gazetteer`` from
the shipped CSV and, optionally, the desa/kecamatan/kabupaten GeoJSON used by ``locate_desa``.

Search compares case- and accent-free words (``normalize_name``) with each region's name, its name
without "Kabupaten "/"Kota ", and its title ("Desa Koto Baru", "Kecamatan Koto Baru"); "kab",
"kec", "kel" and "prov" at the start of a query are read in full. It ranks a match as exact >
name prefix > word prefix > substring > loose (spaces ignored, or every word a word prefix in any
order); queries under three letters match only the start of a name or word. Equal ranks put higher
tiers first (provinsi, kabupaten/kota, kecamatan, desa/kelurahan), then shorter names, then codes.
A query that looks like a code ("15.72.07") lists the regions whose code starts with it, in code
order.
"""
from __future__ import annotations

import bisect
import csv
import io
import math
import numbers
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kerawanan import geometry
from kerawanan.errors import NotFound

TIERS = ("provinsi", "kabupaten", "kecamatan", "desa")
LEVELS = ("provinsi", "kabupaten", "kota", "kecamatan", "desa", "kelurahan")
_TIER_OF_LEVEL = {"provinsi": "provinsi", "kabupaten": "kabupaten", "kota": "kabupaten",
                  "kecamatan": "kecamatan", "desa": "desa", "kelurahan": "desa"}
_LEVEL_TITLES = {"provinsi": "Provinsi", "kecamatan": "Kecamatan", "desa": "Desa", "kelurahan": "Kelurahan"}
CODE_PATTERN = re.compile(r"\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?")
CSV_COLUMNS = ("code", "level", "name", "parent_code", "lat", "lon")


# --- codes -------------------------------------------------------------------------------------

def parent_code(code: str) -> str | None:
    """The code minus its last part; ``None`` for the province."""
    head, dot, _ = code.rpartition(".")
    return head if dot else None


def level_of(code: str) -> str:
    """provinsi|kabupaten|kota|kecamatan|desa|kelurahan, from the code alone (Kemendagri rules)."""
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        raise ValueError(f"not a region code: {code!r}")
    parts = code.split(".")
    if len(parts) == 1:
        return "provinsi"
    if len(parts) == 2:
        return "kota" if int(parts[1]) >= 71 else "kabupaten"
    if len(parts) == 3:
        return "kecamatan"
    return "kelurahan" if parts[3].startswith("1") else "desa"


def tier_of(code: str) -> str:
    """provinsi|kabupaten|kecamatan|desa: the level with kota counted as kabupaten, kelurahan as desa."""
    return _TIER_OF_LEVEL[level_of(code)]


def in_scope(code: str, scopes: Iterable[str]) -> bool:
    """DESIGN rule: in scope when the code equals a scope code or starts with it followed by a dot."""
    if isinstance(scopes, str):
        scopes = (scopes,)
    return isinstance(code, str) and any(code == scope or code.startswith(scope + ".") for scope in scopes)


# --- regions -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Region:
    code: str
    level: str  # provinsi|kabupaten|kota|kecamatan|desa|kelurahan
    name: str
    parent_code: str | None
    lat: float | None = None
    lon: float | None = None

    @property
    def depth(self) -> int:
        return self.code.count(".") + 1

    @property
    def tier(self) -> str:
        return _TIER_OF_LEVEL[self.level]

    @property
    def title(self) -> str:
        """The name with its kind, as people say it: "Desa Koto Baru", "Kabupaten Kerinci"."""
        prefix = _LEVEL_TITLES.get(self.level)
        return f"{prefix} {self.name}" if prefix else self.name


def _parse_row(row: dict[str, str], line: int) -> Region:
    code = (row.get("code") or "").strip()
    try:
        level = level_of(code)
    except ValueError as error:
        raise ValueError(f"line {line}: {error}") from None
    if row.get("level") != level or (row.get("parent_code") or None) != parent_code(code):
        raise ValueError(f"line {line}: level or parent of {code} does not match its code")
    name = (row.get("name") or "").strip()
    if not name:
        raise ValueError(f"line {line}: {code} has no name")
    lat, lon = _optional_float(row.get("lat")), _optional_float(row.get("lon"))
    if (lat is None) != (lon is None):
        raise ValueError(f"line {line}: {code} has only one of lat/lon")
    return Region(code, level, name, parent_code(code), lat, lon)


def _optional_float(text: str | None) -> float | None:
    return float(text) if text and text.strip() else None


def parse_regions(csv_text: str) -> list[Region]:
    """Regions of a gazetteer CSV (columns code,level,name,parent_code,lat,lon), checked."""
    reader = csv.DictReader(io.StringIO(csv_text))
    missing = set(CSV_COLUMNS) - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"gazetteer CSV lacks columns: {', '.join(sorted(missing))}")
    regions = [_parse_row(row, line) for line, row in enumerate(reader, start=2)]
    codes = {region.code for region in regions}
    if len(codes) != len(regions):
        raise ValueError("gazetteer CSV repeats a code")
    orphans = [r.code for r in regions if r.parent_code is not None and r.parent_code not in codes]
    if orphans:
        raise ValueError(f"gazetteer CSV has regions without a parent: {', '.join(orphans[:5])}")
    return regions


def load_gazetteer(csv_text: str, *, desa_geojson: str | None = None, kecamatan_geojson: str | None = None,
                   kabupaten_geojson: str | None = None) -> Gazetteer:
    """A gazetteer from the CSV text; the GeoJSON texts (optional) sharpen ``locate_desa``."""
    regions = parse_regions(csv_text)
    locator = Locator(regions, desa_geojson=desa_geojson, kecamatan_geojson=kecamatan_geojson,
                      kabupaten_geojson=kabupaten_geojson)
    return Gazetteer(regions, locator)


class Gazetteer:
    """Every region of the province, by code, with its hierarchy, a name search and GPS → desa."""

    def __init__(self, regions: Iterable[Region], locator: Locator | None = None):
        ordered = sorted(regions, key=lambda region: region.code)
        self._regions = {region.code: region for region in ordered}
        self._desa_codes = [region.code for region in ordered if region.tier == "desa"]
        self._children: dict[str, list[Region]] = {}
        for region in ordered:
            if region.parent_code is not None:
                self._children.setdefault(region.parent_code, []).append(region)
        self._search = SearchIndex(ordered)
        self._locator = locator or Locator(ordered)

    def __len__(self) -> int:
        return len(self._regions)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._regions

    def __iter__(self) -> Iterator[Region]:
        return iter(self._regions.values())

    def find(self, code: object) -> Region | None:
        return self._regions.get(code) if isinstance(code, str) else None

    def get(self, code: str) -> Region:
        region = self.find(code)
        if region is None:
            raise NotFound(f"Wilayah dengan kode {code!s} tidak dikenal.",
                           message_en=f"Unknown region code {code!s}.", details={"code": str(code)})
        return region

    def is_desa(self, code: object) -> bool:
        region = self.find(code)
        return region is not None and region.tier == "desa"

    def parent(self, code: str) -> Region | None:
        region = self.get(code)
        return None if region.parent_code is None else self._regions[region.parent_code]

    def ancestors(self, code: str) -> list[Region]:
        """Parent, grandparent, … up to the province (nearest first)."""
        found = []
        region = self.parent(code)
        while region is not None:
            found.append(region)
            region = self.parent(region.code)
        return found

    def children(self, code: str) -> list[Region]:
        return list(self._children.get(self.get(code).code, ()))

    def desa_under(self, code: str) -> list[Region]:
        """Every desa/kelurahan in scope of the code (a desa's own list holds itself), in code order."""
        code = self.get(code).code
        low = bisect.bisect_left(self._desa_codes, code)
        high = bisect.bisect_left(self._desa_codes, code + "/")  # "/" sorts right after "."
        return [self._regions[desa] for desa in self._desa_codes[low:high]]

    def regions(self, tier: str | None = None) -> tuple[Region, ...]:
        """All regions in code order, or those of one tier (or level: "kota", "kelurahan")."""
        if tier is None:
            return tuple(self._regions.values())
        _check_tiers((tier,))
        return tuple(r for r in self._regions.values() if tier in (r.tier, r.level))

    def search(self, query: str, *, limit: int = 20, tiers: Iterable[str] | None = None) -> list[Region]:
        """Regions matching a name or code prefix, best first (ranking in the module docstring)."""
        return self._search.search(query, limit=limit, tiers=tiers)

    def locate_desa(self, lat: float, lon: float) -> Located:
        """The desa holding a GPS fix, offline. Never raises; ``Located.found`` is False when unsure."""
        return self._locator.locate(lat, lon)


# --- search ------------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans("", "", "'\u2018\u2019\u02bc`\u00b4")
_NON_WORD = re.compile(r"[\W_]+")
_ADMIN_PREFIXES = ("kabupaten ", "kota ")
_KIND_WORDS = frozenset({"provinsi", "kecamatan", "desa", "kelurahan"})
_ABBREVIATIONS = (("kab ", "kabupaten "), ("kec ", "kecamatan "), ("kel ", "kelurahan "), ("prov ", "provinsi "))
_CODE_QUERY = re.compile(r"\d+(?:\.\d*)*")
_MIN_INFIX = 3  # shorter queries match only the start of a name or of one of its words


def normalize_name(text: str) -> str:
    """Case- and accent-free words: "Pekan Jum'at" → "pekan jumat", "Muaro-Bungo" → "muaro bungo"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NON_WORD.sub(" ", plain.casefold().translate(_APOSTROPHES)).split())


def _check_tiers(tiers: Iterable[str]) -> None:
    unknown = [tier for tier in tiers if tier not in _TIER_OF_LEVEL]
    if unknown:
        raise ValueError(f"unknown tier: {unknown[0]!r} (use one of {', '.join(TIERS)})")


@dataclass(frozen=True, slots=True)
class _Entry:
    names: tuple[str, ...]  # the normalised name, and without "kabupaten "/"kota " when it has one
    compact: str            # the names without spaces, joined by "|"
    heads: frozenset[str]   # first one and two letters of every word, for very short queries
    title: str              # "desa koto baru", "kecamatan koto baru" ("" when it is the name)
    kind: str               # the title's first word and a space: "desa ", "kecamatan "
    order: tuple[int, int, str]
    region: Region


def _entry(region: Region) -> _Entry:
    name, title = normalize_name(region.name), normalize_name(region.title)
    names = (name,) + tuple(name[len(p):] for p in _ADMIN_PREFIXES if name.startswith(p))
    heads = frozenset(word[:size] for word in " ".join(names).split() for size in (1, 2))
    compact = "|".join(n.replace(" ", "") for n in names)
    title, kind = ("", "|") if title == name else (title, title.split(" ", 1)[0] + " ")
    order = (TIERS.index(region.tier), len(region.name), region.code)
    return _Entry(names, compact, heads, title, kind, order, region)


def _rank(entry: _Entry, query: str, words: list[str]) -> int | None:
    """0 exact, 1 name prefix, 2 word prefix, 3 substring, 4 loose; ``words`` without a kind word."""
    ranks = [_name_rank(name, query) for name in entry.names]
    if query.startswith(entry.kind):
        ranks.append(_name_rank(entry.title, query))
    best = min((rank for rank in ranks if rank is not None), default=None)
    if best is not None:
        return best
    if query.replace(" ", "") in entry.compact:
        return 4
    name_words = entry.names[0].split()
    if len(words) > 1 and all(any(w.startswith(word) for w in name_words) for word in words):
        return 4
    return None


def _name_rank(name: str, query: str) -> int | None:
    if name == query:
        return 0
    if name.startswith(query):
        return 1
    if " " + query in name:
        return 2
    return 3 if query in name else None


class SearchIndex:
    """Normalised names of every region, precomputed once, for ``Gazetteer.search``."""

    def __init__(self, regions: Iterable[Region]):
        self._entries = [_entry(region) for region in regions]
        self._by_code = sorted(self._entries, key=lambda entry: entry.region.code)
        self._codes = [entry.region.code for entry in self._by_code]

    def search(self, query: str, *, limit: int = 20, tiers: Iterable[str] | None = None) -> list[Region]:
        allowed = None if tiers is None else set(tiers)
        if allowed is not None:
            _check_tiers(allowed)
        if not isinstance(query, str) or limit <= 0:
            return []
        stripped = query.strip()
        if _CODE_QUERY.fullmatch(stripped):
            return self._by_code_prefix(stripped, limit, allowed)
        return self._by_name(normalize_name(stripped), limit, allowed)

    def _by_code_prefix(self, prefix: str, limit: int, allowed: set[str] | None) -> list[Region]:
        low = bisect.bisect_left(self._codes, prefix)
        found = []
        for entry in self._by_code[low:]:
            if len(found) >= limit or not entry.region.code.startswith(prefix):
                break
            if _allowed(entry.region, allowed):
                found.append(entry.region)
        return found

    def _by_name(self, query: str, limit: int, allowed: set[str] | None) -> list[Region]:
        for short_form, long_form in _ABBREVIATIONS:
            if query.startswith(short_form):
                query = long_form + query[len(short_form):]
        words = query.split()
        if len(words) > 1 and words[0] in _KIND_WORDS:
            words = words[1:]  # "desa koto baru": the kind is matched against titles, not names
        if not words:
            return []
        short = len(query) < _MIN_INFIX
        key = max(words, key=len)  # every kind of match needs every word somewhere in the name
        others = [word for word in words if word is not key]
        ranked = []
        for entry in self._entries:
            if short:
                if query not in entry.heads:
                    continue
            elif key not in entry.compact or not all(word in entry.compact for word in others):
                continue
            rank = _rank(entry, query, words) if _allowed(entry.region, allowed) else None
            if rank is not None and (rank <= 2 or not short):
                ranked.append((rank, entry.order, entry.region))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [region for _, _, region in ranked[:limit]]


def _allowed(region: Region, allowed: set[str] | None) -> bool:
    return allowed is None or region.tier in allowed or region.level in allowed


# --- GPS → desa --------------------------------------------------------------------------------

# When a fix falls in no desa polygon (slivers between simplified polygons, GPS error at a border):
BORDER_RADIUS_M = 1_000.0    # inside Jambi: the desa whose border is nearest, within this distance
NEAREST_RADIUS_M = 10_000.0  # inside Jambi, no border that close: the nearest desa point
OUTSIDE_BORDER_M = 150.0     # outside every kabupaten/kecamatan polygon, the same two radii are
OUTSIDE_RADIUS_M = 1_500.0   # much smaller, so that a fix clearly outside Jambi finds no desa


@dataclass(frozen=True, slots=True)
class Located:
    """Where a GPS fix fell. ``method``: polygon | nearest | kecamatan | none."""

    desa_code: str | None
    kecamatan_code: str | None
    method: str
    distance_m: float | None

    @property
    def found(self) -> bool:
        return self.desa_code is not None


NOT_LOCATED = Located(None, None, "none", None)


class Locator:
    """GPS → desa: the desa polygon holding the point; else, when the point lies in no polygon, the
    desa whose border is nearest (1 km inside Jambi, 150 m outside), else the nearest desa point
    (10 km inside Jambi, 1.5 km outside), else the kecamatan polygon holding it, else nothing."""

    def __init__(self, regions: Iterable[Region], *, desa_geojson: str | None = None,
                 kecamatan_geojson: str | None = None, kabupaten_geojson: str | None = None):
        by_code = {region.code: region for region in regions}
        desa = [r for r in by_code.values() if r.tier == "desa" and r.lat is not None]
        self._point_codes = [r.code for r in desa]
        self._points = geometry.PointIndex([(r.lon, r.lat) for r in desa])
        self._desa_codes, self._desa = _layer(by_code, desa_geojson, "desa")
        self._kecamatan_codes, self._kecamatan = _layer(by_code, kecamatan_geojson, "kecamatan")
        self._kabupaten = _layer(by_code, kabupaten_geojson, "kabupaten")[1]

    def locate(self, lat: object, lon: object) -> Located:
        if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in (lat, lon)):
            return NOT_LOCATED
        y, x = float(lat), float(lon)
        if not (math.isfinite(x) and math.isfinite(y) and -90 <= y <= 90 and -180 <= x <= 180):
            return NOT_LOCATED
        item = self._desa.best_containing(x, y)
        if item is not None:
            return _desa_located(self._desa_codes[item], "polygon", 0.0)
        inside = bool(self._kabupaten.containing(x, y) or self._kecamatan.containing(x, y))
        return (self._near_desa_border(x, y, BORDER_RADIUS_M if inside else OUTSIDE_BORDER_M)
                or self._near_desa_point(x, y, NEAREST_RADIUS_M if inside else OUTSIDE_RADIUS_M)
                or self._in_kecamatan(x, y) or NOT_LOCATED)

    def _near_desa_border(self, x: float, y: float, radius_m: float) -> Located | None:
        near = self._desa.within(x, y, radius_m)
        return _desa_located(self._desa_codes[near[0][1]], "nearest", near[0][0]) if near else None

    def _near_desa_point(self, x: float, y: float, radius_m: float) -> Located | None:
        nearest = self._points.nearest(x, y, radius_m)
        return None if nearest is None else _desa_located(self._point_codes[nearest[1]], "nearest", nearest[0])

    def _in_kecamatan(self, x: float, y: float) -> Located | None:
        item = self._kecamatan.best_containing(x, y)
        return None if item is None else Located(None, self._kecamatan_codes[item], "kecamatan", None)


def _desa_located(code: str, method: str, distance_m: float) -> Located:
    return Located(code, parent_code(code), method, round(distance_m, 1))


def _layer(regions: dict[str, Region], geojson_text: str | None,
           tier: str) -> tuple[list[str], geometry.ShapeIndex]:
    """The codes and indexed shapes of a GeoJSON layer; each region's own point settles overlaps."""
    features = geometry.features_of(geojson_text) if geojson_text else []
    codes = [str(properties.get("code")) for properties, _ in features]
    for code in codes:
        if code not in regions or regions[code].tier != tier:
            raise ValueError(f"{tier} GeoJSON holds {code}, which is no {tier} of the gazetteer")
    shapes = [shape for _, shape in features]
    anchors = [(regions[code].lon, regions[code].lat) if regions[code].lat is not None
               else geometry.middle(shape.bbox) for code, shape in zip(codes, shapes, strict=True)]
    return codes, geometry.ShapeIndex(shapes, anchors)

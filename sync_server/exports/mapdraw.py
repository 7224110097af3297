"""Drawing the situation-report map on a ReportLab canvas: fills, patterns, names, furniture.

Level is shown by colour *and* by pattern, so the map reads in black-and-white print and for
colour-blind readers: kurang rawan green and plain, rawan yellow with diagonal hatching, sangat
rawan red with cross-hatching. A coverage gap (a region with desa not heard from for 24 h, or with
no officer: ``alerts/coverage.py``) gets a thick dashed outline and "tanpa kabar" under its name;
when nothing raised its level it is grey, never green — silence is not safety. Regions in scope with no assessment are light grey.

Longitude is scaled by cos(mid-latitude), so shapes keep their true proportions. Names sit at
each region's interior point with a white halo; a name that would collide with another gets a
number in a white disc instead (``mappanel.MapPanel.key`` lists them). Layout — main map, inset,
legend — is ``mappanel``'s job.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import FILL_EVEN_ODD

FILLS = {  # level -> (fill colour, hatch directions)
    "kurang_rawan": (colors.HexColor("#43a047"), ()),
    "rawan": (colors.HexColor("#fdd835"), ("/",)),
    "sangat_rawan": (colors.HexColor("#e53935"), ("/", "\\")),
}
GAP_FILL = colors.HexColor("#b0b0b0")
UNASSESSED_FILL = colors.HexColor("#ececec")
INK = colors.HexColor("#212121")
HATCH_SPACING = 4.5
NAME_FONT, NAME_SIZE = "Helvetica-Bold", 6.5
NOTE_FONT, NOTE_SIZE = "Helvetica-Oblique", 5.5
MARKER_RADIUS = 4.6
KM_PER_DEGREE = 111.32

Point = tuple[float, float]


@dataclass(frozen=True)
class Area:
    """A region to draw: its polygons as ``[[(lon, lat), …] rings]`` per part, and its state."""

    code: str
    name: str
    polygons: Sequence[Sequence[Sequence[Sequence[float]]]]
    anchor: Point | None          # (lon, lat) interior point for the label
    level: str | None = None      # None: not assessed
    coverage_gap: bool = False

    @property
    def severity(self) -> int:
        return {"sangat_rawan": 3, "rawan": 2, "kurang_rawan": 1}.get(self.level or "", 0)


def fill_of(level: str | None, coverage_gap: bool) -> tuple[colors.Color, tuple[str, ...]]:
    if level in FILLS and not (coverage_gap and level == "kurang_rawan"):
        return FILLS[level]
    return (GAP_FILL if coverage_gap else UNASSESSED_FILL), ()


class Projection:
    """Equirectangular lon/lat → points, fitted into ``width`` × ``height`` keeping proportions.

    With ``fill=True`` the view keeps the full ``width`` × ``height`` and the box sits centred in
    it (an inset shows the surroundings); otherwise the view shrinks to the box's proportions."""

    def __init__(self, bbox: tuple[float, float, float, float], width: float, height: float, *,
                 fill: bool = False):
        min_x, min_y, max_x, max_y = bbox
        self.kx = math.cos(math.radians((min_y + max_y) / 2))
        span_x, span_y = max((max_x - min_x) * self.kx, 1e-9), max(max_y - min_y, 1e-9)
        self.scale = min(width / span_x, height / span_y)  # points per degree of latitude
        self.width, self.height = span_x * self.scale, span_y * self.scale
        self.min_x, self.min_y = min_x, min_y
        if fill:
            self.min_x -= (width - self.width) / 2 / self.scale / self.kx
            self.min_y -= (height - self.height) / 2 / self.scale
            self.width, self.height = width, height

    def __call__(self, lon: float, lat: float) -> Point:
        return (lon - self.min_x) * self.kx * self.scale, (lat - self.min_y) * self.scale

    def bbox(self) -> tuple[float, float, float, float]:
        """The lon/lat box the view shows."""
        return (self.min_x, self.min_y, self.min_x + self.width / self.scale / self.kx,
                self.min_y + self.height / self.scale)

    @property
    def km_per_point(self) -> float:
        return KM_PER_DEGREE / self.scale


def bbox_of(areas: Sequence[Area]) -> tuple[float, float, float, float]:
    xs = [p[0] for a in areas for polygon in a.polygons for ring in polygon for p in ring]
    ys = [p[1] for a in areas for polygon in a.polygons for ring in polygon for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


@dataclass
class Label:
    area: Area
    x: float
    y: float
    box: tuple[float, float, float, float]
    number: int | None = None  # set when the name did not fit


# --- painting ----------------------------------------------------------------------------------

def _path(canvas, rings: Sequence[Sequence[Point]]):
    path = canvas.beginPath()
    for ring in rings:
        if len(ring) < 3:
            continue
        path.moveTo(*ring[0])
        for point in ring[1:]:
            path.lineTo(*point)
        path.close()
    return path


def paint_area(canvas, rings, fill: colors.Color, hatches: Sequence[str]) -> None:
    """Fill the rings (even-odd, so holes stay holes), hatch inside them, and draw a thin border."""
    canvas.setFillColor(fill)
    canvas.setStrokeColor(colors.white)
    canvas.setLineWidth(0.6)
    canvas.drawPath(_path(canvas, rings), stroke=1, fill=1, fillMode=FILL_EVEN_ODD)
    if hatches:
        canvas.saveState()
        canvas.clipPath(_path(canvas, rings), stroke=0, fill=0, fillMode=FILL_EVEN_ODD)
        xs = [p[0] for ring in rings for p in ring]
        ys = [p[1] for ring in rings for p in ring]
        draw_hatching(canvas, (min(xs), min(ys), max(xs), max(ys)), hatches)
        canvas.restoreState()
    canvas.setStrokeColor(colors.HexColor("#424242"))
    canvas.setLineWidth(0.35)
    canvas.drawPath(_path(canvas, rings), stroke=1, fill=0)


def draw_hatching(canvas, box: tuple[float, float, float, float], directions: Sequence[str]) -> None:
    """45° lines over the box (clipped by the caller), on a grid shared by every area."""
    min_x, min_y, max_x, max_y = box
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.45)
    spacing = HATCH_SPACING
    lines = []
    for direction in directions:
        if direction == "/":  # x - y = k·spacing
            first, last = math.floor((min_x - max_y) / spacing), math.ceil((max_x - min_y) / spacing)
            lines += [(k * spacing + min_y, min_y, k * spacing + max_y, max_y) for k in range(first, last + 1)]
        else:                 # x + y = k·spacing
            first, last = math.floor((min_x + min_y) / spacing), math.ceil((max_x + max_y) / spacing)
            lines += [(k * spacing - min_y, min_y, k * spacing - max_y, max_y) for k in range(first, last + 1)]
    canvas.lines(lines)


def stroke_rings(canvas, rings, *, width: float, colour: colors.Color, dash: tuple | None = None) -> None:
    canvas.saveState()
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(width)
    canvas.setLineJoin(1)
    if dash:
        canvas.setDash(list(dash))
    canvas.drawPath(_path(canvas, rings), stroke=1, fill=0)
    canvas.restoreState()


# --- labels ------------------------------------------------------------------------------------

def _label_lines(area: Area) -> list[tuple[str, str, float]]:
    lines = [(area.name, NAME_FONT, NAME_SIZE)]
    if area.coverage_gap:
        lines.append(("tanpa kabar", NOTE_FONT, NOTE_SIZE))
    return lines


def _label_size(area: Area) -> tuple[float, float]:
    lines = _label_lines(area)
    width = max(stringWidth(text, font, size) for text, font, size in lines) + 3.5  # halo + a little air
    return width, sum(size + 1 for _, _, size in lines) + 1.5


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(areas: Sequence[Area], project: Projection, *, first_number: int = 1,
                 obstacles: Sequence[tuple[float, float, float, float]] = ()) -> list[Label]:
    """Names where they fit inside the view without touching another name or an obstacle (most
    severe first, then gaps, then largest); the rest get numbers from ``first_number``, top-left
    first."""
    order = sorted((a for a in areas if a.anchor), key=lambda a: (-a.severity, not a.coverage_gap, -_extent(a)))
    placed: list[Label] = []
    unplaced: list[Area] = []
    for area in order:
        x, y = project(*area.anchor)
        width, height = _label_size(area)
        for dx, dy in ((0, 0), (0, height * 0.6), (0, -height * 0.6), (width * 0.3, 0), (-width * 0.3, 0)):
            box = (x + dx - width / 2, y + dy - height / 2, x + dx + width / 2, y + dy + height / 2)
            if box[0] >= 2 and box[1] >= 2 and box[2] <= project.width - 2 and box[3] <= project.height - 2 \
                    and not any(overlaps(box, other.box) for other in placed) \
                    and not any(overlaps(box, obstacle) for obstacle in obstacles):
                placed.append(Label(area, x + dx, y + dy, box))
                break
        else:
            unplaced.append(area)
    unplaced.sort(key=lambda a: (-project(*a.anchor)[1], project(*a.anchor)[0]))
    taken = [label.box for label in placed] + list(obstacles)
    for number, area in enumerate(unplaced, start=first_number):
        x, y = _marker_spot(*project(*area.anchor), taken)
        r = MARKER_RADIUS
        placed.append(Label(area, x, y, (x - r, y - r, x + r, y + r), number))
        taken.append(placed[-1].box)
    return placed


def _marker_spot(x: float, y: float, taken: Sequence[tuple[float, float, float, float]]) -> Point:
    """The anchor, or the nearest of a few spots around it that covers no name or marker."""
    step = 2.2 * MARKER_RADIUS
    for dx, dy in ((0, 0), (0, -step), (0, step), (step, 0), (-step, 0), (step, -step), (-step, -step)):
        r = MARKER_RADIUS
        box = (x + dx - r, y + dy - r, x + dx + r, y + dy + r)
        if not any(overlaps(box, other) for other in taken):
            return x + dx, y + dy
    return x, y


def _extent(area: Area) -> float:
    xs = [p[0] for polygon in area.polygons for ring in polygon for p in ring]
    ys = [p[1] for polygon in area.polygons for ring in polygon for p in ring]
    return (max(xs) - min(xs)) * (max(ys) - min(ys)) if xs else 0.0


def halo_text(canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    """Centred text with a white halo, readable over any fill or hatching."""
    width = stringWidth(text, font, size)
    halo = canvas.beginText(x - width / 2, y)
    halo.setFont(font, size)
    halo.setTextRenderMode(1)
    halo.textOut(text)
    canvas.saveState()
    canvas.setStrokeColor(colors.white)
    canvas.setLineWidth(1.6)
    canvas.setLineJoin(1)
    canvas.drawText(halo)
    canvas.restoreState()
    canvas.setFillColor(INK)
    canvas.setFont(font, size)
    canvas.drawCentredString(x, y, text)


def draw_label(canvas, label: Label) -> None:
    if label.number is not None:
        canvas.setFillColor(colors.white)
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.6)
        canvas.circle(label.x, label.y, MARKER_RADIUS, stroke=1, fill=1)
        canvas.setFillColor(INK)
        canvas.setFont("Helvetica-Bold", 5.5)
        canvas.drawCentredString(label.x, label.y - 2, str(label.number))
        return
    lines = _label_lines(label.area)
    y = label.box[3] - 1
    for text, font, size in lines:
        y -= size
        halo_text(canvas, label.x, y + 1, text, font, size)
        y -= 1


# --- furniture ---------------------------------------------------------------------------------

def draw_north_arrow(canvas, x: float, y: float) -> None:
    canvas.setFillColor(INK)
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.6)
    path = canvas.beginPath()
    path.moveTo(x, y + 16)
    path.lineTo(x - 5, y)
    path.lineTo(x, y + 4)
    path.lineTo(x + 5, y)
    path.close()
    canvas.drawPath(path, stroke=1, fill=1)
    halo_text(canvas, x, y + 18.5, "U", "Helvetica-Bold", 8)


def nice_length(km_per_point: float, max_length: float) -> float:
    """The longest of 1, 2, 5, 10, 20, 50 … km whose bar fits in ``max_length`` points."""
    best = None
    for exponent in range(-2, 4):
        for step in (1, 2, 5):
            km = step * 10 ** exponent
            if km / km_per_point <= max_length:
                best = km
    return best or 0.01


def draw_scale_bar(canvas, km_per_point: float, x: float, y: float, *, max_length: float) -> None:
    km = nice_length(km_per_point, max_length)
    length = km / km_per_point
    canvas.setLineWidth(0.6)
    canvas.setStrokeColor(INK)
    for index in range(2):
        canvas.setFillColor(INK if index == 0 else colors.white)
        canvas.rect(x + index * length / 2, y, length / 2, 3.5, stroke=1, fill=1)
    halo_text(canvas, x, y + 6, "0", "Helvetica", 6)
    halo_text(canvas, x + length, y + 6, f"{km:g} km", "Helvetica", 6)


LEGEND_ITEMS = (("sangat_rawan", False, "Sangat rawan"), ("rawan", False, "Rawan"),
                ("kurang_rawan", False, "Kurang rawan"), (None, True, "Tanpa kabar"),
                (None, False, "Belum dinilai"))
LEGEND_STEP = 14.0


def draw_legend(canvas, x: float, y: float, outline_label: str | None, *, width: float | None = None) -> None:
    """Swatches with words, from (x, y) upwards-left: in a row ``width`` wide, else in a column
    going down from ``y`` (``LEGEND_STEP`` apart). The boundary line only when it is drawn."""
    items = [*LEGEND_ITEMS, *([("outline", False, outline_label)] if outline_label else [])]
    for index, (level, gap, words) in enumerate(items):
        left, bottom = (x + index * width / len(items), y) if width else (x, y - index * LEGEND_STEP)
        box = [[(left, bottom), (left + 18, bottom), (left + 18, bottom + 10), (left, bottom + 10)]]
        if level == "outline":
            canvas.setStrokeColor(INK)
            canvas.setLineWidth(1.4)
            canvas.line(left, bottom + 5, left + 18, bottom + 5)
        else:
            paint_area(canvas, box, *fill_of(level, gap))
            if gap:
                stroke_rings(canvas, box, width=1.6, colour=INK, dash=(3, 1.8))
        canvas.setFillColor(INK)
        canvas.setFont("Helvetica", 7)
        canvas.drawString(left + 22, bottom + 2.5, words)

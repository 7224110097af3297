"""The map panel of the situation report: the main map, an inset, the legend, laid out to fit.

Towns cut into many small kecamatan or kelurahan (Kota Sungai Penuh, Kota Jambi) are specks on a
map of a whole Polres. When at least ``INSET_MIN_AREAS`` areas of one parent are smaller than
``SMALL_PT`` on the main map, the panel adds an inset that zooms on them — the group holding the
most severe level wins, then the larger group. The main map marks the inset's extent and leaves
the names inside it to the inset. The panel puts the inset and a legend column beside the map or
under it, whichever leaves the main map larger.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from sync_server.exports import places
from sync_server.exports.mapdraw import (
    INK,
    LEGEND_ITEMS,
    LEGEND_STEP,
    Area,
    Label,
    Projection,
    bbox_of,
    draw_label,
    draw_legend,
    draw_north_arrow,
    draw_scale_bar,
    fill_of,
    halo_text,
    paint_area,
    place_labels,
    stroke_rings,
)

SMALL_PT = 30.0
INSET_MIN_AREAS = 3
INSET_PAD = 0.4         # the inset shows its areas' box grown by this share on every side
INSET_MIN_ZOOM = 1.8    # an inset that magnifies less than this is not worth its space
COLUMN = 150.0          # inset and legend column beside the map
INSET_HEIGHT = 150.0
GAP = 8.0
PAD = 6.0
MARK_WORDS = "lihat sisipan"
LEGEND_ROW = 16.0
LEGEND_HEIGHT = (len(LEGEND_ITEMS) + 1) * LEGEND_STEP  # with the boundary line


@dataclass
class View:
    """One framed map: a projection, what to draw in it, and its labels."""

    projection: Projection
    areas: Sequence[Area]
    outlines: Sequence[Area]
    labels: list[Label]
    title: str = ""
    marks: Sequence[tuple[float, float, float, float]] = ()  # lon/lat boxes outlined (the inset's extent)

    def draw(self, canvas, x: float, y: float) -> None:
        project, width, height = self.projection, self.projection.width, self.projection.height
        canvas.saveState()
        canvas.translate(x, y)
        clip = canvas.beginPath()
        clip.rect(0, 0, width, height)
        canvas.clipPath(clip, stroke=0, fill=0)
        rings = {area.code: _rings(area, project) for area in (*self.areas, *self.outlines)}
        for area in self.areas:
            paint_area(canvas, rings[area.code], *fill_of(area.level, area.coverage_gap))
        for outline in self.outlines:
            stroke_rings(canvas, rings[outline.code], width=1.3, colour=INK)
        for area in self.areas:
            if area.coverage_gap:
                stroke_rings(canvas, rings[area.code], width=1.8, colour=INK, dash=(3.5, 2))
        for box in self.marks:
            self._mark(canvas, box)
        for label in self.labels:
            draw_label(canvas, label)
        if self.title:
            halo_text(canvas, 4 + _width(self.title) / 2, height - 10, self.title, "Helvetica-Bold", 7)
        canvas.restoreState()
        canvas.setStrokeColor(colors.HexColor("#757575"))
        canvas.setLineWidth(0.6)
        canvas.rect(x, y, width, height, stroke=1, fill=0)

    def _mark(self, canvas, box) -> None:
        (x1, y1), (x2, y2) = self.projection(box[0], box[1]), self.projection(box[2], box[3])
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.8)
        canvas.setDash([2, 1.5])
        canvas.rect(x1, y1, x2 - x1, y2 - y1, stroke=1, fill=0)
        canvas.setDash([])
        halo_text(canvas, (x1 + x2) / 2, y2 + 2.5, MARK_WORDS, "Helvetica-Oblique", 6)


def mark_boxes(project: Projection, box) -> list[tuple[float, float, float, float]]:
    """Where the inset's extent and its words sit on the main map (kept free of names)."""
    (x1, _), (x2, y2) = project(box[0], box[1]), project(box[2], box[3])
    half = stringWidth(MARK_WORDS, "Helvetica-Oblique", 6) / 2 + 1
    middle = (x1 + x2) / 2
    return [(middle - half, y2, middle + half, y2 + 9)]


def _rings(area: Area, project: Projection) -> list:
    return [[project(p[0], p[1]) for p in ring] for polygon in area.polygons for ring in polygon]


def _width(text: str) -> float:
    return stringWidth(text, "Helvetica-Bold", 7)


def _inside(point, box) -> bool:
    return point is not None and box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def _touches(a, b) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def inset_group(areas: Sequence[Area], main: Projection) -> tuple[str, list[Area]] | None:
    """(parent code, small areas) to zoom on, or ``None``."""
    groups: dict[str, list[Area]] = {}
    for area in areas:
        box = bbox_of([area])
        extent = max((box[2] - box[0]) * main.kx, box[3] - box[1]) * main.scale
        if extent < SMALL_PT:
            groups.setdefault(area.code.rpartition(".")[0], []).append(area)
    candidates = [(max(a.severity for a in group), len(group), parent, group)
                  for parent, group in groups.items() if len(group) >= INSET_MIN_AREAS]
    if not candidates:
        return None
    _, _, parent, group = max(candidates, key=lambda c: (c[0], c[1]))
    return parent, group


def inset_box(group: Sequence[Area]) -> tuple[float, float, float, float]:
    min_x, min_y, max_x, max_y = bbox_of(group)
    dx, dy = (max_x - min_x) * INSET_PAD, (max_y - min_y) * INSET_PAD
    return min_x - dx, min_y - dy, max_x + dx, max_y + dy


class MapPanel(Flowable):
    """Main map (+ inset) + legend within ``width`` × ``max_height``; ``key`` lists numbered areas."""

    def __init__(self, areas: Sequence[Area], outlines: Sequence[Area], width: float, max_height: float,
                 outline_label: str | None):
        super().__init__()
        self.outline_label = outline_label
        areas = [area for area in areas if area.polygons]
        bbox = bbox_of(areas)
        plain = Projection(bbox, width - 2 * PAD, max_height - LEGEND_ROW - 2 * PAD)
        group = inset_group(areas, plain)
        self.layout = "plain"
        if group is not None:
            self.layout = self._choose_layout(bbox, width, max_height)
            inset = self._inset_projection(group[1])
            if inset.scale < INSET_MIN_ZOOM * self.main_projection.scale:
                group, self.layout = None, "plain"
        if group is None:
            self.main = View(plain, areas, outlines, place_labels(areas, plain))
            self.inset = None
            self.width, self.height = width, plain.height + LEGEND_ROW + 2 * PAD
        else:
            self._build_with_inset(areas, outlines, group, inset, width)
        self.key = [(label.number, label.area) for view in (self.main, self.inset) if view
                    for label in view.labels if label.number is not None]

    def _choose_layout(self, bbox, width: float, max_height: float) -> str:
        side = Projection(bbox, width - COLUMN - GAP - 2 * PAD, max_height - 2 * PAD)
        stacked = Projection(bbox, width - 2 * PAD, max_height - INSET_HEIGHT - GAP - 2 * PAD)
        best = max((side, "side"), (stacked, "stacked"), key=lambda item: item[0].width * item[0].height)
        self.main_projection = best[0]
        return best[1]

    def _inset_projection(self, group: Sequence[Area]) -> Projection:
        """Beside the map the inset takes the column's height above the legend; under it, a box."""
        if self.layout == "side":
            size = (COLUMN, max(COLUMN, self.main_projection.height - GAP - LEGEND_HEIGHT))
        else:
            size = (INSET_HEIGHT * 1.3, INSET_HEIGHT)
        return Projection(inset_box(group), *size, fill=True)

    def _build_with_inset(self, areas, outlines, group, inset: Projection, width: float) -> None:
        parent, _ = group
        main = self.main_projection
        view_box = inset.bbox()
        shown = [a for a in areas if _touches(bbox_of([a]), view_box)]
        region = places.regions_by_code().get(parent)
        title = f"Sisipan: {region.title if region else parent}"
        title_box = (0, inset.height - 14, _width(title) + 8, inset.height)
        inset_labels = place_labels([a for a in shown if _inside(a.anchor, view_box)], inset,
                                    obstacles=[title_box])
        main_labels = place_labels([a for a in areas if not _inside(a.anchor, view_box)], main,
                                   first_number=1 + sum(1 for label in inset_labels if label.number),
                                   obstacles=mark_boxes(main, view_box))
        self.main = View(main, areas, outlines, main_labels, marks=[view_box])
        # No boundaries in the inset: the kabupaten layer does not nest the kecamatan one exactly,
        # and at this zoom the mismatch would draw a border through the middle of a kecamatan.
        self.inset = View(inset, shown, (), inset_labels, title=title)
        if self.layout == "side":
            self.width = width
            self.height = max(main.height, inset.height + GAP + LEGEND_HEIGHT) + 2 * PAD
        else:
            self.width, self.height = width, main.height + GAP + inset.height + 2 * PAD

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        canvas = self.canv
        main = self.main.projection
        top = self.height - PAD
        main_x = PAD if self.layout != "stacked" else (self.width - main.width) / 2
        self.main.draw(canvas, main_x, top - main.height)
        draw_north_arrow(canvas, main_x + main.width - 14, top - 28)
        draw_scale_bar(canvas, main.km_per_point, main_x + 8, top - main.height + 8, max_length=main.width * 0.22)
        if self.inset is None:
            draw_legend(canvas, PAD, PAD, self.outline_label, width=self.width - 2 * PAD)
            return
        inset = self.inset.projection
        if self.layout == "side":
            inset_x, inset_y = self.width - PAD - inset.width, top - inset.height
            legend_x, legend_y = inset_x, inset_y - GAP - LEGEND_STEP
        else:
            inset_x, inset_y = PAD, PAD
            legend_x, legend_y = PAD + inset.width + 3 * GAP, PAD + inset.height - LEGEND_STEP
        self.inset.draw(canvas, inset_x, inset_y)
        draw_scale_bar(canvas, inset.km_per_point, inset_x + 6, inset_y + 6, max_length=inset.width * 0.3)
        draw_legend(canvas, legend_x, legend_y, self.outline_label)

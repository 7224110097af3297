"""Map labels that never overlap: greedy placement by priority.

Each candidate is a box of text centred on a spot inside its region (pixels of the map box, see
``map_fit``), with further spots inside the region to try when the first is taken (Kerinci's label
moves off Sungai Penuh, which lies inside it). The most important goes first — a more serious level, then a not-reporting region, then the larger
region — and a label is kept only when its box stays inside the map and overlaps no label already
kept. A region whose label does not fit is still coloured and in the list beside the map.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

LEVEL_ORDER = {"sangat_rawan": 0, "rawan": 1, "kurang_rawan": 2}
CHAR_WIDTH, LINE_HEIGHT, PAD = 0.58, 1.3, 4.0      # of the font size; a generous estimate


@dataclass(frozen=True, slots=True)
class Label:
    key: str
    lines: tuple[str, ...]
    x: float                    # centre, px
    y: float
    font: float
    level: str | None           # None: outside the scope
    quiet: bool = False         # silent or without an officer
    area: float = 0.0           # the region's size on screen, px²
    spots: tuple[tuple[float, float], ...] = ()     # other centres to try, best first
    ring: tuple[tuple[float, float], ...] = ()      # the region's outline, px: a spot wholly inside it wins

    @property
    def width(self) -> float:
        return max((len(line) for line in self.lines), default=0) * self.font * CHAR_WIDTH + 2 * PAD

    @property
    def height(self) -> float:
        return len(self.lines) * self.font * LINE_HEIGHT + 2 * PAD

    def box(self) -> tuple[float, float, float, float]:
        return (self.x - self.width / 2, self.y - self.height / 2, self.x + self.width / 2,
                self.y + self.height / 2)


def priority(label: Label) -> tuple:
    """Level first (in scope before outside), then a region not reporting, then size (larger first)."""
    return (LEVEL_ORDER.get(label.level or "", 9), not label.quiet, -label.area, label.key)


def overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place(candidates: Iterable[Label], width: float, height: float) -> list[Label]:
    """The labels to draw: by ``priority``, each at its first spot inside the box and clear of those placed
    (spots where the label lies wholly inside its own region tried first)."""
    placed: list[Label] = []
    for label in sorted(candidates, key=priority):
        tries = [replace(label, x=x, y=y) for x, y in ((label.x, label.y), *label.spots)]
        if label.ring:                      # not covering a neighbour (Sungai Penuh inside Kerinci) first
            tries.sort(key=lambda moved: not all(_inside(corner, label.ring) for corner in _corners(moved)))
        for moved in tries:
            box = moved.box()
            if box[0] < 0 or box[1] < 0 or box[2] > width or box[3] > height:
                continue
            if not any(overlaps(box, other.box()) for other in placed):
                placed.append(moved)
                break
    return placed


def beside_if_small(label: Label, region: tuple[float, float, float, float]) -> Label:
    """A region smaller than its label (Kota Sungai Penuh on Polda's map) gets its label beside it first —
    below, above, right, left — so its colour stays visible; the spots inside remain as a fallback."""
    x0, y0, x1, y1 = region
    if (x1 - x0) >= label.width or (y1 - y0) >= label.height:
        return label
    cx, cy, gap = (x0 + x1) / 2, (y0 + y1) / 2, 3
    beside = ((cx, y1 + label.height / 2 + gap), (cx, y0 - label.height / 2 - gap),
              (x1 + label.width / 2 + gap, cy), (x0 - label.width / 2 - gap, cy))
    return replace(label, x=beside[0][0], y=beside[0][1], spots=(*beside[1:], (label.x, label.y), *label.spots),
                   ring=())


def _corners(label: Label) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = label.box()
    return [(x0, y0), (x1, y0), (x0, y1), (x1, y1)]


def spots_inside(ring: Sequence[tuple[float, float]], steps: int = 8) -> list[tuple[float, float]]:
    """Points of a grid over the ring's box that fall inside it, nearest their middle first."""
    if not ring:
        return []
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    x0, y0, dx, dy = min(xs), min(ys), (max(xs) - min(xs)) / steps, (max(ys) - min(ys)) / steps
    grid = [(x0 + (i + 0.5) * dx, y0 + (j + 0.5) * dy) for i in range(steps) for j in range(steps)]
    inner = [p for p in grid if _inside(p, ring)]
    if not inner:
        return []
    cx, cy = sum(p[0] for p in inner) / len(inner), sum(p[1] for p in inner) / len(inner)
    return sorted(inner, key=lambda p: (p[0] - cx) ** 2 + (p[1] - cy) ** 2)


def _inside(point: tuple[float, float], ring: Sequence[tuple[float, float]]) -> bool:
    x, y = point
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            hit = not hit
    return hit

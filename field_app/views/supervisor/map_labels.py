"""Map labels that never overlap: greedy placement by priority.

Each candidate is a box of text centred on its region (pixels of the map box, see ``map_fit``).
The most important goes first — a more serious level, then a not-reporting region, then the larger
region — and a label is kept only when its box stays inside the map and overlaps no label already
kept. A region whose label does not fit is still coloured and in the list beside the map.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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
    """The labels to draw: by ``priority``, each inside the box and clear of those already placed."""
    placed: list[Label] = []
    for label in sorted(candidates, key=priority):
        box = label.box()
        if box[0] < 0 or box[1] < 0 or box[2] > width or box[3] > height:
            continue
        if any(overlaps(box, other.box()) for other in placed):
            continue
        placed.append(label)
    return placed

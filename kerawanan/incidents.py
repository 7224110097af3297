"""One incident, one alert: which regions hold an incident of their own (pure, no I/O).

A region's level is the rolled-up score of its desa, so one hot desa makes its kecamatan, its
kabupaten/kota and the province hot as well. Those parents *show* the desa's alert; they do not
open copies of it. A region at ``rawan`` or above holds an incident of its own when its level is
not explained by a single child:

- a desa always does (it has no children: it is where the reports are);
- a parent does when NO child reaches its level (the level exists only as the sum of several
  cooler children: a signal spread thin), or when at least ``spread_children`` children reach it
  (several hot spots at that level in one command area: a spread situation to coordinate);
- a parent with one child (up to ``spread_children`` − 1) at or above its level is explained by
  them and shows their alerts instead.

``[incidents] spread_children`` of ``assets/scoring.toml`` (2). The alert engine opens alerts only at
regions holding an incident and the personnel plan extends a spread parent's level to its desa:
one rule, here (``spread_regions``).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from kerawanan.vocab import LEVELS

RANK = {level: index for index, level in enumerate(LEVELS)}
DESA_PARTS = 4


def is_desa(code: str) -> bool:
    return code.count(".") + 1 >= DESA_PARTS


def parent_of(code: str) -> str | None:
    return code.rpartition(".")[0] or None


def spread_regions(levels: Mapping[str, str], spread_children: int) -> set[str]:
    """The parents (kecamatan, kabupaten/kota, province) at ``rawan`` or above whose level is
    genuinely spread. ``levels`` maps region codes to live levels; it must hold at least every region
    at ``rawan`` or above (an absent region is ``kurang_rawan``)."""
    _check(spread_children)
    children: dict[str, list[str]] = {}              # parent -> the levels of its hot children
    for code, level in levels.items():
        parent = parent_of(code)
        if parent is not None and RANK[level] > 0:
            children.setdefault(parent, []).append(level)
    return {code for code, level in levels.items() if region_spread(code, level, children.get(code, ()),
                                                                    spread_children)}


def region_spread(code: str, level: str, children: Iterable[str], spread_children: int) -> bool:
    """Whether region ``code`` at ``level`` is genuinely spread, given its children's levels (those
    below rawan may be left out): a parent for which ``is_spread`` holds; a desa never is."""
    return not is_desa(code) and is_spread(level, children, spread_children)


def is_spread(level: str, children: Iterable[str], spread_children: int) -> bool:
    """Whether a parent at ``level`` is genuinely spread, given the levels of its children (those
    below rawan may be left out): hot, and no child at its level or at least ``spread_children``."""
    _check(spread_children)
    rank = RANK[level]
    if rank == 0:
        return False
    reaching = sum(RANK[child] >= rank for child in children)
    return reaching == 0 or reaching >= spread_children


def _check(spread_children: int) -> None:
    if spread_children < 2:
        raise ValueError("spread_children must be ≥ 2: one child is the incident itself")


def holds_incident(code: str, level: str, spread: set[str]) -> bool:
    """Whether ``code`` at ``level`` opens its own alert (``spread``: from ``spread_regions``)."""
    return RANK[level] > 0 and (is_desa(code) or code in spread)


def incident_below(code: str, alerts: Mapping[str, str]) -> str | None:
    """The incident a parent's copy belongs to: of the unresolved alerts strictly below ``code``
    (``alerts`` maps region codes to levels), the highest level, then the lowest code."""
    below = [(-RANK[level], region) for region, level in alerts.items() if region.startswith(code + ".")]
    return min(below)[1] if below else None

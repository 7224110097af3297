"""What one report weighs among the other reports of its desa (``kerawanan.scorebook`` sums them).

    weight = category × threat stage × credibility × decay × corroboration × area × limit

The factors that depend on the other reports of the desa:
- corroboration: reports of the same category from ``min_officers`` distinct officers within the
  window either side (reports of the future do not corroborate; expired ones still do);
- limit: beyond ``per_officer`` reports of one officer (or ``per_device`` of one device) in one
  desa and one window of ``window_hours`` (from 00:00 WIB), a report weighs 0 — the first ones
  count; a confirmed report is never limited and uses no allowance;
- area: a report from outside its officer's area counts × ``outside_area_factor`` until confirmed.
"""
from __future__ import annotations

import bisect
import itertools
import math
import operator
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from kerawanan.scoring_config import ScoringConfig

WINDOW_OFFSET_S = 7 * 3600   # limit windows start at 00:00 WIB (UTC+7)


UNGRADED = ("F", 6)          # "cannot be judged"


REASONS = {   # why a report counts less: code → (Bahasa Indonesia, English)
    "outside_area": ("di luar wilayah binaan — menunggu konfirmasi pengawas",
                     "outside the officer's area — awaiting a supervisor's confirmation"),
    "officer_limit": ("melebihi batas per petugas", "over the per-officer limit"),
    "device_limit": ("melebihi batas per perangkat", "over the per-device limit"),
    "awaiting_corroboration": ("menunggu koroborasi: sangat rawan perlu laporan lebih dari satu petugas "
                               "atau konfirmasi pengawas",
                               "awaiting corroboration: sangat rawan needs reports of more than one officer "
                               "or a supervisor's confirmation"),
}


class Entry(NamedTuple):
    """One counted report as the book keeps it (rejected, duplicate and superseded ones are never
    entered). Ordered by (epoch, id): ids are unique, so nothing after them is ever compared."""

    epoch: float                     # observed_at, POSIX seconds
    id: str
    desa: str
    category: str
    threat_stage: str
    reliability: str | None          # the grade that counts: a supervisor's regrade, else the officer's
    credibility: int | None
    officer: str
    device: str | None = None
    outside: bool = False            # from outside the officer's area
    confirmed: bool = False          # confirmed by a supervisor
    stage: str | None = None         # the tahapan the report belongs to


@dataclass(frozen=True, slots=True)
class WeightBreakdown:
    """The arithmetic of one report's weight, as an alert shows it."""

    category_weight: float
    stage_weight: float
    credibility: float
    decay: float
    corroboration: float
    weight: float
    grade: str = "F6"
    age_hours: float = 0.0
    excluded: str | None = None     # why it weighs 0: rejected | duplicate | superseded | future | expired
    area: float = 1.0               # × outside_area_factor from outside the officer's area, until confirmed
    limit: float = 1.0              # 0 beyond the per-officer / per-device limit
    reasons: tuple[str, ...] = ()   # codes of REASONS: why the report counts less

    def describe(self) -> str:
        """``"3 × 9 × 0.81 (B2) × 0.79 (24.0 h) × 1.5 = 22.9"``, or why the report weighs nothing."""
        if self.excluded:
            return f"0 ({self.excluded})"
        extra = "".join(f" × {factor:g} ({REASONS[reason][0].split(' — ')[0]})"
                        for factor, reason in self._reduced())
        return (f"{self.category_weight:g} × {self.stage_weight:g} × {self.credibility:.2f} ({self.grade}) × "
                f"{self.decay:.2f} ({self.age_hours:.1f} h) × {self.corroboration:g}{extra} = {self.weight:.1f}")

    def _reduced(self) -> list[tuple[float, str]]:
        return [(self.area if reason == "outside_area" else self.limit, reason)
                for reason in self.reasons if reason in ("outside_area", "officer_limit", "device_limit")]


def part_of(config: ScoringConfig, category: str, threat_stage: str, reliability: str | None,
            credibility: int | None) -> tuple[float, float, float]:
    """(category weight, threat-stage weight, credibility) of a report; ``ValueError`` if unknown."""
    try:
        category_weight = config.category_weights[category]
        stage_weight = config.stage_weights[threat_stage]
    except KeyError as exc:
        raise ValueError(f"unknown category or threat stage {exc}") from None
    return (category_weight, stage_weight,
            config.reliability_factors[reliability or UNGRADED[0]]
            * config.credibility_factors[credibility or UNGRADED[1]])


def outside_area(desa_code: str, scope: Iterable[str]) -> bool:
    """Whether a desa lies outside an officer's scope (region codes; an unknown scope is no area)."""
    scope = tuple(scope)
    return bool(scope) and not any(desa_code == code or desa_code.startswith(code + ".") for code in scope)


EPOCH = operator.itemgetter(0)    # the bisect key of entries: their epoch
CATEGORY, STAGE, OFFICER = operator.itemgetter(3), operator.itemgetter(4), operator.itemgetter(7)
KIND = operator.itemgetter(3, 4, 5, 6)   # category, threat stage, reliability, credibility


NO_REASON: tuple[str, ...] = ()


def window_start(epoch: float, config: ScoringConfig) -> float:
    """The start of the limit window holding ``epoch``."""
    size = config.limit_window_hours * 3600.0
    return _window_of(epoch, size) * size - WINDOW_OFFSET_S


def corroborated_among(entries: list[Entry], first: int, hi: int, config: ScoringConfig,
                       only: Collection[str] | None = None) -> set[int]:
    """Indexes in [first, hi) with reports of the same category from ``min_officers`` distinct
    officers within the window either side, among the entries below ``hi``; of the categories
    ``only``, when given (a report moves only its own category's corroboration)."""
    window = config.corroboration_window_hours * 3600.0
    needed = config.corroboration_min_officers
    if first >= hi:
        return set()
    start = bisect.bisect_left(entries, entries[first][0] - window, 0, first, key=EPOCH)
    span = entries[start:hi]
    officers = list(map(OFFICER, span))
    if len(set(officers)) < needed:
        return set()                                      # one officer only: nobody corroborates
    if only is None:
        groups: dict[str, list[int]] = {}                 # category -> offsets in span
        for offset, category in enumerate(map(CATEGORY, span)):
            group = groups.get(category)
            if group is None:
                groups[category] = [offset]
            else:
                group.append(offset)
        found_in: Iterable[list[int]] = groups.values()
    else:
        categories = list(map(CATEGORY, span))
        found_in = (list(itertools.compress(range(len(span)), map(category.__eq__, categories)))
                    for category in only)
    found: set[int] = set()
    for group in found_in:
        if len(group) < needed or not group or group[-1] + start < first:
            continue
        members = [officers[offset] for offset in group]
        if len(set(members)) < needed:
            continue
        epochs = [span[offset][0] for offset in group]
        indexes = [start + offset for offset in group]
        found.update(i for i in corroborated_in_window(indexes, epochs, members, window, needed) if i >= first)
    return found


def corroborated_in_window(group: list[int], epochs: list[float], officers: list[str], window: float,
                           needed: int) -> list[int]:
    """The members of one (desa, category) group, oldest first, that have reports from ``needed``
    distinct officers within ± ``window`` seconds (a sliding window)."""
    in_window: dict[str, int] = {}
    low = high = 0
    found = []
    for index, epoch in zip(group, epochs, strict=True):
        while high < len(epochs) and epochs[high] <= epoch + window:
            in_window[officers[high]] = in_window.get(officers[high], 0) + 1
            high += 1
        while epochs[low] < epoch - window:
            in_window[officers[low]] -= 1
            if not in_window[officers[low]]:
                del in_window[officers[low]]
            low += 1
        if len(in_window) >= needed:
            found.append(index)
    return found


def beyond_limits(entries: list[Entry], first: int, hi: int, config: ScoringConfig) -> dict[int, str]:
    """Indexes in [first, hi) beyond the per-officer or per-device limit of their window: the
    first ``per_officer`` unconfirmed reports of an officer in a window count, and so for devices.

    Only a window holding more reports than the smaller limit (``room``) can limit one, and such a
    window holds a report and the ``room``-th after it less than a window apart (+1 s for rounding
    at its edges): the windows of those reports are counted, report by report; the others never."""
    if first >= hi:
        return {}
    size = config.limit_window_hours * 3600.0
    room = min(config.per_officer, config.per_device)
    start = bisect.bisect_left(entries, window_start(entries[first][0], config), 0, first, key=EPOCH)
    if hi - start <= room:
        return {}                                                 # too few to fill any window
    epochs = list(map(EPOCH, entries[start:hi]))
    crowded = itertools.compress(range(len(epochs)), map(operator.lt, map(operator.sub, epochs[room:], epochs),
                                                          itertools.repeat(size + 1.0)))
    found: dict[int, str] = {}
    end = 0
    for index in crowded:
        if index >= end:                                          # not in the window just counted
            low, end = _window_around(epochs, index, size)
            if end - low > room:
                _limited_in(entries, start + low, start + end, first, config, found)
    return found


def _window_around(epochs: list[float], index: int, size: float) -> tuple[int, int]:
    """[low, end): the positions of the sorted ``epochs`` in the limit window of ``epochs[index]``
    (``_window_of``, exactly: found by bisecting its bounds, then stepped over rounding at the edges)."""
    floor = math.floor
    window = floor((epochs[index] + WINDOW_OFFSET_S) / size)
    bound = window * size - WINDOW_OFFSET_S
    low = bisect.bisect_left(epochs, bound, 0, index)
    while low > 0 and floor((epochs[low - 1] + WINDOW_OFFSET_S) / size) == window:
        low -= 1
    while floor((epochs[low] + WINDOW_OFFSET_S) / size) != window:
        low += 1
    end = bisect.bisect_left(epochs, bound + size, index + 1)
    while end < len(epochs) and floor((epochs[end] + WINDOW_OFFSET_S) / size) == window:
        end += 1
    while floor((epochs[end - 1] + WINDOW_OFFSET_S) / size) != window:
        end -= 1
    return low, end


def _window_of(epoch: float, size: float) -> int:
    """The number of the limit window holding ``epoch`` (``window_start`` is its start)."""
    return math.floor((epoch + WINDOW_OFFSET_S) / size)


def _limited_in(entries: list[Entry], start: int, end: int, first: int, config: ScoringConfig,
                found: dict[int, str]) -> None:
    """``beyond_limits`` within one window, entries[start:end]."""
    per_officer, per_device = config.per_officer, config.per_device
    officers: dict[str, int] = {}
    devices: dict[str, int] = {}
    for index in range(start, end):
        entry = entries[index]
        if entry[10]:                             # confirmed: never limited, uses no allowance
            continue
        officer = officers.get(entry[7], 0)
        officers[entry[7]] = officer + 1
        device = 0
        if entry[8] is not None:
            device = devices.get(entry[8], 0)
            devices[entry[8]] = device + 1
        if (officer >= per_officer or device >= per_device) and index >= first:
            found[index] = "officer_limit" if officer >= per_officer else "device_limit"


class Parts:
    """category × threat stage × credibility of each kind of report, computed once per kind."""

    def __init__(self, config: ScoringConfig):
        self.config = config
        self.by_kind: dict[tuple, float] = {}    # (category, threat stage, reliability, credibility) → part
        self.codes = tuple(sorted(config.category_weights))

    def check(self, entries: list[Entry]) -> None:
        """A ``ValueError`` names an unknown category or threat stage among ``entries`` (as ``part_of``)."""
        config = self.config
        unknown = ((set(map(CATEGORY, entries)) - config.category_weights.keys())
                   | (set(map(STAGE, entries)) - config.stage_weights.keys()))
        if unknown:
            raise ValueError(f"unknown category or threat stage {min(unknown)!r}")

    def kinds_of(self, entries: list[Entry]) -> dict[tuple, float]:
        """``by_kind``, holding every kind among ``entries``."""
        for key in set(map(KIND, entries)) - self.by_kind.keys():
            category_weight, stage_weight, credibility = part_of(self.config, *key)
            self.by_kind[key] = category_weight * stage_weight * credibility
        return self.by_kind

    def part(self, entry: Entry) -> float:
        key = entry[3:7]
        found = self.by_kind.get(key)
        if found is None:
            category_weight, stage_weight, credibility = part_of(self.config, *key)
            found = self.by_kind[key] = category_weight * stage_weight * credibility
        return found

"""A region's tally: the sums of its counted reports' terms at the book's reference time.

``DesaTally`` keeps one desa's counted reports, oldest first, with their factors (``kerawanan.weights``)
and terms, recomputes only what a change can touch, and resumes its ordered sums where they stood;
``ParentSums`` adds children into their parent in code order, kept between passes. See
``kerawanan.scorebook``.
"""
from __future__ import annotations

import bisect
import functools
import itertools
import math
import operator
from array import array
from collections.abc import Iterable
from typing import NamedTuple

from kerawanan.scoring_config import ScoringConfig
from kerawanan.weights import (
    CATEGORY,
    EPOCH,
    NO_REASON,
    Entry,
    Parts,
    beyond_limits,
    corroborated_among,
    window_start,
)

INF = math.inf

MARGIN_S = 0.001             # a tally expires this much early around a horizon crossing (then recomputed)


SNAPSHOT_BEFORE_S = 4 * 86400   # a desa keeps its sums as they stood this long before its newest report

PLAIN = (1.0, 1.0, 1.0, NO_REASON)      # the factors of a report that counts in full, uncorroborated
OUTSIDE, CONFIRMED = operator.itemgetter(9), operator.itemgetter(10)


class Tally(NamedTuple):
    """A region's counted reports: terms summed at the common reference time ``ref`` (a named tuple:
    a pass makes one per region, four times faster than a frozen dataclass)."""

    ref: float
    mass: float                                   # Σ terms at ``ref``
    categories: tuple[float, ...]                 # Σ terms per category, in the order of ``codes``
    count: int                                    # reports that count (weight-0 ones too)
    officers: frozenset[str]
    backers: frozenset[str]                       # officers with weight > 0 (at most min_officers kept)
    confirmed: int                                # confirmed reports with weight > 0
    first: float | None                           # observed epoch of the oldest / newest counted report
    last: tuple[float, str] | None                # (epoch, id) of the newest counted report
    last_stage: str | None = None                 # its tahapan
    valid_from: float = -INF                      # desa tallies: the ``at`` interval their set holds for
    valid_until: float = INF
    codes: tuple[str, ...] = ()                   # the category codes (every category of the config)

    def factor_at(self, at: float, half_life_hours: float) -> float:
        """The factor taking a sum at ``ref`` to a sum at ``at``."""
        return 2.0 ** ((self.ref - at) / 3600.0 / half_life_hours)

    def score_at(self, at: float, half_life_hours: float) -> float:
        return self.mass * self.factor_at(at, half_life_hours) if self.count else 0.0

    def top_at(self, at: float, half_life_hours: float, limit: int = 3) -> tuple[tuple[str, float], ...]:
        """The heaviest categories with weight > 0 at ``at``, heaviest first (ties by code)."""
        factor = self.factor_at(at, half_life_hours)
        heavy = sorted([(-(mass * factor), code) for code, mass in zip(self.codes, self.categories, strict=False)
                        if mass > 0])
        return tuple([(code, -negative) for negative, code in heavy[:limit]])

    def by_category(self) -> dict[str, float]:
        """Σ terms (at ``ref``) of each category with reports that weigh."""
        return {code: mass for code, mass in zip(self.codes, self.categories, strict=False) if mass}

    def corroborated(self, needed: int) -> bool:
        """Whether ``sangat_rawan`` may stand: several officers, or a supervisor's confirmation."""
        return len(self.backers) >= needed or self.confirmed > 0

    def same_values(self, other: Tally | None) -> bool:
        """The same numbers (``ref`` to ``last_stage``; the interval it holds for aside)."""
        return other is not None and self[:VALUES] == other[:VALUES]


VALUES = Tally._fields.index("valid_from")      # the fields that are the tally's numbers come first


EMPTY = Tally(0.0, 0.0, (), 0, frozenset(), frozenset(), 0, None, None)


class DesaTally:
    """The counted reports of one desa, oldest first, with their factors and terms at ``ref``."""

    __slots__ = ("entries", "factors", "terms", "low", "cut", "ref", "dirty_from", "dirty_kinds", "stable",
                 "snapshot")

    def __init__(self):
        self.entries: list[Entry] = []
        self.factors: list[tuple] = []       # (corroboration, area, limit, reasons) of entries[low:cut]
        self.terms: list[float] = []
        self.low = 0                         # entries[:low] had expired when factors were set: not weighed
        self.cut = 0                         # entries[:cut] were not in the future when factors were set
        self.ref: float | None = None
        self.dirty_from = INF                # factors from this epoch on must be recomputed
        self.dirty_kinds: set[str] | None = None   # of them, the categories whose corroboration may
        #                                          have moved (None: every one); the others' stands
        self.stable = 0                      # entries[:stable] and their terms unchanged since ``snapshot``
        self.snapshot: tuple | None = None   # the sums of tally() part-way: (lo, k, mass, categories, ...)

    def insert(self, entry: Entry) -> None:
        entries = self.entries
        if not entries or entries[-1] < entry:           # the usual case: newer than everything
            entries.append(entry)
            self.factors.append(None)
            self.terms.append(0.0)
        else:
            index = bisect.bisect_left(entries, entry)
            entries.insert(index, entry)
            self.factors.insert(index, None)
            self.terms.insert(index, 0.0)
            self.low += index < self.low
            self.cut += index < self.cut
            self.stable = min(self.stable, index)
        if entry[0] < self.dirty_from:
            self.dirty_from = entry[0]
        if self.dirty_kinds is not None:
            self.dirty_kinds.add(entry[3])

    def remove(self, entry: Entry) -> None:
        index = bisect.bisect_left(self.entries, entry)
        del self.entries[index], self.factors[index], self.terms[index]
        self.low -= index < self.low
        self.cut -= index < self.cut
        self.stable = min(self.stable, index)
        self.dirty_from = min(self.dirty_from, entry.epoch)
        if self.dirty_kinds is not None:
            self.dirty_kinds.add(entry[3])

    def bounds(self, at: float, horizon_hours: float) -> tuple[int, int]:
        """[lo, hi): the entries that count at ``at`` (not in the future, within the horizon)."""
        entries = self.entries
        hi = len(entries) if not entries or entries[-1][0] <= at else bisect.bisect_right(entries, at, key=EPOCH)
        lo = self.low                                    # where the expired ones ended last time, if still so
        if lo <= hi and (lo == 0 or (at - entries[lo - 1][0]) / 3600.0 > horizon_hours) and (
                lo == hi or (at - entries[lo][0]) / 3600.0 <= horizon_hours):
            return lo, hi                                # (expired: a prefix, so the boundary is unique)
        lo = bisect.bisect_left(entries, at - horizon_hours * 3600.0, 0, hi, key=EPOCH)
        while lo < hi and (at - entries[lo][0]) / 3600.0 > horizon_hours:
            lo += 1
        while lo > 0 and (at - entries[lo - 1][0]) / 3600.0 <= horizon_hours:
            lo -= 1
        return lo, hi

    def refresh(self, lo: int, hi: int, ref: float, parts: Parts) -> None:
        """Bring factors and terms up to date for entries[lo:hi] (those that count at an ``at``: the
        ones before ``lo`` have expired; they still corroborate and use allowances, as context)."""
        entries, config = self.entries, parts.config
        if ref != self.ref:
            self.ref, self.dirty_from, self.dirty_kinds = ref, -INF, None
        if hi != self.cut:
            low = min(hi, self.cut)
            if low < len(entries):
                self.dirty_from = min(self.dirty_from, entries[low][0])
            self._dirty_kinds_of(low, max(hi, self.cut))   # entering or leaving the counted ones
            self.cut = hi
        if lo < self.low and lo < hi:                    # older entries back in view (an earlier ``at``)
            self.dirty_from = min(self.dirty_from, entries[lo][0])
            self._dirty_kinds_of(lo, self.low)
        self.low = lo
        if self.dirty_from == INF:
            return
        start = self.dirty_from
        if start > -INF:
            start = min(window_start(start, config), start - config.corroboration_window_hours * 3600.0)
        first = max(lo, bisect.bisect_left(entries, start, 0, hi, key=EPOCH))
        self.stable = min(self.stable, first)
        corroborated = self._corroborated(first, hi, config)
        limited = beyond_limits(entries, first, hi, config)
        self._terms(first, hi, ref, parts, corroborated, limited)
        self.factors[hi:] = [None] * (len(entries) - hi)
        self.terms[hi:] = [0.0] * (len(entries) - hi)
        self.dirty_from, self.dirty_kinds = INF, set()

    def _dirty_kinds_of(self, start: int, end: int) -> None:
        if self.dirty_kinds is not None:
            self.dirty_kinds.update(map(CATEGORY, self.entries[start:end]))

    def _corroborated(self, first: int, hi: int, config: ScoringConfig) -> set[int]:
        """``corroborated_among`` for entries[first:hi]: worked out for the categories whose reports
        changed (``dirty_kinds``), taken from the factors already set for the others."""
        entries, kinds, factors = self.entries, self.dirty_kinds, self.factors
        if kinds is None:
            return corroborated_among(entries, first, hi, config)
        found = corroborated_among(entries, first, hi, config, kinds)
        for index in range(first, hi):
            if entries[index][3] in kinds:
                continue
            factor = factors[index]
            if factor is None:                           # never weighed: work every category out
                return corroborated_among(entries, first, hi, config)
            if factor[0] != 1.0:
                found.add(index)
        return found

    def _terms(self, first: int, hi: int, ref: float, parts: Parts, corroborated: set[int],
               limited: dict[int, str]) -> None:
        """Factors and terms of entries[first:hi]: part × decay to ``ref``, × corroboration, then × area
        × limit for the few that count less (the products taken in that order, whatever the path)."""
        config, entries = parts.config, self.entries
        half_life, boost = config.half_life_hours * 3600.0, config.corroboration_factor
        span = entries[first:hi]
        kinds = parts.by_kind
        try:
            terms = [kinds[entry[3:7]] * 2.0 ** ((entry[0] - ref) / half_life) for entry in span]
        except KeyError:                                             # a kind not weighed yet
            kinds = parts.kinds_of(span)
            terms = [kinds[entry[3:7]] * 2.0 ** ((entry[0] - ref) / half_life) for entry in span]
        self.terms[first:hi] = terms
        self.factors[first:hi] = [PLAIN] * (hi - first)
        factors, terms, boosted = self.factors, self.terms, (boost, 1.0, 1.0, NO_REASON)
        for index in corroborated:
            factors[index] = boosted
            terms[index] = terms[index] * boost
        for index in sorted({*itertools.compress(range(first, hi), map(OUTSIDE, span)), *limited}):
            area = config.outside_area_factor if entries[index][9] and not entries[index][10] else 1.0
            limit_reason = limited.get(index)
            if area == 1.0 and limit_reason is None:
                continue                                             # outside but confirmed
            factors[index] = factor = _lesser(boost if index in corroborated else 1.0, area, limit_reason)
            terms[index] = terms[index] * area * factor[2]

    def tally(self, at: float, ref: float, parts: Parts) -> Tally:
        config = parts.config
        lo, hi = self.bounds(at, config.horizon_hours)
        self.refresh(lo, hi, ref, parts)
        entries, terms = self.entries, self.terms
        horizon = config.horizon_hours * 3600.0
        valid_from = max(entries[hi - 1][0] if hi else -INF, entries[lo - 1][0] + horizon + MARGIN_S if lo else -INF)
        valid_until = min(entries[hi][0] if hi < len(entries) else INF,
                          entries[lo][0] + horizon - MARGIN_S if lo < hi else INF)
        if lo >= hi:
            return Tally(ref, 0.0, (), 0, frozenset(), frozenset(), 0, None, None, None, valid_from, valid_until,
                         parts.codes)
        newest = entries[hi - 1]
        state, start = (0.0, {}, set(), set(), 0), lo
        snapshot = self.snapshot
        if snapshot is not None and snapshot[0] == lo and snapshot[1] <= min(self.stable, hi):
            start, state = snapshot[1], snapshot[2:]     # sums are taken in order: resume where they stood
        mark = max(start, bisect.bisect_left(entries, newest.epoch - SNAPSHOT_BEFORE_S, start, hi, key=EPOCH))
        if mark > start or start == lo:                  # move the snapshot on (its sums are its own)
            state = _sums(entries, terms, start, mark, *state)
            self.snapshot = (lo, mark, *state)
        self.stable = len(entries)
        mass, categories, officers, backers, confirmed = _sums(entries, terms, mark, hi, state[0], dict(state[1]),
                                                               set(state[2]), set(state[3]), state[4])
        return Tally(ref, mass, tuple(map(categories.get, parts.codes, itertools.repeat(0.0))), hi - lo,
                     frozenset(officers),
                     _few(backers, config.corroboration_min_officers), confirmed, entries[lo][0],
                     (newest.epoch, newest.id), newest.stage, valid_from, valid_until, parts.codes)


@functools.cache
def _lesser(corroboration: float, area: float, limit_reason: str | None) -> tuple:
    """The factors of a report that counts less, one shared tuple for each kind (thousands of
    limited reports would otherwise each hold their own, for the collector to walk after a pass)."""
    reasons = (("outside_area",) if area != 1.0 else ()) + ((limit_reason,) if limit_reason else ())
    return corroboration, area, 0.0 if limit_reason else 1.0, reasons


def _sums(entries: list[Entry], terms: list[float], start: int, end: int, mass: float, categories: dict,
          officers: set, backers: set, confirmed: int) -> tuple:
    """The running sums of a desa tally carried over entries[start:end], in order."""
    for index in range(start, end):
        entry, term = entries[index], terms[index]
        mass += term
        category = entry[3]
        categories[category] = categories.get(category, 0.0) + term
        officers.add(entry[7])
        if term > 0:
            backers.add(entry[7])
            confirmed += entry[10]
    return mass, categories, officers, backers, confirmed


def _few(officers: Iterable[str], needed: int) -> frozenset[str]:
    """At most ``needed`` officers, chosen the same way whatever the order they came in."""
    officers = set(officers)
    return frozenset(officers if len(officers) <= needed else sorted(officers)[:needed])


class ParentSums:
    """A parent's tally, kept up to date as its children change (``mark`` them, then ``tally``).

    What a pass costs is the first touch of scattered objects, so the parent keeps copies of its
    children's numbers in compact arrays, in code order, and re-adds those: its mass and each column
    of categories are the plain sums in code order that a full pass takes (a child that does not
    count adds 0.0, which changes no bit), and a column no changed child moved keeps its sum. Its
    officers and backers are counted per child: its sets change only when a count goes to or from
    0, and are then built anew (no union of every child's set each pass)."""

    __slots__ = ("_codes", "_where", "_kids", "_mass", "_categories", "_sums", "_first", "_last", "_count",
                 "_confirmed", "_officers", "_backers", "_officer_set", "_backer_set", "_moved", "_new",
                 "_zeros")

    def __init__(self, width: int):
        self._codes: list[str] = []                  # the children, in code order
        self._where: dict[str, int] = {}             # child -> its index in ``_codes``
        self._kids: list[Tally] = []                 # each child's tally as last added
        self._mass = array("d")
        self._categories = array("d")                # category j of child i at i × width + j
        self._sums = [0.0] * width                   # Σ of each column of ``_categories``
        self._zeros = array("d", [0.0]) * width      # the categories of a child that does not count
        self._first, self._last = array("d"), array("d")   # first / newest epoch (±inf: does not count)
        self._count = self._confirmed = 0
        self._officers: dict[str, int] = {}          # officer -> children whose set holds them
        self._backers: dict[str, int] = {}
        self._officer_set: frozenset[str] = frozenset()
        self._backer_set: frozenset[str] = frozenset()
        self._moved: set[str] = set()                # children changed since the last ``tally``
        self._new = False                            # one of them is new to the parent

    def mark(self, child: str) -> None:
        self._moved.add(child)
        if child not in self._where:
            self._new = True

    def tally(self, tallies: dict[str, Tally], needed: int) -> Tally:
        """The parent's tally from ``tallies`` of its children (those marked are read again)."""
        if self._new:
            self._lay_out()
        columns: set[int] = set()
        officers = backers = False
        for code in self._moved:
            old, new = self._kids[self._where[code]], tallies[code]
            officers |= _count_moves(self._officers, old.officers, new.officers)
            backers |= _count_moves(self._backers, old.backers, new.backers)
            self._take(self._where[code], old, new, columns)
        self._moved.clear()
        if officers:
            self._officer_set = frozenset(self._officers)
        if backers:
            self._backer_set = _few(self._backers, needed)
        return self._sum_up(columns)

    def _take(self, index: int, old: Tally, new: Tally, columns: set[int]) -> None:
        """Child ``index``'s numbers, ``old`` → ``new``, into the arrays; the columns it moved into ``columns``."""
        width = len(self._sums)
        self._kids[index] = new
        self._count += new.count - old.count
        self._confirmed += new.confirmed - old.confirmed
        counted = new.count > 0
        self._mass[index] = new.mass if counted else 0.0
        self._first[index] = new.first if counted else INF
        self._last[index] = new.last[0] if counted else -INF
        row = slice(index * width, (index + 1) * width)
        values = array("d", new.categories) if counted else self._zeros
        moved = list(itertools.compress(range(width), map(operator.ne, self._categories[row], values)))
        if moved:
            self._categories[row] = values
            columns.update(moved)

    def _sum_up(self, columns: set[int]) -> Tally:
        width, categories, sums = len(self._sums), self._categories, self._sums
        for column in columns:
            sums[column] = sum(categories[column::width], 0.0)
        if not self._count:
            return EMPTY
        last = self._last
        top = max(last)
        if last.count(top) == 1:
            newest = self._kids[last.index(top)]
        else:
            newest = max((kid for kid, epoch in zip(self._kids, last, strict=True) if epoch == top), key=LAST)
        return Tally(newest.ref, functools.reduce(operator.add, self._mass, 0.0), tuple(sums), self._count,
                     self._officer_set, self._backer_set, self._confirmed, min(self._first), newest.last,
                     newest.last_stage, codes=newest.codes)

    def _lay_out(self) -> None:
        """A child is new: every child is laid out again in code order and read again."""
        self._codes = sorted({*self._codes, *self._moved})
        size, width = len(self._codes), len(self._sums)
        self._where = {code: index for index, code in enumerate(self._codes)}
        self._kids = [EMPTY] * size
        self._mass, self._first, self._last = (array("d", [0.0]) * size, array("d", [INF]) * size,
                                               array("d", [-INF]) * size)
        self._categories, self._sums = array("d", [0.0]) * (size * width), [0.0] * width
        self._count = self._confirmed = 0
        self._officers, self._backers = {}, {}
        self._officer_set = self._backer_set = frozenset()
        self._moved, self._new = set(self._codes), False


def _count_moves(counts: dict[str, int], old: frozenset[str], new: frozenset[str]) -> bool:
    """Count ``new`` instead of ``old`` in ``counts``; whether a name appeared or vanished."""
    if old is new or old == new:
        return False
    changed = False
    for name in new - old:
        held = counts.get(name, 0)
        counts[name] = held + 1
        changed |= not held
    for name in old - new:
        held = counts[name] - 1
        if held:
            counts[name] = held
        else:
            del counts[name]
            changed = True
    return changed


LAST = operator.attrgetter("last")

"""The one arithmetic of kerawanan scores: reports in, region tallies and per-report breakdowns out.

    weight = category × threat stage × credibility × decay × corroboration × area × limit

``ScoreBook`` holds every counted report, per desa, oldest first, and keeps each region's tally
up to date as reports arrive, are reviewed or superseded. The server's alert engine keeps one book
and feeds it changes; ``kerawanan.scoring.score_regions`` / ``weigh_reports`` build one for a batch.
The explanation of an alert reads ``breakdowns`` of the same book, so its lines are the very terms
the score was summed from.

Decay factors out of a sum: every term is kept at a common reference time ``R`` (a multiple of
``REFERENCE_HALF_LIVES`` half-lives, the same for every region) as ``part × factors × 2^((t − R)/h)``,
and a region's score at ``at`` is ``Σ terms × 2^((R − at)/h)``. Terms change only when the reports
of their desa change (a push, a review) or ``at`` crosses a report's ``observed_at`` (a report from
the future does not count) or its horizon; each desa tally carries the interval of ``at`` its set
holds for. Every sum is taken in (observed, id) order and parents add their children in code order,
so a tally kept incrementally is bit for bit the one computed from scratch at the same ``at``.

The factors of one report (corroboration, the per-officer / per-device limit, the area) are in
``kerawanan.weights``; a desa's and a parent's sums in ``kerawanan.tally``.
"""
from __future__ import annotations

import functools
import heapq
import math
import operator
from collections.abc import Iterable

from kerawanan.scoring_config import ScoringConfig
from kerawanan.tally import EMPTY, DesaTally, ParentSums, Tally
from kerawanan.weights import (
    REASONS,
    UNGRADED,
    Entry,
    Parts,
    WeightBreakdown,
    outside_area,
    part_of,
    window_start,
)

__all__ = ["REASONS", "UNGRADED", "EMPTY", "Entry", "ScoreBook", "Tally", "WeightBreakdown", "ancestors",
           "outside_area", "part_of", "reference_for", "window_start"]

INF = math.inf
ID = operator.itemgetter(1)
REFERENCE_HALF_LIVES = 96    # the common reference time moves in steps of this many half-lives


def reference_for(at: float, config: ScoringConfig) -> float:
    step = REFERENCE_HALF_LIVES * config.half_life_hours * 3600.0
    return math.floor(at / step) * step


@functools.cache
def ancestors(code: str) -> tuple[str, ...]:
    """``15.72.07.2001`` → ``("15.72.07", "15.72", "15")`` (worked out once per code: a pass asks for
    the ancestors of every desa it touches)."""
    found = []
    while "." in code:
        code = code.rpartition(".")[0]
        found.append(code)
    return tuple(found)


class ScoreBook:
    """Every desa's counted reports and the tallies of every region that holds one.

    ``put`` takes reports as they are now (new, reviewed, regraded); ``drop`` takes out the ones that
    no longer count (rejected, duplicate, superseded); ``tallies_at(at)`` brings every tally up to
    ``at`` and returns them by region code; ``breakdowns`` gives each report's weight of a desa."""

    def __init__(self, config: ScoringConfig):
        self.config = config
        self._parts = Parts(config)
        self._desa: dict[str, DesaTally] = {}
        self._where: dict[str, Entry] = {}          # report id → its entry
        self._tallies: dict[str, Tally] = {}
        self._parents: dict[str, ParentSums] = {}    # parent → the sums of its children with a tally
        self._dirty: set[str] = set()               # desa whose reports changed
        self._pending: set[str] = set()             # parents whose children changed
        self._ref: float | None = None
        self._expiring: list[tuple[float, str]] = []   # heap of (valid_until, desa) of the tallies
        self._latest = -INF                            # the latest ``at`` the tallies were brought to

    def __len__(self) -> int:
        return len(self._where)

    def entry(self, report_id: str) -> Entry | None:
        return self._where.get(report_id)

    def put(self, entries: Iterable[Entry]) -> set[str]:
        """Add reports, or replace the entry of the same id; returns the desa that changed."""
        entries = sorted(entries)                        # oldest first: mostly appended
        if not self._where:
            return self._load(entries)
        touched = set()
        where, books, part = self._where, self._desa, self._parts.part
        for entry in entries:
            part(entry)                                  # a ValueError names an unknown category or stage
            old = where.get(entry.id)
            if old == entry:
                continue
            if old is not None:
                books[old.desa].remove(old)
                touched.add(old.desa)
            desa = books.get(entry.desa)
            if desa is None:
                desa = books[entry.desa] = DesaTally()
            desa.insert(entry)
            where[entry.id] = entry
            touched.add(entry.desa)
        self._dirty |= touched
        return touched

    def _load(self, entries: list[Entry]) -> set[str]:
        """``put`` into an empty book: entries sorted, ids unique."""
        self._parts.check(entries)                       # a ValueError names an unknown category or stage
        books: dict[str, list[Entry]] = {}
        for entry in entries:
            found = books.get(entry[2])
            if found is None:
                books[entry[2]] = [entry]
            else:
                found.append(entry)
        where = dict(zip(map(ID, entries), entries, strict=True))
        if len(where) != len(entries):
            raise ValueError("report ids appear more than once")
        self._where = where
        for code, found in books.items():
            desa = self._desa[code] = DesaTally()
            desa.entries, desa.factors, desa.terms = found, [None] * len(found), [0.0] * len(found)
            desa.dirty_from = found[0][0]
        self._dirty |= set(books)
        return set(books)

    def drop(self, report_ids: Iterable[str]) -> set[str]:
        """Take reports out (they no longer count); unknown ids are ignored."""
        touched = set()
        for report_id in report_ids:
            old = self._where.pop(report_id, None)
            if old is not None:
                self._desa[old.desa].remove(old)
                touched.add(old.desa)
        self._dirty |= touched
        return touched

    def tallies_at(self, at: float) -> dict[str, Tally]:
        """Every region's tally at ``at`` (epoch); regions that never held a report are absent."""
        ref = reference_for(at, self.config)
        if ref != self._ref:
            self._ref, self._dirty = ref, set(self._desa)
        tallies = self._tallies
        for code in [*self._dirty, *self._stale(at)]:
            tally = self._desa[code].tally(at, ref, self._parts)
            if not tally.same_values(tallies.get(code)):
                self._mark(code)
            tallies[code] = tally
            if tally.valid_until < INF:
                heapq.heappush(self._expiring, (tally.valid_until, code))
        self._latest = at
        self._dirty.clear()
        self._roll_up()
        return tallies

    def _stale(self, at: float) -> set[str]:
        """Desa (not already dirty) whose tally does not hold at ``at``: those expiring by then, from
        the heap — or, when time went backwards, a look at every desa."""
        tallies, dirty = self._tallies, self._dirty
        if at < self._latest or len(self._expiring) > 4 * len(self._desa) + 1024:   # rebuilt, not leaked
            self._expiring = [(tally.valid_until, code) for code, tally in tallies.items()
                              if code in self._desa and tally.valid_until < INF]
            heapq.heapify(self._expiring)
            return {code for code in self._desa if code not in dirty and (
                code not in tallies or not tallies[code].valid_from <= at < tallies[code].valid_until)}
        stale, heap = set(), self._expiring
        while heap and heap[0][0] <= at:
            until, code = heapq.heappop(heap)
            tally = tallies.get(code)
            if code not in dirty and tally is not None and tally.valid_until == until:
                stale.add(code)
        return stale

    def tally(self, code: str) -> Tally | None:
        """The region's tally as last computed by ``tallies_at``."""
        return self._tallies.get(code)

    def desa_under(self, code: str) -> list[str]:
        """Desa with reports in region ``code`` (itself when a desa), in code order."""
        prefix = code + "."
        return sorted(desa for desa in self._desa if desa == code or desa.startswith(prefix))

    def weights(self, desa: str, at: float) -> list[tuple[Entry, float]]:
        """The counted entries of the desa with their weight at ``at``: the terms its tally sums, × the
        decay from the reference time — the same numbers as ``breakdowns``, without the breakdown."""
        book, lo, hi, to_at = self._brought_to(desa, at)
        return [] if book is None else [(book.entries[i], book.terms[i] * to_at) for i in range(lo, hi)]

    def breakdowns(self, desa: str, at: float, only: set[str] | None = None) -> list[tuple[Entry, WeightBreakdown]]:
        """Every entry of the desa (or those whose id is in ``only``) with its weight at ``at``, and how
        it was reached: the terms its tally sums, × the decay from the reference time."""
        book, lo, hi, to_at = self._brought_to(desa, at)
        if book is None:
            return []
        config, found = self.config, []
        for index, entry in enumerate(book.entries):
            if only is not None and entry.id not in only:
                continue
            age = (at - entry.epoch) / 3600.0
            excluded = "future" if index >= hi else "expired" if index < lo else None
            category_weight, stage_weight, credibility = part_of(config, entry.category, entry.threat_stage,
                                                                  entry.reliability, entry.credibility)
            grade = f"{entry.reliability or UNGRADED[0]}{entry.credibility or UNGRADED[1]}"
            if excluded:
                found.append((entry, WeightBreakdown(category_weight, stage_weight, credibility, 0.0, 1.0,
                                                     0.0, grade, age, excluded)))
                continue
            corroboration, area, limit, reasons = book.factors[index]
            found.append((entry, WeightBreakdown(
                category_weight, stage_weight, credibility, 0.5 ** (age / config.half_life_hours),
                corroboration, book.terms[index] * to_at, grade, age, None, area, limit, reasons)))
        return found

    def _brought_to(self, desa: str, at: float) -> tuple[DesaTally | None, int, int, float]:
        book = self._desa.get(desa)
        if book is None:
            return None, 0, 0, 0.0
        config, ref = self.config, reference_for(at, self.config)
        lo, hi = book.bounds(at, config.horizon_hours)
        book.refresh(lo, hi, ref, self._parts)
        return book, lo, hi, 2.0 ** ((ref - at) / 3600.0 / config.half_life_hours)

    def _mark(self, desa: str) -> None:
        child, parents = desa, self._parents
        for parent in ancestors(desa):
            sums = parents.get(parent)
            if sums is None:
                sums = parents[parent] = ParentSums(len(self._parts.codes))
            sums.mark(child)
            self._pending.add(parent)
            child = parent

    def _roll_up(self) -> None:
        needed, tallies, parents = self.config.corroboration_min_officers, self._tallies, self._parents
        for parent in sorted(self._pending, key=lambda code: -code.count(".")):
            tallies[parent] = parents[parent].tally(tallies, needed)
        self._pending.clear()



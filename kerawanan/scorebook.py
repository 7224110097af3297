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
import heapq
import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from kerawanan.scoring_config import ScoringConfig

INF = math.inf
MARGIN_S = 0.001             # a tally expires this much early around a horizon crossing (then recomputed)
REFERENCE_HALF_LIVES = 96    # the common reference time moves in steps of this many half-lives
WINDOW_OFFSET_S = 7 * 3600   # limit windows start at 00:00 WIB (UTC+7)
SNAPSHOT_BEFORE_S = 4 * 86400   # a desa keeps its sums as they stood this long before its newest report
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
class Tally:
    """A region's counted reports: terms summed at the common reference time ``ref``."""

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
        heavy = sorted(((code, mass * factor) for code, mass in zip(self.codes, self.categories, strict=False) if mass > 0),
                       key=lambda item: (-item[1], item[0]))
        return tuple(heavy[:limit])

    def by_category(self) -> dict[str, float]:
        """Σ terms (at ``ref``) of each category with reports that weigh."""
        return {code: mass for code, mass in zip(self.codes, self.categories, strict=False) if mass}

    def corroborated(self, needed: int) -> bool:
        """Whether ``sangat_rawan`` may stand: several officers, or a supervisor's confirmation."""
        return len(self.backers) >= needed or self.confirmed > 0

    def same_values(self, other: Tally | None) -> bool:
        return other is not None and _values(self) == _values(other)


def _values(tally: Tally) -> tuple:
    return (tally.ref, tally.mass, tally.categories, tally.count, tally.officers, tally.backers,
            tally.confirmed, tally.first, tally.last, tally.last_stage)


EMPTY = Tally(0.0, 0.0, (), 0, frozenset(), frozenset(), 0, None, None)


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


def reference_for(at: float, config: ScoringConfig) -> float:
    step = REFERENCE_HALF_LIVES * config.half_life_hours * 3600.0
    return math.floor(at / step) * step


def ancestors(code: str) -> list[str]:
    """``15.72.07.2001`` → ``["15.72.07", "15.72", "15"]``."""
    found = []
    while "." in code:
        code = code.rpartition(".")[0]
        found.append(code)
    return found


_EPOCH = operator.itemgetter(0)    # the bisect key of entries: their epoch
NO_REASON: tuple[str, ...] = ()


class _Desa:
    """The counted reports of one desa, oldest first, with their factors and terms at ``ref``."""

    __slots__ = ("entries", "factors", "terms", "cut", "ref", "dirty_from", "stable", "snapshot")

    def __init__(self):
        self.entries: list[Entry] = []
        self.factors: list[tuple] = []       # (corroboration, area, limit, reasons) of entries below ``cut``
        self.terms: list[float] = []
        self.cut = 0                         # entries[:cut] were not in the future when factors were set
        self.ref: float | None = None
        self.dirty_from = INF                # factors from this epoch on must be recomputed
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
            self.cut += index < self.cut
            self.stable = min(self.stable, index)
        if entry[0] < self.dirty_from:
            self.dirty_from = entry[0]

    def remove(self, entry: Entry) -> None:
        index = bisect.bisect_left(self.entries, entry)
        del self.entries[index], self.factors[index], self.terms[index]
        self.cut -= index < self.cut
        self.stable = min(self.stable, index)
        self.dirty_from = min(self.dirty_from, entry.epoch)

    def bounds(self, at: float, horizon_hours: float) -> tuple[int, int]:
        """[lo, hi): the entries that count at ``at`` (not in the future, within the horizon)."""
        entries = self.entries
        hi = bisect.bisect_right(entries, at, key=_EPOCH)
        lo = bisect.bisect_left(entries, at - horizon_hours * 3600.0, 0, hi, key=_EPOCH)
        while lo < hi and (at - entries[lo][0]) / 3600.0 > horizon_hours:
            lo += 1
        while lo > 0 and (at - entries[lo - 1][0]) / 3600.0 <= horizon_hours:
            lo -= 1
        return lo, hi

    def refresh(self, hi: int, ref: float, parts: _Parts) -> None:
        """Bring factors and terms up to date for the entries below ``hi``."""
        entries, config = self.entries, parts.config
        if ref != self.ref:
            self.ref, self.dirty_from = ref, -INF
        if hi != self.cut:
            low = min(hi, self.cut)
            if low < len(entries):
                self.dirty_from = min(self.dirty_from, entries[low][0])
            self.cut = hi
        if self.dirty_from == INF:
            return
        start = self.dirty_from
        if start > -INF:
            start = min(window_start(start, config), start - config.corroboration_window_hours * 3600.0)
        first = bisect.bisect_left(entries, start, 0, hi, key=_EPOCH)
        self.stable = min(self.stable, first)
        corroborated = _corroborated(entries, first, hi, config)
        limited = _limited(entries, first, hi, config)
        half_life, outside, boost = config.half_life_hours * 3600.0, config.outside_area_factor, \
            config.corroboration_factor
        factors, terms, part, kinds = self.factors, self.terms, parts.part, parts.by_kind
        plain, boosted = (1.0, 1.0, 1.0, NO_REASON), (boost, 1.0, 1.0, NO_REASON)
        for index in range(first, hi):
            entry = entries[index]
            corroboration = boost if index in corroborated else 1.0
            area = outside if entry[9] and not entry[10] else 1.0        # outside, and not confirmed
            limit_reason = limited.get(index) if limited else None
            if area == 1.0 and limit_reason is None:
                factors[index] = boosted if index in corroborated else plain
                weight = kinds.get(entry[3:7]) or part(entry)
                terms[index] = weight * 2.0 ** ((entry[0] - ref) / half_life) * corroboration
                continue
            limit = 0.0 if limit_reason else 1.0
            reasons = (("outside_area",) if area != 1.0 else ()) + ((limit_reason,) if limit_reason else ())
            factors[index] = (corroboration, area, limit, reasons)
            terms[index] = part(entry) * 2.0 ** ((entry[0] - ref) / half_life) * corroboration * area * limit
        for index in range(hi, len(entries)):
            factors[index], terms[index] = None, 0.0
        self.dirty_from = INF

    def tally(self, at: float, ref: float, parts: _Parts) -> Tally:
        config = parts.config
        lo, hi = self.bounds(at, config.horizon_hours)
        self.refresh(hi, ref, parts)
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
            start = snapshot[1]               # sums are taken in order: resume where they stood
            state = (snapshot[2], dict(snapshot[3]), set(snapshot[4]), set(snapshot[5]), snapshot[6])
        mark = max(start, bisect.bisect_left(entries, newest.epoch - SNAPSHOT_BEFORE_S, start, hi, key=_EPOCH))
        state = _sums(entries, terms, start, mark, *state)
        self.snapshot, self.stable = (lo, mark, state[0], dict(state[1]), set(state[2]), set(state[3]),
                                      state[4]), len(entries)
        mass, categories, officers, backers, confirmed = _sums(entries, terms, mark, hi, *state)
        return Tally(ref, mass, tuple([categories.get(code, 0.0) for code in parts.codes]), hi - lo,
                     frozenset(officers),
                     _few(backers, config.corroboration_min_officers), confirmed, entries[lo][0],
                     (newest.epoch, newest.id), newest.stage, valid_from, valid_until, parts.codes)


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


def window_start(epoch: float, config: ScoringConfig) -> float:
    """The start of the limit window holding ``epoch``."""
    size = config.limit_window_hours * 3600.0
    return math.floor((epoch + WINDOW_OFFSET_S) / size) * size - WINDOW_OFFSET_S


def _few(officers: Iterable[str], needed: int) -> frozenset[str]:
    """At most ``needed`` officers, chosen the same way whatever the order they came in."""
    officers = set(officers)
    return frozenset(officers if len(officers) <= needed else sorted(officers)[:needed])


def _corroborated(entries: list[Entry], first: int, hi: int, config: ScoringConfig) -> set[int]:
    """Indexes in [first, hi) with reports of the same category from ``min_officers`` distinct
    officers within the window either side, among the entries below ``hi``."""
    window = config.corroboration_window_hours * 3600.0
    needed = config.corroboration_min_officers
    if first >= hi:
        return set()
    start = bisect.bisect_left(entries, entries[first][0] - window, 0, first, key=_EPOCH)
    if len({entry[7] for entry in entries[start:hi]}) < needed:
        return set()                                      # one officer only: nobody corroborates
    groups: dict[str, list[int]] = {}
    for index in range(start, hi):
        groups.setdefault(entries[index].category, []).append(index)
    found: set[int] = set()
    for group in groups.values():
        if len(group) < needed or group[-1] < first:
            continue
        officers = [entries[i].officer for i in group]
        if len(set(officers)) < needed:
            continue
        epochs = [entries[i][0] for i in group]
        found.update(i for i in corroborated_in_window(group, epochs, officers, window, needed) if i >= first)
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


def _limited(entries: list[Entry], first: int, hi: int, config: ScoringConfig) -> dict[int, str]:
    """Indexes in [first, hi) beyond the per-officer or per-device limit of their window: the
    first ``per_officer`` unconfirmed reports of an officer in a window count, and so for devices."""
    if first >= hi:
        return {}
    size = config.limit_window_hours * 3600.0
    start = bisect.bisect_left(entries, window_start(entries[first][0], config), 0, first, key=_EPOCH)
    per_officer, per_device = config.per_officer, config.per_device
    officers: dict[str, int] = {}                 # counts in the current window (entries are in time order)
    devices: dict[str, int] = {}
    found: dict[int, str] = {}
    window = None
    for index in range(start, hi):
        entry = entries[index]
        if entry[10]:                             # confirmed: never limited, uses no allowance
            continue
        here = math.floor((entry[0] + WINDOW_OFFSET_S) / size)
        if here != window:
            window, officers, devices = here, {}, {}
        officer = officers.get(entry[7], 0)
        officers[entry[7]] = officer + 1
        device = 0
        if entry[8] is not None:
            device = devices.get(entry[8], 0)
            devices[entry[8]] = device + 1
        if (officer >= per_officer or device >= per_device) and index >= first:
            found[index] = "officer_limit" if officer >= per_officer else "device_limit"
    return found


class _Parts:
    """category × threat stage × credibility of each kind of report, computed once per kind."""

    def __init__(self, config: ScoringConfig):
        self.config = config
        self.by_kind: dict[tuple, float] = {}    # (category, threat stage, reliability, credibility) → part
        self.codes = tuple(sorted(config.category_weights))

    def part(self, entry: Entry) -> float:
        key = entry[3:7]
        found = self.by_kind.get(key)
        if found is None:
            category_weight, stage_weight, credibility = part_of(self.config, *key)
            found = self.by_kind[key] = category_weight * stage_weight * credibility
        return found


class ScoreBook:
    """Every desa's counted reports and the tallies of every region that holds one.

    ``put`` takes reports as they are now (new, reviewed, regraded); ``drop`` takes out the ones that
    no longer count (rejected, duplicate, superseded); ``tallies_at(at)`` brings every tally up to
    ``at`` and returns them by region code; ``breakdowns`` gives each report's weight of a desa."""

    def __init__(self, config: ScoringConfig):
        self.config = config
        self._parts = _Parts(config)
        self._desa: dict[str, _Desa] = {}
        self._where: dict[str, Entry] = {}          # report id → its entry
        self._tallies: dict[str, Tally] = {}
        self._children: dict[str, set[str]] = {}
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
                desa = books[entry.desa] = _Desa()
            desa.insert(entry)
            where[entry.id] = entry
            touched.add(entry.desa)
        self._dirty |= touched
        return touched

    def _load(self, entries: list[Entry]) -> set[str]:
        """``put`` into an empty book: entries sorted, ids unique."""
        for kind in {entry[3:7] for entry in entries}:
            part_of(self.config, *kind)                  # a ValueError names an unknown category or stage
        books: dict[str, list[Entry]] = {}
        for entry in entries:
            found = books.get(entry[2])
            if found is None:
                books[entry[2]] = [entry]
            else:
                found.append(entry)
        where = {entry[1]: entry for entry in entries}
        if len(where) != len(entries):
            raise ValueError("report ids appear more than once")
        self._where = where
        for code, found in books.items():
            desa = self._desa[code] = _Desa()
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

    def breakdowns(self, desa: str, at: float) -> list[tuple[Entry, WeightBreakdown]]:
        """Every entry of the desa with its weight at ``at``: the terms its tally sums, × the decay
        from the reference time — the same numbers, not a second computation."""
        book = self._desa.get(desa)
        if book is None:
            return []
        config, ref = self.config, reference_for(at, self.config)
        lo, hi = book.bounds(at, config.horizon_hours)
        book.refresh(hi, ref, self._parts)
        to_at = 2.0 ** ((ref - at) / 3600.0 / config.half_life_hours)
        found = []
        for index, entry in enumerate(book.entries):
            age = (at - entry.epoch) / 3600.0
            excluded = "future" if index >= hi else "expired" if index < lo else None
            category_weight, stage_weight, credibility = part_of(config, entry.category, entry.threat_stage,
                                                                  entry.reliability, entry.credibility)
            grade = f"{entry.reliability or UNGRADED[0]}{entry.credibility or UNGRADED[1]}"
            if excluded:
                decay = 0.0
                found.append((entry, WeightBreakdown(category_weight, stage_weight, credibility, decay, 1.0,
                                                     0.0, grade, age, excluded)))
                continue
            corroboration, area, limit, reasons = book.factors[index]
            found.append((entry, WeightBreakdown(
                category_weight, stage_weight, credibility, 0.5 ** (age / config.half_life_hours),
                corroboration, book.terms[index] * to_at, grade, age, None, area, limit, reasons)))
        return found

    def _mark(self, desa: str) -> None:
        child = desa
        for parent in ancestors(desa):
            self._children.setdefault(parent, set()).add(child)
            self._pending.add(parent)
            child = parent

    def _roll_up(self) -> None:
        half_needed = self.config.corroboration_min_officers
        for parent in sorted(self._pending, key=lambda code: -code.count(".")):
            kids = [self._tallies[code] for code in sorted(self._children[parent]) if code in self._tallies]
            self._tallies[parent] = combine(kids, half_needed)
        self._pending.clear()


def combine(children: Iterable[Tally], needed: int) -> Tally:
    """A parent's tally from its children's (given in code order): plain sums at the common reference."""
    counted = [child for child in children if child.count]
    if not counted:
        return EMPTY
    mass = 0.0
    for child in counted:
        mass += child.mass
    categories = tuple([sum(column, 0.0) for column in zip(*[child.categories for child in counted], strict=True)])
    newest = max(counted, key=lambda child: child.last)
    return Tally(counted[0].ref, mass, categories, sum(child.count for child in counted),
                 frozenset().union(*[child.officers for child in counted]),
                 _few(frozenset().union(*[child.backers for child in counted]), needed),
                 sum(child.confirmed for child in counted), min(child.first for child in counted),
                 newest.last, newest.last_stage, codes=counted[0].codes)

"""Region scores kept in memory, so that an evaluation redoes only what changed.

The arithmetic is the core's (``kerawanan.scoring``, ``assets/scoring.toml``)::

    weight = category × threat stage × credibility × 0.5^(age / half-life) × corroboration

Decay factors out of a sum: Σ wᵢ·0.5^((at − tᵢ)/h) = 0.5^((at − R)/h) · Σ wᵢ·0.5^((R − tᵢ)/h) for
any reference time R. So each desa keeps a ``Tally``: the sum of its counted reports' weights at
its own R (the newest counted report), which gives its score at any later ``at`` by one
multiplication — as long as the SET of counted reports stays the same. That set changes only when
``at`` crosses a report's ``observed_at`` (a report observed after ``at`` counts 0) or a report's
30-day horizon; each desa tally carries the interval of ``at`` over which its set holds, and is
recomputed exactly outside it. Corroboration depends only on that set, never on ``at`` otherwise.

Parents (kecamatan, kabupaten/kota, provinsi) combine their children's tallies — re-referenced to
the newest child R — in code order. Every tally is a deterministic function of the reports it
covers (reports are kept sorted by (observed, part, category, officer, id)), so a tally computed
incrementally is bit-for-bit the one computed from scratch at the same ``at``.
"""
from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kerawanan.scoring import WEIGHTLESS_REVIEWS, ScoringConfig, corroborated_in_window, parse_grade
from sync_server.storage.base import ScoringRow, ScoringSnapshot

INF = math.inf
MARGIN_S = 0.001            # a tally expires this much early around a horizon crossing (then recomputed)
UNGRADED = ("F", 6)

# One counted report: (observed epoch, constant part of its weight, category, officer, report id,
# (threat stage, reliability, credibility, grade)) — the last item only to write the cache back.
Record = tuple[float, float, str, str, str, tuple]


@dataclass(frozen=True, slots=True)
class Tally:
    """The counted reports of a region, their weights summed at reference time ``ref``."""

    ref: float                                   # epoch the sums are taken at
    mass: float                                  # Σ weights at ``ref``
    categories: tuple[tuple[str, float], ...]    # (category, Σ weights at ``ref``), by category code
    count: int                                   # reports that count (weight-0 categories too)
    officers: frozenset[str]
    first: float | None                          # observed epoch of the oldest / newest counted report
    last: float | None
    valid_from: float = -INF                     # desa tallies: the ``at`` interval their set holds for
    valid_until: float = INF

    def decay_to(self, at: float, half_life_hours: float) -> float:
        """The factor taking a sum at ``ref`` to a sum at ``at``."""
        return 0.5 ** (((at - self.ref) / 3600.0) / half_life_hours)

    def score_at(self, at: float, half_life_hours: float) -> float:
        return self.mass * self.decay_to(at, half_life_hours) if self.count else 0.0

    def top_at(self, at: float, half_life_hours: float, limit: int = 3) -> tuple[tuple[str, float], ...]:
        """The heaviest categories with weight > 0 at ``at``, heaviest first (ties by code)."""
        factor = self.decay_to(at, half_life_hours)
        heavy = sorted(((code, mass * factor) for code, mass in self.categories if mass > 0),
                       key=lambda item: (-item[1], item[0]))
        return tuple(heavy[:limit])

    def same_values(self, other: Tally | None) -> bool:
        return other is not None and (self.ref, self.mass, self.categories, self.count, self.officers,
                                      self.first, self.last) == (other.ref, other.mass, other.categories,
                                                                 other.count, other.officers, other.first,
                                                                 other.last)


EMPTY = Tally(0.0, 0.0, (), 0, frozenset(), None, None)


class WeightParts:
    """category × threat stage × credibility of a report, as ``kerawanan.scoring`` multiplies them."""

    def __init__(self, config: ScoringConfig):
        self.config = config
        self._cache: dict[tuple, float] = {}

    def part(self, row: ScoringRow) -> float:
        return self.part_of(row.category, row.threat_stage, row.source_reliability, row.info_credibility,
                            row.grade)

    def part_of(self, *key) -> float:
        part = self._cache.get(key)
        if part is None:
            part = self._cache[key] = self._compute(*key)
        return part

    def _compute(self, category: str, threat_stage: str, reliability: str | None, credibility: int | None,
                 grade: str | None) -> float:
        if grade:
            reliability, credibility = parse_grade(grade)
        config = self.config
        category_weight = config.category_weights[category]
        stage_weight = config.stage_weights[threat_stage]
        factor = (config.reliability_factors[reliability or UNGRADED[0]]
                  * config.credibility_factors[credibility or UNGRADED[1]])
        return category_weight * stage_weight * factor


def tally_desa(records: list[Record], at: float, config: ScoringConfig) -> Tally:
    """The tally of one desa at ``at`` (epoch) from its records (sorted, counted kinds only)."""
    hi = bisect.bisect_right(records, (at, INF))
    lo = _first_unexpired(records, hi, at, config.horizon_hours)
    valid_from = max(records[hi - 1][0] if hi else -INF,
                     _expiry(records[lo - 1][0], config) + MARGIN_S if lo else -INF)
    valid_until = min(records[hi][0] if hi < len(records) else INF,
                      _expiry(records[lo][0], config) - MARGIN_S if lo < hi else INF)
    if lo >= hi:
        return Tally(0.0, 0.0, (), 0, frozenset(), None, None, valid_from, valid_until)
    corroborated = _corroborated(records, lo, hi, config)
    ref, half_life, factor = records[hi - 1][0], config.half_life_hours, config.corroboration_factor
    mass = 0.0
    categories: dict[str, float] = {}
    for index in range(lo, hi):
        epoch, part, category, _, _, _ = records[index]
        weight = part * 0.5 ** (((ref - epoch) / 3600.0) / half_life)
        weight = weight * factor if index in corroborated else weight * 1.0
        mass += weight
        categories[category] = categories.get(category, 0.0) + weight
    return Tally(ref, mass, tuple(sorted(categories.items())), hi - lo,
                 frozenset(record[3] for record in records[lo:hi]), records[lo][0], records[hi - 1][0],
                 valid_from, valid_until)


def combine(children: Iterable[Tally], half_life_hours: float) -> Tally:
    """A parent's tally from its children's (given in code order)."""
    counted = [child for child in children if child.count]
    if not counted:
        return EMPTY
    ref = max(child.ref for child in counted)
    mass = 0.0
    categories: dict[str, float] = {}
    for child in counted:
        factor = 0.5 ** (((ref - child.ref) / 3600.0) / half_life_hours)
        mass += child.mass * factor
        for code, value in child.categories:
            categories[code] = categories.get(code, 0.0) + value * factor
    return Tally(ref, mass, tuple(sorted(categories.items())), sum(child.count for child in counted),
                 frozenset().union(*(child.officers for child in counted)),
                 min(child.first for child in counted), max(child.last for child in counted))


def _expiry(epoch: float, config: ScoringConfig) -> float:
    return epoch + config.horizon_hours * 3600.0


def _first_unexpired(records: list[Record], hi: int, at: float, horizon_hours: float) -> int:
    """The first index whose age at ``at`` is within the horizon (the core's exact test)."""
    lo = bisect.bisect_left(records, (at - horizon_hours * 3600.0,), 0, hi)
    while lo < hi and (at - records[lo][0]) / 3600.0 > horizon_hours:
        lo += 1
    while lo > 0 and (at - records[lo - 1][0]) / 3600.0 <= horizon_hours:
        lo -= 1
    return lo


def _corroborated(records: list[Record], lo: int, hi: int, config: ScoringConfig) -> set[int]:
    """Indexes in [lo, hi) with reports of the same category from ``min_officers`` distinct officers
    within the window either side; every non-future record corroborates (expired ones too)."""
    window = config.corroboration_window_hours * 3600.0
    needed = config.corroboration_min_officers
    start = bisect.bisect_left(records, (records[lo][0] - window,), 0, lo)
    if len({record[3] for record in records[start:hi]}) < needed:
        return set()                                      # one officer only: nobody corroborates
    groups: dict[str, list[int]] = defaultdict(list)
    for index in range(start, hi):
        groups[records[index][2]].append(index)
    found: set[int] = set()
    for group in groups.values():
        if len(group) < needed or group[-1] < lo:
            continue
        officers = [records[i][3] for i in group]
        if len(set(officers)) < needed:
            continue
        epochs = [records[i][0] for i in group]
        found.update(i for i in corroborated_in_window(group, epochs, officers, window, needed) if i >= lo)
    return found


def ancestors(code: str) -> list[str]:
    """``15.72.07.2001`` → ``["15.72.07", "15.72", "15"]``."""
    found = []
    while "." in code:
        code = code.rpartition(".")[0]
        found.append(code)
    return found


class ScoreBook:
    """Every desa's counted reports and the tallies of every region that holds one.

    ``apply`` takes reports as they are now (new or reviewed); ``tallies_at(at)`` brings every
    tally up to ``at`` and returns them by region code. ``seq`` is the change number the book
    reflects (its owner reads the storage's delta after it).
    """

    def __init__(self, config: ScoringConfig):
        self.config = config
        self.parts = WeightParts(config)
        self.seq = 0
        self._records: dict[str, list[Record]] = {}
        self._tallies: dict[str, Tally] = {}
        self._children: dict[str, set[str]] = defaultdict(set)
        self._dirty: set[str] = set()           # desa whose reports changed
        self._pending: set[str] = set()         # parents whose children changed

    def __len__(self) -> int:
        """Counted reports (rejected and duplicate ones are not kept)."""
        return sum(len(records) for records in self._records.values())

    def load_snapshot(self, snapshot: ScoringSnapshot) -> None:
        """Fill an empty book from the storage's cache (``ScoringSnapshot``)."""
        part_of = self.parts.part_of
        for desa, items in snapshot.desa.items():
            records = [(epoch, part_of(category, threat, reliability, credibility, grade), category, officer,
                        report_id, (threat, reliability, credibility, grade))
                       for epoch, report_id, category, threat, officer, reliability, credibility, grade in items]
            records.sort()
            self._records[desa] = records
            self._dirty.add(desa)
        self.seq = snapshot.seq

    def export(self, desa: str) -> list[list]:
        """The desa's counted reports in the cache's layout (``ScoringSnapshot``)."""
        return [[epoch, report_id, category, kind[0], officer, *kind[1:]]
                for epoch, _, category, officer, report_id, kind in self._records.get(desa, [])]

    def load(self, rows: Iterable[ScoringRow], seq: int) -> None:
        """Fill an empty book in one go (sorting each desa once)."""
        by_desa = self._records
        for row in rows:
            if row.review in WEIGHTLESS_REVIEWS:
                continue
            record = self._record(row)
            records = by_desa.get(row.desa_code)
            if records is None:
                records = by_desa[row.desa_code] = []
            records.append(record)
        for desa, records in by_desa.items():
            records.sort()
            self._dirty.add(desa)
        self.seq = seq

    def apply(self, rows: Iterable[ScoringRow], seq: int) -> set[str]:
        """Take in reports as they are now (new since ``self.seq``, or reviewed since); returns the
        desa that changed. Only a report stored before ``self.seq`` can already be in the book."""
        touched, known, fresh = set(), self.seq, []
        for row in rows:
            if row.seq > known:
                fresh.append(row)
                continue
            records = self._records.setdefault(row.desa_code, [])
            old = next((index for index, record in enumerate(records) if record[4] == row.id), None)
            if old is not None:
                del records[old]
                touched.add(row.desa_code)
            record = self._record(row)
            if record is not None:
                bisect.insort(records, record)
                touched.add(row.desa_code)
        grown = set()
        for row in fresh:
            record = self._record(row)
            if record is not None:
                self._records.setdefault(row.desa_code, []).append(record)
                grown.add(row.desa_code)
        for desa in grown:
            self._records[desa].sort()                     # nearly sorted: linear
        self._dirty |= touched | grown
        self.seq = max(self.seq, seq)
        return touched | grown

    def tallies_at(self, at: float) -> dict[str, Tally]:
        """Every region's tally, valid at ``at`` (epoch); regions without reports are absent."""
        tallies = self._tallies
        stale = [desa for desa in self._records if desa not in self._dirty and (
            desa not in tallies or not tallies[desa].valid_from <= at < tallies[desa].valid_until)]
        for desa in [*self._dirty, *stale]:
            tally = tally_desa(self._records.get(desa, []), at, self.config)
            if not tally.same_values(self._tallies.get(desa)):
                self._mark(desa)
            self._tallies[desa] = tally
        self._dirty.clear()
        self._roll_up()
        return self._tallies

    def desa_under(self, code: str) -> list[str]:
        """Desa with reports in region ``code`` (itself when a desa), in code order."""
        prefix = code + "."
        return sorted(desa for desa in self._records if desa == code or desa.startswith(prefix))

    def weights_at(self, desa: str, at: float) -> list[tuple[str, float]]:
        """(report id, weight at ``at``) of the desa's counted reports, computed directly as the core
        does (``part × 0.5^(age/h) × corroboration``), oldest first."""
        records, config = self._records.get(desa, []), self.config
        hi = bisect.bisect_right(records, (at, INF))
        lo = _first_unexpired(records, hi, at, config.horizon_hours)
        if lo >= hi:
            return []
        corroborated = _corroborated(records, lo, hi, config)
        found = []
        for index in range(lo, hi):
            epoch, part, _, _, report_id, _ = records[index]
            weight = part * 0.5 ** (((at - epoch) / 3600.0) / config.half_life_hours)
            found.append((report_id, weight * config.corroboration_factor if index in corroborated else weight))
        return found

    def _record(self, row: ScoringRow) -> Record | None:
        if row.review in WEIGHTLESS_REVIEWS:
            return None
        return (row.observed_epoch, self.parts.part(row), row.category, row.officer, row.id,
                (row.threat_stage, row.source_reliability, row.info_credibility, row.grade))

    def _mark(self, desa: str) -> None:
        child = desa
        for parent in ancestors(desa):
            self._children[parent].add(child)
            self._pending.add(parent)
            child = parent

    def _roll_up(self) -> None:
        for parent in sorted(self._pending, key=lambda code: -code.count(".")):
            kids = [self._tallies[code] for code in sorted(self._children[parent]) if code in self._tallies]
            self._tallies[parent] = combine(kids, self.config.half_life_hours)
        self._pending.clear()

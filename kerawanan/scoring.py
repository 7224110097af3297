"""From reports to regional scores and alert levels (DESIGN.md, "Aggregation into regional alerts").

    weight = category weight × threat-stage weight × credibility × decay × corroboration

A region's score is the sum of its reports' weights, rolled up desa → kecamatan → kabupaten/kota →
provinsi by code prefix. ``level_for`` turns a score into a level with hysteresis. Every number
comes from ``assets/scoring.toml`` (``load_config``); the per-kabupaten context
(Polda baseline, Bawaslu IKP) rides along in the config but never enters a score.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from kerawanan.personnel import (
    Personnel,
    TpsEstimate,
    count_desa,
    estimate_tps,
    recommend_personnel,
)
from kerawanan.regions import TIERS, tier_of
from kerawanan.scoring_config import ScoringConfig, load_config
from kerawanan.vocab import CREDIBILITY, LEVELS, RELIABILITY

__all__ = ["Observation", "WeightBreakdown", "RegionScore", "ScoringConfig", "load_config",
           "report_weight", "weigh_reports", "score_regions", "level_for",
           "parse_grade", "Personnel", "TpsEstimate", "recommend_personnel",
           "estimate_tps", "count_desa", "TIERS", "REVIEWS"]

REVIEWS = ("pending", "confirmed", "rejected", "duplicate")
WEIGHTLESS_REVIEWS = frozenset({"rejected", "duplicate"})
TIER_ALIASES = {"kota": "kabupaten", "kelurahan": "desa"}
UNGRADED = ("F", 6)                                         # "cannot be judged"
GRADE_TEXT = re.compile(r"([A-F])([1-6])\Z")
_RELIABILITY = frozenset(RELIABILITY)
_CREDIBILITY = frozenset(CREDIBILITY)


def parse_grade(grade: str) -> tuple[str, int]:
    """``"B2"`` → ``("B", 2)``; ``ValueError`` unless it is a letter A–F and a digit 1–6."""
    match = GRADE_TEXT.match(grade.strip().upper()) if isinstance(grade, str) else None
    if not match:
        raise ValueError(f"grade {grade!r} must be a letter A–F and a digit 1–6, e.g. 'B2'")
    return match[1], int(match[2])


@dataclass(frozen=True, slots=True)
class Observation:
    """What scoring needs of a stored report."""

    id: str
    desa_code: str
    category: str
    threat_stage: str
    observed_at: datetime                   # timezone-aware
    officer: str
    source_reliability: str | None = None
    info_credibility: int | None = None
    review: str = "pending"                 # pending | confirmed | rejected | duplicate
    _epoch: float = field(init=False, repr=False, compare=False)   # observed_at as POSIX seconds

    def __post_init__(self):
        if self.observed_at.tzinfo is None or self.observed_at.utcoffset() is None:
            raise ValueError(f"observation {self.id}: observed_at must be timezone-aware")
        object.__setattr__(self, "_epoch", self.observed_at.timestamp())
        if self.review not in REVIEWS:
            raise ValueError(f"observation {self.id}: review {self.review!r} is not one of {REVIEWS}")
        if self.source_reliability is not None and self.source_reliability not in _RELIABILITY:
            raise ValueError(f"observation {self.id}: source reliability {self.source_reliability!r}")
        if self.info_credibility is not None and self.info_credibility not in _CREDIBILITY:
            raise ValueError(f"observation {self.id}: info credibility {self.info_credibility!r}")

    @classmethod
    def from_report(cls, report, officer: str, review: str = "pending",
                    grade: str | None = None) -> Observation:
        """From any object with the report fields; a supervisor's ``grade`` ("C3") replaces the
        officer's own grading."""
        if grade:
            reliability, credibility = parse_grade(grade)
        else:
            reliability, credibility = report.source_reliability, report.info_credibility
        return cls(report.id, report.desa_code, report.category, report.threat_stage,
                   report.observed_at, officer, reliability, credibility, review)

    @property
    def grade(self) -> str:
        """The grade that counts, missing parts as F / 6, e.g. ``"F6"`` when ungraded."""
        return f"{self.source_reliability or UNGRADED[0]}{self.info_credibility or UNGRADED[1]}"


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
    excluded: str | None = None     # why it weighs 0: rejected | duplicate | future | expired

    def describe(self) -> str:
        """``"3 × 9 × 0.81 (B2) × 0.79 (24.0 h) × 1.5 = 22.9"``, or why the report weighs nothing."""
        if self.excluded:
            return f"0 ({self.excluded})"
        return (f"{self.category_weight:g} × {self.stage_weight:g} × {self.credibility:.2f} ({self.grade}) × "
                f"{self.decay:.2f} ({self.age_hours:.1f} h) × {self.corroboration:g} = {self.weight:.1f}")


@dataclass(frozen=True, slots=True)
class RegionScore:
    code: str
    tier: str                                   # provinsi | kabupaten | kecamatan | desa
    score: float
    report_count: int                           # reports that count (weight 0 categories too)
    officer_count: int                          # distinct officers behind them
    top_categories: dict[str, float] = field(default_factory=dict)   # ≤ 3, heaviest first
    first_observed_at: datetime | None = None
    last_observed_at: datetime | None = None


def report_weight(obs: Observation, at: datetime, config: ScoringConfig, *,
                  corroborated: bool = False) -> float:
    """One report's weight at time ``at``; whether it is corroborated is given, not looked up."""
    return _weigh(obs, (_epoch(at) - obs._epoch) / 3600.0, config, corroborated).weight


def weigh_reports(observations: Iterable[Observation], at: datetime,
                  config: ScoringConfig) -> dict[str, WeightBreakdown]:
    """Every observation's weight breakdown by id, corroboration looked up among them.

    Corroboration only looks inside a desa, so weighing a region's own reports gives the same
    breakdowns as weighing everything: an alert can explain itself from its reports alone."""
    observations, now = _unique(observations), _epoch(at)
    corroborated = _corroborated(observations, _groups(observations, now), config)
    return {obs.id: _weigh(obs, (now - obs._epoch) / 3600.0, config, index in corroborated)
            for index, obs in enumerate(observations)}


def score_regions(observations: Iterable[Observation], at: datetime,
                  config: ScoringConfig) -> dict[str, RegionScore]:
    """Scores of every region holding a report that counts at ``at``, and of all its ancestors.

    Regions without such a report are absent (their score is 0). A report "counts" unless it is
    rejected, duplicate, observed after ``at`` or older than the horizon. The weights are those
    of ``weigh_reports``, computed per (desa, category) without a breakdown per report.
    """
    observations, now = _unique(observations), _epoch(at)
    tallies: dict[str, _Tally] = {}
    for (desa, category), members, weights in _weighed_groups(observations, now, config):
        tally = tallies.get(desa)
        if tally is None:
            tally = tallies[desa] = _Tally()
        tally.add(category, [observations[i] for i in members], weights)
    _roll_up(tallies)
    return {code: tally.result(code) for code, tally in tallies.items()}


def level_for(score: float, tier: str, previous: str | None, config: ScoringConfig) -> str:
    """The level of a region of ``tier`` with ``score``, given its ``previous`` level.

    A level rises as soon as the score reaches its threshold, and drops only when the score falls
    below threshold × exit ratio — straight to the highest level whose exit bound still holds.
    """
    bounds = config.thresholds.get(TIER_ALIASES.get(tier, tier))
    if bounds is None:
        raise ValueError(f"unknown tier {tier!r}; expected one of {', '.join(TIERS)} (or kota, kelurahan)")
    previous_rank = LEVELS.index(previous) if previous else 0
    rank = 0
    for index in range(1, len(LEVELS)):
        if score >= bounds[LEVELS[index]]:
            rank = index
    if rank >= previous_rank:
        return LEVELS[rank]
    for index in range(previous_rank, rank, -1):
        if score >= bounds[LEVELS[index]] * config.exit_ratio:
            return LEVELS[index]
    return LEVELS[rank]


class _Tally:
    __slots__ = ("score", "count", "officers", "categories", "first", "last")

    def __init__(self):
        self.score = 0.0
        self.count = 0
        self.officers: set[str] = set()
        self.categories: dict[str, float] = {}
        self.first: Observation | None = None
        self.last: Observation | None = None

    def add(self, category: str, members: list[Observation], weights: list[float]) -> None:
        """Add the counted reports of one category, oldest first, with their weights."""
        total = sum(weights)
        self.score += total
        self.count += len(members)
        self.officers.update(obs.officer for obs in members)
        self.categories[category] = self.categories.get(category, 0.0) + total
        if self.first is None or members[0]._epoch < self.first._epoch:
            self.first = members[0]
        if self.last is None or members[-1]._epoch > self.last._epoch:
            self.last = members[-1]

    def merge(self, other: _Tally) -> None:
        self.score += other.score
        self.count += other.count
        self.officers |= other.officers
        for category, weight in other.categories.items():
            self.categories[category] = self.categories.get(category, 0.0) + weight
        if self.first is None or other.first._epoch < self.first._epoch:
            self.first = other.first
        if self.last is None or other.last._epoch > self.last._epoch:
            self.last = other.last

    def result(self, code: str) -> RegionScore:
        heaviest = sorted((item for item in self.categories.items() if item[1] > 0),
                          key=lambda item: (-item[1], item[0]))[:3]
        return RegionScore(code, tier_of(code), self.score, self.count, len(self.officers),
                           dict(heaviest), self.first.observed_at, self.last.observed_at)


def _roll_up(tallies: dict[str, _Tally]) -> None:
    """Add every region's tally into its parent's, deepest regions first."""
    by_depth: dict[int, list[str]] = defaultdict(list)
    for code in tallies:
        by_depth[code.count(".")].append(code)
    for depth in range(max(by_depth, default=0), 0, -1):
        for code in by_depth[depth]:
            parent = code.rpartition(".")[0]
            if parent not in tallies:
                tallies[parent] = _Tally()
                by_depth[depth - 1].append(parent)
            tallies[parent].merge(tallies[code])


def _weigh(obs: Observation, age_hours: float, config: ScoringConfig, corroborated: bool) -> WeightBreakdown:
    category_weight, stage_weight, credibility = _parts(obs, config)
    excluded = _exclusion(obs, age_hours, config)
    decay = 0.0 if excluded in ("future", "expired") else 0.5 ** (age_hours / config.half_life_hours)
    factor = config.corroboration_factor if corroborated and excluded is None else 1.0
    weight = 0.0 if excluded else category_weight * stage_weight * credibility * decay * factor
    return WeightBreakdown(category_weight, stage_weight, credibility, decay, factor, weight,
                           obs.grade, age_hours, excluded)


def _weighed_groups(observations: list[Observation], now: float, config: ScoringConfig):
    """Per (desa, category): the indexes of the reports that count, oldest first, and their
    ``_weigh`` weights (same arithmetic in the same order); the constant part of a weight is
    computed once per kind of report."""
    groups = _groups(observations, now)
    corroborated = _corroborated(observations, groups, config)
    horizon, half_life, factor = config.horizon_hours, config.half_life_hours, config.corroboration_factor
    constant: dict[tuple, float] = {}
    for key, group in groups.items():
        members, weights = [], []
        for index in group:
            obs = observations[index]
            age_hours = (now - obs._epoch) / 3600.0
            if age_hours > horizon:
                continue
            kind = (obs.threat_stage, obs.source_reliability, obs.info_credibility, obs.category)
            part = constant.get(kind)
            if part is None:
                category_weight, stage_weight, credibility = _parts(obs, config)
                part = constant[kind] = category_weight * stage_weight * credibility
            weight = part * 0.5 ** (age_hours / half_life)
            members.append(index)
            weights.append(weight * factor if index in corroborated else weight * 1.0)
        if members:
            yield key, members, weights


def _groups(observations: list[Observation], now: float) -> dict[tuple[str, str], list[int]]:
    """Indexes of the reports neither rejected/duplicate nor in the future, by (desa, category),
    oldest first."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, obs in enumerate(observations):
        if obs._epoch <= now and obs.review not in WEIGHTLESS_REVIEWS:
            groups[obs.desa_code, obs.category].append(index)
    for group in groups.values():
        if len(group) > 1:
            group.sort(key=lambda index: observations[index]._epoch)
    return groups


def _parts(obs: Observation, config: ScoringConfig) -> tuple[float, float, float]:
    try:
        category_weight = config.category_weights[obs.category]
        stage_weight = config.stage_weights[obs.threat_stage]
    except KeyError as exc:
        raise ValueError(f"observation {obs.id}: unknown category or threat stage {exc}") from None
    reliability = config.reliability_factors[obs.source_reliability or UNGRADED[0]]
    information = config.credibility_factors[obs.info_credibility or UNGRADED[1]]
    return category_weight, stage_weight, reliability * information


def _exclusion(obs: Observation, age_hours: float, config: ScoringConfig) -> str | None:
    if obs.review in WEIGHTLESS_REVIEWS:
        return obs.review
    if age_hours < 0:
        return "future"
    if age_hours > config.horizon_hours:
        return "expired"
    return None


def _corroborated(observations: list[Observation], groups: dict[tuple[str, str], list[int]],
                  config: ScoringConfig) -> set[int]:
    """Indexes of reports with reports of the same category in the same desa from at least
    ``min_officers`` distinct officers (their own included) within the window either side.
    Only the reports of ``_groups`` (not rejected/duplicate, not in the future) corroborate."""
    needed = config.corroboration_min_officers
    window = config.corroboration_window_hours * 3600.0
    found: set[int] = set()
    for group in groups.values():
        if len(group) < needed:
            continue
        epochs = [observations[i]._epoch for i in group]
        officers = [observations[i].officer for i in group]
        if epochs[-1] - epochs[0] > window:
            found.update(corroborated_in_window(group, epochs, officers, window, needed))
        elif len(set(officers)) >= needed:     # all inside one window
            found.update(group)
    return found


def corroborated_in_window(group: list[int], epochs: list[float], officers: list[str], window: float,
                     needed: int) -> list[int]:
    """The members of one (desa, category) group, oldest first, that have reports from ``needed``
    distinct officers within ± ``window`` seconds (a sliding window; the alert engine uses it too)."""
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


def _unique(observations: Iterable[Observation]) -> list[Observation]:
    observations = list(observations)
    if len({obs.id for obs in observations}) != len(observations):
        repeated = sorted(key for key, n in Counter(obs.id for obs in observations).items() if n > 1)
        raise ValueError(f"observation ids appear more than once: {repeated[:5]}")
    return observations


def _epoch(at: datetime) -> float:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"evaluation time {at.isoformat()} must be timezone-aware")
    return at.timestamp()

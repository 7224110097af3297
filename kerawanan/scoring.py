"""From reports to regional scores and alert levels (DESIGN.md, "Aggregation into regional alerts").

    weight = category weight × threat-stage weight × credibility × decay × corroboration × area × limit

A region's score is the sum of its reports' weights, rolled up desa → kecamatan → kabupaten/kota →
provinsi by code prefix. ``level_for`` turns a score into a level with hysteresis (and stops at
rawan without corroboration). Every number comes from ``assets/scoring.toml`` (``load_config``);
the per-kabupaten context (Polda baseline, Bawaslu IKP) rides along in the config but never enters
a score. The arithmetic itself lives once, in ``kerawanan.scorebook``: ``score_regions`` and
``weigh_reports`` are thin wrappers over a ``ScoreBook`` filled with the batch, the very book the
server's alert engine keeps incrementally.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kerawanan.personnel import (
    Personnel,
    TpsEstimate,
    count_desa,
    estimate_tps,
    recommend_personnel,
)
from kerawanan.regions import TIERS, tier_of
from kerawanan.scorebook import (
    REASONS,
    UNGRADED,
    Entry,
    ScoreBook,
    Tally,
    WeightBreakdown,
    outside_area,
    part_of,
)
from kerawanan.scoring_config import ScoringConfig, load_config
from kerawanan.vocab import CREDIBILITY, LEVELS, RELIABILITY

__all__ = ["Observation", "WeightBreakdown", "RegionScore", "ScoringConfig", "load_config",
           "report_weight", "weigh_reports", "score_regions", "level_for",
           "parse_grade", "Personnel", "TpsEstimate", "recommend_personnel",
           "estimate_tps", "count_desa", "TIERS", "REVIEWS", "REASONS", "ScoreBook", "Entry",
           "outside_area", "entry_of", "entry_for", "entries_for", "counts", "region_score"]

REVIEWS = ("pending", "confirmed", "rejected", "duplicate")
WEIGHTLESS_REVIEWS = frozenset({"rejected", "duplicate"})
TIER_ALIASES = {"kota": "kabupaten", "kelurahan": "desa"}
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
    device: str | None = None               # the phone it came from
    outside_area: bool = False              # from outside the officer's area (``outside_area``)
    superseded: bool = False                # a later report of its author replaces it
    stage: str | None = None                # the tahapan it belongs to
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
    def from_report(cls, report, officer: str, review: str = "pending", grade: str | None = None, *,
                    device: str | None = None, scope: Iterable[str] = (), superseded: bool = False,
                    ) -> Observation:
        """From any object with the report fields; a supervisor's ``grade`` ("C3") replaces the
        officer's own grading; ``scope`` is the officer's area (region codes)."""
        if grade:
            reliability, credibility = parse_grade(grade)
        else:
            reliability, credibility = report.source_reliability, report.info_credibility
        return cls(report.id, report.desa_code, report.category, report.threat_stage,
                   report.observed_at, officer, reliability, credibility, review, device,
                   outside_area(report.desa_code, scope), superseded, getattr(report, "stage", None))

    @property
    def grade(self) -> str:
        """The grade that counts, missing parts as F / 6, e.g. ``"F6"`` when ungraded."""
        return f"{self.source_reliability or UNGRADED[0]}{self.info_credibility or UNGRADED[1]}"


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
    corroborated: bool = True                   # sangat_rawan may stand (``Tally.corroborated``)


def entry_of(obs: Observation) -> Entry | None:
    """The book's entry of an observation (``entry_for``)."""
    return entry_for(obs.id, obs.desa_code, obs.category, obs.threat_stage, obs._epoch, obs.officer,
                     obs.source_reliability, obs.info_credibility, obs.review, device=obs.device,
                     outside=obs.outside_area, superseded=obs.superseded, stage=obs.stage)


def counts(review: str, superseded: bool, threat_stage: str | None) -> bool:
    """Whether a stored report can count at all: not rejected, duplicate or superseded, and with a
    threat stage (a laporan nihil has none). ``entries_for`` inlines it (200,000 calls at a load)."""
    return review not in WEIGHTLESS_REVIEWS and not superseded and bool(threat_stage)


def entry_for(report_id: str, desa_code: str, category: str, threat_stage: str | None, epoch: float,
              officer: str, reliability: str | None, credibility: int | None, review: str,
              grade: str | None = None, *, device: str | None = None, outside: bool = False,
              superseded: bool = False, stage: str | None = None) -> Entry | None:
    """What a stored report is to the book: ``None`` when it never ``counts``; a supervisor's
    ``grade`` ("C3") replaces the officer's own grading."""
    if not counts(review, superseded, threat_stage):
        return None
    if grade:
        reliability, credibility = parse_grade(grade)
    return Entry(epoch, report_id, desa_code, category, threat_stage, reliability, credibility, officer, device,
                 outside, review == "confirmed", stage)


def entries_for(rows: Iterable[tuple], scopes: Mapping[str, Iterable[str]],
                known: dict[tuple, tuple]) -> tuple[list[Entry], list[str]]:
    """``entry_for`` in bulk, for stored reports as rows ``(id, desa_code, category, threat_stage,
    epoch, officer, reliability, credibility, review, grade, device, stage, superseded_by)``
    (``superseded_by`` None unless corrected): their entries, and the ids that never count.

    ``scopes`` holds each officer's area; ``known`` remembers, per (officer, desa), whether the desa
    is outside that area and ONE string object for each, and ONE object for each (category, threat
    stage, reliability, credibility, tahapan) — so the book's sets and its table of parts compare
    by identity and hash once (a full read's strings are all new objects: 5 % of a load)."""
    entries: list[Entry] = []
    gone: list[str] = []
    append, new, place_of, weightless = entries.append, tuple.__new__, known.get, WEIGHTLESS_REVIEWS
    for (report_id, desa, category, threat_stage, epoch, officer, reliability, credibility, review, grade, device,
         stage, superseded_by) in rows:
        if review in weightless or superseded_by is not None or not threat_stage:   # ``counts``, inlined
            gone.append(report_id)
            continue
        if grade:
            reliability, credibility = parse_grade(grade)
        place = place_of((officer, desa))
        if place is None:
            place = known[officer, desa] = (outside_area(desa, scopes.get(officer, ())), officer, desa)
        kind = place_of((category, threat_stage, reliability, credibility, stage))
        if kind is None:
            kind = known[category, threat_stage, reliability, credibility, stage] = (
                category, threat_stage, reliability, credibility, stage)
        append(new(Entry, (epoch, report_id, place[2], kind[0], kind[1], kind[2], kind[3], place[1],
                           device, place[0], review == "confirmed", kind[4])))
    return entries, gone


def report_weight(obs: Observation, at: datetime, config: ScoringConfig, *,
                  corroborated: bool = False) -> float:
    """One report's weight at time ``at`` on its own (no limits); whether it is corroborated is given."""
    age_hours = (_epoch(at) - obs._epoch) / 3600.0
    if _excluded(obs) or age_hours < 0 or age_hours > config.horizon_hours:
        return 0.0
    category_weight, stage_weight, credibility = _parts(obs, config)
    area = config.outside_area_factor if obs.outside_area and obs.review != "confirmed" else 1.0
    factor = config.corroboration_factor if corroborated else 1.0
    decay = 0.5 ** (age_hours / config.half_life_hours)
    return category_weight * stage_weight * credibility * decay * factor * area


def weigh_reports(observations: Iterable[Observation], at: datetime,
                  config: ScoringConfig) -> dict[str, WeightBreakdown]:
    """Every observation's weight breakdown by id, as the book of all of them weighs it.

    Everything that changes a weight (corroboration, limits) looks only inside a desa, so weighing
    a region's own reports gives the same breakdowns as weighing everything."""
    observations, now = _unique(observations), _epoch(at)
    book = _book(observations, config)
    found = {entry.id: breakdown for desa in {obs.desa_code for obs in observations}
             for entry, breakdown in book.breakdowns(desa, now)}
    for obs in observations:
        if obs.id not in found:
            category_weight, stage_weight, credibility = _parts(obs, config)
            found[obs.id] = WeightBreakdown(category_weight, stage_weight, credibility, 0.0, 1.0, 0.0,
                                            obs.grade, (now - obs._epoch) / 3600.0, _excluded(obs))
    return {obs.id: found[obs.id] for obs in observations}


def score_regions(observations: Iterable[Observation], at: datetime,
                  config: ScoringConfig) -> dict[str, RegionScore]:
    """Scores of every region holding a report that counts at ``at``, and of all its ancestors.

    Regions without such a report are absent (their score is 0). A report "counts" unless it is
    rejected, duplicate, superseded, observed after ``at`` or older than the horizon."""
    observations, now = _unique(observations), _epoch(at)
    tallies = _book(observations, config).tallies_at(now)
    return {code: region_score(code, tally, now, config) for code, tally in tallies.items() if tally.count}


def region_score(code: str, tally: Tally, at: float, config: ScoringConfig) -> RegionScore:
    """A tally of the book at ``at`` (epoch) as a region's score."""
    half_life = config.half_life_hours
    return RegionScore(code, tier_of(code), tally.score_at(at, half_life), tally.count, len(tally.officers),
                       dict(tally.top_at(at, half_life)), _moment(tally.first), _moment(tally.last[0]),
                       tally.corroborated(config.corroboration_min_officers))


def level_for(score: float, tier: str, previous: str | None, config: ScoringConfig, *,
              corroborated: bool = True) -> str:
    """The level of a region of ``tier`` with ``score``, given its ``previous`` level.

    Without corroboration (``Tally.corroborated``: reports with weight from more than one officer,
    or a supervisor's confirmation) the level stops at rawan, whatever the score.

    A level rises as soon as the score reaches its threshold, and drops only when the score falls
    below threshold × exit ratio — straight to the highest level whose exit bound still holds.
    """
    bounds = config.thresholds.get(TIER_ALIASES.get(tier, tier))
    if bounds is None:
        raise ValueError(f"unknown tier {tier!r}; expected one of {', '.join(TIERS)} (or kota, kelurahan)")
    top = len(LEVELS) if corroborated else len(LEVELS) - 1
    previous_rank = min(LEVELS.index(previous) if previous else 0, top - 1)
    rank = 0
    for index in range(1, top):
        if score >= bounds[LEVELS[index]]:
            rank = index
    if rank >= previous_rank:
        return LEVELS[rank]
    for index in range(previous_rank, rank, -1):
        if score >= bounds[LEVELS[index]] * config.exit_ratio:
            return LEVELS[index]
    return LEVELS[rank]


def _book(observations: list[Observation], config: ScoringConfig) -> ScoreBook:
    book = ScoreBook(config)
    book.put(entry for entry in map(entry_of, observations) if entry is not None)
    return book


def _parts(obs: Observation, config: ScoringConfig) -> tuple[float, float, float]:
    try:
        return part_of(config, obs.category, obs.threat_stage, obs.source_reliability, obs.info_credibility)
    except ValueError as exc:
        raise ValueError(f"observation {obs.id}: {exc}") from None


def _excluded(obs: Observation) -> str | None:
    if obs.review in WEIGHTLESS_REVIEWS:
        return obs.review
    return "superseded" if obs.superseded else None


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


def _moment(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)

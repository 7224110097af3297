"""Recommended police headcount for a region's TPS (*penebalan personel*).

A pattern "2:2" means two police for every two TPS; a region's headcount is
``police × ceil(TPS / tps)``. The kurang_rawan pattern is the baseline, and the reinforcement is
what a rawan or sangat_rawan pattern needs on top of it. Patterns live in ``assets/scoring.toml``.

TPS counts are estimates: the context file holds Pemilu 2024 counts per kabupaten/kota (Pilkada
TPS hold up to 600 voters, so the Pilkada counts are lower), and a kecamatan's or desa's share is
apportioned by its number of desa/kelurahan (no per-desa TPS list was published).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from kerawanan.incidents import spread_regions
from kerawanan.vocab import LEVELS

PATTERN_TEXT = re.compile(r"\s*(\d+)\s*:\s*(\d+)\s*\Z")


@dataclass(frozen=True, slots=True)
class Pattern:
    police: int
    tps: int

    def __str__(self) -> str:
        return f"{self.police}:{self.tps}"

    def headcount(self, tps: int) -> int:
        return self.police * math.ceil(tps / self.tps)


def parse_pattern(text: object) -> Pattern:
    """``"2:8"`` → ``Pattern(police=2, tps=8)``; ``ValueError`` for anything else."""
    match = PATTERN_TEXT.match(text) if isinstance(text, str) else None
    if not match or int(match[1]) < 1 or int(match[2]) < 1:
        raise ValueError(f"personnel pattern {text!r} must look like '2:8' (police:TPS, both ≥ 1)")
    return Pattern(int(match[1]), int(match[2]))


@dataclass(frozen=True, slots=True)
class Personnel:
    pattern: str            # e.g. "2:2"
    tps: int
    recommended: int        # headcount for the region's level
    baseline: int           # headcount of the kurang_rawan pattern for the same TPS
    reinforcement: int      # recommended − baseline
    estimate: bool          # True when the TPS count is an estimate

    def to_dict(self) -> dict[str, Any]:
        return {"pattern": self.pattern, "tps": self.tps, "recommended": self.recommended,
                "baseline": self.baseline, "reinforcement": self.reinforcement,
                "estimate": self.estimate}


def recommend_personnel(level: str, tps: int, config, *, estimate: bool) -> Personnel:
    """The pattern and headcount for ``tps`` polling stations at ``level``."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    if isinstance(tps, bool) or not isinstance(tps, int) or tps < 0:
        raise ValueError(f"TPS count must be a whole number ≥ 0, got {tps!r}")
    pattern = config.patterns[level]
    recommended = pattern.headcount(tps)
    baseline = config.patterns[LEVELS[0]].headcount(tps)
    return Personnel(str(pattern), tps, recommended, baseline, recommended - baseline, estimate)


class TpsEstimate(NamedTuple):
    tps: int
    estimate: bool


def estimate_tps(region_code: str, config, desa_counts: Mapping[str, int]) -> TpsEstimate:
    """TPS in a region: the kabupaten/kota count from the context file (Pemilu 2024, so always an
    estimate for the Pilkada), the province's as their sum, and a kecamatan's or desa's as the
    kabupaten's count shared out by number of desa/kelurahan (at least 1 TPS).

    ``desa_counts`` maps kabupaten and kecamatan codes to their number of desa/kelurahan (see
    ``count_desa``); it is only read for kecamatan and desa.
    """
    parts = region_code.split(".")
    if len(parts) == 1:
        total = sum(ctx.tps for code, ctx in config.contexts.items() if code.startswith(region_code + "."))
        return TpsEstimate(total, True)
    kabupaten = config.context(".".join(parts[:2]))
    if kabupaten is None:
        raise KeyError(f"no context (TPS count) for kabupaten/kota {'.'.join(parts[:2])}")
    if len(parts) == 2:
        return TpsEstimate(kabupaten.tps, True)
    share = 1 if len(parts) == 4 else _count(desa_counts, region_code)
    in_kabupaten = _count(desa_counts, kabupaten.code)
    if share > in_kabupaten:
        raise ValueError(f"{region_code} has more desa ({share}) than {kabupaten.code} ({in_kabupaten})")
    return TpsEstimate(max(1, math.floor(kabupaten.tps * share / in_kabupaten + 0.5)), True)


def count_desa(desa_codes: Iterable[str]) -> dict[str, int]:
    """Number of desa/kelurahan under every kecamatan, kabupaten and province of the given codes."""
    counts: Counter[str] = Counter()
    for code in desa_codes:
        parent = code.rpartition(".")[0]
        while parent:
            counts[parent] += 1
            parent = parent.rpartition(".")[0]
    return dict(counts)


def _count(desa_counts: Mapping[str, int], code: str) -> int:
    count = desa_counts.get(code, 0)
    if count < 1:
        raise ValueError(f"no desa count for {code}: cannot apportion its TPS")
    return count


# --- the plan: allocated at the lowest region that needs it --------------------------------------

@dataclass(frozen=True, slots=True)
class PlannedPersonnel:
    """A region's planned headcount. Reinforcement is allocated desa by desa, so a parent's
    reinforcement is exactly the sum of its children's, never its own pattern over all its TPS;
    ``from_reports`` is what the live alert levels ask for, ``from_baseline`` what Polda's standing
    baseline adds on top (during the critical tahapan, with or without reports)."""
    pattern: str            # the pattern of the most reinforced desa in the region
    tps: int                # the region's TPS (estimated)
    recommended: int        # baseline + reinforcement
    baseline: int           # the kurang_rawan pattern over the region's TPS
    reinforcement: int      # the sum over its desa
    estimate: bool
    reinforced_tps: int     # TPS that get more than the kurang_rawan pattern
    from_reports: int
    from_baseline: int
    planned_level: str = LEVELS[0]   # the level the plan is drawn at (live, spread or the Polda baseline)

    def to_dict(self) -> dict[str, Any]:
        return {"pattern": self.pattern, "tps": self.tps, "recommended": self.recommended,
                "baseline": self.baseline, "reinforcement": self.reinforcement, "estimate": self.estimate,
                "reinforced_tps": self.reinforced_tps, "from_reports": self.from_reports,
                "from_baseline": self.from_baseline, "standing": self.from_baseline > 0,
                "planned_level": self.planned_level}


def plan_personnel(desa_codes: Iterable[str], live_levels: Mapping[str, str], config, desa_counts: Mapping[str, int],
                   *, critical_stage: bool) -> dict[str, PlannedPersonnel]:
    """The plan of every region that holds one of ``desa_codes``.

    A desa is planned at the highest of: its own live level; the live level of an ancestor whose
    signal is genuinely spread (``kerawanan.incidents.spread_regions``: no single child explains
    it — the rule that also decides which regions open alerts); and, in a critical tahapan, the
    Polda baseline of its kabupaten. ``live_levels`` maps region codes to levels (absent: kurang_rawan).
    """
    rank = {level: index for index, level in enumerate(LEVELS)}
    desa_codes = sorted(desa_codes)
    tps_of = apportion_tps(desa_codes, config)
    spread = spread_regions(live_levels, config.spread_children)
    totals: dict[str, list[int]] = {}          # code -> [reinforcement, reinforced_tps, from_reports, top rank]
    for code in desa_codes:
        live = _live_plan_level(code, live_levels, spread, rank)
        kabupaten = config.context(code)
        standing = kabupaten.baseline_level(critical_stage=critical_stage) if kabupaten else LEVELS[0]
        planned = standing if rank[standing] > rank[live] else live
        tps = tps_of[code]
        base = config.patterns[LEVELS[0]].headcount(tps)
        extra = config.patterns[planned].headcount(tps) - base
        from_reports = config.patterns[live].headcount(tps) - base
        top = rank[planned]
        region: str | None = code
        while region:
            row = totals.get(region)
            if row is None:
                row = totals[region] = [0, 0, 0, 0]
            row[0] += extra
            row[1] += tps if extra else 0
            row[2] += from_reports
            if top > row[3]:
                row[3] = top
            region = region.rpartition(".")[0] or None
    return {code: _planned(code, row, config, tps_of) for code, row in totals.items()}


def apportion_tps(desa_codes: Iterable[str], config) -> dict[str, int]:
    """TPS of every desa and of every region above them, adding up exactly: a kabupaten's count
    (context file) is shared over its desa by largest remainder (equal shares, the remainder to the
    first desa in code order), a kecamatan holds the sum of its desa, the province the sum of its
    kabupaten. Estimates all (no per-desa TPS list was published)."""
    by_kabupaten: dict[str, list[str]] = {}
    for code in sorted(desa_codes):
        by_kabupaten.setdefault(".".join(code.split(".")[:2]), []).append(code)
    tps: dict[str, int] = {}
    for kabupaten_code, desa in by_kabupaten.items():
        context = config.context(kabupaten_code)
        if context is None:
            raise KeyError(f"no context (TPS count) for kabupaten/kota {kabupaten_code}")
        share, remainder = divmod(context.tps, len(desa))
        for index, code in enumerate(desa):
            count = share + (1 if index < remainder else 0)
            region: str | None = code
            while region:
                tps[region] = tps.get(region, 0) + count
                region = region.rpartition(".")[0] or None
    return tps


def _live_plan_level(desa: str, live_levels: Mapping[str, str], spread: set[str], rank) -> str:
    level = live_levels.get(desa, LEVELS[0])
    ancestor = desa.rpartition(".")[0]
    while ancestor:
        own = live_levels.get(ancestor, LEVELS[0])
        if ancestor in spread and rank[own] > rank[level]:
            level = own                               # spread: no single child explains it
        ancestor = ancestor.rpartition(".")[0]
    return level


def _planned(code: str, row: list[int], config, tps_of: Mapping[str, int]) -> PlannedPersonnel:
    reinforcement, reinforced_tps, from_reports, top = row
    tps = tps_of[code]
    if "." in code:
        baseline = config.patterns[LEVELS[0]].headcount(tps)
    else:                                             # the province: the sum of its kabupaten
        kabupaten = [ctx for key, ctx in config.contexts.items() if key.startswith(code + ".")]
        baseline = sum(config.patterns[LEVELS[0]].headcount(ctx.tps) for ctx in kabupaten)
    return PlannedPersonnel(str(config.patterns[LEVELS[top]]), tps, baseline + reinforcement, baseline,
                            reinforcement, True, reinforced_tps, from_reports, reinforcement - from_reports,
                            LEVELS[top])

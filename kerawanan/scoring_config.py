"""The numbers of the alert engine, parsed from ``assets/scoring.toml`` (see that file's comments).

``load_config`` validates every table and names what is wrong; the per-kabupaten context
(Polda baseline, Bawaslu IKP) rides along in the config but never enters a score.
"""
from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kerawanan.context import KabupatenContext, parse_context
from kerawanan.personnel import Pattern, parse_pattern
from kerawanan.regions import TIERS
from kerawanan.vocab import CATEGORY_CODES, CREDIBILITY, LEVELS, RELIABILITY, THREAT_STAGES


@dataclass(frozen=True)
class ScoringConfig:
    """Every number of the aggregation (``assets/scoring.toml``) plus the per-kabupaten context."""

    category_weights: Mapping[str, float]
    stage_weights: Mapping[str, float]
    reliability_factors: Mapping[str, float]
    credibility_factors: Mapping[int, float]
    half_life_hours: float
    horizon_hours: float
    corroboration_window_hours: float
    corroboration_min_officers: int
    corroboration_factor: float
    thresholds: Mapping[str, Mapping[str, float]]   # tier -> {"rawan": x, "sangat_rawan": y}
    exit_ratio: float
    deadlines: Mapping[str, float]                  # level -> hours to acknowledge
    patterns: Mapping[str, Pattern]                 # level -> police:TPS
    silence_hours: float
    contexts: Mapping[str, KabupatenContext] = field(default_factory=dict)
    limit_window_hours: float = 24.0                # [limits]: one officer's / device's allowance
    per_officer: int = 4
    per_device: int = 4
    outside_area_factor: float = 0.2
    spread_children: int = 2                        # [incidents]: kerawanan.incidents

    def deadline_hours(self, level: str) -> float | None:
        """Hours an open alert at ``level`` waits for acknowledgement; ``None`` for kurang_rawan."""
        return self.deadlines.get(level)

    def context(self, code: str) -> KabupatenContext | None:
        """Context of the kabupaten/kota holding ``code`` (itself or any code inside it);
        ``None`` for the province and for a kabupaten the context file lacks."""
        return self.contexts.get(".".join(code.split(".")[:2])) if "." in code else None


SECTIONS = ("category_weights", "threat_stage_weights", "credibility", "decay", "corroboration",
            "thresholds", "hysteresis", "deadlines_hours", "personnel", "coverage", "limits")
LIMITS = ("window_hours", "per_officer", "per_device", "outside_area_factor")


def load_config(scoring_toml_text: str, context_csv_text: str = "") -> ScoringConfig:
    """Parse ``scoring.toml`` (and ``jambi_context.csv``); ``ValueError`` saying what is wrong."""
    try:
        doc = tomllib.loads(scoring_toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"scoring: not valid TOML: {exc}") from exc
    _table({"scoring": {key: value for key, value in doc.items() if key != "incidents"}}, "scoring", SECTIONS)
    grades = _table(doc, "credibility", ("reliability", "information"))
    decay = _table(doc, "decay", ("half_life_hours", "horizon_days"))
    corroboration = _table(doc, "corroboration", ("window_hours", "min_officers", "factor"))
    information = _numbers(grades, "information", [str(n) for n in CREDIBILITY], "credibility")
    min_officers = _whole(corroboration, "min_officers", "corroboration", 2)
    limits = _table(doc, "limits", LIMITS)
    return ScoringConfig(
        category_weights=_numbers(doc, "category_weights", CATEGORY_CODES, zero_ok=True),
        stage_weights=_numbers(doc, "threat_stage_weights", THREAT_STAGES),
        reliability_factors=_numbers(grades, "reliability", RELIABILITY, "credibility"),
        credibility_factors={int(digit): factor for digit, factor in information.items()},
        half_life_hours=_number(decay, "half_life_hours", "decay"),
        horizon_hours=24 * _number(decay, "horizon_days", "decay"),
        corroboration_window_hours=_number(corroboration, "window_hours", "corroboration"),
        corroboration_min_officers=min_officers,
        corroboration_factor=_number(corroboration, "factor", "corroboration"),
        thresholds=_thresholds(doc),
        exit_ratio=_number(_table(doc, "hysteresis", ("exit_ratio",)), "exit_ratio", "hysteresis",
                           high=1.0),
        deadlines=_numbers(doc, "deadlines_hours", LEVELS[1:]),
        patterns=_patterns(doc),
        silence_hours=_number(_table(doc, "coverage", ("silence_hours",)), "silence_hours", "coverage"),
        contexts=parse_context(context_csv_text) if context_csv_text.strip() else {},
        limit_window_hours=_number(limits, "window_hours", "limits"),
        per_officer=_whole(limits, "per_officer", "limits", 1),
        per_device=_whole(limits, "per_device", "limits", 1),
        outside_area_factor=_number(limits, "outside_area_factor", "limits", high=1.0 + 1e-9),
        spread_children=_spread_children(doc),
    )


def _spread_children(doc: dict) -> int:
    """``[incidents] spread_children`` (optional table; default 2)."""
    if "incidents" not in doc:
        return 2
    return _whole(_table(doc, "incidents", ("spread_children",)), "spread_children", "incidents", 2)


def _whole(table: dict, key: str, where: str, low: int) -> int:
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"scoring: {where}.{key} must be a whole number ≥ {low}")
    return value


def _thresholds(doc: dict) -> dict[str, dict[str, float]]:
    tiers = _table(doc, "thresholds", TIERS)
    result = {}
    for tier in TIERS:
        bounds = _numbers(tiers, tier, LEVELS[1:], "thresholds")
        if not bounds[LEVELS[1]] < bounds[LEVELS[2]]:
            raise ValueError(f"scoring: thresholds.{tier}: rawan must be below sangat_rawan")
        result[tier] = bounds
    return result


def _patterns(doc: dict) -> dict[str, Pattern]:
    table = _table(doc, "personnel", LEVELS)
    try:
        patterns = {level: parse_pattern(table[level]) for level in LEVELS}
    except ValueError as exc:
        raise ValueError(f"scoring: [personnel] {exc}") from None
    densities = [patterns[level].police / patterns[level].tps for level in LEVELS]
    if densities != sorted(densities):
        raise ValueError("scoring: [personnel] a higher level must not post fewer police per TPS")
    return patterns


def _table(parent: dict, key: str, keys: Iterable[str], where: str = "") -> dict:
    name = f"{where}.{key}" if where else key
    table = parent.get(key)
    if not isinstance(table, dict):
        raise ValueError(f"scoring: [{name}] is missing")
    expected = {str(k) for k in keys}
    if set(table) != expected:
        raise ValueError(f"scoring: [{name}] must hold exactly {sorted(expected)}: "
                         f"missing {sorted(expected - set(table))}, unknown {sorted(set(table) - expected)}")
    return table


def _numbers(parent: dict, key: str, keys: Iterable[str], where: str = "", *,
             zero_ok: bool = False) -> dict[str, float]:
    table = _table(parent, key, keys, where)
    name = f"{where}.{key}" if where else key
    return {str(k): _number(table, str(k), name, zero_ok=zero_ok) for k in keys}


def _number(table: dict, key: str, where: str, *, zero_ok: bool = False, high: float = math.inf) -> float:
    value = table.get(key)
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or value < 0 or (value == 0 and not zero_ok) or value >= high):
        bound = f"{'≥' if zero_ok else '>'} 0" + (f" and < {high:g}" if high < math.inf else "")
        raise ValueError(f"scoring: {where}.{key} = {value!r} must be a number {bound}")
    return float(value)

"""Strength for Pilkada security (*kekuatan personel pengamanan*): what each Polres has and what Polda
can send, checked against the personnel plan (``kerawanan.personnel.plan_personnel``).

Parsed from ``assets/jambi_strength.csv``: one row per Polres (``kind`` = ``polres``: the personnel
it can put on Pilkada security itself) and one Polda row (``kind`` = ``polda``: what Polda can send,
BKO from Polda's own units and Brimob). ``source`` says where a row's figures come from; ``contoh``
marks an example figure to be set by Polda (the shipped file holds only examples), and every check
built from such a row says so (``example``).

The gap of a Polres is what its own strength does not cover of its planned headcount; the gap of
Polda is what the Polres gaps together need beyond BKO and Brimob. A Polres' surplus is not moved
to another Polres: that is an order, not arithmetic.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

COLUMNS = ("unit", "kind", "available", "polda_bko", "brimob", "source")
KINDS = ("polres", "polda")
EXAMPLE = "contoh"


@dataclass(frozen=True, slots=True)
class UnitStrength:
    unit: str               # "Polres Kerinci", "Polda Jambi"
    kind: str               # polres | polda
    available: int          # a Polres' own personnel for Pilkada security (0 for Polda)
    polda_bko: int          # what Polda sends from its own units (0 for a Polres)
    brimob: int             # Brimob Polda can send (0 for a Polres)
    source: str             # "contoh" (an example, to be set by Polda) or where the figure comes from

    @property
    def example(self) -> bool:
        return self.source == EXAMPLE


@dataclass(frozen=True, slots=True)
class StrengthTable:
    polda: UnitStrength
    polres: Mapping[str, UnitStrength]      # by unit name, as in the context file's ``polres`` column


@dataclass(frozen=True, slots=True)
class StrengthCheck:
    """A unit's planned headcount beside its strength. ``needed`` is the planned headcount for a
    Polres and the sum of the Polres gaps for Polda; ``gap`` = what stays uncovered (≥ 0)."""
    unit: str
    kind: str
    regions: tuple[str, ...]    # the kabupaten/kota the unit covers (the province for Polda)
    recommended: int            # the plan's headcount over those regions
    reinforcement: int
    available: int
    polda_bko: int
    brimob: int
    needed: int
    gap: int
    example: bool               # a figure of the strength is an example ("contoh")
    estimate: bool              # the plan rests on estimated TPS counts

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "kind": self.kind, "regions": list(self.regions),
                "recommended": self.recommended, "reinforcement": self.reinforcement,
                "available": self.available, "polda_bko": self.polda_bko, "brimob": self.brimob,
                "needed": self.needed, "gap": self.gap, "example": self.example, "estimate": self.estimate}


def parse_strength(csv_text: str, polres_units: Iterable[str]) -> StrengthTable:
    """Rows of ``jambi_strength.csv``; ``polres_units`` are the Polres of the context file, each of
    which needs exactly one row. ``ValueError`` naming the line and what is wrong."""
    reader = csv.DictReader(io.StringIO(csv_text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"strength: header must be {','.join(COLUMNS)}")
    units: dict[str, UnitStrength] = {}
    for line, row in enumerate(reader, start=2):
        unit = _read_row(row, f"strength: line {line}")
        if unit.unit in units:
            raise ValueError(f"strength: line {line}: {unit.unit} appears twice")
        units[unit.unit] = unit
    polda = [unit for unit in units.values() if unit.kind == "polda"]
    if len(polda) != 1:
        raise ValueError(f"strength: expected exactly one row of kind polda, found {len(polda)}")
    polres = {name: unit for name, unit in units.items() if unit.kind == "polres"}
    expected = set(polres_units)
    if missing := sorted(expected - set(polres)):
        raise ValueError(f"strength: no row for {', '.join(missing)} (every Polres of the context file needs one)")
    if unknown := sorted(set(polres) - expected):
        raise ValueError(f"strength: {', '.join(unknown)} is not a Polres of the context file")
    return StrengthTable(polda[0], polres)


def _read_row(row: dict, where: str) -> UnitStrength:
    if None in row or any(value is None for value in row.values()):
        raise ValueError(f"{where}: expected {len(COLUMNS)} fields")
    unit, kind, source = row["unit"].strip(), row["kind"].strip(), row["source"].strip()
    if not unit:
        raise ValueError(f"{where}: unit is empty")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    if not source:
        raise ValueError(f"{where}: source is empty (write '{EXAMPLE}' for an example figure)")
    numbers = {key: _whole(row, key, where) for key in ("available", "polda_bko", "brimob")}
    if kind == "polres" and (numbers["polda_bko"] or numbers["brimob"]):
        raise ValueError(f"{where}: {unit}: only the Polda row sends BKO and Brimob (write 0)")
    if kind == "polda" and numbers["available"]:
        raise ValueError(f"{where}: {unit}: Polda's strength is polda_bko and brimob (write 0 for available)")
    return UnitStrength(unit, kind, numbers["available"], numbers["polda_bko"], numbers["brimob"], source)


def _whole(row: dict, key: str, where: str) -> int:
    text = row[key].strip()
    if not text.isdigit() or not text.isascii():
        raise ValueError(f"{where}: {key} {row[key]!r} must be a whole number ≥ 0")
    return int(text)


def check_strength(table: StrengthTable, plans: Mapping[str, Any], contexts: Mapping[str, Any],
                   province: str) -> dict[str, StrengthCheck]:
    """Every Polres' check (by unit name) and Polda's (under ``table.polda.unit``).

    ``plans`` maps region codes to plans with ``recommended``, ``reinforcement`` and ``estimate``
    (``PlannedPersonnel``); ``contexts`` maps kabupaten codes to contexts with ``polres``.
    """
    regions: dict[str, list[str]] = {}
    for code in sorted(contexts):
        regions.setdefault(contexts[code].polres, []).append(code)
    checks: dict[str, StrengthCheck] = {}
    for name, unit in sorted(table.polres.items()):
        covered = [code for code in regions.get(name, ()) if code in plans]
        recommended = sum(plans[code].recommended for code in covered)
        checks[name] = StrengthCheck(
            name, "polres", tuple(covered), recommended, sum(plans[code].reinforcement for code in covered),
            unit.available, 0, 0, recommended, max(0, recommended - unit.available), unit.example,
            any(plans[code].estimate for code in covered))
    polda, whole = table.polda, plans.get(province)
    needed = sum(check.gap for check in checks.values())
    checks[polda.unit] = StrengthCheck(
        polda.unit, "polda", (province,), whole.recommended if whole else 0, whole.reinforcement if whole else 0,
        sum(check.available for check in checks.values()), polda.polda_bko, polda.brimob, needed,
        max(0, needed - polda.polda_bko - polda.brimob),
        polda.example or any(check.example for check in checks.values()), bool(whole and whole.estimate))
    return checks

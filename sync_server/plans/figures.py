"""The strength figures in force: the shipped ones (``assets/jambi_strength.csv``) with an admin's over
them (``strength_figures``). One home, read by the plans and by the alerts' strength check alike, so
a figure an admin corrects counts everywhere from the next read, on every server process."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from kerawanan import assets
from kerawanan.strength import COLUMNS, StrengthTable, UnitStrength, parse_strength

FIGURES = ("available", "polda_bko", "brimob", "source")


def current_strength(figures: Mapping[str, Mapping[str, Any]]) -> StrengthTable:
    """The shipped table with ``figures`` (unit -> an admin's figures) over it, checked by the core."""
    shipped = assets.strength()
    units = [replace(unit, **{key: figures[unit.unit][key] for key in FIGURES}) if unit.unit in figures else unit
             for unit in (shipped.polda, *shipped.polres.values())]
    return checked(units, shipped.polres.keys())


def checked(units: list[UnitStrength], polres: Iterable[str]) -> StrengthTable:
    """``units`` through the core's parser of the strength file (its rules hold for an admin's too)."""
    return parse_strength(csv_text(units), polres)


def csv_text(units: list[UnitStrength]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for unit in units:
        writer.writerow([unit.unit, unit.kind, unit.available, unit.polda_bko, unit.brimob, unit.source])
    return out.getvalue()

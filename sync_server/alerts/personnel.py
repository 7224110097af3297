"""The personnel plan of the whole province: the one source of every personnel figure the server sends
(alert objects, ``GET /regions/{code}``, the sitrep).

``kerawanan.personnel.plan_personnel`` allocates reinforcement desa by desa from the live level of
every region and, in a critical tahapan, Polda's baseline; ``kerawanan.strength`` checks the plan
against each Polres' strength and what Polda can send. Planning the province takes tens of
milliseconds, so it is done once per change of what it depends on — the live levels (re-read when
the change sequence moved or this process ran a pass) and whether the tahapan is critical — never
per alert of a list.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kerawanan.personnel import PlannedPersonnel, count_desa, plan_personnel
from kerawanan.strength import StrengthCheck, StrengthTable, check_strength
from kerawanan.vocab import LEVELS

Reader = Callable[[str], bool]


@dataclass(frozen=True)
class PlanSet:
    """One plan of the province: every region's ``PlannedPersonnel`` and every unit's strength check."""

    plans: dict[str, PlannedPersonnel]
    levels: dict[str, str]                     # live levels the plan came from (absent: kurang_rawan)
    critical: bool
    checks: dict[str, StrengthCheck] = field(default_factory=dict)    # by unit name
    units: dict[str, str] = field(default_factory=dict)               # kabupaten / province code -> unit

    def personnel(self, code: str, reader: Reader | None = None) -> dict[str, Any] | None:
        """The personnel object of ``code`` (``None``: no plan, e.g. no TPS count). ``strength`` is the
        check of the region's Polres (a kabupaten/kota) or of Polda (the province), sent only to a
        ``reader`` that reads every region of that unit; else null."""
        plan = self.plans.get(code)
        if plan is None:
            return None
        return {**plan.to_dict(), "critical_stage": self.critical, "strength": self.strength(code, reader)}

    def strength(self, code: str, reader: Reader | None) -> dict[str, Any] | None:
        check = self.checks.get(self.units.get(code, ""))
        if check is None or reader is None or not all(reader(region) for region in check.regions):
            return None
        return check.to_dict()

    def rows(self, codes: Iterable[str]) -> list[dict[str, Any]]:
        """The sitrep's rows: one per region of ``codes``, each with its plan and live level."""
        rows = []
        for code in codes:
            plan = self.plans.get(code)
            if plan is not None:
                rows.append({"region_code": code, "level": self.levels.get(code, LEVELS[0]),
                             **self.personnel(code)})
        return rows


class PersonnelPlanner:
    """Keeps the current ``PlanSet`` of the province (thread-safe)."""

    def __init__(self, storage: Any, config: Any, calendar: Any, desa_codes: Iterable[str],
                 clock: Callable[[], datetime],
                 strength: Callable[[], StrengthTable | None] | StrengthTable | None = None):
        self.storage = storage
        self.config = config
        self.calendar = calendar
        self.desa_codes = tuple(desa_codes)
        self.desa_counts = count_desa(self.desa_codes)
        self.clock = clock
        self._strength = strength if callable(strength) else (lambda: strength)   # read per plan: an admin may
        self.strength: StrengthTable | None = None                                  # correct it at any time
        self.passes = 0                            # passes of this process: levels may have moved
        self._lock = threading.Lock()
        self._levels_key: tuple[int, int] | None = None
        self._levels: dict[str, str] = {}
        self._plan_key: tuple | None = None
        self._plan: PlanSet | None = None

    def passed(self) -> None:
        """An evaluation pass of this process finished: the next read re-reads the live levels."""
        with self._lock:
            self.passes += 1

    def critical(self, at: datetime) -> bool:
        stage = self.calendar.stage_for(at)
        return stage in self.calendar and self.calendar.is_critical(stage)

    def current(self, at: datetime | None = None) -> PlanSet:
        """The plan as of the last evaluation, for the tahapan at ``at`` (default: now)."""
        critical = self.critical(at or self.clock())
        key = (self.storage.current_seq(), self.passes)
        with self._lock:
            if key != self._levels_key:
                self._levels = {state.code: state.level for state in self.storage.region_states_under(self._roots())
                                if state.level != LEVELS[0]}
                self._levels_key = key
            self.strength = self._strength()
            plan_key = (tuple(sorted(self._levels.items())), critical, self.strength)
            if plan_key != self._plan_key or self._plan is None:
                self._plan = self._build(dict(self._levels), critical)
                self._plan_key = plan_key
            return self._plan

    def latest(self) -> PlanSet:
        """The last plan made, without reading storage (inside an evaluation pass: the pull feed)."""
        with self._lock:
            plan = self._plan
        return plan if plan is not None else self.current()

    def _roots(self) -> list[str]:
        return sorted({code.partition(".")[0] for code in self.desa_codes})

    def _build(self, levels: dict[str, str], critical: bool) -> PlanSet:
        plans = plan_personnel(self.desa_codes, levels, self.config, self.desa_counts, critical_stage=critical)
        checks: dict[str, StrengthCheck] = {}
        units: dict[str, str] = {}
        for root in self._roots():
            if self.strength is None or root not in plans:
                continue
            contexts = {code: ctx for code, ctx in self.config.contexts.items() if code.startswith(root + ".")}
            checks.update(check_strength(self.strength, plans, contexts, root))
            units.update({code: ctx.polres for code, ctx in contexts.items()})
            units[root] = self.strength.polda.unit
        return PlanSet(plans, levels, critical, checks, units)


def strength_reader(principal: Any) -> Reader | None:
    """Strength figures are the command's: supervisors and admins who read every region of the unit."""
    return None if principal.role == "officer" else principal.can_read_region


def scope_rows(plan: PlanSet, scope: Iterable[str], gazetteer: Any) -> list[dict[str, Any]]:
    """The sitrep's personnel rows: the regions one tier below each scope code (a desa scope: itself),
    so a total of the rows is the scope's own figure and no region is counted twice."""
    scope = [code for code in scope if not any(code.startswith(other + ".") for other in scope)]
    codes: list[str] = []
    for code in dict.fromkeys(scope):
        children = [child.code for child in gazetteer.children(code)]
        codes += children or [code]
    rows = plan.rows(codes)
    for row in rows:
        region = gazetteer.find(row["region_code"])
        row["region_name"] = region.title if region else row["region_code"]
    return rows


def strength_rows(plan: PlanSet, reader: Reader) -> list[dict[str, Any]]:
    """Each unit's check whose regions the reader reads entirely: its Polres (and, for the province,
    every Polres and Polda, last)."""
    rows = [check.to_dict() for check in plan.checks.values() if all(reader(code) for code in check.regions)]
    return sorted(rows, key=lambda row: (row["kind"] == "polda", row["unit"]))

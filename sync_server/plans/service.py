"""Rencana penebalan: a unit's available strength, the proposal by ``assets/penebalan.toml`` over the
personnel plan, and saving the commander's numbers as a versioned decision.

A unit is the caller's scope (or codes inside it): Polda (the province), a Polres (its kabupaten/kota)
or a Polsek. Its rows are the regions one tier below each code. Its pool is its own spare strength
(Polda: BKO + Brimob; a Polres: its personnel beyond the baseline of its regions) plus what the
current saved plans of wider units allocate to its codes — Polda's forces "go down" to the Polres
through Polda's plan, and a Polres' to its Polsek through the Polres' plan.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from kerawanan import assets
from kerawanan.errors import InvalidInput, NotFound
from kerawanan.strength import StrengthTable, UnitStrength
from kerawanan.vocab import LEVELS
from sync_server.plans.allocation import RULE_TEXT, Need, allocate, load_rule
from sync_server.plans.figures import checked, current_strength
from sync_server.plans.store import PlanStore
from sync_server.render import iso_z

MAX_NOTE = 500
MAX_ALLOCATED = 100_000
KINDS = {1: "polda", 2: "polres"}


def unit_key(codes: tuple[str, ...]) -> str:
    return ",".join(sorted(codes))


def unit_kind(codes: tuple[str, ...]) -> str:
    return KINDS.get(min(code.count(".") + 1 for code in codes), "polsek")


class PlanService:
    def __init__(self, store: PlanStore, alerts: Any, gazetteer: Any, clock: Any):
        self.store = store
        self.alerts = alerts
        self.gazetteer = gazetteer
        self.clock = clock
        self.order = load_rule(assets.read_text("penebalan.toml"))

    # ---- strength figures
    def strength(self) -> StrengthTable:
        """The shipped figures with an admin's over them (checked by the core's parser)."""
        return current_strength(self.store.strength_figures())

    def set_strength(self, unit: str, body: object, actor: str) -> dict[str, Any]:
        table = self.strength()
        current = table.polda if unit == table.polda.unit else table.polres.get(unit)
        if current is None:
            raise NotFound("Satuan tidak dikenal.", message_en="Unknown unit.", details={"unit": unit})
        figures = _figures(body, current)
        units = [figures if u.unit == unit else u for u in [table.polda, *table.polres.values()]]
        try:
            checked(units, table.polres.keys())
        except ValueError as exc:
            raise InvalidInput("Angka kekuatan tidak sah.", message_en="Invalid strength figures.",
                               fields={"body": str(exc)}) from None
        before = self.store.strength_figures().get(unit)
        self.store.set_strength(unit, _plain(figures), _plain(current) if before is None else
                                {key: before[key] for key in ("available", "polda_bko", "brimob", "source")},
                                actor, self.clock())
        return _plain(figures)

    # ---- the proposal
    def proposal(self, codes: tuple[str, ...], unit_name: str, now: datetime | None = None) -> dict[str, Any]:
        now = now or self.clock()
        plan = self.alerts.personnel.current(now)
        key, kind = unit_key(codes), unit_kind(codes)
        rows = self._rows(codes, plan)
        pool = self._pool(codes, key, kind, plan)
        allocations, reserve = allocate([Need(row["region_code"], row["priority"], row["need"]) for row in rows],
                                        pool["total"], self.order)
        for row, allocation in zip(rows, allocations, strict=True):
            row.update(proposed=allocation.allocated, allocated=allocation.allocated,
                       shortfall=allocation.shortfall, adjusted=False)
        return {"unit": key, "unit_name": unit_name, "kind": kind, "at": iso_z(now),
                "stage": self.alerts.calendar.stage_for(now), "critical_stage": plan.critical,
                "rule": RULE_TEXT, "order": list(self.order), "pool": pool, "rows": rows,
                "totals": _totals(rows, reserve)}

    def _rows(self, codes: tuple[str, ...], plan: Any) -> list[dict[str, Any]]:
        config, rows = self.alerts.config, []
        for code in codes:
            for region in self.gazetteer.children(code) or [self.gazetteer.get(code)]:
                planned = plan.plans.get(region.code)
                if planned is None:
                    continue
                live = plan.levels.get(region.code, LEVELS[0])
                context = config.context(region.code)
                baseline = context.baseline_level(critical_stage=plan.critical) if context else LEVELS[0]
                priority = max(live, baseline, key=LEVELS.index)
                rows.append({"region_code": region.code, "name": region.title, "level": live,
                             "baseline_level": baseline, "priority": priority, "recommended": planned.recommended,
                             "baseline": planned.baseline, "need": planned.reinforcement})
        return rows

    def _pool(self, codes: tuple[str, ...], key: str, kind: str, plan: Any) -> dict[str, Any]:
        table = self.strength()
        own, label, example = 0, "", False
        if kind == "polda":
            own, label = table.polda.polda_bko + table.polda.brimob, "BKO Polda + Brimob"
            example = table.polda.example
        elif kind == "polres":
            units = {self.alerts.config.context(code).polres for code in codes if self.alerts.config.context(code)}
            available = sum(table.polres[unit].available for unit in units if unit in table.polres)
            baseline = sum(plan.plans[code].baseline for code in codes if code in plan.plans)
            own, label = max(0, available - baseline), "personel sendiri di atas kebutuhan dasar"
            example = any(table.polres[unit].example for unit in units if unit in table.polres)
        received = []
        for saved in self.store.current_plans():
            if saved["unit_key"] == key:
                continue
            for row in saved.get("rows", ()):
                if row["region_code"] in codes and row["allocated"]:
                    region = self.gazetteer.find(row["region_code"])
                    received.append({"from": saved["unit_name"], "region_code": row["region_code"],
                                     "region_name": region.title if region else row["region_code"],
                                     "allocated": row["allocated"]})
        total_received = sum(item["allocated"] for item in received)
        return {"own": own, "own_label": label, "received": received, "received_total": total_received,
                "total": own + total_received, "example": example,
                "strength": {"polda_bko": table.polda.polda_bko, "brimob": table.polda.brimob}
                if kind == "polda" else None}

    # ---- saving a decision
    def save(self, codes: tuple[str, ...], unit_name: str, body: dict[str, Any], actor: str) -> dict[str, Any]:
        now = self.clock()
        proposal = self.proposal(codes, unit_name, now)
        chosen = _allocations(body.get("rows"), {row["region_code"] for row in proposal["rows"]})
        for row in proposal["rows"]:
            if row["region_code"] in chosen:
                row["allocated"] = chosen[row["region_code"]]
                row["shortfall"] = max(0, row["need"] - row["allocated"])
                row["adjusted"] = row["allocated"] != row["proposed"]
        allocated = sum(row["allocated"] for row in proposal["rows"])
        if allocated > proposal["pool"]["total"]:
            raise InvalidInput("Alokasi melebihi kekuatan tersedia.", message_en="The allocation exceeds the strength.",
                               fields={"rows": f"Jumlah {allocated} > tersedia {proposal['pool']['total']}."},
                               fields_en={"rows": f"Total {allocated} > available {proposal['pool']['total']}."},
                               reasons={"rows": "over_strength"})
        proposal["totals"] = _totals(proposal["rows"], proposal["pool"]["total"] - allocated)
        version = self.store.save_plan(proposal["unit"], unit_name, _base(body.get("base_version")), proposal,
                                       actor, _note(body.get("note")), now)
        return self.store.plan_version(proposal["unit"], version)


def _totals(rows: list[dict[str, Any]], reserve: int) -> dict[str, int]:
    return {key: sum(row[key] for row in rows) for key in ("need", "proposed", "allocated", "shortfall")} | {
        "reserve": reserve}


def _allocations(rows: object, known: set[str]) -> dict[str, int]:
    if not isinstance(rows, list) or len(rows) > 1000:
        raise _invalid("rows", "Daftar {region_code, allocated}.", "A list of {region_code, allocated}.")
    chosen: dict[str, int] = {}
    for index, row in enumerate(rows):
        code = row.get("region_code") if isinstance(row, dict) else None
        value = row.get("allocated") if isinstance(row, dict) else None
        if not isinstance(code, str) or code not in known or set(row) - {"region_code", "allocated"}:
            raise _invalid(f"rows[{index}].region_code", "Bukan wilayah rencana ini.", "Not a region of this plan.")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ALLOCATED:
            raise _invalid(f"rows[{index}].allocated", f"Bilangan bulat 0–{MAX_ALLOCATED}.",
                           f"A whole number 0–{MAX_ALLOCATED}.")
        chosen[code] = value
    return chosen


def _base(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _invalid("base_version", "Bilangan bulat ≥ 0.", "A whole number ≥ 0.")
    return value


def _note(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_NOTE:
        raise _invalid("note", f"Teks, paling banyak {MAX_NOTE} karakter.", f"Text, at most {MAX_NOTE} characters.")
    return value.strip()


def _figures(body: object, current: UnitStrength) -> UnitStrength:
    if not isinstance(body, dict) or set(body) - {"available", "polda_bko", "brimob", "source"}:
        raise _invalid("body", "Objek {available, polda_bko, brimob, source}.",
                       "An object {available, polda_bko, brimob, source}.")
    values = {}
    for key in ("available", "polda_bko", "brimob"):
        value = body.get(key, getattr(current, key))
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ALLOCATED:
            raise _invalid(key, f"Bilangan bulat 0–{MAX_ALLOCATED}.", f"A whole number 0–{MAX_ALLOCATED}.")
        values[key] = value
    source = body.get("source", "")
    if not isinstance(source, str) or not source.strip() or len(source) > 200 or "\n" in source:
        raise _invalid("source", "Sumber angka (mis. 'Sprin Kapolda 2024'), satu baris.",
                       "Where the figures come from (e.g. an order), one line.")
    return UnitStrength(current.unit, current.kind, values["available"], values["polda_bko"], values["brimob"],
                        source.strip())


def _plain(unit: UnitStrength) -> dict[str, Any]:
    return {"available": unit.available, "polda_bko": unit.polda_bko, "brimob": unit.brimob, "source": unit.source}


def _invalid(field: str, message: str, message_en: str) -> InvalidInput:
    return InvalidInput("Isi permintaan tidak valid.", message_en="Invalid request body.",
                        fields={field: message}, fields_en={field: message_en})

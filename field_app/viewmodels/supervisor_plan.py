"""Rencana penebalan (``GET/POST /plans``): the pool, the proposal by risk, the commander's numbers.

The commander types a number per region (``set_allocated``); the totals, the shortfall and "over the
strength" follow at once, before anything is sent. ``save(note)`` stores a new version based on the
version the screen showed (the server refuses a stale one: someone else saved meanwhile).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from field_app.errors import Offline, ServerRejected
from field_app.viewmodels.base import ViewModel
from field_app.viewmodels.supervisor_board import parse_time
from kerawanan.vocab import LEVELS


@dataclass(frozen=True)
class PlanLine:
    code: str
    name: str
    priority: str
    need: int
    proposed: int
    allocated: int
    shortfall: int
    adjusted: bool


class PenebalanPlan(ViewModel):
    def __init__(self, client: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.client = client
        self.proposal: dict[str, Any] | None = None
        self.saved: dict[str, Any] | None = None
        self.versions: list[dict[str, Any]] = []
        self.allocated: dict[str, int] = {}
        self.problem: str | None = None
        self.message: str | None = None

    def refresh(self) -> bool:
        try:
            body = self.client.get_plan()
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected as exc:
            return self._fail(exc.message)
        self.proposal, self.saved, self.versions = body["proposal"], body.get("saved"), body.get("versions") or []
        source = {row["region_code"]: row["allocated"] for row in (self.saved or {}).get("rows") or ()}
        self.allocated = {row["region_code"]: source.get(row["region_code"], row["proposed"])
                          for row in self.proposal["rows"]}
        self.problem = None
        self.changed()
        return True

    # ---- intents
    def set_allocated(self, code: str, text: str) -> bool:
        value = text.strip()
        if code not in self.allocated:
            return False
        if not value.isdigit():
            name = next((row["name"] for row in self.proposal["rows"] if row["region_code"] == code), code)
            return self._fail(self.t("sv.plan.bad_number", region=name))
        self.allocated[code] = int(value)
        self.problem = None
        self.changed()
        return True

    def reset(self) -> None:
        self.allocated = {row["region_code"]: row["proposed"] for row in (self.proposal or {}).get("rows") or ()}
        self.problem = None
        self.changed()

    def save(self, note: str) -> bool:
        if self.proposal is None:
            return False
        if self.over():
            return self._fail(self.over())
        rows = [{"region_code": code, "allocated": value} for code, value in self.allocated.items()]
        base = self.saved["version"] if self.saved else 0
        try:
            saved = self.client.save_plan(rows, note.strip(), base)
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected as exc:
            return self._fail(exc.message)
        self.message = self.saved_words(saved)
        return self.refresh()

    # ---- what the screen shows
    def lines(self) -> list[PlanLine]:
        """Most urgent first: by priority (sangat rawan first), then the larger need, then the code."""
        if not self.proposal:
            return []
        lines = []
        for row in self.proposal["rows"]:
            allocated = self.allocated.get(row["region_code"], row["proposed"])
            lines.append(PlanLine(row["region_code"], row["name"], row["priority"], row["need"], row["proposed"],
                                  allocated, max(0, row["need"] - allocated), allocated != row["proposed"]))
        return sorted(lines, key=lambda line: (-LEVELS.index(line.priority) if line.priority in LEVELS else 0,
                                               -line.need, line.code))

    def totals(self) -> dict[str, int]:
        lines, pool = self.lines(), self.pool_total()
        allocated = sum(line.allocated for line in lines)
        return {"need": sum(line.need for line in lines), "allocated": allocated, "pool": pool,
                "shortfall": sum(line.shortfall for line in lines), "reserve": max(0, pool - allocated)}

    def pool_total(self) -> int:
        return int((self.proposal or {}).get("pool", {}).get("total", 0))

    def over(self) -> str | None:
        totals = self.totals()
        if totals["allocated"] > totals["pool"]:
            return self.t("sv.plan.over", allocated=totals["allocated"], pool=totals["pool"])
        return None

    def pool_lines(self) -> list[str]:
        pool = (self.proposal or {}).get("pool") or {}
        lines = [self.t("sv.plan.pool", total=pool.get("total", 0))]
        if pool.get("own_label"):
            lines.append(self.t("sv.plan.pool.own", own=pool.get("own", 0), label=pool["own_label"]))
        lines += [self.t("sv.plan.pool.received", unit=item["from"], region=item.get("region_name") or item["region_code"],
                         n=item["allocated"])
                  for item in pool.get("received") or ()]
        if pool.get("example"):
            lines.append(self.t("sv.plan.example"))
        return lines

    def saved_words(self, saved: dict[str, Any] | None = None) -> str:
        saved = saved if saved is not None else self.saved
        if not saved:
            return self.t("sv.plan.none_saved")
        at = parse_time(saved.get("saved_at"))
        return self.t("sv.plan.saved", version=saved["version"], at=self.t.time(at, now=self.clock()) if at else "…",
                      by=saved.get("saved_by"))

    def _fail(self, message: str) -> bool:
        self.problem = message
        self.changed()
        return False

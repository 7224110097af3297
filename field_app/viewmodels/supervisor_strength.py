"""Kekuatan personel (``GET /strength``, ``PUT /strength/{unit}``): each Polres' own strength and what
Polda can send (BKO, Brimob), the source of the numbers and who set them. Supervisors read them;
an admin corrects a unit's figures (``save``), which the server checks, audits, and feeds to the
plans and the alerts' strength check from then on.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from field_app.errors import Offline, ServerRejected
from field_app.viewmodels.base import ViewModel
from field_app.viewmodels.supervisor_board import parse_time

FIGURES = ("available", "polda_bko", "brimob")


@dataclass(frozen=True)
class StrengthLine:
    unit: str
    kind: str               # polres | polda
    available: int
    polda_bko: int
    brimob: int
    source: str
    example: bool
    set_words: str | None   # "diubah oleh admin, 27 Nov 21.00" (None: the shipped figures)


class StrengthFigures(ViewModel):
    def __init__(self, client: Any, *, can_edit: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.client = client
        self.can_edit = can_edit
        self.units: list[dict[str, Any]] = []
        self.problem: str | None = None
        self.message: str | None = None

    def refresh(self) -> bool:
        try:
            self.units = list(self.client.get_strength().get("units") or [])
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected as exc:
            return self._fail(exc.message)
        self.problem = None
        self.changed()
        return True

    def lines(self) -> list[StrengthLine]:
        now = self.clock()
        lines = []
        for unit in self.units:
            at = parse_time(unit.get("set_at"))
            set_words = (self.t("sv.strength.set", by=unit.get("set_by"), at=self.t.time(at, now=now))
                         if unit.get("set_by") and at else None)
            lines.append(StrengthLine(unit["unit"], unit.get("kind", "polres"), int(unit.get("available", 0)),
                                      int(unit.get("polda_bko", 0)), int(unit.get("brimob", 0)),
                                      str(unit.get("source") or ""), bool(unit.get("example")), set_words))
        return lines

    # ---- intents
    def save(self, unit: str, texts: dict[str, str], source: str) -> bool:
        """An admin's figures for ``unit``: whole numbers ≥ 0 and a one-line source."""
        figures: dict[str, Any] = {}
        for key in FIGURES:
            value = (texts.get(key) or "").strip()
            if not value.isdigit():
                return self._fail(self.t("sv.strength.bad_number", unit=unit, field=self.t(f"sv.strength.{key}")))
            figures[key] = int(value)
        if not source.strip():
            return self._fail(self.t("sv.strength.no_source"))
        figures["source"] = source.strip()
        try:
            self.client.set_strength(unit, figures)
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected as exc:
            return self._fail(exc.message)
        self.message = self.t("sv.strength.saved", unit=unit)
        return self.refresh()

    def _fail(self, message: str) -> bool:
        self.problem = message
        self.changed()
        return False

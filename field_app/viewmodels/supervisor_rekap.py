"""Rekap berjenjang: one table per level below the commander; tap a row to go down one level.

The figures are the server's (``GET /api/v1/rekap``, ``sync_server/alerts/rekap.py``): this model
keeps the trail of units opened (a breadcrumb back up), and turns each row into the words a
commander reads. Plain data and intent methods only (no Flet).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from field_app.errors import Offline, ServerRejected
from field_app.viewmodels.base import ViewModel


@dataclass(frozen=True, slots=True)
class RekapLine:
    unit: str
    name: str
    drill: bool
    cells: dict[str, str]          # column → what the cell says
    alarm: bool                    # a unit that is not acting: unacknowledged alerts or missed deadlines
    officers: str                  # desa rows: its Bhabin by rank and name


COLUMNS = ("open", "overdue", "escalated", "ack", "action", "bare", "bhabin", "silent")


def minutes_words(value: Any, t) -> str:
    if value is None:
        return "—"
    minutes = float(value)
    if minutes < 60:
        return t("sv.rekap.minutes", n=round(minutes))
    return t("sv.rekap.hours", n=f"{minutes / 60:.1f}".replace(".", "," if t.lang == "id" else "."))


def cells(row: dict[str, Any], t) -> dict[str, str]:
    """A row's figures in words: counts, medians in minutes/hours, the Bhabin share as "3/5 (60%)"."""
    bhabin = int(row.get("bhabin") or 0)
    share = f"{row.get('bhabin_reported', 0)}/{bhabin} ({round(100 * float(row['bhabin_share']))}%)" \
        if bhabin and row.get("bhabin_share") is not None else "—"
    ack = minutes_words(row.get("ack_minutes"), t)
    if row.get("unacknowledged"):
        ack = t("sv.rekap.unacknowledged", n=row["unacknowledged"], time=ack)
    return {"open": str(row.get("open", 0)), "overdue": str(row.get("overdue", 0)),
            "escalated": str(row.get("escalated", 0)), "ack": ack,
            "action": minutes_words(row.get("action_minutes"), t),
            "bare": str(row.get("resolved_without_action", 0)), "bhabin": share,
            "silent": f"{row.get('silent_desa', 0)}/{row.get('desa', 0)}"}


class Rekap(ViewModel):
    def __init__(self, client: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.client = client
        self.trail: list[tuple[str | None, str]] = []      # (unit, name) from the commander's scope down
        self.body: dict[str, Any] | None = None
        self.problem: str | None = None

    def refresh(self) -> bool:
        """Load the current unit (the commander's scope at first)."""
        return self._load(self.trail[-1][0] if self.trail else None)

    def open(self, unit: str) -> bool:
        """Go down one level: the rows of ``unit``."""
        return self._load(unit)

    def up(self, depth: int) -> bool:
        """Back to the ``depth``-th unit of the trail (0: the commander's scope)."""
        if not 0 <= depth < len(self.trail):
            return False
        unit = self.trail[depth][0]
        del self.trail[depth:]
        return self._load(unit)

    def _load(self, unit: str | None) -> bool:
        try:
            body = self.client.get_rekap(unit=unit)
        except Offline:
            return self._fail(self.t("sv.offline"))
        except ServerRejected as exc:
            return self._fail(exc.message)
        self.body, self.problem = body, None
        name = str((body.get("unit") or {}).get("name") or "")
        if not self.trail or self.trail[-1][0] != unit:
            self.trail.append((unit, name))
        else:
            self.trail[-1] = (unit, name)
        self.changed()
        return True

    def _fail(self, problem: str) -> bool:
        self.problem = problem
        self.changed()
        return False

    # ------------------------------------------------------------ what the screen shows

    def title(self) -> str:
        if not self.body:
            return ""
        below = self.body.get("level_below")
        return self.t(f"sv.rekap.title.{below}" if below else "sv.rekap.title.none",
                      unit=(self.body.get("unit") or {}).get("name", ""))

    def lines(self) -> list[RekapLine]:
        """The rows, the unit that needs attention first (unacknowledged, missed deadlines, overdue)."""
        rows = list((self.body or {}).get("rows") or [])
        rows.sort(key=lambda r: (-int(r.get("unacknowledged") or 0), -int(r.get("deadlines_missed") or 0),
                                 -int(r.get("overdue") or 0), -int(r.get("open") or 0), str(r.get("unit"))))
        return [RekapLine(unit=str(r["unit"]), name=str(r.get("name") or r["unit"]), drill=bool(r.get("drill")),
                          cells=cells(r, self.t), alarm=_alarm(r),
                          officers=", ".join(o.get("name") or o.get("username", "") for o in r.get("officers") or []))
                for r in rows]

    def total(self) -> dict[str, str] | None:
        total = (self.body or {}).get("total")
        return cells(total, self.t) if total else None

    def alarm_names(self) -> list[str]:
        """The units that are not acting, for the line above the table."""
        return [line.name for line in self.lines() if line.alarm]


def _alarm(row: dict[str, Any]) -> bool:
    return bool(row.get("unacknowledged") or row.get("deadlines_missed") or row.get("overdue"))

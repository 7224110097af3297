"""The alert board: open alerts in scope, what needs action first (overdue, then the nearest deadline,
then level), filtered behind one control with a summary of what is filtered, flagged.

"Milik saya" (``mine``: alerts whose ``owner`` is the signed-in supervisor) is a filter of its own,
on by default for a Polsek or Polres (``mine_default``), off for Polda and admins.

Plain data and intent methods only (no Flet). The client is any object with ``list_alerts`` (the
``SyncClient``); the clock is injected, so "overdue" is testable.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from field_app.errors import Offline, ServerRejected
from field_app.viewmodels.base import ViewModel

LEVEL_RANK = {"sangat_rawan": 0, "rawan": 1, "kurang_rawan": 2}
FILTERS = ("level", "status", "region", "stage", "category")
REFRESH_SECONDS = 30


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def in_region(code: str, region: str) -> bool:
    """The scope rule: equal, or below it (``15.72`` holds ``15.72.07.2004``)."""
    return code == region or code.startswith(region + ".")


@dataclass(frozen=True, slots=True)
class BoardRow:
    alert: dict[str, Any]
    overdue: bool
    escalated: bool

    @property
    def id(self) -> str:
        return str(self.alert["id"])


def is_overdue(alert: dict[str, Any], now: datetime) -> bool:
    """Still unacknowledged (status ``open``) after its deadline."""
    deadline = parse_time(alert.get("deadline_at"))
    return alert.get("status") == "open" and deadline is not None and deadline < now


def sort_key(alert: dict[str, Any], now: datetime) -> tuple:
    """Overdue first, then the nearest deadline (none last), then the more serious level."""
    deadline = parse_time(alert.get("deadline_at"))
    return (not is_overdue(alert, now), deadline is None, deadline.timestamp() if deadline else 0.0,
            LEVEL_RANK.get(str(alert.get("level")), 9), str(alert.get("region_code")))


def mine_by_default(role: str | None, scope: list[str] | tuple[str, ...] | None) -> bool:
    """A Polsek or Polres (a supervisor below the province) sees its own alerts first."""
    return role == "supervisor" and bool(scope) and all("." in str(code) for code in scope or ())


class AlertBoard(ViewModel):
    def __init__(self, client: Any, *, me: str | None = None, mine_default: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.client = client
        self.me = me
        self.mine_default = bool(me) and mine_default
        self.mine = self.mine_default
        self.alerts: list[dict[str, Any]] = []
        self.filters: dict[str, str | None] = dict.fromkeys(FILTERS)
        self.problem: str | None = None
        self.loaded_at: datetime | None = None

    # ------------------------------------------------------------ intents

    def refresh(self) -> bool:
        """Fetch every unresolved alert in scope (all pages); False and ``problem`` when it failed."""
        try:
            self.alerts = self._fetch_all()
        except Offline:
            self.problem = self.t("sv.offline")
            self.changed()
            return False
        except ServerRejected as exc:
            self.problem = exc.message
            self.changed()
            return False
        self.problem, self.loaded_at = None, self.clock()
        self.changed()
        return True

    def set_filter(self, name: str, value: str | None) -> None:
        if name not in FILTERS:
            raise KeyError(name)
        self.filters[name] = value or None
        self.changed()

    def set_mine(self, on: bool) -> None:
        self.mine = bool(on) and bool(self.me)
        self.changed()

    def clear_filters(self) -> None:
        self.filters = dict.fromkeys(FILTERS)
        self.mine = False
        self.changed()

    def active_filters(self) -> list[tuple[str, str]]:
        """(filter, value) of every filter in use, "mine" first — for the summary chip."""
        chosen = [("mine", self.me or "")] if self.mine else []
        return chosen + [(name, value) for name, value in self.filters.items() if value]

    # ------------------------------------------------------------ what the screen shows

    def rows(self) -> list[BoardRow]:
        now = self.clock()
        chosen = [a for a in self.alerts if self._matches(a)]
        return [BoardRow(a, is_overdue(a, now), int(a.get("escalations") or 0) > 0)
                for a in sorted(chosen, key=lambda a: sort_key(a, now))]

    def options(self, name: str) -> list[str]:
        """The values present in the loaded alerts, for a filter's choices."""
        if name == "category":
            values = {c.get("category") for a in self.alerts for c in a.get("top_categories") or []}
        elif name == "region":
            values = {a.get("region_code") for a in self.alerts}
        else:
            key = {"level": "level", "status": "status", "stage": "stage"}[name]
            values = {a.get(key) for a in self.alerts}
        return sorted(v for v in values if v)

    def counts(self) -> dict[str, int]:
        rows = self.rows()
        return {"total": len(rows), "overdue": sum(r.overdue for r in rows),
                "escalated": sum(r.escalated for r in rows),
                "sangat_rawan": sum(r.alert.get("level") == "sangat_rawan" for r in rows)}

    def _matches(self, alert: dict[str, Any]) -> bool:
        f = self.filters
        categories = {c.get("category") for c in alert.get("top_categories") or []}
        return ((not self.mine or alert.get("owner") == self.me)
                and (not f["level"] or alert.get("level") == f["level"])
                and (not f["status"] or alert.get("status") == f["status"])
                and (not f["region"] or in_region(str(alert.get("region_code")), f["region"]))
                and (not f["stage"] or alert.get("stage") == f["stage"])
                and (not f["category"] or f["category"] in categories))

    def _fetch_all(self) -> list[dict[str, Any]]:
        found, cursor = [], None
        for _ in range(20):                      # at most 20 000 alerts: far beyond one province
            page = self.client.list_alerts(status="active", limit=1000, cursor=cursor)
            found.extend(page.get("items") or [])
            cursor = page.get("next_cursor")
            if not cursor:
                break
        return found

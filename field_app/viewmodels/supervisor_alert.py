"""One alert: its reports, the score in words and numbers, personnel, history, and the actions.

Every action sends the version the supervisor saw (``If-Match``). When someone else changed the
alert meanwhile the server answers 412 and changes nothing; this model then says who changed it,
loads the current state and shows it. It never retries silently over the other person's change.
"""
from __future__ import annotations

from typing import Any

from field_app.errors import Offline, ServerRejected
from field_app.viewmodels.base import ViewModel

ACTIONS = ("acknowledge", "assign", "respond", "resolve", "reopen")


def actions_for(status: str | None) -> tuple[str, ...]:
    """What a supervisor can do next, given the alert's status."""
    if status == "resolved":
        return ("reopen",)
    if status == "open":
        return ("acknowledge", "assign", "respond", "resolve")
    return ("assign", "respond", "resolve")


def last_actor(history: list[dict[str, Any]] | None, fallback: str) -> str:
    for entry in reversed(history or []):
        if entry.get("actor") and entry.get("actor") != "system":
            return str(entry["actor"])
    return fallback


class AlertDetail(ViewModel):
    def __init__(self, client: Any, alert_id: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.client = client
        self.alert_id = alert_id
        self.alert: dict[str, Any] | None = None
        self.problem: str | None = None
        self.stale_notice: str | None = None       # "changed by X — here is the current state"
        self.done: str | None = None
        self.photos: dict[str, bytes] = {}

    @property
    def version(self) -> int | None:
        return int(self.alert["version"]) if self.alert else None

    def load(self) -> bool:
        try:
            self.alert = self.client.get_alert(self.alert_id)
        except Offline:
            self.problem = self.t("sv.offline")
            self.changed()
            return False
        except ServerRejected as exc:
            self.problem = self.t("sv.alert.not_found") if exc.status in (403, 404) else exc.message
            self.alert = None
            self.changed()
            return False
        self.problem = None
        self.changed()
        return True

    def act(self, action: str, *, note: str | None = None, assignee: str | None = None,
            response: str | None = None) -> bool:
        """Send one action with the version on screen; on 412 show who changed it and the current state."""
        if action not in ACTIONS or self.alert is None:
            raise ValueError(action)
        missing = _missing(action, assignee, response)
        if missing:
            self.problem = self.t(missing)
            self.changed()
            return False
        seen = self.version
        self.stale_notice = self.done = None
        try:
            self.client.act_on_alert(self.alert_id, action, seen, note=note or None, assignee=assignee or None,
                                     response=response or None)
        except Offline:
            self.problem = self.t("sv.offline")
            self.changed()
            return False
        except ServerRejected as exc:
            if exc.status != 412:
                self.problem = exc.message
                self.changed()
                return False
            return self._show_current(exc.details.get("current") or {})
        self.load()
        self.done = self.t(f"sv.action.done.{action}")
        self.changed()
        return True

    def _show_current(self, current: dict[str, Any]) -> bool:
        self.load()                                 # the full current state, with its history
        history = (self.alert or {}).get("history")
        who = last_actor(history, str(current.get("owner") or "?"))
        self.stale_notice = self.t("sv.stale", who=who)
        self.changed()
        return False

    def fetch_photo(self, sha256: str) -> bytes | None:
        if sha256 not in self.photos:
            try:
                self.photos[sha256] = self.client.get_media(sha256)
            except (Offline, ServerRejected):
                return None
        return self.photos[sha256]

    def explanation_lines(self) -> list[str]:
        """The score in words: the formula, each contributing report's arithmetic, the sum."""
        explanation = (self.alert or {}).get("explanation") or {}
        formula = explanation.get("formula_en" if self.t.lang == "en" else "formula") or ""
        lines = [self.t("sv.score.formula", formula=formula)] if formula else []
        lines += [f"{item.get('desa_code')} · {item.get('category')} {item.get('threat_stage')}: "
                  f"{item.get('describe')}" for item in explanation.get("items") or []]
        rest = explanation.get("rest") or {}
        if rest.get("count"):
            lines.append(self.t("sv.score.rest", count=rest["count"], weight=rest.get("weight")))
        if explanation.get("arithmetic"):
            lines.append(self.t("sv.score.sum", arithmetic=explanation["arithmetic"]))
        return lines


def _missing(action: str, assignee: str | None, response: str | None) -> str | None:
    if action == "assign" and not (assignee or "").strip():
        return "sv.action.need_assignee"
    if action in ("respond", "resolve") and not (response or "").strip():
        return "sv.action.need_response"
    return None

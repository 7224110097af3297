"""One alert: its reports, the score in words and numbers, personnel, history, and the actions.

Every action sends the version the supervisor saw (``If-Match``). When someone else changed the
alert meanwhile the server answers 412 and changes nothing; this model then says who changed it,
loads the current state and shows it. It never retries silently over the other person's change.
"""
from __future__ import annotations

from typing import Any

from field_app.errors import Offline, ServerRejected
from field_app.strings import STRINGS
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
    """Who changed the alert last, by rank and name when the server named them."""
    for entry in reversed(history or []):
        if entry.get("actor") and entry.get("actor") != "system":
            return person(entry, "actor")
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
        self.officers: list[dict[str, Any]] = []     # whom the alert can be assigned to, by name

    def load_officers(self) -> bool:
        """The officers of the alert's region with their last sync (for the assign picker)."""
        if self.alert is None:
            return False
        try:
            self.officers = self.client.region_officers(str(self.alert["region_code"]))
        except (Offline, ServerRejected):
            self.officers = []
            return False
        self.changed()
        return True

    def officer_options(self) -> list[tuple[str, str]]:
        """(username, "Brigpol Reza Pratama, Bhabin Desa Dujung Sakti · sinkron terakhir …")."""
        return [(str(o["username"]), self.t("sv.alert.officer_option", label=o.get("label") or o["username"],
                                            time=_time_words(self.t, o.get("last_sync_at"), self.clock())))
                for o in self.officers]

    def history_words(self, entry: dict[str, Any]) -> str:
        """What happened, in Indonesian, by name: "dieskalasi dari AKP … ke Kompol …; batas waktu
        dilewatkan oleh AKP …"."""
        return history_words(self.t, entry)

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
        who = last_actor(history, person(current, "owner") if current.get("owner") else "?")
        self.stale_notice = self.t("sv.stale", who=who)
        self.changed()
        return False

    def fetch_photo(self, sha256: str, *, answer: bool = False) -> bytes | None:
        """A report's photo, or (``answer``) one of a task answer on this alert; None when unreachable."""
        if sha256 not in self.photos:
            try:
                self.photos[sha256] = self.client.get_answer_photo(self.alert_id, sha256) if answer \
                    else self.client.get_media(sha256)
            except (Offline, ServerRejected):
                return None
        return self.photos[sha256]

    @staticmethod
    def answer_photos(entry: dict[str, Any]) -> list[str]:
        """The photos a history line of the assignee's answer carries (none for other lines)."""
        media = (entry.get("data") or {}).get("media") if entry.get("event") == "task_report" else None
        return [str(sha256) for sha256 in media or []]

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


def person(entry: dict[str, Any], key: str) -> str:
    """The rendered name beside a username (``owner`` → ``owner_name``), else the username."""
    return str(entry.get(f"{key}_name") or entry.get(key) or "—")


def history_words(t, entry: dict[str, Any]) -> str:
    event, data = str(entry.get("event") or ""), entry.get("data") or {}
    key = f"sv.history.{event}"
    if key not in STRINGS:
        return event
    return t(key, from_owner=person(data, "from_owner"), to_owner=person(data, "to_owner"),
             missed_by=person(data, "missed_by"), assignee=person(data, "assignee"))


def grade_words(t, report: dict[str, Any]) -> str:
    """The grade in force (a supervisor's regrade first), or "belum dinilai" — never "??"."""
    review = report.get("review") or {}
    if review.get("grade"):
        return str(review["grade"])
    if report.get("source_reliability") and report.get("info_credibility"):
        return f"{report['source_reliability']}{report['info_credibility']}"
    return t("sv.review.ungraded")


def _time_words(t, value: Any, now) -> str:
    from field_app.viewmodels.supervisor_board import parse_time

    moment = parse_time(value)
    return t.time(moment, now=now) if moment else t("sv.never")

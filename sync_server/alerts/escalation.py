"""Escalation *berjenjang*: who owns an alert, and who is next up the chain of command.

An alert belongs to the supervisor with the NARROWEST scope holding its region (a Polsek's
kecamatan before a Polres's kabupaten before Polda's province). Unacknowledged past its deadline
(``[deadlines_hours]`` of ``assets/scoring.toml``: 1 h for sangat_rawan, 6 h for rawan) it moves
one step up: to a supervisor whose holding scope is strictly wider. Each hop gets a new deadline
counted from the one that passed, so the result does not depend on how often the engine runs.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from kerawanan.regions import in_scope
from kerawanan.scoring import ScoringConfig
from sync_server.render import iso_z
from sync_server.storage.base import Alert, AlertEvent, User

SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Holder:
    username: str
    depth: int                  # parts of the narrowest of its scope codes that holds the region


class Chain:
    """The supervisors, ranked per region from the narrowest holding scope to the widest."""

    def __init__(self, supervisors: Iterable[User]):
        self.supervisors = tuple(user for user in supervisors if user.role == "supervisor")

    def holders(self, region: str) -> list[Holder]:
        """Supervisors whose scope holds ``region``, narrowest first (ties by username)."""
        found = []
        for user in self.supervisors:
            depths = [code.count(".") + 1 for code in user.scope if in_scope(region, (code,))]
            if depths:
                found.append(Holder(user.username, max(depths)))
        return sorted(found, key=lambda holder: (-holder.depth, holder.username))

    def owner_of(self, region: str) -> str | None:
        holders = self.holders(region)
        return holders[0].username if holders else None

    def above(self, region: str, owner: str | None) -> str | None:
        """The next owner up from ``owner``: the narrowest holder with a strictly wider scope."""
        holders = self.holders(region)
        current = next((holder for holder in holders if holder.username == owner), None)
        if current is None:                  # no owner yet, or the owner lost the region
            return holders[0].username if holders else None
        wider = [holder for holder in holders if holder.depth < current.depth]
        return wider[0].username if wider else None


def deadline_after(start: datetime, level: str, config: ScoringConfig) -> datetime | None:
    """When an alert at ``level`` must be acknowledged by; ``None`` below rawan."""
    hours = config.deadline_hours(level)
    return None if hours is None else start + timedelta(hours=hours)


def escalate(alert: Alert, at: datetime, chain: Chain, config: ScoringConfig) -> tuple[Alert, list[AlertEvent]]:
    """Every hop due by ``at`` of an open alert; each hop is recorded at the deadline it passed."""
    events: list[AlertEvent] = []
    while alert.status == "open" and alert.deadline_at is not None and alert.deadline_at <= at:
        passed, missed_by = alert.deadline_at, alert.owner
        above = chain.above(alert.region_code, alert.owner)
        if above is None:
            alert = replace(alert, deadline_at=None, version=alert.version + 1, updated_at=passed)
            events.append(_event(alert, passed, "overdue", note="Tidak ada atasan lagi di atas penanggung jawab.",
                                 hop={"from_owner": missed_by, "to_owner": None, "missed_by": missed_by}))
            break
        alert = replace(alert, owner=above, escalations=alert.escalations + 1,
                        deadline_at=deadline_after(passed, alert.level, config), version=alert.version + 1,
                        updated_at=passed)
        events.append(_event(alert, passed, "escalated",
                             hop={"from_owner": missed_by, "to_owner": above, "missed_by": missed_by}))
    return alert, events


def _event(alert: Alert, at: datetime, kind: str, note: str | None = None, *,
           hop: dict[str, str | None]) -> AlertEvent:
    """A hop's line: ``data`` says from whom to whom (``from_owner`` → ``to_owner``, None when no one
    is left above) and who let the deadline pass (``missed_by``: the owner when it passed)."""
    return AlertEvent(alert_id=alert.id, version=alert.version, at=at, actor=SYSTEM, event=kind,
                      level=alert.level, score=alert.score, status=alert.status, owner=alert.owner, note=note,
                      data={"escalations": alert.escalations, "deadline_at": iso_z(alert.deadline_at), **hop})

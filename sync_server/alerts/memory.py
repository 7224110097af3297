"""What the engine remembers between passes: every region's state and every unresolved alert, as stored.

A pass needs each target region's previous level (hysteresis, and whether it rose), the levels of
a risen region's siblings (the incident rule), the alerts of its targets and the open alerts past
their deadline. Reading them back every pass cost more than the rest of a small pass, so the engine
keeps what it read and what it wrote. It is not the only writer, though, and every pass checks the
memory inside its write transaction (no other write can commit meanwhile) before trusting it:

- region states: another server process sharing an SQLite database runs its own engine, and
  ``evaluate`` in the CLI writes too. Every pass stamps the states it writes with its engine's id
  and its change number (``AlertBatch.stamp_states``): when the stamp is still the engine's own
  last one, nobody else wrote a state since and the memory holds them all (one row read). Else a
  pass takes only LEVELS from the memory (scores and counts it computes afresh), and those of its
  targets and, when one rose, of the hot children of the risen regions and their parents (the
  incident rule): it compares the stored levels of its targets when they are few
  (``AlertBatch.region_levels``), else those of every region at rawan or above
  (``AlertBatch.hot_levels``: a few rows where the province is quiet) with its own; and the stored
  hot levels under the risen regions' parents when one rose (unless it compared every hot level
  already);
- alerts: a supervisor's action (acknowledge, assign, resolve, reopen…), an officer's answer to a
  task and another engine's event each append an ``alert`` change to the feed in the transaction
  that writes the alert (a pass's writes of an alert's numbers alone do not, and do not matter
  here). So any ``alert`` change after the last one this engine wrote means an alert moved
  (``AlertBatch.alert_changed_after``).

When either differs, and in every full pass, both are read again in full.

An alert's numbers (score, counts, top categories, when scored) follow every pass in storage
(``AlertBatch.save_alert_numbers``) but not here: a pass that moves nothing else leaves the alert
remembered as it was, and nothing takes its numbers from the memory (an alert whose level or tahapan
moves takes them from its region's state; an escalating one is read fresh).
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime

from kerawanan.incidents import is_desa, parent_of
from kerawanan.vocab import LEVELS
from sync_server.storage.base import Alert, RegionState
from sync_server.storage.ports import AlertBatch

QUIET = LEVELS[0]
ROW_COST = 3                  # reading one region's level by its code costs about as much as 3 hot levels
NEVER = datetime.max.replace(tzinfo=UTC)


class Memory:
    """Region states and unresolved alerts (by region) as stored after the engine's last pass, the
    hot levels indexed by parent, and ``stamp``: the change number just after that pass's writes."""

    def __init__(self, states: Mapping[str, RegionState], alerts: Mapping[str, Alert], stamp: int):
        self.states: dict[str, RegionState] = dict(states)
        self.alerts: dict[str, Alert] = dict(alerts)
        self.stamp = stamp
        self.hot: dict[str, str] = {}                          # code -> level, rawan or above
        self._hot_children: dict[str, dict[str, str]] = {}     # parent -> {child: level}, hot ones
        self.hot_checked = True                                # every hot level checked by ``holds``
        self._due_from: datetime | None = None                 # no open alert is due before (None: unknown)
        self._note(self.states.values())

    @classmethod
    def read(cls, batch: AlertBatch, stamp: int) -> Memory:
        return cls(batch.region_states(None), batch.unresolved_alerts(None), stamp)

    def holds(self, batch: AlertBatch, targets: Collection[str], writer: str) -> bool:
        """Whether what a pass over ``targets`` takes from the memory is still what is stored: no other
        writer moved an alert, nor the level of a target — none when the states' stamp is still this
        engine's (``writer``) last pass, else looked up one by one when they are few beside the hot
        regions, else through every hot level (``hot_checked``: the siblings of a risen region are
        then known to hold too; else the pass checks them with ``siblings_hold``)."""
        if batch.alert_changed_after(self.stamp):
            return False
        if batch.states_stamp() == (writer, self.stamp):
            self.hot_checked = True                        # nobody else wrote a state since
            return True
        self.hot_checked = ROW_COST * len(targets) >= len(self.hot)
        if self.hot_checked:
            return self.hot_holds(batch)
        stored = batch.region_levels(targets)
        known = self.states
        return all(_level(known.get(code)) == stored.get(code) for code in targets)

    def hot_holds(self, batch: AlertBatch) -> bool:
        """Whether the stored level of every region at rawan or above is the remembered one."""
        return batch.hot_levels() == self.hot

    def siblings_hold(self, batch: AlertBatch, risen: Iterable[str]) -> bool:
        """Whether the hot children the incident rule reads for ``risen`` regions (theirs and their
        parents') are stored as remembered (their own levels and the parents' were checked by ``holds``)."""
        if self.hot_checked:
            return True
        parents = {code for code in risen if not is_desa(code)} | {parent_of(code) for code in risen}
        parents.discard(None)
        if not parents:
            return True
        stored: dict[str, dict[str, str]] = {parent: {} for parent in parents}
        for code, level in batch.hot_levels(under=parents).items():
            children = stored.get(parent_of(code) or "")
            if children is not None:
                children[code] = level
        return all(children == self.hot_children(parent) for parent, children in stored.items())

    def level(self, code: str) -> str:
        return self.hot.get(code, QUIET)

    def hot_children(self, code: str) -> Mapping[str, str]:
        return self._hot_children.get(code, {})

    def alerts_of(self, targets: Iterable[str]) -> dict[str, Alert]:
        """The unresolved alerts of ``targets``, by region."""
        known = self.alerts
        return {code: known[code] for code in targets if code in known}

    def due(self, at: datetime) -> list[str]:
        """The regions whose alert is open past its deadline by ``at`` (deadlines and statuses only
        move with an ``alert`` change, so these are exact; their numbers may not be)."""
        if self._due_from is not None and at < self._due_from:
            return []                                      # most passes: nothing is due yet
        due, soonest = [], NEVER
        for alert in self.alerts.values():
            if alert.deadline_at is not None and alert.status == "open":
                if alert.deadline_at <= at:
                    due.append(alert.region_code)
                soonest = min(soonest, alert.deadline_at)
        self._due_from = soonest
        return due

    def remember(self, states: Iterable[RegionState], alerts: Iterable[Alert], stamp: int) -> None:
        """What a pass just wrote, and the change number after it."""
        known, moved = self.states, []
        for state in states:
            before = known.get(state.code)
            if before is None or before.level != state.level:
                moved.append(state)                        # the hot index follows levels only
            known[state.code] = state
        self._note(moved)
        for alert in alerts:
            self.alerts[alert.region_code] = alert
            if (self._due_from is not None and alert.deadline_at is not None and alert.status == "open"
                    and alert.deadline_at < self._due_from):
                self._due_from = alert.deadline_at         # an earlier deadline; a later one leaves it early
        self.stamp = stamp

    def _note(self, states: Iterable[RegionState]) -> None:
        for state in states:
            code = state.code
            parent = parent_of(code)
            siblings = self._hot_children.setdefault(parent or "", {})
            if state.level == QUIET:
                self.hot.pop(code, None)
                siblings.pop(code, None)
            else:
                self.hot[code] = siblings[code] = state.level


def _level(state: RegionState | None) -> str | None:
    return None if state is None else state.level

"""What the engine remembers between passes: every region's state and every unresolved alert, as stored.

A pass needs each target region's previous level (hysteresis, and whether it rose), the levels of
a risen region's siblings (the incident rule), the alerts of its targets and the open alerts past
their deadline. Reading them back every pass cost more than the rest of a small pass, so the engine
keeps what it read and what it wrote. It is not the only writer, though, and every pass checks the
memory inside its write transaction (no other write can commit meanwhile) before trusting it:

- region states: another server process sharing an SQLite database runs its own engine, and
  ``evaluate`` in the CLI writes too. A pass takes only LEVELS from the memory (scores and counts
  it computes afresh), so it compares the stored levels of every region at rawan or above
  (``AlertBatch.hot_levels``: a few rows where the province is quiet) with its own;
- alerts: a supervisor's action (acknowledge, assign, resolve, reopen…), an officer's answer to a
  task and another engine's event each append an ``alert`` change to the feed in the transaction
  that writes the alert (a pass's writes of an alert's numbers alone do not, and do not matter
  here). So any ``alert`` change after the last one this engine wrote means an alert moved.

When either differs, and in every full pass, both are read again in full.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from kerawanan.incidents import parent_of
from kerawanan.vocab import LEVELS
from sync_server.storage.base import Alert, Area, RegionState
from sync_server.storage.ports import AlertBatch, Storage

QUIET = LEVELS[0]
READER = "system"             # the engine reads the feed as nobody in particular: changes to everyone
PAGE = 100


class Memory:
    """Region states and unresolved alerts (by region) as stored after the engine's last pass, the
    hot levels indexed by parent, and ``stamp``: the change number just after that pass's writes."""

    def __init__(self, states: Mapping[str, RegionState], alerts: Mapping[str, Alert], stamp: int):
        self.states: dict[str, RegionState] = dict(states)
        self.alerts: dict[str, Alert] = dict(alerts)
        self.stamp = stamp
        self.hot: dict[str, str] = {}                          # code -> level, rawan or above
        self._hot_children: dict[str, dict[str, str]] = {}     # parent -> {child: level}, hot ones
        self._roots: set[str] = set()                          # the provinces of the regions
        self._note(self.states.values())

    @classmethod
    def read(cls, batch: AlertBatch, stamp: int) -> Memory:
        return cls(batch.region_states(None), batch.unresolved_alerts(None), stamp)

    def holds(self, batch: AlertBatch, storage: Storage) -> bool:
        """Whether what is stored is still what is remembered (no other writer moved a level or an alert)."""
        return batch.hot_levels() == self.hot and not self._alerts_moved(storage)

    def _alerts_moved(self, storage: Storage) -> bool:
        area = Area(subtrees=tuple(sorted(self._roots)))
        after = self.stamp
        while True:
            page = storage.pull(READER, area, after, PAGE)
            if any(change.kind == "alert" for change in page.changes):
                return True
            if not page.more:
                return False
            after = page.cursor

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
        return [alert.region_code for alert in self.alerts.values()
                if alert.deadline_at is not None and alert.deadline_at <= at and alert.status == "open"]

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
        self.stamp = stamp

    def _note(self, states: Iterable[RegionState]) -> None:
        for state in states:
            code = state.code
            parent = parent_of(code)
            if parent is None:
                self._roots.add(code)
            siblings = self._hot_children.setdefault(parent or "", {})
            if state.level == QUIET:
                self.hot.pop(code, None)
                siblings.pop(code, None)
            else:
                self.hot[code] = siblings[code] = state.level

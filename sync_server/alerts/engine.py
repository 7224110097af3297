"""The alert engine: reports → region scores and levels → alerts, escalated and published.

One evaluation at time ``at`` scores outside the write lock, then writes in ONE transaction:

1. catch up: reports created, reviewed or superseded since the book's change number go into the
   core's ``ScoreBook`` (by whichever process wrote them, so several server workers and the CLI
   agree); a fresh engine reads every report once;
2. escalate every open alert whose deadline passed by ``at``;
3. re-level the target regions — an INCREMENTAL pass (after a push or a review) takes the desa
   whose reports changed and their ancestors; a FULL pass takes every region with a score, a
   stored state or an alert — with ``level_for`` on each region's stored level (as the engine's
   ``Memory`` of what it read and wrote holds it, checked against what is stored in every pass and
   read again by every full pass: another process may write too);
4. open, follow or decay alerts — one incident, one alert: a region opens an alert only when it
   holds an incident of its own (``kerawanan.incidents``: a desa, or a parent whose level no single
   child explains); its parents show it — then write states, alerts, history and ``alert`` changes.

Tallies are exact functions of the reports and ``at`` (``kerawanan.scorebook``), so an incremental
pass gives every target region exactly (bit for bit) what a full pass from scratch at the same
``at`` gives; a region's level is the core's ``level_for``, sangat_rawan only with corroboration.
"""
from __future__ import annotations

import functools
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kerawanan.incidents import holds_incident, parent_of, region_spread
from kerawanan.regions import tier_of
from kerawanan.scorebook import Tally, ancestors
from kerawanan.scoring import ScoringConfig
from sync_server.alerts.escalation import Chain, escalate
from sync_server.alerts.lifecycle import (
    Scored,
    follow_state,
    next_state,
    numbers_of,
    only_numbers_move,
    open_alert,
    opens_alert,
)
from sync_server.alerts.memory import Memory
from sync_server.alerts.scorebook import ReportFeed, loaded_feed, officer_areas, paused_gc
from sync_server.storage.base import Alert, AlertEvent, AlertNumbers, NewChange, RegionState, ScoringDelta
from sync_server.storage.ports import AlertBatch, Storage

log = logging.getLogger("sync_server.alerts")


@dataclass
class Outcome:
    """What one evaluation did."""

    at: datetime
    full: bool
    regions: int = 0
    level_changes: int = 0
    opened: list[str] = field(default_factory=list)        # region codes
    escalated: int = 0
    changes: int = 0
    seconds: float = 0.0
    read_seconds: float = 0.0          # of which reading every report into a fresh book (from scratch)

    def line(self) -> str:
        kind = "penuh / full" if self.full else "bertahap / incremental"
        return (f"evaluasi {kind} @ {self.at.isoformat()}: {self.regions} wilayah, {self.level_changes} "
                f"perubahan level, {len(self.opened)} peringatan baru, {self.escalated} eskalasi "
                f"({self.seconds * 1000:.0f} ms{self._reading()})")

    def _reading(self) -> str:
        return f", membaca laporan {self.read_seconds * 1000:.0f} ms" if self.read_seconds else ""


class Engine:
    """Keeps the ``ReportFeed`` (the core's book) of this process and the ``Memory`` of what it last
    wrote, and runs evaluations (thread-safe)."""

    def __init__(self, storage: Storage, config: ScoringConfig, calendar, *,
                 describe: Callable[[Alert, list[AlertEvent]], dict]):
        self.storage = storage
        self.config = config
        self.calendar = calendar
        self.describe = describe
        self.book: ReportFeed | None = None
        self.memory: Memory | None = None                  # read again by a full pass (a fresh book's)
        self._moments = Moments()                          # kept across passes: a region's times recur
        self.writer = uuid.uuid4().hex                     # stamps the states its passes write
        self._lock = threading.RLock()

    def ensure_loaded(self) -> ReportFeed:
        """Read every report into the book once (outside the write lock)."""
        with self._lock:
            if self.book is None:
                self.book = loaded_feed(self.storage, self.config)
            return self.book

    @contextmanager
    def reading(self) -> Iterator[ReportFeed]:
        """The book, held from the passes while the caller reads it."""
        with self._lock:
            yield self.ensure_loaded()

    def _scopes(self) -> dict[str, tuple[str, ...]]:
        return officer_areas(self.storage)

    def evaluate(self, at: datetime, *, full: bool = True, regions: Iterable[str] = ()) -> Outcome:
        """One pass at ``at``: full, or incremental over the changed desa (plus ``regions``)."""
        started = time.perf_counter()
        outcome = Outcome(at=at, full=full)
        with self._lock:
            if full and self.book is not None and self.book.scopes != self._scopes():
                self.book = None                           # an officer's area changed: weigh again
            if self.book is None:
                full = outcome.full = True                 # a fresh book: what changed is unknown
                book = self.ensure_loaded()
                outcome.read_seconds = time.perf_counter() - started
            else:
                book = self.book
            # what arrived since (the pass starts with it): mostly what this process's pushes just wrote
            delta = self.storage.scoring_delta(book.seq, just_written=True)
            if not full and not regions and delta.seq <= book.seq:
                return outcome                             # nothing new since the last pass
            try:
                with paused_gc():
                    self._pass(book, delta, at, full, regions, outcome)
            except BaseException:
                self.book = self.memory = None             # re-read from storage next time
                raise
        outcome.seconds = time.perf_counter() - started
        return outcome

    def _pass(self, feed: ReportFeed, delta: ScoringDelta, at: datetime, full: bool, regions: Iterable[str],
              outcome: Outcome) -> None:
        """Score outside the write lock, then catch up what arrived meanwhile and write under it."""
        touched = feed.follow(delta, self._scopes)
        feed.book.tallies_at(at.timestamp())               # the heavy part, while pushes go on
        with self.storage.alert_batch() as batch:
            touched |= feed.follow(batch.scoring_delta(feed.seq), self._scopes)
            tallies = feed.book.tallies_at(at.timestamp())  # only what arrived meanwhile is recomputed
            targets = None if full else _with_ancestors([*touched, *regions])
            if targets is None or self.memory is None or not self.memory.holds(batch, targets, self.writer):
                self.memory = Memory.read(batch, feed.seq)  # a full pass, or another writer moved something
            feed.seq = max(feed.seq, self._run(batch, self.memory, at, tallies, targets, outcome))

    def _run(self, batch: AlertBatch, memory: Memory, at: datetime, tallies: dict[str, Tally],
             targets: set[str] | None, outcome: Outcome) -> int:
        """Escalate, re-level ``targets`` (None: all), follow alerts, write; returns the last seq."""
        if targets is None:
            alerts = dict(memory.alerts)
            targets = set(tallies) | set(memory.states) | set(alerts)
        else:
            alerts = memory.alerts_of(targets)
            due = memory.due(at)                           # escalating: their lines carry the numbers as
            if due:                                        # stored, which another engine may have moved
                alerts.update(batch.unresolved_alerts(due))
        chain = Supervisors(batch)
        touched: dict[str, tuple[Alert, list[AlertEvent]]] = {}
        numbers: list[AlertNumbers] = []                   # alerts whose numbers alone move
        for alert in alerts.values():
            escalated, events = escalate(alert, at, chain, self.config)
            if events:
                touched[alert.region_code] = (escalated, events)
                alerts[alert.region_code] = escalated
                outcome.escalated += sum(event.event == "escalated" for event in events)
        states = self._levelled(memory, sorted(targets), tallies, alerts, at, outcome)
        risen = {state.code for state in states if opens_alert(state, memory.states.get(state.code))}
        if risen and not memory.siblings_hold(batch, risen):
            memory = self.memory = Memory.read(batch, memory.stamp)   # the siblings' levels, as stored
        opening = self._opening(memory, states, risen, alerts)
        stage = self.calendar.stage_for(at)
        for state in states:
            code = state.code
            tahapan = _stage(code, state, alerts, stage, tallies.get(code), opens=code in opening)
            self._follow(state, alerts, touched, numbers, at, tahapan, chain, opening, outcome)
        return self._write(batch, memory, at, states, touched, numbers, outcome)

    def _levelled(self, memory: Memory, targets: list[str], tallies: dict[str, Tally], alerts: dict[str, Alert],
                  at: datetime, outcome: Outcome) -> list[RegionState]:
        """Each target's new state (``level_for`` on its remembered level); never-scored regions without
        an alert are left out."""
        states, scored = [], Scorer(at, self.config, self._moments)
        for code in targets:
            before = memory.states.get(code)
            state = next_state(scored(code, tallies.get(code)), before, at, self.config)
            if before is None and state.report_count == 0 and code not in alerts:
                continue                                   # never scored, nothing to say
            states.append(state)
            outcome.level_changes += before is not None and before.level != state.level
        return states

    def _opening(self, memory: Memory, states: list[RegionState], risen: set[str], alerts: dict[str, Alert]
                 ) -> set[str]:
        """The regions whose alert opens now: one incident, one alert (``kerawanan.incidents``). A
        region holding an incident of its own opens when its level ``risen``, or — a parent — when a
        child rose and made it newly spread (a child's decay never does: hysteresis is not news)."""
        if not risen:
            return set()                                   # most passes: nothing rose, nothing opens
        now = {state.code: state.level for state in states}
        below: dict[str, dict[str, str]] = {}              # parent -> this pass's levels of its children
        for code, level in now.items():
            below.setdefault(parent_of(code) or "", {})[code] = level
        needed = self.config.spread_children
        parents = {parent_of(code) for code in risen} - {None}
        spread_now = {code for code in risen | parents if region_spread(
            code, now.get(code, memory.level(code)),
            {**memory.hot_children(code), **below.get(code, {})}.values(), needed)}
        stirred = {code for code in parents
                   if not region_spread(code, memory.level(code), memory.hot_children(code).values(), needed)}
        return {code for code in risen | parents if code not in alerts and (code in risen or code in stirred)
                and holds_incident(code, now.get(code, memory.level(code)), spread_now)}

    def _write(self, batch: AlertBatch, memory: Memory, at: datetime, states: list[RegionState],
               touched: dict[str, tuple[Alert, list[AlertEvent]]], numbers: list[AlertNumbers],
               outcome: Outcome) -> int:
        batch.save_region_states(states)
        changes = []
        for alert, events in touched.values():
            if not events:                                 # its numbers and tahapan moved
                numbers.append(numbers_of(alert.id, alert, alert.stage, alert.scored_at))
                continue
            batch.save_alert(alert, events)
            changes.append(NewChange(kind="alert", data=self.describe(alert, events),
                                     region_code=alert.region_code, ref=alert.id))
        batch.save_alert_numbers(numbers)
        outcome.regions, outcome.changes = len(states), len(changes)
        seq = batch.add_changes(changes, at)
        batch.stamp_states(self.writer, seq)
        memory.remember(states, (alert for alert, _ in touched.values()), seq)
        return seq

    def _follow(self, state: RegionState, alerts: dict[str, Alert], touched: dict, numbers: list[AlertNumbers],
                at: datetime, stage: str, chain: Supervisors, opening: set[str], outcome: Outcome) -> None:
        code = state.code
        alert = alerts.get(code)
        if alert is not None:
            earlier = touched.get(code)
            if earlier is None and only_numbers_move(alert, state, stage):
                numbers.append(numbers_of(alert.id, state, stage, at))   # the memory keeps the alert as it
                return                                     # was: nothing reads its numbers from there
            followed, events = follow_state(alert, state, at, stage, self.config)
            touched[code] = (followed, (earlier[1] if earlier else []) + events)
        elif code in opening:
            opened, events = open_alert(state, at, stage, chain.owner_of(code), self.config)
            touched[code] = (opened, events)
            outcome.opened.append(code)


class Scorer:
    """A region's numbers from its tally at one instant."""

    def __init__(self, at: datetime, config: ScoringConfig, moments: Moments):
        self.epoch, self.half_life = at.timestamp(), config.half_life_hours
        self.needed = config.corroboration_min_officers
        self._moments = moments

    def __call__(self, code: str, tally: Tally | None) -> Scored:
        tier = _tier_of(code)
        if tally is None or not tally.count:
            return Scored(code, tier, 0.0, 0, 0, (), None, None)
        epoch, half_life, moments = self.epoch, self.half_life, self._moments
        return Scored(code, tier, tally.score_at(epoch, half_life), tally.count, len(tally.officers),
                      tally.top_at(epoch, half_life), moments[tally.first], moments[tally.last[0]],
                      tally.corroborated(self.needed))


class Moments(dict):
    """Epochs as datetimes, remembered across passes (a region's first and last report recur, and the
    storage's texts of them are looked up by the same objects); forgotten now and then."""

    def __missing__(self, epoch: float) -> datetime:
        if len(self) >= MOMENTS_KEPT:
            self.clear()
        found = self[epoch] = datetime.fromtimestamp(epoch, UTC)
        return found


MOMENTS_KEPT = 20_000
_tier_of = functools.cache(tier_of)      # a region's tier from its code, parsed once (the codes are few)


class Supervisors:
    """The chain of command (``escalation.Chain``), read in the pass's transaction only when it needs
    it: to escalate an alert or to give an opened one its owner."""

    def __init__(self, batch: AlertBatch):
        self._batch = batch
        self._chain: Chain | None = None

    def _read(self) -> Chain:
        if self._chain is None:
            self._chain = Chain(self._batch.users_with_role("supervisor"))
        return self._chain

    def owner_of(self, region: str) -> str | None:
        return self._read().owner_of(region)

    def above(self, region: str, owner: str | None) -> str | None:
        return self._read().above(region, owner)




def _stage(code: str, state: RegionState, alerts: dict[str, Alert], calendar_stage: str, tally: Tally | None,
           *, opens: bool) -> str:
    """An alert's tahapan is the one its newest counted report says (a late sync or a replay is
    judged by the reports, not by today's date); it changes only when the alert opens or changes level."""
    alert = alerts.get(code)
    if alert is not None and alert.level == state.level:
        return alert.stage or calendar_stage
    if alert is None and not opens:
        return calendar_stage
    return (tally.last_stage if tally is not None and tally.count else None) or calendar_stage


def _with_ancestors(codes: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for code in codes:
        found.add(code)
        found.update(ancestors(code))
    return found

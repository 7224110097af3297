"""``services.alerts``: the alert engine, views and actions behind the routes, the hooks and the CLI."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kerawanan import assets
from kerawanan.scoring import ScoringConfig
from kerawanan.strength import StrengthTable
from sync_server.alerts import actions
from sync_server.alerts.coverage import Coverage, assess
from sync_server.alerts.engine import Engine, Outcome
from sync_server.alerts.explanation import explain
from sync_server.alerts.personnel import PersonnelPlanner, strength_reader
from sync_server.alerts.pump import MIN_INTERVAL, SETTLE_SECONDS, Pump
from sync_server.alerts.scorebook import ReportFeed, caught_up
from sync_server.alerts.views import Views
from sync_server.coordination import Coordination, Solo
from sync_server.people import People
from sync_server.plans.figures import current_strength
from sync_server.scope import Principal, hidden
from sync_server.storage.base import Alert, AlertQuery
from sync_server.storage.ports import Storage

log = logging.getLogger("sync_server.alerts")


class AlertService:
    def __init__(self, storage: Storage, config: ScoringConfig, calendar: Any, gazetteer: Any,
                 clock: Callable[[], datetime], *, interval: float = MIN_INTERVAL,
                 coordination: Coordination | None = None):
        self.storage = storage
        self.config = config
        self.calendar = calendar
        self.gazetteer = gazetteer
        self.clock = clock
        self.personnel = PersonnelPlanner(storage, config, calendar,
                                          (region.code for region in gazetteer.regions("desa")), clock,
                                          _strength_source(storage))
        self.views = Views(gazetteer, config, calendar, self.personnel)
        self.engine = Engine(storage, config, calendar, describe=self.views.alert_change)
        self.desa_codes = tuple(region.code for region in gazetteer.regions("desa"))
        self._incremental = Coalesced()
        self.pump = Pump(self._pumped_pass, min_interval=interval)
        self.coordination = coordination or Solo()       # SQLite: every process runs the engine

    def start(self) -> None:
        """Join the other nodes (PostgreSQL): the engine runs here while this node leads."""
        self.coordination.start(on_lead=self._took_lead, on_changes=self.pump.poke,
                                on_evaluated=lambda _seq: self.personnel.passed())

    # ---- evaluation
    def evaluate(self, at: datetime | None = None, *, full: bool = True) -> Outcome:
        """One aggregation/escalation pass at ``at`` (default: now)."""
        return self._evaluated(at or self.clock(), full)

    def on_reports_stored(self, now: datetime | None = None) -> Outcome | None:
        """The push and review hook: returns once an incremental pass that STARTED after the caller's
        commit has finished, so the regions it changed are evaluated. Concurrent callers share one
        pass (a pass started while another ran covers every commit before it). Never raises: the
        reports are already committed, and the next pass catches up whatever this one missed."""
        if not self.coordination.leads():
            self._await_engine(SETTLE_SECONDS)             # the engine runs on another node
            return None
        try:
            return self._incremental.run(lambda: self._evaluated(now or self.clock(), False))
        except Exception:                                    # noqa: BLE001 — logged, retried by the next pass
            log.exception("incremental alert evaluation failed; the next pass will catch up")
            return None

    on_report_reviewed = on_reports_stored

    def after_push(self) -> None:
        """The push hook: the push answers at once; the pump evaluates what it stored soon after
        (the engine node's pump, told by a notification, when the engine runs on another node)."""
        if self.coordination.leads():
            self.pump.poke()
        else:
            self.coordination.changed()

    def settle(self, timeout: float = SETTLE_SECONDS) -> None:
        """Before reading alerts: wait for the pass that covers every push answered so far — by this
        process (its pump is pending) or by another worker on the same database (changes stored
        past what this process's book has seen: this process evaluates them itself), or, when the
        engine runs on another node, by that node (it announces each pass)."""
        if not self.coordination.leads():
            self._await_engine(timeout)
            return
        if not self.pump.pending():
            if not self.behind():
                return
            self.pump.poke()
        self.pump.settle(timeout)

    def behind(self) -> bool:
        if not self.coordination.leads():
            return self.storage.current_seq() > self.coordination.evaluated_seq()
        book = self.engine.book
        return book is None or self.storage.current_seq() > book.seq

    def close(self) -> None:
        self.pump.close()
        self.coordination.close()

    def _pumped_pass(self) -> Outcome:
        return self._incremental.run(lambda: self._evaluated(self.clock(), False))

    def _evaluated(self, at: datetime, full: bool) -> Outcome:
        try:
            outcome = self.engine.evaluate(at, full=full)
        finally:
            self.personnel.passed()                        # levels may have moved: plan again on read
        if (book := self.engine.book) is not None:
            self.coordination.evaluated(book.seq)          # readers on other nodes wait for this
        return outcome

    def _took_lead(self) -> None:
        """This node now runs the engine: rebuild its state from the database (as a restart does)
        and pass over everything at once (a fresh book makes the pass full)."""
        self.engine.book = None
        self.pump.poke(urgent=True)

    def _await_engine(self, timeout: float) -> bool:
        """On a node that does not run the engine: ask the engine node for a pass and wait until one
        covering every change committed so far is announced (False: ``timeout`` ran out first)."""
        target = self.storage.current_seq()
        if self.coordination.evaluated_seq() >= target:
            return True
        self.coordination.changed(urgent=True)
        if self.coordination.wait_evaluated(target, timeout):
            return True
        log.warning("no alert pass announced within %.0f s; answering with the current state", timeout)
        return False

    async def run_periodically(self, seconds: float, stop: asyncio.Event) -> None:
        """The background task: a full pass now and every ``seconds`` (decay, deadlines) until
        ``stop`` is set; a pass under way is finished, never cut."""
        while not stop.is_set():
            try:
                if self.coordination.leads():              # the engine node only (PostgreSQL)
                    outcome = await asyncio.to_thread(self.evaluate)
                    log.info(outcome.line())
            except Exception:                                # noqa: BLE001 — keep the loop alive
                log.exception("periodic alert evaluation failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds)

    # ---- reading
    def readable(self, principal: Principal, alert_id: str) -> Alert:
        alert = self.storage.get_alert(alert_id)
        if alert is None or not principal.can_read_region(alert.region_code):
            raise hidden("alert")
        return alert

    def query(self, principal: Principal, **filters: Any) -> AlertQuery:
        area = principal.area()
        return AlertQuery(subtrees=area.subtrees, exact=area.exact, **filters)

    def detail(self, principal: Principal, alert_id: str) -> tuple[Alert, dict[str, Any]]:
        alert = self.readable(principal, alert_id)
        internal = principal.reads_internal_notes()      # officers: notes marked for the field only
        body = self.views.alert(alert, self.coverage(), internal=internal)
        body["personnel"] = self.views.personnel(alert.region_code, strength_reader(principal))
        with self.engine.reading() as feed:                 # the pump's passes change the book
            if not self.coordination.leads():
                self._follow(feed)                          # the engine node moved the scores
            body.update(explain(alert, feed.book, self.storage, self.config))
        body["reports"] = [report for report in body["reports"] if _may_read(principal, report)]
        explanation = body["explanation"]
        explanation["items"] = [item for item in explanation["items"] if _may_read(principal, item)]
        people = self.people()
        people.alert(body)
        body["reports"] = [people.report(report) for report in body["reports"]]
        body["history"] = [people.event(self.views.event(event, internal=internal))
                           for event in self.storage.alert_history(alert.id)]
        return alert, body

    def _follow(self, feed: ReportFeed) -> None:
        """A node that does not run the engine catches its book up with the reports stored since
        (read only: the engine node writes the levels and alerts)."""
        caught_up(feed, self.storage)

    def people(self) -> People:
        """Who each username is (``sync_server/people.py``), for one rendering."""
        return People.of(self.storage, self.gazetteer, self.config)

    # ---- acting
    def act(self, principal: Principal, alert_id: str, body: object, if_match: str | None) -> Alert:
        principal.require_role("supervisor")
        alert = self.readable(principal, alert_id)
        return actions.act(self, principal, alert, body, if_match, self.clock())

    # ---- coverage
    def coverage(self, at: datetime | None = None) -> Coverage:
        return assess(self.desa_codes, self.storage.activity(), self.storage.users_with_role("officer"),
                      at or self.clock(), self.calendar, self.config.silence_hours)


class Coalesced:
    """Calls of ``run(fn)`` that share work: each returns the result of a call of ``fn`` that began
    after it arrived; while one runs, later arrivals wait and then share the next one."""

    def __init__(self):
        self._condition = threading.Condition()
        self._started = self._finished = 0
        self._running = False
        self._results: dict[int, Any] = {}

    def run(self, fn: Callable[[], Any]) -> Any:
        with self._condition:
            ticket = self._started + 1                     # the first call to begin after arriving
            while self._finished < ticket:
                if not self._running and self._started < ticket:
                    self._running, self._started = True, ticket
                    break
                self._condition.wait()
            else:
                return self._results.get(ticket)
        result = None
        try:
            result = fn()
            return result
        finally:
            with self._condition:
                self._running, self._finished = False, ticket
                self._results[ticket] = result
                self._results.pop(ticket - 64, None)        # waiters are a few calls behind at most
                self._condition.notify_all()


def _strength_source(storage: Storage) -> Callable[[], StrengthTable | None]:
    """The strength figures in force, read when a plan is made: the shipped file with an admin's
    corrections over it (``plans.figures``). An asset folder without the file plans without strength
    (a bad file stops the start with its ``ValueError``)."""
    try:
        assets.strength()
    except FileNotFoundError:
        log.exception("no strength figures (assets/jambi_strength.csv): personnel plans without them")
        return lambda: None
    store = storage.plans
    return lambda: current_strength(store.strength_figures())


def _may_read(principal: Principal, report: dict[str, Any]) -> bool:
    """Officers read an alert of their area, but of its reports (and their lines of the
    explanation) only their own; the arithmetic's numbers stay whole."""
    return principal.role != "officer" or report.get("officer") == principal.username

"""``seed-demo``: the demo accounts and scenario, stored exactly as a push would store them.

Accounts are created when missing (existing ones are left alone). The scenario's reports go
through ``intake.accept_reports`` — the code path of ``POST /sync/push`` — as their officers, in
batches. Seeding again is harmless: known reports come back ``duplicate`` (or ``conflict`` when the
scenario was re-anchored in time), and the stored copies are kept.
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

from kerawanan import assets
from sync_server import accounts
from sync_server.intake import accept_reports
from sync_server.storage.ports import Storage

ACCOUNT_KEYS = ("username", "name", "role", "scope", "password")
BATCH = 100
DEFAULT_STORY_HOURS = 20.0   # the scenario runs this long after voting night (demo.LATEST_OFFSET)
REAL_DATES_DAYS = 90         # a clock up to this long after voting night 2024 sees the story at its dates


@dataclass
class SeedOutcome:
    accounts: list[dict[str, Any]]
    created_accounts: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    pending: int = 0                     # scenario reports written after "now" (not pushed yet)
    next_due: datetime | None = None     # when the first of them is written

    def table(self) -> str:
        """The demo logins, one per line, plus what happened to the reports."""
        header = ("role", "username", "password", "scope")
        rows = [(a["role"], a["username"], a["password"], ",".join(a["scope"])) for a in self.accounts]
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(3)]
        lines = ["Akun demo / demo accounts:"]
        for row in [header, *rows]:
            lines.append("  " + "  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row[:3]))
                         + "  " + row[3])
        counts = ", ".join(f"{status} {count}" for status, count in sorted(self.statuses.items()))
        lines.append(f"Laporan demo / demo reports: {counts or 'none'}; "
                     f"akun baru / new accounts: {len(self.created_accounts)}")
        if self.pending:
            lines.append(f"Belum terjadi / still to come: {self.pending} laporan, berikutnya / next "
                         f"{self.next_due.isoformat()}")
        return "\n".join(lines)


def default_anchor(now: datetime, demo: ModuleType) -> datetime:
    """Voting night at its real date while ``now`` is in that election (a replay, a test clock);
    on a later clock, early enough that the scenario's last report lands just before ``now``."""
    real_night = getattr(demo, "VOTING_NIGHT_2024", None)
    if real_night is not None and now < real_night + timedelta(days=REAL_DATES_DAYS):
        return real_night
    story = getattr(demo, "LATEST_OFFSET", timedelta(hours=DEFAULT_STORY_HOURS))
    return now - story - timedelta(minutes=1)


def seed_demo(storage: Storage, *, now: datetime, anchor: datetime | None = None,
              demo: ModuleType | None = None) -> SeedOutcome:
    """Accounts, then every scenario report already written by ``now``; the rest stay pending
    (``outcome.next_due``) for ``demo-feed`` to push when a replay's clock reaches them."""
    if demo is None:
        from sync_server import demo
    outcome = SeedOutcome(accounts=demo.demo_accounts())
    _create_accounts(storage, outcome, now)
    scenario = []
    for officer, wire in demo.demo_scenario(anchor or default_anchor(now, demo)):
        written = datetime.fromisoformat(wire.get("recorded_at") or wire["observed_at"])
        if written <= now:
            scenario.append((officer, wire))
        else:
            outcome.pending += 1
            outcome.next_due = written if outcome.next_due is None else min(outcome.next_due, written)
    by_officer: dict[str, list[dict]] = {}
    for officer, wire in scenario:
        by_officer.setdefault(officer, []).append(wire)
    for officer, reports in by_officer.items():
        for start in range(0, len(reports), BATCH):
            _push(storage, outcome, officer, reports[start:start + BATCH], now)
    return outcome


def _create_accounts(storage: Storage, outcome: SeedOutcome, now: datetime) -> None:
    gazetteer = assets.gazetteer()
    for account in outcome.accounts:
        if storage.get_user(account["username"]) is not None:
            continue
        user, password = accounts.parse_new_user({k: account[k] for k in ACCOUNT_KEYS if k in account},
                                                 gazetteer)
        accounts.create_user(storage, user, password, now)
        outcome.created_accounts.append(user.username)


def _push(storage: Storage, outcome: SeedOutcome, officer: str, reports: list[dict], now: datetime) -> None:
    response = accept_reports(storage, officer, None, reports, now=now, gazetteer=assets.gazetteer(),
                              calendar=assets.calendar(), lang="en")
    for result in response["results"]:
        outcome.statuses[result["status"]] += 1
        if result["status"] == "invalid":
            outcome.problems.append(f"invalid demo report {result['id']} of {officer}: "
                                    f"{result['error']['fields']}")


def feed_demo(open_db: Callable[[], Storage], clock: Callable[[], datetime], stop: threading.Event, *,
              poll_seconds: float = 60.0, report: Callable[[str], None] = print) -> int:
    """Seed, then keep pushing the scenario's reports as ``clock`` reaches the time each was written,
    until none is left or ``stop`` is set. Returns how many reports it stored."""
    stored = 0
    while not stop.is_set():
        storage = open_db()
        try:
            outcome = seed_demo(storage, now=clock())
        finally:
            storage.close()
        if outcome.statuses.get("created"):
            stored += outcome.statuses["created"]
            report(f"demo: {outcome.statuses['created']} laporan baru / new reports; "
                   f"{outcome.pending} belum terjadi / still to come")
        for problem in outcome.problems:
            report(problem)
        if not outcome.pending:
            break
        wait = (outcome.next_due - clock()).total_seconds()
        stop.wait(min(max(wait, 1.0), poll_seconds))
    return stored

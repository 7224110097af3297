"""``seed-demo``: the demo accounts and scenario, stored exactly as a push would store them.

Accounts are created when missing (existing ones are left alone). The scenario's reports go
through ``intake.accept_reports`` — the code path of ``POST /sync/push`` — as their officers, in
batches. Seeding again is harmless: known reports come back ``duplicate`` (or ``conflict`` when the
scenario was re-anchored in time), and the stored copies are kept.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

from kerawanan import assets
from sync_server import accounts
from sync_server.intake import accept_reports
from sync_server.storage.base import Storage

ACCOUNT_KEYS = ("username", "name", "role", "scope", "password")
BATCH = 100
DEFAULT_STORY_HOURS = 20.0   # the scenario runs this long after voting night (demo.LATEST_OFFSET)


@dataclass
class SeedOutcome:
    accounts: list[dict[str, Any]]
    created_accounts: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

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
        return "\n".join(lines)


def default_anchor(now: datetime, demo: ModuleType) -> datetime:
    """Voting night, early enough that the scenario's last report is just before ``now``."""
    story = getattr(demo, "LATEST_OFFSET", timedelta(hours=DEFAULT_STORY_HOURS))
    return now - story - timedelta(minutes=1)


def seed_demo(storage: Storage, *, now: datetime, anchor: datetime | None = None,
              demo: ModuleType | None = None) -> SeedOutcome:
    if demo is None:
        from sync_server import demo
    outcome = SeedOutcome(accounts=demo.demo_accounts())
    _create_accounts(storage, outcome, now)
    scenario = demo.demo_scenario(anchor or default_anchor(now, demo))
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

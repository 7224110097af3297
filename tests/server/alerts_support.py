"""Helpers of the alert tests: a real server whose clock is a file, and small builders."""
from __future__ import annotations

import sqlite3
import subprocess
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kerawanan import assets
from kerawanan.tahapan import WIB
from sync_server.alerts.service import AlertService
from sync_server.storage.base import User
from tests.server.helpers import PASSWORD, Actor, Api, ServerProcess, World, cli, report, write_clock

VOTING_NIGHT = datetime(2024, 11, 27, 21, 40, tzinfo=WIB)

# The accounts of the engine's property tests (incremental = from scratch; memory changes nothing).
OFFICERS = ("nrp.a", "nrp.b", "nrp.c")
SUPERVISORS = (User("polsek", "Polsek", "supervisor", ("15.72.07", "15.72.02")),
               User("polres", "Polres", "supervisor", ("15.72", "15.01")),
               User("polda", "Polda", "supervisor", ("15",)))


def add_engine_accounts(storage, desa: str, at: datetime) -> None:
    """``SUPERVISORS`` and ``OFFICERS`` (each officer's area: ``desa``)."""
    for user in (*SUPERVISORS, *(User(name, name, "officer", (desa,)) for name in OFFICERS)):
        storage.create_user(user, None, at)


def engine_service(storage, at: datetime) -> AlertService:
    """An alert service (a fresh engine) over ``storage`` whose clock stands at ``at``."""
    return AlertService(storage, assets.scoring_config(), assets.calendar(), assets.gazetteer(), lambda: at)


def drawn_report(item: dict, now: datetime) -> dict:
    """A report body from a drawn ``item`` (desa_code, category, threat_stage, minutes_ago, grade)."""
    grade = {} if item["grade"] is None else {"source_reliability": item["grade"][0],
                                              "info_credibility": int(item["grade"][1])}
    return report(id=str(uuid.uuid4()), desa_code=item["desa_code"], category=item["category"],
                  threat_stage=item["threat_stage"],
                  observed_at=(now - timedelta(minutes=item["minutes_ago"])).isoformat(), **grade)


class ClockedServer(ServerProcess):
    """``init`` + admin + ``serve`` with ``PETA_CLOCK_FILE`` (time set by the test) and no
    background evaluation (``PETA_EVALUATE_SECONDS=0``): passes run only when the test says so.
    Its database is an SQLite file, which ``query`` reads as the alert tests' oracle: the engine's
    arithmetic is the same on both backends, and contract/test_alerts.py holds PostgreSQL to it."""

    def __init__(self, workdir: Path, start: datetime, env: dict[str, str] | None = None):
        self.clock_file = workdir / "clock.txt"
        self.set_clock(start)
        super().__init__(workdir, env={"PETA_CLOCK_FILE": str(self.clock_file), "PETA_EVALUATE_SECONDS": "0",
                                       "PETA_LOGIN_FAILURES_PER_ADDRESS": "100000", **(env or {})})
        self.api = Api(self.url)

    def set_clock(self, moment: datetime) -> None:
        self.now = moment
        write_clock(self.clock_file, moment.isoformat())

    def advance(self, **delta: float) -> datetime:
        self.set_clock(self.now + timedelta(**delta))
        return self.now

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return cli(self.db, *args, env=self.env)

    def evaluate(self, at: datetime | None = None) -> str:
        """``evaluate --at`` (default: the clock) in its own process; returns its one line."""
        done = self.cli("evaluate", *(("--at", at.isoformat()) if at else ()))
        assert done.returncode == 0, done.stderr
        return done.stdout

    def query(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql, params).fetchall()

    def states(self) -> dict[str, tuple]:
        return {row[0]: row[1:] for row in self.query(
            "SELECT code, level, score, report_count, officer_count, top_categories, first_report_at, "
            "last_report_at FROM region_states")}

    def level(self, code: str) -> str | None:
        rows = self.query("SELECT level FROM region_states WHERE code = ?", code)
        return rows[0][0] if rows else None


def wib(text: str) -> datetime:
    """``"11-27 22:30"`` → that moment of 2024 in WIB."""
    return datetime.strptime(f"2024-{text}", "%Y-%m-%d %H:%M").replace(tzinfo=WIB)


def if_match(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


def clocked_server(name: str, start: datetime):
    """A module's ``server`` fixture: a ClockedServer at ``start`` whose log must hold no traceback."""

    @pytest.fixture(scope="module")
    def server(tmp_path_factory):
        process = ClockedServer(tmp_path_factory.mktemp(name), start)
        yield process
        process.stop()
        assert "Traceback" not in process.log(), process.log()

    return server


def admin_world():
    """A module's ``world`` fixture over its ``server``: the province admin, who makes areas and people."""

    @pytest.fixture(scope="module")
    def world(server) -> World:
        admin = Actor(username="admin", role="admin", scope=["15"], token=server.api.login("admin", PASSWORD))
        return World(api=server.api, admin=admin)

    return world

"""Hundreds of simulated officers syncing at once while supervisors poll the alert board (issue 7).

Shared by the bounded test ``tests/faults/test_load.py`` and the long runs of ``bench/load.py``.

- **Server**: ``python -m sync_server init`` + ``serve [--workers N]`` on a free loopback port over a
  temporary database. Officers (one desa each, spread over every kabupaten of Jambi) and supervisors
  are made with the server's CLI (``sync_server.cli.main`` called in forked processes: the same code
  as ``python -m sync_server create-user`` / ``enrollment-code`` without an interpreter start-up per
  call); every officer enrolls its own device through ``POST /api/v1/auth/enroll`` with its code.
- **Officers** (``fleet.py``): one asyncio task each, its own keep-alive connection (httpx). Each
  behaves like a phone: it saves reports (Poisson, bursty; some start with a backlog from offline
  days), and in every sync session pushes its outbox in gzip'd batches of up to 100, then pulls its
  changes until ``more`` is false; a failed exchange ends the session and the batch stays queued
  (resent later, answered ``duplicate`` if it had landed). Between sessions it waits a think time.
- **Supervisors** (``supervisors.py``): one thread each in a process of their own, polling every
  second the alert board (``status=active``), the review queue (``review=pending``) and one alert's
  detail, as the supervisor views do; then ``quiet_seconds`` more alone, for comparison.
- **Audit**: the server's SQLite file read read-only: every report answered ``created`` or
  ``duplicate`` is there exactly once with the phone's content hash; nothing else of these officers
  is there except reports whose answer was lost (a timeout after the commit).
"""
from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from sync_server import cli
from tests.faults.fleet import FleetTally, LoadSettings, Officer, build_fleet, run_officers
from tests.faults.harness import Audit, RealServer, audit, integrity, read_only, unexpected_tracebacks
from tests.faults.supervisors import (
    ROUTES,
    SUPERVISOR_PASSWORD,
    SUPERVISORS,
    SupervisorDesk,
    login,
)

LEVELS_RAISED = ("rawan", "sangat_rawan")

__all__ = ["LEVELS_RAISED", "ROUTES", "SUPERVISORS", "LoadResult", "LoadServer", "LoadSettings",
           "run_load"]


class LoadServer(RealServer):
    """The harness's real server, with ``serve --workers N`` and users made through the CLI in bulk."""

    def __init__(self, workdir: Path, *, workers: int = 1, evaluate_seconds: float | None = 0):
        super().__init__(workdir)
        self.workers = workers
        if evaluate_seconds is None:        # the server's default periodic evaluation
            self.env.pop("PETA_EVALUATE_SECONDS", None)
        else:
            self.env["PETA_EVALUATE_SECONDS"] = str(evaluate_seconds)

    def start(self) -> LoadServer:
        return self.launch().wait_ready()

    def launch(self) -> LoadServer:
        """Start ``serve`` without waiting for it (users can be provisioned meanwhile)."""
        with (self.workdir / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sync_server", "serve", "--db", str(self.db), "--port", str(self.port),
                 "--log-level", "warning", "--workers", str(self.workers)],
                cwd=Path(__file__).resolve().parents[2], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, seconds: float = 60) -> LoadServer:
        deadline = time.monotonic() + seconds
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2, trust_env=False).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {self.log()}")
            time.sleep(0.1)

    def enroll_fleet(self, officers: list[Officer], parallel: int = 8) -> None:
        """Create every officer (CLI ``create-user``), issue each a one-time code (CLI
        ``enrollment-code``), and enroll its device with it (``POST /api/v1/auth/enroll``): fills
        ``officer.token``. Argon2 (hashing each code, then verifying it) dominates, so codes are made
        in one forked process per core and each officer enrolls as soon as its code exists, while
        the server (``launch()`` first) is still starting."""
        by_nrp = {officer.nrp: officer for officer in officers}
        for username, name, scope in SUPERVISORS:
            _cli(str(self.db), "create-user", "--username", username, "--name", name, "--role", "supervisor",
                 *(arg for code in scope for arg in ("--scope", code)), "--password", SUPERVISOR_PASSWORD)
        jobs = [(str(self.db), officer.nrp, officer.home.code) for officer in officers]
        processes = max(1, min(os.cpu_count() or 1, 4))
        with contextlib.ExitStack() as stack:
            if processes > 1 and "fork" in multiprocessing.get_all_start_methods():
                pool = stack.enter_context(multiprocessing.get_context("fork").Pool(processes))
                codes = pool.imap_unordered(_officer_code, jobs, chunksize=4)
            else:
                codes = map(_officer_code, jobs)
            client = stack.enter_context(httpx.Client(base_url=self.url, timeout=60, trust_env=False))
            enrollers = stack.enter_context(ThreadPoolExecutor(parallel, thread_name_prefix="enroll"))
            pending = []
            for number, (nrp, code) in enumerate(codes):
                if number == 0:
                    self.wait_ready()
                pending.append(enrollers.submit(_enroll, client, by_nrp[nrp], code))
            for future in pending:
                future.result()


def _cli(db: str, *args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        status = cli.main([*args, "--db", db])
    if status != 0:
        raise RuntimeError(f"sync_server {args[0]}: {out.getvalue()}")
    return out.getvalue()


def _officer_code(job: tuple[str, str, str]) -> tuple[str, str]:
    db, nrp, desa = job
    _cli(db, "create-user", "--username", nrp, "--name", f"Bripka {nrp}", "--role", "officer",
         "--scope", desa)
    return nrp, _cli(db, "enrollment-code", "--username", nrp).split()[0]


def _enroll(client: httpx.Client, officer: Officer, code: str) -> None:
    response = client.post("/api/v1/auth/enroll", json={"nrp": officer.nrp, "code": code,
                                                        "device_name": f"HP Bhabin {officer.nrp}"})
    if response.status_code != 201:
        raise RuntimeError(f"enroll {officer.nrp}: {response.status_code} {response.text[:300]}")
    officer.token = response.json()["token"]


# ---------------------------------------------------------------- one run


@dataclass
class Holdings:
    """What the server's database holds of the fleet's reports (read-only)."""

    audit: Audit                      # every acknowledged report: held once, same content hash
    held: int = 0                     # reports of these officers in the database
    unacknowledged: int = 0           # held, saved on a phone, but its answer never arrived
    unknown: list[str] = field(default_factory=list)    # held but saved by no phone (must be empty)
    wrong_officer: list[str] = field(default_factory=list)
    integrity: str = ""


@dataclass
class LoadResult:
    settings: LoadSettings
    setup_seconds: float
    seconds: float                    # from the first officer's start to the last one's end
    tally: FleetTally
    supervisor_latencies: dict[str, list[float]]     # route -> seconds, while the officers ran
    supervisor_starts: dict[str, list[float]]        # route -> when each began (time.monotonic())
    quiet_latencies: dict[str, list[float]]          # the same after they stopped (same data, no load)
    supervisor_errors: Counter[str]
    officers_cpu: float               # this process (the officers' event loop) while the officers ran
    supervisors_cpu: float            # the supervisors' process, while the officers ran
    server_cpu: float | None          # the server's processes, same window (when a probe was given)
    quiet_server_cpu: float | None    # the server's processes while the supervisors polled alone
    quiet_seconds: float              # how long that was
    holdings: Holdings = field(default_factory=lambda: Holdings(Audit(0)))
    alert_levels: Counter[str] = field(default_factory=Counter)    # every alert Polda sees, by level
    hot_levels: dict[str, str | None] = field(default_factory=dict)  # incident desa -> its alert's level
    tracebacks: list[str] = field(default_factory=list)

    @property
    def supervisor_requests(self) -> int:
        return sum(len(values) for values in self.supervisor_latencies.values())

    @property
    def server_errors(self) -> int:
        """5xx answers seen by anyone."""
        return sum(count for kind, count in (self.tally.errors + self.supervisor_errors).items()
                   if " HTTP 5" in kind)


def run_load(settings: LoadSettings, workdir: Path, *, server_cpu=None, progress=print) -> LoadResult:
    """Set up a server and the fleet, run the load for ``settings.seconds``, audit; the server is
    stopped before returning. ``server_cpu(pid)`` (optional) reads a process tree's CPU seconds."""
    began = time.monotonic()
    tally = FleetTally()
    officers = build_fleet(settings, tally)
    server = LoadServer(workdir / "server", workers=settings.workers,
                        evaluate_seconds=settings.evaluate_seconds)
    try:
        server.launch()
        progress(f"{len(officers)} petugas: akun + kode sekali pakai (CLI), "
                 "pendaftaran perangkat (/auth/enroll) ...")
        server.enroll_fleet(officers)
        tokens = {username: login(server.url, username) for username, _, _ in SUPERVISORS}
        progress(f"beban: {len(officers)} petugas x {settings.seconds:.0f} s, "
                 f"{len(SUPERVISORS)} supervisor ...")
        result = _run(server, officers, tokens, settings, tally, time.monotonic() - began, server_cpu)
        result.alert_levels, result.hot_levels = _alerts(server.url, tokens["polda.jambi"], settings.hot_desa)
        result.holdings = _holdings(server.db, officers, tally)
    finally:
        server.stop()
    result.holdings.integrity = integrity(server.db)
    result.tracebacks = unexpected_tracebacks(server.log())
    return result


def _run(server: LoadServer, officers: list[Officer], tokens: dict[str, str], settings: LoadSettings,
         tally: FleetTally, setup_seconds: float, server_cpu) -> LoadResult:
    """The officers for ``settings.seconds`` with the supervisors polling, then the supervisors
    alone for ``settings.quiet_seconds`` (the same data without the officers: the comparison)."""
    desk = SupervisorDesk(server.url, tokens, interval=settings.supervisor_interval, timeout=settings.timeout)
    cpu_before, server_before = time.process_time(), server_cpu(server.process.pid) if server_cpu else 0.0
    desk.start()
    try:
        seconds = run_officers(server.url, officers, settings, tally)
        officers_cpu = time.process_time() - cpu_before
        used = server_cpu(server.process.pid) - server_before if server_cpu else None
        quiet_before, quiet_began = server_cpu(server.process.pid) if server_cpu else 0.0, time.monotonic()
        polls = desk.finish(settings.quiet_seconds)
        quiet_cpu = server_cpu(server.process.pid) - quiet_before if server_cpu else None
        quiet_seconds = time.monotonic() - quiet_began
    finally:
        desk.close()
    return LoadResult(settings=settings, setup_seconds=setup_seconds, seconds=seconds, tally=tally,
                      supervisor_latencies=polls.loaded, supervisor_starts=polls.loaded_starts,
                      quiet_latencies=polls.quiet, quiet_server_cpu=quiet_cpu, quiet_seconds=quiet_seconds,
                      supervisor_errors=polls.errors, officers_cpu=officers_cpu, supervisors_cpu=polls.cpu,
                      server_cpu=used)


def _alerts(url: str, token: str, hot_desa: tuple[str, ...]) -> tuple[Counter[str], dict[str, str | None]]:
    """Every alert Polda sees (all pages) by level, and the level of each incident desa's alert."""
    levels: Counter[str] = Counter()
    hot: dict[str, str | None] = dict.fromkeys(hot_desa)
    with httpx.Client(base_url=url, timeout=60, trust_env=False,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        cursor = None
        while True:
            params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
            page = client.get("/api/v1/alerts", params=params)
            page.raise_for_status()
            body = page.json()
            for alert in body["items"]:
                levels[alert["level"]] += 1
                if alert["region_code"] in hot and alert["level"] in LEVELS_RAISED:
                    hot[alert["region_code"]] = alert["level"]
            cursor = body["next_cursor"]
            if cursor is None:
                return levels, hot


def _holdings(db: Path, officers: list[Officer], tally: FleetTally) -> Holdings:
    acknowledged = {report_id: tally.saved[report_id] for report_id in tally.acked}
    holdings = Holdings(audit=audit(db, acknowledged))
    owners = {report_id: officer.nrp for officer in officers for report_id in officer.saved_ids}
    nrps = sorted({officer.nrp for officer in officers})
    connection = read_only(db)
    try:
        marks = ",".join("?" for _ in nrps)
        rows = connection.execute(f"SELECT id, officer FROM reports WHERE officer IN ({marks})",
                                  nrps).fetchall()
    finally:
        connection.close()
    holdings.held = len(rows)
    for report_id, officer in rows:
        if report_id not in owners:
            holdings.unknown.append(report_id)
        elif owners[report_id] != officer:
            holdings.wrong_officer.append(report_id)
        elif report_id not in tally.acked:
            holdings.unacknowledged += 1
    return holdings

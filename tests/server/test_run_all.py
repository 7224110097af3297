"""`make run` / scripts/run_all.py: any way of stopping it stops the server and the app too.

Each case starts the real thing (the server and the app in web mode) on free ports with a temporary
database, waits until both listen, stops it one way, then waits (with a deadline) until neither port
listens and no process of its session is left. The database is initialised beforehand, so
run_all.py skips the demo seeding (it seeds only a database that does not exist yet).
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.server.helpers import ROOT, cli, free_port, wait_until

pytestmark = pytest.mark.slow


@dataclass
class Run:
    process: subprocess.Popen   # `make` or run_all.py, leader of a session of its own
    port: int
    app_port: int
    log: Path

    def session(self) -> set[int]:
        """Live (not zombie) processes of the session: the top process and all it started."""
        found = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z" and int(fields[3]) == self.process.pid:
                found.add(int(entry.name))
        return found

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def start(tmp_path):
    runs: list[Run] = []

    def launch(via: str, *, fresh: bool = False, db: Path | str | None = None) -> Run:
        db = db or tmp_path / "peta.db"
        if not fresh:
            assert cli(db, "init").returncode == 0
        port, app_port = free_port(), free_port()
        env = {**os.environ, "PETA_DB": str(db), "PETA_MEDIA_DIR": str(tmp_path / "media"),
               "FLET_APP_STORAGE_DATA": str(tmp_path / "app"), "PETA_EVALUATE_SECONDS": "0"}
        if via == "make":   # -o: never reinstall the venv here; PY: this interpreter
            args = ["make", "--no-print-directory", "-o", ".venv/.installed", "run", f"PY={sys.executable}",
                    "HOST=127.0.0.1", f"PORT={port}", f"APP_PORT={app_port}"]
        else:
            args = [sys.executable, "scripts/run_all.py"]
            env.update(PETA_HOST="127.0.0.1", PETA_PORT=str(port), PETA_APP_PORT=str(app_port))
        log = tmp_path / "run.log"
        with log.open("wb") as out:
            process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        run = Run(process, port, app_port, log)
        runs.append(run)
        assert wait_until(lambda: _healthy(port) and _listening(app_port), seconds=90, step=0.2), run.text()
        assert len(run.session()) >= 3, run.text()   # run_all.py (and make), the server, the app
        return run

    yield launch
    for run in runs:   # a failed case leaves nothing behind either
        for pid in run.session():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        run.process.wait(10)


def _assert_all_stopped(run: Run) -> None:
    assert wait_until(lambda: not run.session(), seconds=30, step=0.1), (run.session(), run.text())
    assert not _listening(run.port), run.text()
    assert not _listening(run.app_port), run.text()
    assert run.process.wait(10) is not None


@pytest.mark.parametrize(("via", "signum"), [
    ("make", signal.SIGTERM),          # a service manager, `kill <make>`
    ("make", signal.SIGKILL),          # make dies: run_all.py gets SIGTERM from the kernel
    ("run_all", signal.SIGTERM),       # `kill <run_all.py>`
    ("run_all", signal.SIGKILL),       # run_all.py dies: the server and the app get SIGTERM from the kernel
], ids=lambda value: getattr(value, "name", value))
def test_a_signal_to_the_top_process_stops_everything(start, via, signum):
    run = start(via)
    os.kill(run.process.pid, signum)
    _assert_all_stopped(run)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGHUP], ids=lambda value: getattr(value, "name", value))   # Ctrl-C; the terminal closes
def test_a_signal_to_the_terminal_group_stops_everything(start, signum):
    run = start("make")
    os.killpg(run.process.pid, signum)
    _assert_all_stopped(run)
    if signum == signal.SIGINT:
        assert "stopping the server and the app" in run.text()


def test_a_first_run_replays_voting_night_and_stops_its_feeder_too(start):
    """A fresh database: the demo is seeded on a replay of voting night 2024, kept beside the database
    (so a restart goes on), and the feeder that pushes the rest of the story stops with everything."""
    run = start("run_all", fresh=True)
    with urllib.request.urlopen(f"http://127.0.0.1:{run.port}/healthz", timeout=5) as response:
        health = json.load(response)
    assert health["replay"]["replayed_at"] == "2024-11-27T14:00:00Z", health
    assert health["now"].startswith("2024-11-27T"), health
    replay_file = Path(run.log).parent / "peta.db.replay"
    assert replay_file.read_text().startswith("2024-11-27T14:00:00+00:00@")
    assert len(run.session()) >= 4, run.text()          # run_all.py, the server, the app, the demo feeder
    run.process.send_signal(signal.SIGTERM)
    _assert_all_stopped(run)


def test_a_postgresql_url_runs_the_demo_in_that_database(start, pg_cluster):
    """PETA_DB=postgresql://...: a database never initialised is fresh (seeded on a replay); the replay is
    kept in var/<database>.replay, as nothing sits beside a URL."""
    url = pg_cluster.database(migrated=False)
    replay_file = ROOT / "var" / f"{url.rsplit('/', 1)[1]}.replay"
    try:
        run = start("run_all", fresh=True, db=url)
        with urllib.request.urlopen(f"http://127.0.0.1:{run.port}/healthz", timeout=5) as response:
            health = json.load(response)
        assert health["database"] == "postgresql", health
        assert health["replay"]["replayed_at"] == "2024-11-27T14:00:00Z", health
        assert replay_file.read_text().startswith("2024-11-27T14:00:00+00:00@")
        assert "created" in run.text() and "hapus / drop postgresql://postgres@" in run.text()
        run.process.send_signal(signal.SIGTERM)
        _assert_all_stopped(run)
    finally:
        replay_file.unlink(missing_ok=True)
        pg_cluster.drop(url)

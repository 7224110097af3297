"""The fault harness: a real server process, real officers, the real app sync engine, an audit.

Shared by the bounded suites in ``tests/faults/`` and the long runs in ``bench/faults.py``.
The server is ``python -m sync_server init`` + ``serve`` on a free port over a temporary database;
officers are created with the CLI and enrolled with a CLI one-time code through ``/auth/enroll``;
the audit reads the server's SQLite file read-only, or its PostgreSQL database (count by id and
content hash). Several nodes on one PostgreSQL: ``tests/faults/nodes.py``.
"""
from __future__ import annotations

import io
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image

from field_app.errors import Offline
from field_app.outbox import Outbox
from field_app.photos import shrink_photo
from field_app.sync_client import SyncClient
from kerawanan import assets
from kerawanan.report import Report, parse_report

ROOT = Path(__file__).resolve().parents[2]
DESAS = ("15.72.07.2004", "15.72.07.2001", "15.72.02.2004", "15.01.01.2001")
CATEGORIES = ("politik_uang", "intimidasi", "bentrok", "logistik", "gangguan_tps", "hoaks_sara")
STAGES = ("PG", "AG", "GN")
NO_QUOTAS = {"PETA_QUOTA_REPORTS": "1000000000", "PETA_QUOTA_PHOTO_MIB": "1000000"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RealServer:
    """The sync server as operators run it; ``kill()`` is SIGKILL, ``start()`` reuses db and port.

    ``database``: a ``postgresql://`` URL shared by several nodes (default: an SQLite file in
    ``workdir``); ``init=False`` for a further node on a database another has initialised.
    """

    def __init__(self, workdir: Path, database: str | None = None, *, init: bool = True):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.db: Path | str = database or self.workdir / "peta.db"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PETA_MEDIA_DIR": str(self.workdir / "media"), "PETA_EVALUATE_SECONDS": "0",
                    **NO_QUOTAS}    # one officer sends every trial's reports: not what these trials measure
        self.process: subprocess.Popen | None = None
        if init:
            self.cli("init")

    def cli(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "sync_server", *args, "--db", str(self.db)], cwd=ROOT,
                              env=self.env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"sync_server {args[0]}: {done.stderr}")
        return done.stdout

    def start(self) -> RealServer:
        log = (self.workdir / "server.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sync_server", "serve", "--db", str(self.db), "--port", str(self.port),
             "--log-level", "warning"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 60
        while True:
            try:
                SyncClient(self.url, connect_timeout=1, read_timeout=2).healthz()
                return self
            except Offline:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {self.log()}") from None
                time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush, exactly like a power cut of the process."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        path = self.workdir / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def enroll_officer(self, username: str, desa: str = DESAS[0]) -> str:
        """Create an officer with the CLI, enroll a device with a CLI code; returns the device token."""
        self.cli("create-user", "--username", username, "--name", f"Bripka {username}", "--role", "officer",
                 "--scope", desa)
        code = self.cli("enrollment-code", "--username", username).split()[0]
        client = SyncClient()
        try:
            return client.enroll(self.url, username, code, f"HP uji {username}")["token"]
        finally:
            client.close()


# ---------------------------------------------------------------- what the phone saves


def make_report(rng: random.Random, now: datetime, media: tuple[str, ...] = ()) -> Report:
    observed = now - timedelta(minutes=rng.randint(1, 600))
    wire = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "observed_at": observed.isoformat(), "recorded_at": now.isoformat(),
        "category": rng.choice(CATEGORIES), "threat_stage": rng.choice(STAGES), "desa_code": rng.choice(DESAS),
        "location": None, "people_count": rng.randint(0, 500), "source_reliability": rng.choice("ABC"),
        "info_credibility": rng.randint(1, 4),
        "facts": f"Laporan uji {rng.getrandbits(48):x}: " + "massa berkumpul di depan balai desa. " * rng.randint(1, 8),
        "opinion": None, "tps": f"{rng.randint(1, 30):02d}", "media": list(media), "supersedes": None,
    }
    return parse_report(wire, now=now, gazetteer=assets.gazetteer(), calendar=assets.calendar())


def camera_jpeg(rng: random.Random, size: tuple[int, int] = (2400, 1800), grain: float = 0.35) -> bytes:
    """A camera-like photo: smooth gradients with grain (JPEG q80 shrinks it like a real scene; WebP
    smooths the grain away, to 10–60 KB: see ``grainy_jpeg`` where a test needs a big photo)."""
    width, height = size
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    tint = Image.new("RGB", size, (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))
    noise = Image.effect_noise(size, rng.uniform(20, 40)).convert("RGB")
    picture = Image.blend(Image.blend(base, tint, 0.4), noise, grain)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=92)
    return out.getvalue()


def grainy_jpeg(rng: random.Random, size: tuple[int, int] = (2400, 1800)) -> bytes:
    """A camera frame under heavy grain: still 120–210 KB once shrunk by the app (WebP q80, 1024 px),
    for the tests of big uploads (cut midway, resumed, slower than the read timeout)."""
    return camera_jpeg(rng, size, grain=0.8)


def queue_reports(outbox: Outbox, officer: str, rng: random.Random, count: int, *, photos: int = 0,
                  now: datetime, photo_size: tuple[int, int] = (2400, 1800), camera=camera_jpeg) -> dict[str, str]:
    """Save ``count`` reports (the first ``photos`` with one shrunk photo each, ``camera(rng, size)``
    the camera's bytes); returns id -> content hash."""
    saved = {}
    for number in range(count):
        media: tuple[str, ...] = ()
        if number < photos:
            shrunk = shrink_photo(camera(rng, photo_size))
            outbox.store_photo(shrunk.data, shrunk.sha256)
            media = (shrunk.sha256,)
        report = make_report(rng, now, media)
        outbox.save(report, officer=officer, now=now + timedelta(milliseconds=number))
        saved[report.id] = report.content_hash()
    return saved


# ---------------------------------------------------------------- the audit


@dataclass
class Audit:
    """What the server holds of the reports a phone saved."""

    expected: int
    held: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    media_missing: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return not (self.lost or self.duplicated or self.altered or self.media_missing)


def read_only(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)


def query(db: Path | str, sql: str, params: tuple | list = ()) -> list[tuple]:
    """Rows of one read in the server's database: the SQLite file read-only, or a ``postgresql://``
    URL (``?`` placeholders on both)."""
    if str(db).startswith("postgresql://"):
        import psycopg

        with psycopg.connect(str(db), autocommit=True) as connection:
            return connection.execute(sql.replace("?", "%s"), list(params)).fetchall()
    connection = read_only(Path(db))
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def audit(db: Path | str, saved: dict[str, str], media: set[str] = frozenset(),
          media_dir: Path | None = None) -> Audit:
    """Count the saved ids and their content hashes in the server's database (read-only)."""
    result = Audit(expected=len(saved))
    rows: dict[str, list[str]] = {}
    ids = list(saved)
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        marks = ",".join("?" for _ in part)
        for report_id, content_hash in query(db, f"SELECT id, content_hash FROM reports WHERE id IN ({marks})", part):
            rows.setdefault(report_id, []).append(content_hash)
        for content_hash, _count in query(
                db, f"SELECT content_hash, count(*) FROM reports WHERE id IN ({marks}) GROUP BY content_hash "
                "HAVING count(*) > 1", part):
            result.duplicated.append(content_hash)
    media_rows = {row[0] for row in query(db, "SELECT sha256 FROM media")} if media else set()
    for report_id, content_hash in saved.items():
        found = rows.get(report_id, [])
        result.held += len(found)
        if not found:
            result.lost.append(report_id)
        elif len(found) > 1:
            result.duplicated.append(report_id)
        elif found[0] != content_hash:
            result.altered.append(report_id)
    for sha in media:
        on_disk = media_dir is None or (media_dir / sha[:2] / sha[2:4] / sha).is_file()
        if sha not in media_rows or not on_disk:
            result.media_missing.append(sha)
    return result


def integrity(db: Path) -> str:
    connection = read_only(db)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def utc_now() -> datetime:
    return datetime.now(UTC)


def unexpected_tracebacks(log: str) -> list[str]:
    """Tracebacks in a server log. A client hanging up mid-body is an expected 400, not one of them
    (``sync_server/body.py`` turns Starlette's ``ClientDisconnect`` into ``request.malformed``)."""
    return log.split("Traceback (most recent call last):")[1:]

"""A bad network run: an officer's queued reports and photos synced through a shaped, lossy link.

The real engine with its real client timeouts runs passes (no backoff waits: the loop wakes it
as soon as a pass fails, like the connectivity wake) until the outbox is empty; the proxy
counts every byte, every exchange and every fault, so the cost of a lost photo upload shows.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from field_app.outbox import Outbox
from field_app.sync_client import SyncClient
from field_app.sync_engine import SyncEngine
from tests.faults.harness import Audit, RealServer, audit, camera_jpeg, queue_reports, read_only, utc_now
from tests.faults.proxy import NO_FAULT, FaultProxy, Profile


@dataclass
class NetworkRun:
    reports: int
    photos: int
    photo_bytes: int
    seconds: float = 0.0
    passes: int = 0
    failed_passes: int = 0
    exchanges: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    faults: dict | None = None
    media_retry_bytes: int = 0        # photo bytes of PUTs cut before the server had them: sent again
    audit: Audit | None = None

    text_bytes: int = 0               # push and pull traffic (everything but photos)
    text_seconds: float | None = None  # from the first pass until every report's text was on the server

    @property
    def bytes_per_report(self) -> float:
        return (self.bytes_up + self.bytes_down) / self.reports

    def line(self) -> str:
        return (f"{self.reports} reports + {self.photos} photos ({self.photo_bytes / 1024:.0f} KiB): "
                f"{self.seconds:.1f} s, {self.passes} passes ({self.failed_passes} failed), "
                f"{self.exchanges} requests, faults {self.faults}, up {self.bytes_up / 1024:.0f} KiB, "
                f"down {self.bytes_down / 1024:.0f} KiB, {self.bytes_per_report:.0f} B/report, "
                f"photo bytes sent again after a cut upload {self.media_retry_bytes / 1024:.0f} KiB")


def run_network(server: RealServer, proxy: FaultProxy, officer: str, token: str, workdir: Path, *,
                profile: Profile, reports: int, photos: int, seed: int = 1, read_timeout: float = 20.0,
                max_seconds: float = 3600, camera=camera_jpeg) -> NetworkRun:
    rng = random.Random(seed)
    outbox = Outbox(workdir / f"phone-{seed}")
    saved = queue_reports(outbox, officer, rng, reports, photos=photos, now=utc_now(), camera=camera)
    media = {sha for entry in outbox.entries(officer, limit=reports) for sha in entry.media}
    run = NetworkRun(reports, photos, sum(outbox.photo_path(sha).stat().st_size for sha in media))
    proxy.plan, proxy.profile, proxy.stall_seconds = (lambda exchange: NO_FAULT), profile, read_timeout + 5
    proxy.stats.exchanges.clear()
    client = SyncClient(proxy.url, token, read_timeout=read_timeout)
    engine = SyncEngine(outbox, client, officer)
    started = time.monotonic()
    done = threading.Event()
    watcher = threading.Thread(target=_watch_text, args=(server, run, len(saved), started, done), daemon=True)
    watcher.start()
    try:
        while time.monotonic() - started < max_seconds:
            outcome = engine.sync_once(utc_now())
            run.passes += 1
            run.failed_passes += not outcome.ok
            if outcome.ok and not outbox.pending_count(officer) and not outbox.media_counts(officer).get("waiting"):
                break
    finally:
        done.set()
        watcher.join()
        proxy.profile = Profile()
        client.close()
        outbox.close()
    run.seconds = time.monotonic() - started
    _count(run, proxy)
    run.audit = audit(server.db, saved, media, server.workdir / "media")
    return run


def _watch_text(server: RealServer, run: NetworkRun, expected: int, started: float, done: threading.Event) -> None:
    """Note when the server first holds every report (a figure, not a test: polled every 0.25 s)."""
    while not done.wait(0.25):
        connection = read_only(server.db)
        try:
            held = connection.execute("SELECT count(*) FROM reports").fetchone()[0]
        finally:
            connection.close()
        if held >= expected:
            run.text_seconds = time.monotonic() - started
            return


def _count(run: NetworkRun, proxy: FaultProxy) -> None:
    exchanges = list(proxy.stats.exchanges)
    run.exchanges = len(exchanges)
    run.bytes_up = sum(item.bytes_up for item in exchanges)
    run.bytes_down = sum(item.bytes_down for item in exchanges)
    run.faults = dict(proxy.stats.faults())
    run.text_bytes = sum(item.bytes_up + item.bytes_down for item in exchanges if "/media/" not in item.path)
    run.media_retry_bytes = sum(item.bytes_up for item in exchanges
                                if item.method == "PUT" and item.fault in ("drop", "refuse"))

"""Seeded randomised fault trials of the real app sync engine through the fault proxy.

One trial: a fresh outbox folder, a random number of reports (some with a photo), a random batch
size, and a random fault plan (each exchange through the proxy: drop mid-request, cut the answer
after the server committed, stall, reset, delay, refuse — or nothing). The engine's passes repeat
until the outbox is empty; then the audit counts what the server holds. Same seed, same trial.
"""
from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from field_app.outbox import Outbox
from field_app.sync_client import SyncClient
from field_app.sync_engine import SyncEngine, SyncPolicy
from tests.faults.harness import Audit, RealServer, audit, queue_reports, utc_now
from tests.faults.proxy import NO_FAULT, Exchange, Fault, FaultProxy

MAX_PASSES = 400


class FaultPlan:
    """Every exchange faulted with probability ``rate``; the kind and its shape drawn from ``rng``."""

    def __init__(self, rng: random.Random, rate: float, kinds: tuple[str, ...]):
        self.rng, self.rate, self.kinds = rng, rate, kinds
        self.injected: Counter = Counter()

    def __call__(self, exchange: Exchange) -> Fault:
        if self.rng.random() >= self.rate:
            return NO_FAULT
        kind = self.rng.choice(self.kinds)
        self.injected[kind] += 1
        return Fault(kind, fraction=self.rng.random(), seconds=self.rng.uniform(0.05, 0.3))


@dataclass
class TrialResult:
    seed: int
    reports: int
    photos: int
    batch_size: int
    passes: int = 0
    failed_passes: int = 0
    attention: int = 0
    duplicates_answered: int = 0
    faults: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    audit: Audit | None = None

    @property
    def ok(self) -> bool:
        return self.audit is not None and self.audit.exact and self.attention == 0


@dataclass(frozen=True)
class TrialSettings:
    max_reports: int = 60
    max_photos: int = 2
    fault_rate: float = 0.35
    kinds: tuple[str, ...] = ("drop", "cut", "stall", "reset", "delay", "refuse")
    read_timeout: float = 1.0      # a stall costs the client this long
    photo_size: tuple[int, int] = (480, 360)


def run_trial(server: RealServer, proxy: FaultProxy, officer: str, token: str, seed: int, workdir: Path,
              settings: TrialSettings = TrialSettings()) -> TrialResult:
    rng = random.Random(seed)
    count = rng.randint(1, settings.max_reports)
    photos = rng.randint(0, min(settings.max_photos, count))
    result = TrialResult(seed=seed, reports=count, photos=photos, batch_size=rng.choice((1, 3, 7, 10, 25, 100)))
    now = utc_now()
    outbox = Outbox(workdir / f"trial-{seed}")
    saved = queue_reports(outbox, officer, rng, count, photos=photos, now=now, photo_size=settings.photo_size)
    media = {sha for entry in outbox.entries(officer, limit=count) for sha in entry.media}
    plan = FaultPlan(random.Random(rng.getrandbits(64)), settings.fault_rate, settings.kinds)
    proxy.plan, proxy.stall_seconds = plan, settings.read_timeout + 1
    client = SyncClient(proxy.url, token, connect_timeout=settings.read_timeout, read_timeout=settings.read_timeout)
    engine = SyncEngine(outbox, client, officer, policy=SyncPolicy(batch_size=result.batch_size, media_batch=5),
                        random=random.Random(seed).random)
    started = time.monotonic()
    try:
        _drain(engine, outbox, officer, result)
    finally:
        proxy.plan = lambda exchange: NO_FAULT
        client.close()
        outbox.close()
    result.seconds = time.monotonic() - started
    result.faults = plan.injected
    result.audit = audit(server.db, saved, media, server.workdir / "media")
    return result


def _drain(engine: SyncEngine, outbox: Outbox, officer: str, result: TrialResult) -> None:
    """Sync passes until nothing is waiting (reports or photos), ignoring the backoff's waits."""
    for _ in range(MAX_PASSES):
        outcome = engine.sync_once(utc_now())
        result.passes += 1
        result.failed_passes += not outcome.ok
        result.duplicates_answered += outcome.duplicates
        if outcome.ok and not outbox.pending_count(officer) and not outbox.media_counts(officer).get("waiting"):
            break
    result.attention = outbox.counts(officer)["attention"]


def summarise(results: list[TrialResult]) -> dict[str, object]:
    faults: Counter = Counter()
    for item in results:
        faults.update(item.faults)
    return {
        "trials": len(results),
        "reports": sum(item.reports for item in results),
        "photos": sum(item.photos for item in results),
        "faults": dict(sorted(faults.items())),
        "failed_passes": sum(item.failed_passes for item in results),
        "duplicate_answers": sum(item.duplicates_answered for item in results),
        "lost": sum(len(item.audit.lost) for item in results if item.audit),
        "duplicated": sum(len(item.audit.duplicated) for item in results if item.audit),
        "altered": sum(len(item.audit.altered) for item in results if item.audit),
        "media_missing": sum(len(item.audit.media_missing) for item in results if item.audit),
        "attention": sum(item.attention for item in results),
        "seconds": round(sum(item.seconds for item in results), 1),
    }

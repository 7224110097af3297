"""One sync pass and the policy around it: text first, then feedback, then photos.

``SyncEngine.sync_once(now)`` is plain synchronous code (the UI runs it in a thread, see
``sync_loop.SyncLoop``). The order of a pass:

1. reports left ``sending`` by a killed app go back to ``waiting`` (first pass only);
2. push waiting reports in batches: each batch is marked ``sending`` in one commit *before* the
   request, then each report is resolved by its own result — created/duplicate -> sent (with the
   server's time), conflict/invalid -> attention (with the server's reason). A transport failure
   puts the batch back to ``waiting``. The server answers ``duplicate`` for anything that already
   landed, so a resend after a crash is a receipt, never a second report;
3. pull feedback with the stored cursor until ``more`` is false (changes and cursor in one commit);
4. upload photos of sent reports: HEAD, then only if the server lacks them an upload in one request
   that resumes where an earlier, cut attempt stopped (``SyncClient.upload_media``). With
   ``photos_wifi_only`` ("kirim foto nanti (Wi-Fi)") photos wait in the outbox while the link is
   not Wi-Fi (or Ethernet), until the officer sends them (``release_photos``).

After a failure the next attempt waits an exponential backoff with full jitter.
"""
from __future__ import annotations

import random as random_module
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from field_app.errors import AuthRevoked, Offline, RateLimited, ServerRejected
from field_app.outbox import Outbox, OutboxEntry
from field_app.sync_client import PushResult

CURSOR_KEY = "pull_cursor"
LAST_SYNC_KEY = "last_sync_at"               # the last successful pass, in the SERVER's time
SERVER_OFFSET_KEY = "server_offset_s"        # server clock minus phone clock at the last exchange


class WakeReason(StrEnum):
    START = "start"
    SAVED = "saved"
    CONNECTIVITY = "connectivity"
    DEMAND = "demand"
    TIMER = "timer"


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with full jitter: a random wait in [0, min(cap, base * 2**(n-1))]."""

    base: float = 5.0
    cap: float = 900.0

    def ceiling(self, failures: int) -> float:
        if failures <= 0:
            return 0.0
        return min(self.cap, self.base * 2 ** min(failures - 1, 30))

    def delay(self, failures: int, rand: Callable[[], float]) -> float:
        return rand() * self.ceiling(failures)


@dataclass(frozen=True, slots=True)
class SyncPolicy:
    batch_size: int = 100
    media_batch: int = 20
    pull_limit: int = 100
    max_pull_pages: int = 100
    timer_interval: float = 300.0            # seconds between timer wakes when all is well
    purge_after_days: int | None = 30        # drop free text of reports sent longer ago; None keeps it
    photos_wifi_only: bool = False           # hold photos until the link is Wi-Fi or the officer sends them
    backoff: Backoff = field(default_factory=Backoff)


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    """What one pass did, for the outbox screen and the logs."""

    started_at: datetime
    ok: bool
    sent: int = 0
    duplicates: int = 0
    attention: int = 0
    media_sent: int = 0
    pulled: int = 0
    media_held: int = 0                  # photos kept for Wi-Fi by "kirim foto nanti (Wi-Fi)"
    error_code: str | None = None        # sync.offline, sync.server_unavailable, rate_limited, auth...
    error_message: str | None = None     # the server's or transport's words, for logs
    retry_at: datetime | None = None
    auth_revoked: bool = False
    skipped: bool = False                # another pass was running, or backoff said "not yet"


@dataclass
class _Tally:
    sent: int = 0
    duplicates: int = 0
    attention: int = 0
    media_sent: int = 0
    pulled: int = 0
    media_held: int = 0


UNMETERED = frozenset({"wifi", "ethernet"})


class SyncEngine:
    """Syncs one officer's outbox through one client. Only one pass runs at a time."""

    def __init__(self, outbox: Outbox, client, officer: str, *, policy: SyncPolicy | None = None,
                 random: Callable[[], float] = random_module.random):
        self.outbox, self.client, self.officer = outbox, client, officer
        self.policy = policy or SyncPolicy()
        self.random = random
        self.failures = 0
        self.next_attempt_at: datetime | None = None
        self.not_before: datetime | None = None      # a server's Retry-After: respected even on demand
        self.auth_revoked = False
        self.last: SyncOutcome | None = None
        self.link: frozenset[str] = frozenset()      # the connection types the phone reports ("wifi", "mobile"…)
        self.photos_released = False                 # the officer sent held photos: upload them anyway
        self.progress: tuple[int, int] | None = None  # (sent, of) during a pass: "Mengirim 3 dari 5"
        self.on_progress: Callable[[], None] | None = None   # called from the sync thread
        self._recovered = False
        self._server_now: datetime | None = None     # the server's clock seen in this pass
        self._running = threading.Lock()

    @property
    def running(self) -> bool:
        return self._running.locked()

    def should_run(self, reason: WakeReason, now: datetime) -> bool:
        """Whether a wake for ``reason`` at ``now`` should start a pass."""
        if self.auth_revoked:
            return False
        if self.not_before is not None and now < self.not_before:
            return False
        if reason in (WakeReason.DEMAND, WakeReason.CONNECTIVITY):
            return True
        return self.next_attempt_at is None or now >= self.next_attempt_at

    def seconds_until_due(self, now: datetime) -> float | None:
        """How long until a backoff or Retry-After expires; None when nothing is pending."""
        waits = [moment for moment in (self.next_attempt_at, self.not_before) if moment is not None]
        return max(0.0, (max(waits) - now).total_seconds()) if waits else None

    def set_link(self, types) -> None:
        """The phone's connection types now (``flet.Connectivity``: "wifi", "mobile", "none"…)."""
        self.link = frozenset(str(getattr(kind, "value", kind)) for kind in types)

    def release_photos(self) -> None:
        """"Kirim foto sekarang": the photos held for Wi-Fi go in the next pass, whatever the link."""
        self.photos_released = True

    def photos_held(self) -> bool:
        """Whether photos wait for Wi-Fi now (the setting holds, the link is not Wi-Fi, not released)."""
        return self.policy.photos_wifi_only and not self.photos_released and not (self.link & UNMETERED)

    def reset_auth(self, client) -> None:
        """After a new enrollment: a fresh client with a fresh token."""
        self.client, self.auth_revoked, self.failures, self.next_attempt_at = client, False, 0, None

    def sync_once(self, now: datetime) -> SyncOutcome:
        if not self._running.acquire(blocking=False):
            return SyncOutcome(started_at=now, ok=False, skipped=True)
        try:
            outcome = self._pass(now)
        finally:
            self._running.release()
        self.last = outcome
        return outcome

    # ------------------------------------------------------------ one pass

    def _pass(self, now: datetime) -> SyncOutcome:
        if not self._recovered:
            self.outbox.requeue_sending(self.officer)
            self.outbox.tasks.requeue_sending(self.officer)
            self._recovered = True
        tally = _Tally()
        self.progress = (0, self.outbox.pending_count(self.officer) + self.outbox.tasks.pending(self.officer))
        try:
            self._push_all(tally, now)
            self._push_tasks(tally, now)
            self._learn_server_time(now)
            self._pull_all(tally, now)        # feedback before photos: a slow photo on 2G never holds it back
            if self.photos_held():
                tally.media_held = self.outbox.media_counts(self.officer).get("waiting", 0)
            else:
                self._upload_media(tally)
                self.photos_released = False      # everything held has gone: hold again from now on
        except AuthRevoked as exc:
            self.auth_revoked = True
            return self._outcome(now, tally, ok=False, code=exc.code, message=exc.message, auth_revoked=True)
        except RateLimited as exc:
            self.not_before = now + timedelta(seconds=exc.retry_after)
            return self._failed(now, tally, exc.code, exc.message)
        except (Offline, ServerRejected) as exc:
            return self._failed(now, tally, exc.code, exc.message)
        finally:
            self.progress = None
        self.failures, self.next_attempt_at, self.not_before = 0, None, None
        self.outbox.meta.set(self.officer, LAST_SYNC_KEY, self.server_time(now).isoformat())
        if self.policy.purge_after_days is not None:
            self.outbox.purge_text(self.officer, now=now, older_than_days=self.policy.purge_after_days)
        return self._outcome(now, tally, ok=True)

    def _failed(self, now: datetime, tally: _Tally, code: str, message: str) -> SyncOutcome:
        self.failures += 1
        wait = self.policy.backoff.delay(self.failures, self.random)
        self.next_attempt_at = now + timedelta(seconds=wait)
        retry_at = max(moment for moment in (self.next_attempt_at, self.not_before) if moment is not None)
        return self._outcome(now, tally, ok=False, code=code, message=message, retry_at=retry_at)

    @staticmethod
    def _outcome(now: datetime, tally: _Tally, *, ok: bool, code: str | None = None,
                 message: str | None = None, retry_at: datetime | None = None,
                 auth_revoked: bool = False) -> SyncOutcome:
        return SyncOutcome(started_at=now, ok=ok, sent=tally.sent, duplicates=tally.duplicates,
                           attention=tally.attention, media_sent=tally.media_sent, pulled=tally.pulled,
                           media_held=tally.media_held, error_code=code, error_message=message,
                           retry_at=retry_at, auth_revoked=auth_revoked)

    # ------------------------------------------------------------ text

    def _push_all(self, tally: _Tally, now: datetime) -> None:
        batch_size = self.policy.batch_size
        while True:
            batch = self.outbox.claim(self.officer, batch_size)
            if not batch:
                return
            try:
                results = self.client.push([entry.wire for entry in batch])
            except ServerRejected as exc:
                if isinstance(exc, AuthRevoked | RateLimited):
                    self.outbox.release([entry.id for entry in batch], code=exc.code, message=exc.message)
                    raise
                if exc.status == 413 and len(batch) > 1:       # too big together: smaller batches
                    self.outbox.release([entry.id for entry in batch])
                    batch_size = max(1, len(batch) // 2)
                    continue
                self._reject_batch(batch, exc, tally)
                continue
            except Offline as exc:
                self.outbox.release([entry.id for entry in batch], code=exc.code, message=exc.message)
                raise
            except Exception:                                  # a bug: never leave the batch "sending"
                self.outbox.release([entry.id for entry in batch])
                raise
            self._apply_results(batch, results, tally, now)
            self._advance(len(batch))

    def _advance(self, done: int) -> None:
        if self.progress is not None:
            self.progress = (min(self.progress[0] + done, self.progress[1]), self.progress[1])
            if self.on_progress is not None:
                self.on_progress()

    # ------------------------------------------------------------ server time

    def server_time(self, moment: datetime) -> datetime:
        """``moment`` (the phone's clock) in the server's clock, by the offset of the last exchange."""
        offset = self.outbox.meta.get(self.officer, SERVER_OFFSET_KEY)
        return moment + timedelta(seconds=float(offset)) if offset is not None else moment

    def _learn_server_time(self, now: datetime) -> None:
        """The server's clock from this pass's receipts, or once from ``GET /healthz`` (``now``)."""
        server_now = self._server_now
        if server_now is None and self.outbox.meta.get(self.officer, SERVER_OFFSET_KEY) is None:
            try:
                stamp = (self.client.healthz() or {}).get("now")
                server_now = datetime.fromisoformat(str(stamp).replace("Z", "+00:00")) if stamp else None
            except (Offline, ServerRejected, ValueError, AttributeError):
                server_now = None
        self._server_now = None
        if server_now is not None:
            self.outbox.meta.set(self.officer, SERVER_OFFSET_KEY, round((server_now - now).total_seconds(), 1))

    # ------------------------------------------------------------ tasks

    def _push_tasks(self, tally: _Tally, now: datetime) -> None:
        """Answers to tasks, after the reports: each is a receipt when it landed before. An answer's
        photo goes just before it, unless photos wait for Wi-Fi: then it follows with the others."""
        tasks = self.outbox.tasks
        while batch := tasks.claim(self.officer):
            held = self.photos_held()
            for index, answer in enumerate(batch):
                try:
                    for sha256 in () if held else answer.media:
                        self._upload_one(sha256, Path(self.outbox.photo_path(sha256)), tally)
                    receipt = self.client.answer_task(answer.alert_id, answer.wire())
                except (Offline, AuthRevoked, RateLimited) as exc:
                    tasks.release([item.id for item in batch[index:]], code=exc.code, message=exc.message)
                    raise
                except ServerRejected as exc:
                    tasks.mark_attention(answer.id, code=exc.code, message=exc.message)
                    tally.attention += 1
                    continue
                except Exception:
                    tasks.release([item.id for item in batch[index:]])
                    raise
                at = _instant(receipt.get("at")) if isinstance(receipt, dict) else None
                tasks.mark_sent(answer.id, at=at or now)
                self._server_now = self._server_now or at
                tally.sent += 1
                self._advance(1)

    def _reject_batch(self, batch: Sequence[OutboxEntry], exc: ServerRejected, tally: _Tally) -> None:
        """The whole request was refused (not a transport problem): each report needs attention."""
        fields = exc.details.get("fields") if isinstance(exc.details.get("fields"), dict) else {}
        for entry in batch:
            self.outbox.mark_attention(entry.id, code=exc.code, message=exc.message, fields=fields)
            tally.attention += 1

    def _apply_results(self, batch: Sequence[OutboxEntry], results: Sequence[PushResult],
                       tally: _Tally, now: datetime) -> None:
        unresolved = []
        with self.outbox.database.atomic():                 # one commit (one fsync) per batch
            for entry, result in zip(batch, _aligned(batch, results), strict=True):
                if result is None:
                    unresolved.append(entry.id)
                elif result.status in ("created", "duplicate"):
                    if result.status == "created" and result.received_at is not None:
                        self._server_now = result.received_at
                    self.outbox.mark_sent(entry.id, received_at=result.received_at or now, server_seq=result.seq)
                    tally.sent += 1
                    tally.duplicates += result.status == "duplicate"
                else:
                    self._attention(entry, result)
                    tally.attention += 1
            self.outbox.release(unresolved)

    def _attention(self, entry: OutboxEntry, result: PushResult) -> None:
        error = result.error if isinstance(result.error, dict) else {}
        code = str(error.get("code") or f"report.{result.status}")
        fields = error.get("fields") or (error.get("details") or {}).get("fields") or {}
        self.outbox.mark_attention(entry.id, code=code, message=str(error.get("message") or ""),
                                   fields={_field_name(k): str(v) for k, v in dict(fields).items()})

    # ------------------------------------------------------------ photos

    def _upload_media(self, tally: _Tally) -> None:
        while True:
            pending = self.outbox.pending_media(self.officer, self.policy.media_batch)
            if not pending:
                return
            for item in pending:
                self._upload_one(item.sha256, Path(item.path), tally)

    def _upload_one(self, sha256: str, path: Path, tally: _Tally) -> None:
        if not path.exists():
            self.outbox.mark_media(self.officer, sha256, "missing")
            return
        try:
            if not self.client.media_exists(sha256):
                self.client.upload_media(sha256, path.read_bytes())
        except ServerRejected as exc:
            if isinstance(exc, AuthRevoked | RateLimited):
                raise
            self.outbox.mark_media(self.officer, sha256, "rejected")
            return
        self.outbox.mark_media(self.officer, sha256, "sent")
        tally.media_sent += 1

    # ------------------------------------------------------------ feedback

    def _pull_all(self, tally: _Tally, now: datetime) -> None:
        cursor = int(self.outbox.meta.get(self.officer, CURSOR_KEY, 0))
        for _ in range(self.policy.max_pull_pages):
            page = self.client.pull(cursor, self.policy.pull_limit)
            cursor = max(cursor, page.cursor)             # cursors only grow
            with self.outbox.database.atomic():
                tally.pulled += self.outbox.inbox.add(self.officer, page.changes, now=now)
                self.outbox.meta.set(self.officer, CURSOR_KEY, cursor)
            if not page.more:
                return


def _aligned(batch: Sequence[OutboxEntry], results: Sequence[PushResult]) -> list[PushResult | None]:
    """Results are in input order; an invalid one may echo no id. A wrong id means "unresolved"."""
    if len(results) != len(batch):
        by_id = {result.id: result for result in results}
        return [by_id.get(entry.id) for entry in batch]
    return [result if result.id in (entry.id, None) else None for entry, result in zip(batch, results, strict=True)]


def _instant(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")) if text else None
    except ValueError:
        return None


def _field_name(path: str) -> str:
    """``reports[3].location.lat`` -> ``location.lat``: the field inside the report."""
    if path.startswith("reports[") and "]." in path:
        return path.split("].", 1)[1]
    return path

"""The outbox screen: every report with an honest state, the pending count and the last sync.

States in words: "Menunggu sinyal", "Mengirim…", "Terkirim <server time>", "Perlu perhatian:
<reason>. <what to do>". The sync line says what the engine last did and when it tries again.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from field_app import sms_outbox, sync_state
from field_app.i18n import Translator, has_key
from field_app.outbox import Outbox, OutboxEntry
from field_app.sync_engine import LAST_SYNC_KEY, SyncOutcome, WakeReason
from field_app.sync_state import SyncState
from field_app.viewmodels.base import Clock, ViewModel, utc_now
from field_app.viewmodels.report_opened import ReportOpened, correction_draft, open_report
from kerawanan import assets


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: str
    title: str             # category label
    threat_stage: str      # "GN"
    desa: str              # "Desa Dujung Sakti"
    observed: str          # "27 Nov 2024 21:40 WIB"
    state: str             # waiting | sending | sent | attention
    state_text: str
    facts: str
    photos: int
    can_retry: bool
    attempts: int = 0
    can_sms: bool = False  # "Kirim lewat SMS": waiting while the link is down (field_app/sms_outbox.py)
    sms_text: str = ""     # the button's words: "Kirim lewat SMS", "Kirim bagian 2/3 lewat SMS"


class OutboxList(ViewModel):
    def __init__(self, outbox: Outbox, officer: str, *, clock: Clock = utc_now,
                 translator: Translator | None = None, engine: Any = None,
                 wake: Callable[[WakeReason], None] | None = None, gazetteer: Any = None,
                 vocabulary: Any = None, page_size: int = 50):
        super().__init__(clock=clock, translator=translator)
        self.outbox, self.officer, self.engine, self.wake = outbox, officer, engine, wake
        self.gazetteer = gazetteer or assets.gazetteer()
        self.vocabulary = vocabulary or assets.vocabulary()
        self.page_size = page_size
        self.limit = page_size
        self.items: list[OutboxItem] = []
        self.counts: dict[str, int] = {}
        self.sync_running = False
        self.requested = False                 # "Kirim sekarang" tapped: "Mengirim…" until the pass ends
        self.outcome: SyncOutcome | None = None
        self.state: SyncState = SyncState("done")
        self.opened: ReportOpened | None = None
        self.sms_queue: dict[str, tuple[int, int]] = {}     # report id -> (next part, parts)
        self._sms_urls: dict[str, list[str]] = {}
        self.refresh()

    # ------------------------------------------------------------ what the screen shows

    @property
    def pending_count(self) -> int:
        return self.counts.get("waiting", 0) + self.counts.get("sending", 0)

    @property
    def attention_count(self) -> int:
        return self.counts.get("attention", 0)

    @property
    def tasks_pending(self) -> int:
        return self.outbox.tasks.pending(self.officer)

    @property
    def pending_text(self) -> str:
        tasks = self.tasks_pending
        if self.pending_count == 0:
            return self.t("syncstate.tasks_pending", count=tasks) if tasks else self.t("outbox.pending.none")
        text = self.t("outbox.pending", count=self.pending_count)
        return f"{text} · {self.t('syncstate.tasks_pending', count=tasks)}" if tasks else text

    @property
    def attention_text(self) -> str | None:
        return self.t("outbox.attention_count", count=self.attention_count) if self.attention_count else None

    @property
    def last_sync_text(self) -> str:
        stamp = self.outbox.meta.get(self.officer, LAST_SYNC_KEY)
        if not stamp:
            return self.t("outbox.last_sync.never")
        return self.t("outbox.last_sync", time=self.t.time(datetime.fromisoformat(stamp), now=self.clock()))

    @property
    def sync_text(self) -> str | None:
        """The one sync state in words — the same line every unsent card shows; None when nothing
        is on its way (all sent, or waiting for the first pass)."""
        return sync_state.line(self.state, self.t)

    @property
    def empty_text(self) -> str | None:
        return self.t("outbox.empty") if not self.items else None

    @property
    def has_more(self) -> bool:
        return sum(self.counts.values()) > len(self.items)

    # ------------------------------------------------------------ intents

    def refresh(self) -> None:
        self.counts = self.outbox.counts(self.officer)
        now = self.clock()
        self.state = sync_state.current(pending=self.pending_count + self.tasks_pending, running=self.sync_running,
                                        requested=self.requested, engine=self.engine, outcome=self.outcome, now=now)
        self.items = [self._item(entry, now) for entry in self.outbox.entries(self.officer, limit=self.limit)]
        self.changed()

    def load_more(self) -> None:
        self.limit += self.page_size
        self.refresh()

    def sync_now(self) -> None:
        """"Kirim sekarang": the strip says "Mengirim…" at once when a pass may start now."""
        if self.wake is None:
            return
        engine = self.engine
        if engine is None or engine.should_run(WakeReason.DEMAND, self.clock()):
            self.requested = True
            self.refresh()
        self.wake(WakeReason.DEMAND)

    def retry(self, report_id: str) -> None:
        """Send a report that needs attention once more (e.g. after the server was fixed)."""
        self.outbox.retry(report_id)
        self.refresh()
        self.sync_now()

    def sync_started(self) -> None:
        self.sync_running = True
        self.refresh()

    def show_outcome(self, outcome: SyncOutcome) -> None:
        """Called by the sync loop after each pass (``SyncLoop(on_outcome=...)``)."""
        self.sync_running = self.requested = False
        if not outcome.skipped:
            self.outcome = outcome
        self.refresh()

    # ------------------------------------------------------------ one report opened, a correction

    def open(self, report_id: str) -> None:
        entry = self.outbox.get(report_id)
        if entry is None or entry.officer != self.officer:
            return
        item = self._item(entry, self.clock())
        self.opened = open_report(self.outbox, self.officer, entry, item.state_text, self.t, self.vocabulary)
        self.changed()

    def close(self) -> None:
        self.opened = None
        self.changed()

    def correct(self, report_id: str) -> bool:
        """"Koreksi": the full form opens prefilled from the report, as a NEW report that supersedes it."""
        entry = self.outbox.get(report_id)
        if entry is None or entry.officer != self.officer or not self._may_correct(entry):
            return False
        self.outbox.meta.set(self.officer, "draft", correction_draft(entry))
        return True

    def _may_correct(self, entry: OutboxEntry) -> bool:
        opened = open_report(self.outbox, self.officer, entry, "", self.t, self.vocabulary)
        return opened.can_correct

    # ------------------------------------------------------------ words for one report

    def _item(self, entry: OutboxEntry, now: datetime) -> OutboxItem:
        region = self.gazetteer.find(entry.desa_code)
        facts = self.t("outbox.purged") if entry.purged else entry.wire.get("facts") or ""
        return OutboxItem(
            id=entry.id, title=self.vocabulary.category(entry.category).label(self.t.lang),
            threat_stage=entry.threat_stage or "NIHIL", desa=region.title if region else entry.desa_code,
            observed=self.t.time(entry.observed_at, now=now), state=entry.state,
            state_text=self.state_text(entry, now), facts=facts, photos=len(entry.media),
            can_retry=entry.state == "attention", attempts=entry.attempts, **self._sms_offer(entry, now))

    def _sms_offer(self, entry: OutboxEntry, now: datetime) -> dict[str, Any]:
        queued = self.sms_queue.get(entry.id)
        if queued:
            return {"can_sms": True, "sms_text": self.t("outbox.sms.part", part=queued[0], total=queued[1])}
        offer = (entry.state == "waiting" and sms_outbox.sms_ready(self.outbox, self.officer)
                 and sms_outbox.link_down(self.outbox.meta.get(self.officer, LAST_SYNC_KEY), entry.created_at, now))
        return {"can_sms": offer, "sms_text": self.t("outbox.sms") if offer else ""}

    def sms_choice(self, report_id: str) -> str:
        """The words of "Kirim lewat SMS" for a waiting report the officer opened (offered whatever
        the link's state: the officer may choose it), or "" when it cannot go by SMS."""
        entry = self.outbox.get(report_id)
        if entry is None or entry.officer != self.officer or entry.state != "waiting" \
                or not sms_outbox.sms_ready(self.outbox, self.officer):
            return ""
        queued = self.sms_queue.get(report_id)
        return self.t("outbox.sms.part", part=queued[0], total=queued[1]) if queued else self.t("outbox.sms")

    def next_sms(self, report_id: str) -> str | None:
        """"Kirim lewat SMS": the ``sms:`` URL of the next part to open in the phone's composer."""
        entry = self.outbox.get(report_id)
        if entry is None or entry.officer != self.officer or entry.state != "waiting":
            return None
        if report_id not in self._sms_urls:
            self._sms_urls[report_id] = sms_outbox.sms_urls(self.outbox, self.officer, entry.wire)[0]
        urls = self._sms_urls[report_id]
        total = self.sms_queue.get(report_id, (1, len(urls)))[1]
        url = urls.pop(0)
        if urls:
            self.sms_queue[report_id] = (total - len(urls) + 1, total)
        else:
            self.sms_queue.pop(report_id, None)
            self._sms_urls.pop(report_id, None)
        self.refresh()
        return url

    def state_text(self, entry: OutboxEntry, now: datetime | None = None) -> str:
        if entry.state == "sent" and entry.sent_at is not None:
            return self.t("outbox.state.sent", time=self.t.time(entry.sent_at, now=now))
        if entry.state == "attention":
            return self.t("outbox.state.attention", reason=self._reason(entry), action=self._action(entry))
        shared = sync_state.line(self.state, self.t)       # the strip's words: never a contradiction
        text = shared or self.t(f"outbox.state.{entry.state}")
        if entry.state == "waiting" and entry.attempts:
            text = f"{text} · {self.t('outbox.attempts', count=entry.attempts)}"
        return text

    def _reason(self, entry: OutboxEntry) -> str:
        code = entry.error_code or "default"
        if code == "report.invalid":
            return self.t("reason.report.invalid", fields=self._fields_text(entry.error_fields))
        if has_key(f"reason.{code}"):
            return self.t(f"reason.{code}")
        return self.t("reason.default", message=entry.error_message or code)

    def _action(self, entry: OutboxEntry) -> str:
        code = entry.error_code or "default"
        return self.t(f"action.{code}") if has_key(f"action.{code}") else self.t("action.default")

    def _fields_text(self, fields: dict[str, str]) -> str:
        parts = []
        for path, words in fields.items():
            name = path.split(".")[0].split("[")[0]
            label = self.t(f"field.{name}") if has_key(f"field.{name}") else name
            parts.append(f"{label}: {words}".rstrip(". "))
        return "; ".join(parts) or "-"

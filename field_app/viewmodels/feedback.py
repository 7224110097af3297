"""Feedback from supervisors and area alerts, readable offline once pulled, with unread counts."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from field_app.errors import PhotoUnreadable
from field_app.i18n import Translator, has_key
from field_app.inbox import KINDS, FeedbackEntry
from field_app.outbox import Outbox
from field_app.photos import shrink_photo
from field_app.viewmodels import feedback_opened as opened_words
from field_app.viewmodels.base import Clock, ViewModel, utc_now
from field_app.viewmodels.feedback_opened import FeedbackOpened
from kerawanan import assets


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    seq: int
    kind: str
    title: str
    detail: str
    when: str
    read: bool
    data: dict[str, Any]


class Feedback(ViewModel):
    def __init__(self, outbox: Outbox, officer: str, *, clock: Clock = utc_now,
                 translator: Translator | None = None, gazetteer: Any = None, vocabulary: Any = None,
                 calendar: Any = None, on_answer: Callable[[], None] | None = None):
        super().__init__(clock=clock, translator=translator)
        self.outbox, self.officer = outbox, officer
        self.gazetteer = gazetteer or assets.gazetteer()
        self.vocabulary = vocabulary or assets.vocabulary()
        self.calendar = calendar or assets.calendar()
        self.on_answer = on_answer                   # an answer was queued: wake the sync
        self.opened: FeedbackOpened | None = None
        self.message: str | None = None
        self.answer_photo: str | None = None         # the SHA-256 of the photo to go with the next answer
        self.kind = "alert"
        self.items: list[FeedbackItem] = []
        self.unread: dict[str, int] = dict.fromkeys(KINDS, 0)
        self.refresh()

    @property
    def total_unread(self) -> int:
        return sum(self.unread.values())

    @property
    def tabs(self) -> list[tuple[str, str, int]]:
        """(kind, label, unread count) for each tab."""
        return [(kind, self.t(f"feedback.kind.{kind}"), self.unread.get(kind, 0)) for kind in KINDS]

    @property
    def empty_text(self) -> str | None:
        return self.t("feedback.empty") if not self.items else None

    def refresh(self) -> None:
        self.unread = self.outbox.inbox.unread_counts(self.officer)
        now = self.clock()
        self.items = [self._item(entry, now) for entry in self.outbox.inbox.entries(self.officer, self.kind)]
        self.changed()

    def choose_kind(self, kind: str) -> None:
        if kind in KINDS:
            self.kind = kind
            self.refresh()

    def mark_read(self, seq: int) -> None:
        self.outbox.inbox.mark_read(self.officer, seq)
        self.refresh()

    def mark_all_read(self) -> None:
        self.outbox.inbox.mark_all_read(self.officer, self.kind)
        self.refresh()

    # ------------------------------------------------------------ one item opened; tasks answered

    @property
    def unacknowledged_tasks(self) -> int:
        """Tasks the officer has not said "Diterima" to: the home nudge until they do."""
        done = self.outbox.tasks.acknowledged(self.officer)
        return sum(1 for entry in self.outbox.inbox.entries(self.officer, "task")
                   if entry.data.get("alert_id") and entry.data["alert_id"] not in done)

    def open(self, seq: int) -> None:
        entry = next((entry for entry in self.outbox.inbox.entries(self.officer) if entry.seq == seq), None)
        if entry is None:
            return
        if not entry.read:
            self.outbox.inbox.mark_read(self.officer, seq)
        self.message, self.answer_photo = None, None
        self.opened = self._opened(entry)
        self.refresh()

    def close(self) -> None:
        self.opened, self.message, self.answer_photo = None, None, None
        self.refresh()

    def acknowledge(self) -> None:
        """"Diterima": queued like a report, sent by the sync engine (offline is fine)."""
        opened = self.opened
        if opened is None or opened.alert_id is None or opened.acknowledged:
            return
        self.outbox.tasks.add(self.officer, opened.alert_id, "acknowledge", now=self.clock())
        self._answered()

    def attach_photo(self, raw: bytes) -> bool:
        """One photo for the answer, shrunk and stored like a report's (slow on a big photo: run it
        off the UI thread); a second one replaces the first."""
        try:
            photo = shrink_photo(raw)
        except PhotoUnreadable:
            self.message = self.t("form.photo.unreadable")
            self.changed()
            return False
        self.outbox.store_photo(photo.data, photo.sha256)
        self.answer_photo, self.message = photo.sha256, None
        self.changed()
        return True

    def remove_photo(self) -> None:
        self.answer_photo = None
        self.changed()

    def photo_path(self, sha256: str) -> str:
        return str(self.outbox.photo_path(sha256))

    def report_task(self, note: str) -> bool:
        """What was done: words, the attached photo, or both — queued offline like a report."""
        opened = self.opened
        if opened is None or opened.alert_id is None:
            return False
        photos = (self.answer_photo,) if self.answer_photo else ()
        if not note.strip() and not photos:
            self.message = self.t("task.report.empty")
            self.changed()
            return False
        if not opened.acknowledged:          # answering is accepting: acknowledge first, in order
            self.outbox.tasks.add(self.officer, opened.alert_id, "acknowledge", now=self.clock())
        self.outbox.tasks.add(self.officer, opened.alert_id, "report", now=self.clock(), note=note, media=photos)
        self.answer_photo = None
        self._answered()
        return True

    def _answered(self) -> None:
        self.message = None
        self.reopen()
        if self.on_answer is not None:
            self.on_answer()

    def reopen(self) -> None:
        """After a sync pass or an answer: the opened item in its newest state."""
        if self.opened is not None:
            entry = next((entry for entry in self.outbox.inbox.entries(self.officer)
                          if entry.seq == self.opened.seq), None)
            self.opened = self._opened(entry) if entry is not None else None
        self.refresh()

    def _opened(self, entry: FeedbackEntry) -> FeedbackOpened:
        t, data = self.t, entry.data
        title, _ = self._words(entry.kind, data)
        alert = opened_words.alert_of(entry.kind, data)
        level_code = alert.get("level") or data.get("level")
        alert_id = str(data.get("alert_id")) if entry.kind == "task" and data.get("alert_id") else None
        answers = self.outbox.tasks.for_alert(self.officer, alert_id) if alert_id else []
        if entry.kind == "task":
            region = data.get("region_name") or self._region_name(data.get("region_code"))
            title = t("task.title", region=region)
        return FeedbackOpened(
            seq=entry.seq, kind=entry.kind, title=title, level_code=level_code,
            level=t("fb.level", level=self._label("level", level_code)) if level_code else None,
            status=opened_words.status_words(alert, t),
            why=opened_words.why_lines(alert, t, self.vocabulary, self.calendar),
            asked=opened_words.asked_lines(entry.kind, data, t), alert_id=alert_id,
            acknowledged=any(answer.action == "acknowledge" for answer in answers),
            answers=opened_words.answer_lines(answers, t, self.clock()))

    # ------------------------------------------------------------ words

    def _item(self, entry: FeedbackEntry, now: datetime) -> FeedbackItem:
        title, detail = self._words(entry.kind, entry.data)
        return FeedbackItem(seq=entry.seq, kind=entry.kind, title=title, detail=detail,
                            when=self.t.time(entry.received_at, now=now), read=entry.read, data=entry.data)

    def _words(self, kind: str, data: dict[str, Any]) -> tuple[str, str]:
        if kind == "alert":
            return self._alert_words(data)
        if kind == "review":
            return self._review_words(data)
        title = str(data.get("title") or data.get("note") or data.get("message") or self.t("feedback.untitled"))
        detail = str(data.get("body") or data.get("note") or data.get("response") or "")
        return self.t(f"feedback.{kind}" if has_key(f"feedback.{kind}") else "feedback.notice", title=title), detail

    def _alert_words(self, data: dict[str, Any]) -> tuple[str, str]:
        region = data.get("region_name") or self._region_name(data.get("region_code"))
        level = self._label("level", data.get("level"))
        status = data.get("status")
        status_words = self.t(f"feedback.alert.status.{status}") if has_key(f"feedback.alert.status.{status}") else ""
        return self.t("feedback.alert", region=region, level=level), status_words

    def _review_words(self, data: dict[str, Any]) -> tuple[str, str]:
        review = data.get("review") if isinstance(data.get("review"), dict) else data
        verdict = review.get("status") or review.get("verdict") or "pending"
        verdict_words = self.t(f"feedback.verdict.{verdict}") if has_key(f"feedback.verdict.{verdict}") else verdict
        own = self.outbox.get(str(data.get("report_id") or data.get("id") or ""))   # the officer's own copy
        category = data.get("category") or (own.category if own else None)
        desa_code = data.get("desa_code") or (own.desa_code if own else None)
        title = self.t("feedback.review", category=self._label("category", category),
                       desa=self._region_name(desa_code), verdict=verdict_words)
        return title, str(review.get("note") or "")

    def _label(self, kind: str, code: Any) -> str:
        try:
            return getattr(self.vocabulary, kind)(code).label(self.t.lang)
        except (KeyError, TypeError):
            return str(code or "-")

    def _region_name(self, code: Any) -> str:
        region = self.gazetteer.find(code) if code else None
        return region.title if region else str(code or "-")

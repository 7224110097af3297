"""Feedback from supervisors and area alerts, readable offline once pulled, with unread counts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from field_app.i18n import Translator, has_key
from field_app.inbox import KINDS, FeedbackEntry
from field_app.outbox import Outbox
from field_app.viewmodels.base import Clock, ViewModel, utc_now
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
                 translator: Translator | None = None, gazetteer: Any = None, vocabulary: Any = None):
        super().__init__(clock=clock, translator=translator)
        self.outbox, self.officer = outbox, officer
        self.gazetteer = gazetteer or assets.gazetteer()
        self.vocabulary = vocabulary or assets.vocabulary()
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

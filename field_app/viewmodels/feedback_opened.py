"""A feedback item opened: the level, why (in plain words), what the supervisor asked, and for a
task the officer's answers with their delivery state.

Everything comes from the pulled change, so it reads offline. An ``alert`` change carries what an
officer of the area may see (``GET /api/v1/alerts/{id}`` gives an officer no more words: its
``explanation`` is the score's arithmetic over their own reports only): the level, score, counts,
top categories and tahapan make the "why"; a supervisor's note or response reaches the field only
when the action was marked ``for_field`` (the server leaves it out otherwise). A ``task`` change
carries the assigning supervisor's note, always addressed to the officer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from field_app.i18n import Translator, has_key
from field_app.task_queue import TaskAnswer


@dataclass(frozen=True, slots=True)
class FeedbackOpened:
    seq: int
    kind: str
    title: str
    level: str | None = None
    level_code: str | None = None
    status: str | None = None
    why: tuple[str, ...] = ()
    asked: tuple[str, ...] = ()
    alert_id: str | None = None                # a task: the alert it is about
    acknowledged: bool = False
    answers: tuple[str, ...] = field(default_factory=tuple)


def alert_of(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The alert object of an ``alert`` change, or the one a ``task`` change carries."""
    if kind == "task" and isinstance(data.get("alert"), dict):
        return data["alert"]
    return data if kind == "alert" else {}


def why_lines(alert: dict[str, Any], t: Translator, vocabulary: Any, calendar: Any) -> tuple[str, ...]:
    if not alert:
        return ()
    lines = [t("fb.why.reports", reports=alert.get("report_count") or 0, officers=alert.get("officer_count") or 0,
               region=alert.get("region_name") or alert.get("region_code") or "-")]
    tops = [_category(vocabulary, item, t.lang) for item in alert.get("top_categories") or [] if isinstance(item, dict)]
    if tops:
        lines.append(t("fb.why.top", categories=", ".join(tops[:3])))
    stage = alert.get("stage")
    if stage:
        try:
            lines.append(t("fb.why.stage", stage=calendar.get(stage).label(t.lang)))
        except (KeyError, ValueError, AttributeError):
            lines.append(t("fb.why.stage", stage=stage))
    if alert.get("score") is not None:
        lines.append(t("fb.why.score", score=f"{float(alert['score']):.1f}"))
    return tuple(lines)


def asked_lines(kind: str, data: dict[str, Any], t: Translator) -> tuple[str, ...]:
    """The supervisor's words the officer may read: a task's note, notes and a response for the field."""
    lines: list[str] = []
    if kind == "task" and data.get("note"):
        lines.append(t("fb.asked.by", note=data["note"], by=data.get("by_name") or data.get("by") or "-"))
    alert = alert_of(kind, data)
    for event in data.get("events") or []:
        if isinstance(event, dict) and event.get("note") and not str(event.get("event", "")).startswith("task_"):
            lines.append(t("fb.asked.by", note=event["note"], by=event.get("actor") or "-"))
    if alert.get("response"):
        lines.append(t("fb.response", response=alert["response"]))
    return tuple(lines)


def status_words(alert: dict[str, Any], t: Translator) -> str | None:
    status = alert.get("status")
    key = f"feedback.alert.status.{status}"
    return t("fb.status", status=t(key)) if status and has_key(key) else None


def answer_lines(answers: list[TaskAnswer], t: Translator, now: Any) -> tuple[str, ...]:
    lines = []
    for answer in answers:
        if answer.action == "acknowledge":
            what = t("task.answer.ack")
        else:
            note = answer.note or ""
            if answer.media:
                note = f"{note} (+{len(answer.media)} {t('task.answer.photo')})".strip()
            what = t("task.answer.report", note=note)
        if answer.state == "sent" and answer.sent_at is not None:
            state = t("task.answer.sent", time=t.time(answer.sent_at, now=now))
        elif answer.state == "attention":
            state = t("task.answer.attention", message=answer.error_message or answer.error_code or "-")
        else:
            state = t("task.answer.pending")
        lines.append(t("task.answer.line", what=what, state=state))
    return tuple(lines)


def _category(vocabulary: Any, item: dict[str, Any], lang: str) -> str:
    try:
        return vocabulary.category(item.get("category")).label(lang)
    except (KeyError, TypeError):
        return str(item.get("label") or item.get("category") or "-")


def task_line(t: Translator, event: dict[str, Any], time: str) -> str | None:
    """A history line of the assignee's answer, for the supervisor: "Diterima oleh Brigpol Reza
    Pratama 21:58", "Jawaban Brigpol Reza Pratama 22:20: Posko sudah dicek"; None for other events."""
    data = event.get("data") or {}
    name = data.get("by_name") or event.get("actor") or "-"
    if event.get("event") == "task_acknowledge":
        return t("task.history.acknowledged", name=name, time=time)
    if event.get("event") == "task_report":
        photos = len(data.get("media") or [])
        note = event.get("note") or ""
        if photos:
            note = f"{note} (+{photos} {t('task.answer.photo')})".strip()
        return t("task.history.reported", name=name, time=time, note=note)
    return None

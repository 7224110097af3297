"""One report opened from the outbox: what was sent, where it is, its review, and "Koreksi".

The review arrives through the pull as a ``review`` change and waits in the phone's inbox, so an
opened report says it offline. A correction is a NEW report, prefilled from the old one, whose
``supersedes`` names it; the server takes it only from the author and once per report, so the app
offers "Koreksi" only for a report the server holds that nothing on this phone corrects already.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from field_app.i18n import Translator, has_key
from field_app.outbox import Outbox, OutboxEntry


@dataclass(frozen=True, slots=True)
class ReportOpened:
    id: str
    category: str
    threat_stage: str
    facts: str
    opinion: str
    state: str
    state_text: str
    review: str                 # the supervisor's verdict and note, or "Belum ditinjau."
    corrects: bool              # this report supersedes an earlier one
    corrected: bool             # a newer report on this phone supersedes this one
    can_correct: bool


def open_report(outbox: Outbox, officer: str, entry: OutboxEntry, state_text: str, t: Translator,
                vocabulary: Any) -> ReportOpened:
    corrected = bool(outbox.database.query(
        "SELECT 1 FROM reports WHERE officer = ? AND json_extract(wire, '$.supersedes') = ? LIMIT 1",
        (officer, entry.id)))
    wire = entry.wire
    return ReportOpened(
        id=entry.id, category=vocabulary.category(entry.category).label(t.lang), threat_stage=entry.threat_stage,
        facts=str(wire.get("facts") or ""), opinion=str(wire.get("opinion") or ""), state=entry.state,
        state_text=state_text, review=review_words(outbox, officer, entry.id, t),
        corrects=bool(wire.get("supersedes")), corrected=corrected,
        can_correct=entry.state == "sent" and not corrected and entry.category != "nihil")


def review_words(outbox: Outbox, officer: str, report_id: str, t: Translator) -> str:
    """The newest review of the report pulled into the inbox, in words."""
    found = [entry for entry in outbox.inbox.entries(officer, "review")
             if str(entry.data.get("report_id") or entry.data.get("id") or "") == report_id]
    if not found:
        return t("report.open.review.none")
    data = found[0].data
    review = data.get("review") if isinstance(data.get("review"), dict) else data
    verdict = str(review.get("status") or review.get("verdict") or "pending")
    words = t(f"feedback.verdict.{verdict}") if has_key(f"feedback.verdict.{verdict}") else verdict
    note = review.get("note")
    return t("report.open.review.line", verdict=words[:1].upper() + words[1:], note=f" — {note}" if note else "")


def correction_draft(entry: OutboxEntry) -> dict[str, Any]:
    """The full form's draft for a correction of ``entry``: its words, a fresh id, ``supersedes``."""
    wire = entry.wire
    location = wire.get("location") or None
    people = wire.get("people_count")
    return {
        "report_id": str(uuid.uuid4()), "category": wire.get("category"), "threat_stage": wire.get("threat_stage"),
        "desa_code": wire.get("desa_code"), "desa_how": None, "facts": wire.get("facts") or "",
        "opinion": wire.get("opinion") or "", "people_count_text": "" if people is None else str(people),
        "tps": wire.get("tps") or "", "source_reliability": wire.get("source_reliability"),
        "info_credibility": wire.get("info_credibility"), "photos": list(wire.get("media") or []),
        "supersedes": entry.id, "observed_at": entry.observed_at.isoformat(),
        "location": None if not location else [location["lat"], location["lon"], location.get("accuracy_m")],
    }

"""Corrections: a report that ``supersedes`` an earlier one (DESIGN "Report — wire format v1").

The rule, in one place (the server's storage applies it inside the push transaction):

- only the AUTHOR may supersede a report, and the report must already be stored — a correction of
  a report that is missing, or is another officer's, is refused with the same answer
  (``report.supersedes_unknown``), so a correction never tells whether someone else's id exists;
- a report is superseded AT MOST ONCE (``report.supersedes_taken``): a second correction corrects
  the correction (``supersedes`` = the newest id of the chain);
- there are no cycles: a report can only supersede a report stored before it, and ids never repeat
  (``supersedes`` = its own id is refused by ``parse_report``).

A phone's outbox sends reports in the order they were made, so the original always arrives first;
a correction whose original was itself refused is refused too (it has nothing to correct).
A superseded report stays stored and readable (``superseded_by`` names its correction) and stops
counting in the score; the correction counts in its place.
"""
from __future__ import annotations

from dataclasses import dataclass

from kerawanan.errors import InvalidReport

UNKNOWN, TAKEN = "unknown", "taken"
CODES = {UNKNOWN: "report.supersedes_unknown", TAKEN: "report.supersedes_taken"}
MESSAGES = {
    UNKNOWN: ("Laporan yang dikoreksi tidak ditemukan di antara laporan Anda yang sudah terkirim.",
              "The corrected report is not among your reports on the server."),
    TAKEN: ("Laporan ini sudah dikoreksi oleh laporan lain; koreksi laporan koreksinya yang terbaru.",
            "This report has already been corrected; correct its newest correction instead."),
}


@dataclass(frozen=True, slots=True)
class Original:
    """What the rule needs of the report being corrected."""

    author: str
    superseded_by: str | None = None


def supersession_refusal(officer: str, original: Original | None) -> str | None:
    """Why ``officer`` may not supersede ``original`` (None: not stored), or None when they may."""
    if original is None or original.author != officer:
        return UNKNOWN
    if original.superseded_by is not None:
        return TAKEN
    return None


def refusal_error(reason: str, path: str) -> InvalidReport:
    """The per-report error of a refused correction (``path``: e.g. ``reports[3]``)."""
    message, message_en = MESSAGES[reason]
    field = f"{path}.supersedes"
    return InvalidReport(message, message_en=message_en, code=CODES[reason], fields={field: message},
                         fields_en={field: message_en}, reasons={field: reason})

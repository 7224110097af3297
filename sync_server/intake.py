"""Taking in a batch of reports: the one code path behind ``POST /sync/push`` and ``seed-demo``.

Each report is parsed by the core on its own (one bad report never sinks the batch); the valid
ones are stored in ONE transaction (shared with the pushes that wait beside it: ``storage.reports.PushQueue``);
the answer has one result per input, in input order.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from kerawanan.corrections import refusal_error
from kerawanan.errors import InvalidInput, KerawananError
from kerawanan.report import parse_report
from kerawanan.sms_codec import SHORT_MARK
from sync_server.body import too_large
from sync_server.storage.ports import Storage
from sync_server.validation import Fields

MAX_ECHOED_ID = 64
MAX_FIELD_ERRORS = 10           # field errors shown per invalid report
MAX_FIELD_NAME = 200            # characters of a field's path (an unknown key is the client's text)
MAX_DETAIL_BYTES = 64 * 1024    # field errors per push answer, in all
CONFLICT = {
    "id": "ID ini sudah dipakai laporan lain dengan isi berbeda; laporan tersimpan tidak diubah.",
    "en": "This id already belongs to a report with different content; the stored report is kept.",
}


def reports_in(body: object, *, max_reports: int) -> list[Any]:
    """The ``reports`` list of a push body: 422 when the envelope is wrong, 413 when too long."""
    fields = Fields(body, required=("reports",))
    if fields.ok() and not isinstance(fields.body["reports"], list):
        fields.fail("reports", "type", "Harus daftar laporan.", "Must be a list of reports.")
    try:
        fields.raise_if_invalid()
    except InvalidInput as error:
        raise _capped(error) from None
    items = fields.body["reports"]
    if len(items) > max_reports:
        error = too_large(max_reports)
        error.message = f"Paling banyak {max_reports} laporan per kiriman."
        error.message_en = f"At most {max_reports} reports per push."
        error.details = {"limit_reports": max_reports, "received": len(items)}
        raise error
    return items


def accept_reports(storage: Storage, officer: str, device_id: str | None, items: Sequence[Any], *,
                   now: datetime, gazetteer: Any, calendar: Any, lang: str = "id",
                   admit: Callable[[set[str]], None] | None = None) -> dict[str, Any]:
    """Validate and store ``items`` for ``officer``; returns the push response body. ``admit`` is
    given the ids of the valid reports before any is stored (it raises to refuse the whole batch:
    the reports quota, which counts those new to the server)."""
    results: list[dict[str, Any] | None] = [None] * len(items)
    parsed: list[tuple[int, Any]] = []
    budget = ErrorBudget()
    for index, item in enumerate(items):
        try:
            report = parse_report(item, now=now, gazetteer=gazetteer, calendar=calendar,
                                  path=f"reports[{index}]")
        except InvalidInput as error:
            results[index] = _invalid(item, error, lang, budget)
            continue
        parsed.append((index, report))
    parsed = _after_sms_short_versions(storage, officer, parsed, results, now)
    if admit is not None and parsed:
        admit({report.id for _, report in parsed})
    stored = storage.store_reports(officer, device_id, [report for _, report in parsed], received_at=now)
    for (index, report), outcome in zip(parsed, stored.outcomes, strict=True):
        if outcome.status == "invalid":            # a refused ``supersedes`` (kerawanan.corrections)
            results[index] = _invalid(items[index], refusal_error(outcome.error, f"reports[{index}]"), lang, budget)
            continue
        result: dict[str, Any] = {"id": report.id, "status": outcome.status}
        if outcome.status == "conflict":
            result["error"] = {"code": "report.conflict", "message": CONFLICT[lang]}
        results[index] = result
    answer: dict[str, Any] = {"results": results, "cursor": stored.cursor}
    if budget.truncated:
        answer["truncated"] = True
    return answer


def _after_sms_short_versions(storage: Storage, officer: str, parsed: list[tuple[int, Any]],
                              results: list[dict[str, Any] | None], now: datetime) -> list[tuple[int, Any]]:
    """The full report that follows an SMS short version of it (same id, same officer) is a
    ``duplicate``: counted once; its full facts, opinion and photos replace the short text (docs/sms.md)."""
    if not parsed:
        return parsed
    short = storage.sms_short_versions([report.id for _, report in parsed], officer, now)
    for index, report in parsed:
        if report.id in short:
            storage.complete_short_version(officer, report, SHORT_MARK, now)
            results[index] = {"id": report.id, "status": "duplicate"}
    return [(index, report) for index, report in parsed if report.id not in short]


class ErrorBudget:
    """How much error detail one push answer may still carry: at most ``MAX_FIELD_ERRORS`` fields
    per report (names cut to ``MAX_FIELD_NAME`` characters), ``MAX_DETAIL_BYTES`` in all; past it,
    an invalid result keeps its code and message, ``fields`` is empty and ``truncated`` is true."""

    def __init__(self, total: int = MAX_DETAIL_BYTES):
        self.left, self.truncated = total, False

    def fields(self, fields: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        kept = {str(name)[:MAX_FIELD_NAME]: message for name, message in list(fields.items())[:MAX_FIELD_ERRORS]}
        cut = len(kept) < len(fields) or any(len(str(name)) > MAX_FIELD_NAME for name in fields)
        size = len(json.dumps(kept, ensure_ascii=False).encode("utf-8"))
        if size > self.left:
            kept, cut = {}, True
        self.left -= size if kept else 0
        self.truncated = self.truncated or cut
        return kept, cut


def _capped(error: InvalidInput) -> InvalidInput:
    """The envelope's 422 with at most ``MAX_FIELD_ERRORS`` fields (an envelope full of unknown
    keys gets a short answer too)."""
    names = list(error.fields)[:MAX_FIELD_ERRORS]
    if len(names) == len(error.fields) and all(len(name) <= MAX_FIELD_NAME for name in names):
        return error
    capped = InvalidInput(error.message, message_en=error.message_en, code=error.code,
                          fields={name[:MAX_FIELD_NAME]: error.fields[name] for name in names},
                          fields_en={name[:MAX_FIELD_NAME]: error.fields_en.get(name, "") for name in names},
                          reasons={name[:MAX_FIELD_NAME]: error.reasons.get(name, "") for name in names})
    capped.details["truncated"] = True
    return capped


def _invalid(item: object, error: KerawananError, lang: str, budget: ErrorBudget) -> dict[str, Any]:
    body = error.to_dict(lang)["error"]
    item_id = item.get("id") if isinstance(item, dict) else None
    echoed = item_id if isinstance(item_id, str) and len(item_id) <= MAX_ECHOED_ID else None
    fields, cut = budget.fields(body["details"].get("fields", {}))
    detail: dict[str, Any] = {"code": body["code"], "message": body["message"], "fields": fields}
    if cut:
        detail["truncated"] = True
    return {"id": echoed, "status": "invalid", "error": detail}

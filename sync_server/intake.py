"""Taking in a batch of reports: the one code path behind ``POST /sync/push`` and ``seed-demo``.

Each report is parsed by the core on its own (one bad report never sinks the batch); the valid
ones are stored in ONE transaction; the answer has one result per input, in input order.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from kerawanan.errors import InvalidInput, KerawananError
from kerawanan.report import parse_report
from sync_server.body import too_large
from sync_server.storage.base import Storage
from sync_server.validation import Fields

MAX_ECHOED_ID = 64
CONFLICT = {
    "id": "ID ini sudah dipakai laporan lain dengan isi berbeda; laporan tersimpan tidak diubah.",
    "en": "This id already belongs to a report with different content; the stored report is kept.",
}


def reports_in(body: object, *, max_reports: int) -> list[Any]:
    """The ``reports`` list of a push body: 422 when the envelope is wrong, 413 when too long."""
    fields = Fields(body, required=("reports",))
    if fields.ok() and not isinstance(fields.body["reports"], list):
        fields.fail("reports", "type", "Harus daftar laporan.", "Must be a list of reports.")
    fields.raise_if_invalid()
    items = fields.body["reports"]
    if len(items) > max_reports:
        error = too_large(max_reports)
        error.message = f"Paling banyak {max_reports} laporan per kiriman."
        error.message_en = f"At most {max_reports} reports per push."
        error.details = {"limit_reports": max_reports, "received": len(items)}
        raise error
    return items


def accept_reports(storage: Storage, officer: str, device_id: str | None, items: Sequence[Any], *,
                   now: datetime, gazetteer: Any, calendar: Any, lang: str = "id") -> dict[str, Any]:
    """Validate and store ``items`` for ``officer``; returns the push response body."""
    results: list[dict[str, Any] | None] = [None] * len(items)
    parsed: list[tuple[int, Any]] = []
    for index, item in enumerate(items):
        try:
            report = parse_report(item, now=now, gazetteer=gazetteer, calendar=calendar,
                                  path=f"reports[{index}]")
        except InvalidInput as error:
            results[index] = _invalid(item, error, lang)
            continue
        parsed.append((index, report))
    stored = storage.store_reports(officer, device_id, [report for _, report in parsed], received_at=now)
    for (index, report), outcome in zip(parsed, stored.outcomes, strict=True):
        result: dict[str, Any] = {"id": report.id, "status": outcome.status}
        if outcome.status == "conflict":
            result["error"] = {"code": "report.conflict", "message": CONFLICT[lang]}
        results[index] = result
    return {"results": results, "cursor": stored.cursor}


def _invalid(item: object, error: KerawananError, lang: str) -> dict[str, Any]:
    body = error.to_dict(lang)["error"]
    item_id = item.get("id") if isinstance(item, dict) else None
    echoed = item_id if isinstance(item_id, str) and len(item_id) <= MAX_ECHOED_ID else None
    return {"id": echoed, "status": "invalid",
            "error": {"code": body["code"], "message": body["message"],
                      "fields": body["details"].get("fields", {})}}

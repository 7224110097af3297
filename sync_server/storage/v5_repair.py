"""Schema step 5: repair the reports a server before issue 11 stored with values it now refuses.

Before ``kerawanan.moments`` a report could be stored with a ``recorded_at`` that is valid ISO-8601
but cannot be converted to UTC (``0001-01-01T00:00:00+14:00``) — every read that rendered it
answered 500 — or with any other out-of-range ``recorded_at``, and with a ``stage`` that
contradicts its ``observed_at`` (skewing the per-tahapan counts). This step, for each such report:

- ``recorded_at`` that is unreadable, beyond ±14:00, not convertible to UTC, before 2024-01-01 WIB
  or more than 10 minutes after the report's ``received_at`` becomes ``null`` (the device's
  recording time is unknown; ``received_at`` stays the server's own time);
- ``stage`` becomes the tahapan the shipped calendar gives for ``observed_at``.

The wire and its ``content_hash`` are rewritten together (the wire stays canonical JSON as hashed),
the ``stage`` column follows the wire, and every change is kept in the append-only table
``report_repairs`` (report, field, original text, new text, when) — nothing is lost. The step logs
a summary (how many reports, which ids) on the ``sync_server`` logger. Changes of kind ``report``
reference the report, so pull pages show the repaired report; no other stored JSON holds these
fields.
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from kerawanan import assets
from kerawanan.moments import parse_moment, range_problem

log = logging.getLogger("sync_server")

SQL = """
CREATE TABLE report_repairs (
    id INTEGER PRIMARY KEY,
    report_id TEXT NOT NULL,
    field TEXT NOT NULL,                     -- recorded_at | stage
    original TEXT,                           -- the stored value as JSON text
    replacement TEXT,                        -- the value stored instead, as JSON text
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX report_repairs_report ON report_repairs (report_id);
CREATE TRIGGER report_repairs_no_update BEFORE UPDATE ON report_repairs
BEGIN SELECT RAISE(ABORT, 'report_repairs is append-only'); END;
"""
SHOWN_IDS = 20


def migrate_v5(db: sqlite_utils.Database, calendar: Any = None) -> dict[str, list[str]]:
    """Create ``report_repairs`` and repair every stored report; returns ids repaired per field."""
    from sync_server.storage.migrations import split_statements  # (migrations imports this module)

    for statement in split_statements(SQL):
        db.execute(statement)
    calendar = calendar or assets.calendar()
    at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    repaired: dict[str, list[str]] = {"recorded_at": [], "stage": []}
    rows = db.execute("SELECT id, wire, received_at FROM reports ORDER BY seq").fetchall()
    for report_id, wire_text, received_at in rows:
        wire = json.loads(wire_text)
        fixes = _fixes(wire, received_at, calendar)
        if not fixes:
            continue
        for field, (replacement, reason) in fixes.items():
            db.execute("INSERT INTO report_repairs (report_id, field, original, replacement, reason, at) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       [report_id, field, json.dumps(wire.get(field), ensure_ascii=False),
                        json.dumps(replacement, ensure_ascii=False), reason, at])
            wire[field] = replacement
            repaired[field].append(report_id)
        canonical = json.dumps(wire, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        db.execute("UPDATE reports SET wire = ?, content_hash = ?, stage = ? WHERE id = ?",
                   [canonical, hashlib.sha256(canonical.encode("utf-8")).hexdigest(), wire["stage"], report_id])
    _log_summary(repaired)
    return repaired


def _fixes(wire: dict[str, Any], received_at: str, calendar: Any) -> dict[str, tuple[Any, str]]:
    fixes: dict[str, tuple[Any, str]] = {}
    recorded = wire.get("recorded_at")
    if recorded is not None:
        reason = _recorded_problem(recorded, received_at)
        if reason is not None:
            fixes["recorded_at"] = (None, reason)
    observed = parse_moment(wire.get("observed_at"))
    if observed is not None:
        try:
            expected = calendar.stage_for(observed)
        except ValueError:                     # a moment the calendar does not hold: the officer's word
            expected = wire.get("stage")
        if expected != wire.get("stage"):
            fixes["stage"] = (expected, "stage_mismatch")
    return fixes


def _recorded_problem(text: Any, received_at: str) -> str | None:
    moment = parse_moment(text)
    if moment is None:
        return "unreadable"                    # not ISO-8601, beyond ±14:00 or not convertible to UTC
    # The sane range of kerawanan.moments, judged by the server clock when the report was received.
    problem = range_problem(moment, datetime.fromisoformat(received_at))
    return None if problem is None else problem[0]


def _log_summary(repaired: dict[str, list[str]]) -> None:
    reports = sorted(set(repaired["recorded_at"]) | set(repaired["stage"]))
    if not reports:
        log.info("migration 5: no stored report needed repair")
        return
    shown = ", ".join(reports[:SHOWN_IDS]) + (f" … (+{len(reports) - SHOWN_IDS})" if len(reports) > SHOWN_IDS else "")
    log.warning("migration 5: repaired %d report(s): recorded_at set to null in %d, stage set from "
                "observed_at in %d (originals kept in report_repairs): %s",
                len(reports), len(repaired["recorded_at"]), len(repaired["stage"]), shown)

"""Migration 9: one incident, one alert — the parents' copies of an incident are closed, never deleted.

Before the rule (``kerawanan.incidents``) every region whose level rose opened its own alert, so one
hot desa opened copies at its kecamatan, kabupaten/kota and province. This step closes every
unresolved alert of a parent whose stored level does not hold an incident of its own (no genuinely
spread signal) and that has an unresolved alert below it: status ``resolved``, one ``merged`` line
in its append-only history saying which alert it was merged into (``data.merged_into``). Every
earlier history line stays. A parent whose signal is spread keeps its alert; a parent copy with no
unresolved alert below stays too (nothing to merge into: a supervisor resolves it).
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlite_utils

from kerawanan import assets
from kerawanan.incidents import holds_incident, incident_below, is_desa, spread_regions

NOTE = "Digabung ke peringatan {region} ({alert}): satu kejadian, satu peringatan."


def migrate_v9(db: sqlite_utils.Database, at: datetime | None = None) -> None:
    moment = (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    hot = dict(db.execute("SELECT code, level FROM region_states WHERE level != 'kurang_rawan'").fetchall())
    spread = spread_regions(hot, assets.scoring_config().spread_children)
    unresolved = {row[1]: row for row in db.execute(
        "SELECT id, region_code, level, score, owner, version FROM alerts WHERE status != 'resolved'").fetchall()}
    copies = {code for code in unresolved
              if not is_desa(code) and not holds_incident(code, hot.get(code, "kurang_rawan"), spread)}
    incidents = {code: row[2] for code, row in unresolved.items() if code not in copies}
    for code in sorted(copies):
        alert_id, _region, level, score, owner, version = unresolved[code]
        target = incident_below(code, incidents)
        if target is None:
            continue
        into = unresolved[target][0]
        db.execute("UPDATE alerts SET status = 'resolved', resolved_at = ?, deadline_at = NULL, version = ?, "
                   "updated_at = ? WHERE id = ?", [moment, version + 1, moment, alert_id])
        db.execute("INSERT INTO alert_history (alert_id, version, at, actor, event, level, score, status, owner, "
                   "note, data) VALUES (?, ?, ?, 'system', 'merged', ?, ?, 'resolved', ?, ?, ?)",
                   [alert_id, version + 1, moment, level, score, owner, NOTE.format(region=target, alert=into),
                    json.dumps({"merged_into": into, "merged_into_region": target})])

"""Schema step 12: what the alert engine reads of a report, as columns (evaluation speed).

A fresh engine reads every report once. Reading each report's grade out of its JSON and its
observed time out of text cost most of an evaluation from scratch; intake now stores them as
columns (``sync_server.storage.reports``), and a covering index in the engine's order — time, id —
lets that read scan the index alone, already sorted. Rows stored before this step are filled in
here. The engine's former cache (``scoring_cache`` and its change number) is dropped: nothing has
read it since the one scorer.
"""
from __future__ import annotations

import sqlite_utils

# observed_at as POSIX seconds exactly as Python's ``datetime.timestamp()`` gives it (integer
# microseconds divided by 10⁶, one correctly rounded division) — intake stores the same number.
# The whole seconds come from the text without its fraction: SQLite rounds a time to milliseconds
# first, so strftime('%s') of "…:00.999600Z" is one second late (the engine's former read was).
_EPOCH_SQL = ("(CAST(strftime('%s', substr(observed_at, 1, 19)) AS INTEGER) * 1000000 "
              "+ CAST(substr(observed_at, 21, 6) AS INTEGER)) / 1000000.0")

SCORING_INDEX_COLUMNS = ("observed_epoch, id, desa_code, category, threat_stage, officer, source_reliability, "
                         "info_credibility, review_status, review_grade, seq, device_id, stage, superseded_by")

STATEMENTS = (
    "ALTER TABLE reports ADD COLUMN observed_epoch REAL",        # observed_at as POSIX seconds
    "ALTER TABLE reports ADD COLUMN source_reliability TEXT",    # the officer's own grade (wire), A..F
    "ALTER TABLE reports ADD COLUMN info_credibility INTEGER",   # 1..6
    f"UPDATE reports SET observed_epoch = {_EPOCH_SQL}, "
    "source_reliability = json_extract(wire, '$.source_reliability'), "
    "info_credibility = json_extract(wire, '$.info_credibility')",
    f"CREATE INDEX reports_scoring ON reports ({SCORING_INDEX_COLUMNS})",
    "DROP TABLE IF EXISTS scoring_cache",
    "DELETE FROM engine_state WHERE name = 'scoring_seq'",
)


def migrate_v12(db: sqlite_utils.Database) -> None:
    for statement in STATEMENTS:
        db.execute(statement)

"""Versioned schema migrations of the SQLite backend.

``MIGRATIONS[n - 1]`` takes a database from version ``n - 1`` to ``n``; the version lives in the
one-row table ``schema_version``. Each step runs in one transaction (``db.atomic()``) and is
tested from the previous version (``tests/server/test_migrations.py``). Never edit a released
step: add one.

Timestamps are stored as fixed-width UTC text (``2024-11-27T14:40:00.000000Z``) so that text
order is time order.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlite_utils

from sync_server.plans.schema import migrate_v13
from sync_server.sms.schema import migrate_v10
from sync_server.storage.v5_repair import migrate_v5
from sync_server.storage.v6_credentials import migrate_v6
from sync_server.storage.v9_incidents import migrate_v9
from sync_server.storage.v12_engine_columns import migrate_v12
from sync_server.storage.v14_media import SQLITE as V14_MEDIA
from sync_server.storage.v15_states_stamp import SQLITE as V15_STATES_STAMP

V1_ACCOUNTS = """
CREATE TABLE users (
    username TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'admin')),
    scope TEXT NOT NULL,                 -- JSON list of region codes
    password_hash TEXT,                  -- argon2; NULL: enrollment only
    created_at TEXT NOT NULL
);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users (username),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX devices_username ON devices (username);
CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,     -- SHA-256 of the bearer token; the token is never stored
    username TEXT NOT NULL REFERENCES users (username),
    kind TEXT NOT NULL CHECK (kind IN ('login', 'device')),
    device_id TEXT REFERENCES devices (id),
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
);
CREATE INDEX tokens_device ON tokens (device_id);
CREATE TABLE enrollment_codes (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users (username),
    code_hash TEXT NOT NULL,             -- argon2 of the normalised code
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    voided_at TEXT,
    device_id TEXT
);
CREATE INDEX enrollment_codes_username ON enrollment_codes (username);
CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    level TEXT NOT NULL,
    name TEXT NOT NULL,
    parent_code TEXT,
    lat REAL,
    lon REAL
);
"""

V2_REPORTS = """
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- the one sequence: report seq and pull cursors
    kind TEXT NOT NULL,
    recipient TEXT,                          -- a username, or NULL for an area
    region_code TEXT,                        -- the area of a recipient-less change
    audience TEXT NOT NULL DEFAULT 'all' CHECK (audience IN ('all', 'supervisors')),
    ref TEXT,                                -- id of the object the change is about
    data TEXT,                               -- JSON
    created_at TEXT NOT NULL
);
CREATE INDEX changes_recipient ON changes (recipient, seq);
CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE REFERENCES changes (seq),
    officer TEXT NOT NULL REFERENCES users (username),
    device_id TEXT,
    desa_code TEXT NOT NULL,
    category TEXT NOT NULL,
    threat_stage TEXT NOT NULL,
    stage TEXT NOT NULL,
    observed_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    wire TEXT NOT NULL,                      -- canonical JSON as hashed
    review_status TEXT NOT NULL DEFAULT 'pending',
    review_grade TEXT,
    review_duplicate_of TEXT,
    review_note TEXT,
    review_by TEXT,
    review_at TEXT
);
CREATE INDEX reports_desa ON reports (desa_code, seq);
CREATE INDEX reports_officer ON reports (officer, seq);
CREATE INDEX reports_received ON reports (received_at);
CREATE TABLE report_media (
    sha256 TEXT NOT NULL,
    report_id TEXT NOT NULL REFERENCES reports (id),
    PRIMARY KEY (sha256, report_id)
) WITHOUT ROWID;
CREATE TABLE media (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE media_uploads (
    sha256 TEXT NOT NULL REFERENCES media (sha256),
    username TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (sha256, username)
) WITHOUT ROWID;
"""

V3_ACTIVITY = """
ALTER TABLE devices ADD COLUMN last_sync_at TEXT;
CREATE TABLE officer_activity (
    username TEXT PRIMARY KEY REFERENCES users (username),
    last_sync_at TEXT,
    last_report_at TEXT                      -- received_at of the newest report
);
CREATE TABLE desa_activity (                 -- "silence is not safety": when each desa was last heard
    desa_code TEXT PRIMARY KEY,
    last_report_id TEXT,
    last_observed_at TEXT,
    last_received_at TEXT,
    report_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE reviews (                       -- every verdict, oldest first; reports hold the latest
    id INTEGER PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports (id),
    status TEXT NOT NULL,
    grade TEXT,
    duplicate_of TEXT,
    note TEXT,
    reviewer TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX reviews_report ON reviews (report_id);
INSERT INTO desa_activity (desa_code, last_report_id, last_observed_at, last_received_at, report_count)
    SELECT desa_code, id, max(observed_at), max(received_at), count(*) FROM reports GROUP BY desa_code;
INSERT INTO officer_activity (username, last_report_at)
    SELECT officer, max(received_at) FROM reports GROUP BY officer;
"""

V4_ALERTS = """
CREATE TABLE region_states (                 -- each region's last evaluated score and level
    code TEXT PRIMARY KEY,
    tier TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('kurang_rawan', 'rawan', 'sangat_rawan')),
    score REAL NOT NULL,
    report_count INTEGER NOT NULL,
    officer_count INTEGER NOT NULL,
    top_categories TEXT NOT NULL,            -- JSON [[category, score], ...], heaviest first
    first_report_at TEXT,
    last_report_at TEXT,
    evaluated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE alerts (
    number INTEGER PRIMARY KEY,              -- order of opening: list cursors
    id TEXT NOT NULL UNIQUE,
    region_code TEXT NOT NULL,
    level TEXT NOT NULL,
    peak_level TEXT NOT NULL,
    score REAL NOT NULL,
    stage TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'in_progress', 'resolved')),
    owner TEXT,
    deadline_at TEXT,
    escalations INTEGER NOT NULL DEFAULT 0,
    report_count INTEGER NOT NULL,
    officer_count INTEGER NOT NULL,
    top_categories TEXT NOT NULL,
    first_report_at TEXT,
    last_report_at TEXT,
    scored_at TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL,
    assignee TEXT,
    response TEXT,
    resolved_at TEXT
);
CREATE UNIQUE INDEX alerts_one_unresolved ON alerts (region_code) WHERE status != 'resolved';
CREATE INDEX alerts_region ON alerts (region_code, number);
CREATE TABLE alert_history (                 -- append-only: who did what to an alert, and when
    id INTEGER PRIMARY KEY,
    alert_id TEXT NOT NULL REFERENCES alerts (id),
    version INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,                     -- a username, or 'system' (the engine)
    event TEXT NOT NULL,
    level TEXT,
    previous_level TEXT,
    score REAL,
    status TEXT,
    owner TEXT,
    note TEXT,
    data TEXT                                -- JSON
);
CREATE INDEX alert_history_alert ON alert_history (alert_id, id);
CREATE INDEX alert_history_at ON alert_history (at);
CREATE TRIGGER alert_history_no_update BEFORE UPDATE ON alert_history
BEGIN SELECT RAISE(ABORT, 'alert_history is append-only'); END;
CREATE TRIGGER alert_history_no_delete BEFORE DELETE ON alert_history
BEGIN SELECT RAISE(ABORT, 'alert_history is append-only'); END;
CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews is append-only'); END;
CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews is append-only'); END;
CREATE TABLE scoring_cache (                 -- the alert engine's copy of each desa's counted reports, kept
    desa_code TEXT PRIMARY KEY,              -- in step with reports/changes so a cold start reads no report
    records TEXT NOT NULL                    -- JSON; rebuildable: empty it and set scoring_seq to 0
) WITHOUT ROWID;
CREATE TABLE engine_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO engine_state (name, value) VALUES ('scoring_seq', 0);
"""


V7_QUOTAS = """
CREATE INDEX media_created ON media (created_at);
CREATE INDEX media_uploads_username ON media_uploads (username, created_at);
CREATE INDEX reports_officer_received ON reports (officer, received_at);
"""


V8_CORRECTIONS = """
ALTER TABLE reports ADD COLUMN superseded_by TEXT;   -- the report that corrects this one (kerawanan.corrections)
CREATE UNIQUE INDEX reports_superseded_by ON reports (superseded_by) WHERE superseded_by IS NOT NULL;
-- Corrections stored before the rule: the first correction by the same officer of a stored report wins.
UPDATE reports AS original SET superseded_by = (
    SELECT fix.id FROM reports AS fix
    WHERE json_extract(fix.wire, '$.supersedes') = original.id AND fix.officer = original.officer
      AND fix.id != original.id
    ORDER BY fix.seq LIMIT 1)
WHERE original.id IN (SELECT json_extract(wire, '$.supersedes') FROM reports
                      WHERE json_extract(wire, '$.supersedes') IS NOT NULL);
ALTER TABLE alerts ADD COLUMN response_for_field INTEGER NOT NULL DEFAULT 0;   -- officers may read the response
"""


def split_statements(sql: str) -> list[str]:
    """Statements of a script (SQLite decides where one ends, so ``;`` in comments is fine)."""
    statements, buffer = [], ""
    for piece in sql.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n;"):
                statements.append(buffer.strip())
            buffer = ""
    return statements


def _script(sql: str) -> Callable[[sqlite_utils.Database], None]:
    statements = split_statements(sql)

    def run(db: sqlite_utils.Database) -> None:
        for statement in statements:
            db.execute(statement)

    return run


MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    _script(V1_ACCOUNTS),
    _script(V2_REPORTS),
    _script(V3_ACTIVITY),
    _script(V4_ALERTS),
    # Slots reserved while the second wave is built in parallel; each is replaced by its step.
    migrate_v5,   # 5: hardening, repair of stored timestamps that cannot be rendered (v5_repair.py)
    migrate_v6,   # 6: hardening, credential lifecycle and shared login limits (v6_credentials.py)
    _script(V7_QUOTAS),  # 7: hardening, quotas and media garbage collection
    _script(V8_CORRECTIONS),  # 8: hardening, supersedes and alert notes
    migrate_v9,   # 9: truthful alerts: one incident, one alert — parent copies merged (v9_incidents.py)
    migrate_v10,  # 10: SMS gateway (sync_server/sms/schema.py)
    _script(""),  # 11: reserved: names, not codes (users' titles) — replace with its step
    migrate_v12,  # 12: alert engine inputs as columns, covering index (v12_engine_columns.py)
    migrate_v13,  # 13: strength figures, penebalan plans, sitrep archive, leases (sync_server/plans/schema.py)
    _script(V14_MEDIA),  # 14: photos in the database, photos cited by task answers (v14_media.py)
    _script(V15_STATES_STAMP),  # 15: the engine pass that last wrote region states (v15_states_stamp.py)
)
LATEST = len(MIGRATIONS)


def schema_version(db: sqlite_utils.Database) -> int:
    if "schema_version" not in db.table_names():
        return 0
    row = db.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(db: sqlite_utils.Database, target: int = LATEST) -> list[int]:
    """Apply every step up to ``target``; returns the versions applied (empty when current)."""
    if not 0 <= target <= LATEST:
        raise ValueError(f"no schema version {target}")
    applied = []
    with db.atomic():
        if "schema_version" not in db.table_names():
            db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            db.execute("INSERT INTO schema_version (version) VALUES (0)")
    for version in range(schema_version(db) + 1, target + 1):
        with db.atomic():
            MIGRATIONS[version - 1](db)
            db.execute("UPDATE schema_version SET version = ?", [version])
        applied.append(version)
    return applied

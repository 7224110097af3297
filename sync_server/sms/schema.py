"""Schema step 10 (appended after the reserved slots): the SMS tables.

``sms_keys`` the signing key of each enrolled device; ``sms_parts`` parts of a multi-part report
waiting for the rest; ``sms_nonces`` (device, counter) pairs already used (replays are refused);
``sms_short`` reports stored from an SMS short version (the full one by data is then a duplicate);
``sms_log`` every message in or out (who, what, when, delivery state; refusals by reason);
``sms_contacts`` users' phone numbers, event preferences and quiet hours; ``sms_notified`` one
message per alert per event per person; ``sms_state`` the notifier's cursor over ``alert_history``.
"""
from __future__ import annotations

import sqlite_utils

V10_SMS = """
CREATE TABLE sms_keys (
    device_id TEXT PRIMARY KEY,
    key TEXT NOT NULL,                       -- hex; given once to the device at enrollment
    created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE sms_parts (
    device TEXT NOT NULL,                    -- short form (8 hex) as sent
    counter INTEGER NOT NULL,
    number TEXT NOT NULL,
    part INTEGER NOT NULL,
    total INTEGER NOT NULL,
    chunk TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (device, counter, number, part)
) WITHOUT ROWID;
CREATE TABLE sms_nonces (
    device_id TEXT NOT NULL,
    counter INTEGER NOT NULL,
    report_id TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (device_id, counter)
) WITHOUT ROWID;
CREATE TABLE sms_short (
    report_id TEXT PRIMARY KEY,
    officer TEXT NOT NULL,
    at TEXT NOT NULL,
    full_seen_at TEXT
) WITHOUT ROWID;
CREATE TABLE sms_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    number TEXT NOT NULL,
    username TEXT,
    kind TEXT NOT NULL,                      -- in: report, nihil, part, refused; out: reply, alert, ...
    text TEXT NOT NULL,
    state TEXT NOT NULL,                     -- in: accepted, waiting, refused; out: queued, sent, ...
    reason TEXT,                             -- a refusal's reason: garbled, forged, replayed, ...
    ref TEXT                                 -- the gateway's reference, or the report/alert id
);
CREATE INDEX sms_log_at ON sms_log (at);
CREATE INDEX sms_log_out ON sms_log (direction, number, at);
CREATE TABLE sms_contacts (
    username TEXT PRIMARY KEY REFERENCES users (username),
    phone TEXT NOT NULL,
    events TEXT NOT NULL,                    -- JSON list of event kinds the user wants
    quiet TEXT,                              -- "HH-HH" WIB, NULL: the server default
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE sms_notified (
    alert_id TEXT NOT NULL,
    event TEXT NOT NULL,                     -- event kind and the alert version it belongs to
    username TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (alert_id, event, username)
) WITHOUT ROWID;
CREATE TABLE sms_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
"""


def migrate_v10(db: sqlite_utils.Database) -> None:
    from sync_server.storage.migrations import split_statements
    for statement in split_statements(V10_SMS):
        db.execute(statement)

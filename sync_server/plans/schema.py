"""Schema step 13 (appended after step 12): strength figures, penebalan plans and the sitrep archive.

``strength_figures`` an admin's figures of a unit (they override ``assets/jambi_strength.csv``);
``strength_history`` every change of them (who, when, before and after: the audit);
``plans`` one row per unit (its scope codes as the key) with its current version;
``plan_versions`` every saved version of a plan, append-only (who, when, the note and the whole
decision as JSON); ``sitrep_files`` the sitreps produced on a schedule (one per unit and slot);
``leases`` a named lease a process holds until a time (one scheduler at a time across workers).
"""
from __future__ import annotations

import sqlite_utils

V13_PLANS = """
CREATE TABLE strength_figures (
    unit TEXT PRIMARY KEY,
    available INTEGER NOT NULL CHECK (available >= 0),
    polda_bko INTEGER NOT NULL CHECK (polda_bko >= 0),
    brimob INTEGER NOT NULL CHECK (brimob >= 0),
    source TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE strength_history (
    id INTEGER PRIMARY KEY,
    unit TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    figures_before TEXT,                           -- JSON figures, NULL when the shipped ones applied
    figures_after TEXT NOT NULL                    -- JSON figures
);
CREATE TABLE plans (
    unit_key TEXT PRIMARY KEY,               -- the unit's scope codes, comma-separated ("15.01,15.72")
    unit_name TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE plan_versions (
    unit_key TEXT NOT NULL REFERENCES plans (unit_key),
    version INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    note TEXT NOT NULL,
    body TEXT NOT NULL,                      -- JSON: pool, rule, rows (proposed, allocated, shortfall)
    PRIMARY KEY (unit_key, version)
) WITHOUT ROWID;
CREATE TABLE sitrep_files (
    unit_key TEXT NOT NULL,
    slot TEXT NOT NULL,                      -- the scheduled WIB moment, "2024-11-28T06:00+07:00"
    unit_name TEXT NOT NULL,
    produced_at TEXT NOT NULL,
    size INTEGER NOT NULL,
    pdf BLOB NOT NULL,
    PRIMARY KEY (unit_key, slot)
) WITHOUT ROWID;
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until TEXT NOT NULL
) WITHOUT ROWID;
"""


def migrate_v13(db: sqlite_utils.Database) -> None:
    for statement in V13_PLANS.split(";"):
        if statement.strip():
            db.execute(statement)

"""Schema step 6: the credential lifecycle and login limits every server process shares.

- ``users`` gains ``disabled_at``, ``must_change_password``, ``password_expires_at`` (a temporary
  password's end), ``password_changed_at`` and ``skeleton`` (the look-alike fold of the name).
- ``account_events``: append-only audit of what was done to an account, by whom.
- ``login_limits``: failed logins/enrollments per (kind, account, address) and the delay they earned.
- Usernames become lower case. A name whose lower case is already taken by another user is left
  as it is; each rename (and each name left) is written to ``account_events`` by ``migration``.
  The append-only histories (``reviews``, ``alert_history``) keep the names they were written with.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlite_utils

from sync_server.usernames import skeleton

SQL = """
ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_expires_at TEXT;
ALTER TABLE users ADD COLUMN password_changed_at TEXT;
ALTER TABLE users ADD COLUMN skeleton TEXT;
CREATE INDEX users_skeleton ON users (skeleton);
CREATE INDEX tokens_username ON tokens (username, kind);
CREATE INDEX tokens_expires ON tokens (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE account_events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,                     -- a username, 'cli', or 'migration'
    action TEXT NOT NULL,                    -- password.change | password.reset | user.disable | ...
    username TEXT NOT NULL,                  -- the account acted on
    detail TEXT                              -- JSON
);
CREATE INDEX account_events_username ON account_events (username, id);
CREATE TRIGGER account_events_no_update BEFORE UPDATE ON account_events
BEGIN SELECT RAISE(ABORT, 'account_events is append-only'); END;
CREATE TABLE login_limits (
    kind TEXT NOT NULL,                      -- login | enroll | address
    account TEXT NOT NULL,                   -- '' for kind address
    address TEXT NOT NULL,
    failures INTEGER NOT NULL,
    last_at TEXT NOT NULL,
    blocked_until TEXT,
    PRIMARY KEY (kind, account, address)
) WITHOUT ROWID;
CREATE INDEX login_limits_last ON login_limits (last_at);
"""

# Columns holding a username that later rows join on (not the append-only histories).
REFERENCES = (("devices", "username"), ("tokens", "username"), ("enrollment_codes", "username"),
              ("enrollment_codes", "created_by"), ("reports", "officer"), ("reports", "review_by"),
              ("changes", "recipient"), ("media_uploads", "username"), ("officer_activity", "username"),
              ("alerts", "owner"), ("alerts", "assignee"))


def migrate_v6(db: sqlite_utils.Database) -> None:
    from sync_server.storage.migrations import split_statements

    for statement in split_statements(SQL):
        db.execute(statement)
    db.execute("PRAGMA defer_foreign_keys = ON")      # users and their references change together
    at = datetime.now(UTC).isoformat(timespec="microseconds")[:-6] + "Z"
    names = [row[0] for row in db.execute("SELECT username FROM users ORDER BY username").fetchall()]
    taken = set(names)
    for name in names:
        lower = name.lower()
        if lower == name:
            continue
        if lower in taken:
            _event(db, at, "user.rename_skipped", name, {"wanted": lower})
            continue
        _rename(db, name, lower)
        taken.discard(name)
        taken.add(lower)
        _event(db, at, "user.rename", lower, {"from": name})
    for (name,) in db.execute("SELECT username FROM users").fetchall():
        db.execute("UPDATE users SET skeleton = ? WHERE username = ?", [skeleton(name), name])


def _rename(db: sqlite_utils.Database, old: str, new: str) -> None:
    db.execute("UPDATE users SET username = ? WHERE username = ?", [new, old])
    tables = set(db.table_names())
    for table, column in REFERENCES:
        if table in tables:
            db.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", [new, old])


def _event(db: sqlite_utils.Database, at: str, action: str, username: str, detail: dict) -> None:
    db.execute("INSERT INTO account_events (at, actor, action, username, detail) VALUES (?, 'migration', ?, ?, ?)",
               [at, action, username, json.dumps(detail)])


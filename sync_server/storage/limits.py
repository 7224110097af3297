"""Login limits: failed attempts per (kind, account, address), shared by every server process and
node of the database (the rule of what they earn lives in ``sync_server.ratelimit``). Portable SQL:
the read-decide-write of ``update_login_limits`` is one write transaction, serialised by SQLite's one
writer or PostgreSQL's advisory write lock, so no attempt is lost between two nodes."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sync_server.storage.base import LimitKey, LimitState
from sync_server.storage.connection import Database, from_db, to_db

Decision = Callable[[dict[LimitKey, LimitState]], tuple[dict[LimitKey, LimitState | None], Any]]
_SAVE = """
INSERT INTO login_limits (kind, account, address, failures, last_at, blocked_until) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (kind, account, address) DO UPDATE SET
    failures = excluded.failures, last_at = excluded.last_at, blocked_until = excluded.blocked_until
"""


def update_login_limits(db: Database, keys: Sequence[LimitKey], decide: Decision) -> Any:
    """Read the states of ``keys``, let ``decide`` say what they become (None: forget), write them —
    one write transaction, so concurrent attempts from any process are counted one after another."""
    with db.writing() as conn:
        states = {}
        for key in keys:
            row = conn.execute("SELECT failures, last_at, blocked_until FROM login_limits "
                               "WHERE kind = ? AND account = ? AND address = ?",
                               (key.kind, key.account, key.address)).fetchone()
            if row is not None:
                states[key] = LimitState(failures=row[0], last_at=from_db(row[1]), blocked_until=from_db(row[2]))
        updates, answer = decide(states)
        for key, state in updates.items():
            if state is None:
                conn.execute("DELETE FROM login_limits WHERE kind = ? AND account = ? AND address = ?",
                             (key.kind, key.account, key.address))
            else:
                conn.execute(_SAVE, (key.kind, key.account, key.address, state.failures, to_db(state.last_at),
                                     to_db(state.blocked_until)))
    return answer


def login_limits(db: Database, since: datetime) -> list[tuple[LimitKey, LimitState]]:
    """Every state with a failure since ``since`` or a delay still running, most failures first."""
    with db.reading() as conn:
        rows = conn.execute("SELECT kind, account, address, failures, last_at, blocked_until FROM login_limits "
                            "WHERE last_at >= ? OR blocked_until >= ? ORDER BY failures DESC, last_at DESC LIMIT 1000",
                            (to_db(since), to_db(since))).fetchall()
    return [(LimitKey(r[0], r[1], r[2]), LimitState(r[3], from_db(r[4]), from_db(r[5]))) for r in rows]


def forget_login_limits(db: Database, before: datetime) -> int:
    """Delete states whose last failure and delay both ended before ``before``."""
    with db.writing() as conn:
        return conn.execute("DELETE FROM login_limits WHERE last_at < ? AND (blocked_until IS NULL OR blocked_until < ?)",
                            (to_db(before), to_db(before))).rowcount

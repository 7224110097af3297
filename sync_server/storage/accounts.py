"""Users, tokens, devices, enrollment codes and the account audit, in SQL both backends run.

Usernames are looked up by their canonical (lower-case) spelling; every change to an account's
credentials is one transaction with its ``account_events`` line. A taken name is refused under the
write lock (one writer on SQLite, the advisory write lock on PostgreSQL); the unique key behind it is
the last word, and its ``db.IntegrityError`` becomes the same 409 here, at the seam.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kerawanan.errors import Conflict
from sync_server.storage.base import AccountEvent, Device, EnrollmentCode, LoginRecord, TokenGrant, User
from sync_server.storage.connection import Database, from_db, to_db
from sync_server.usernames import canonical, skeleton

USER_COLUMNS = "u.username, u.name, u.role, u.scope, u.disabled_at, u.must_change_password"
_TOKEN_SQL = f"""
SELECT t.id, t.kind, t.device_id, t.expires_at, {USER_COLUMNS}
FROM tokens t
JOIN users u ON u.username = t.username
LEFT JOIN devices d ON d.id = t.device_id
WHERE t.token_hash = ? AND t.revoked_at IS NULL AND d.revoked_at IS NULL AND u.disabled_at IS NULL
  AND (t.expires_at IS NULL OR t.expires_at > ?)
"""


def _user(username: str, name: str, role: str, scope: str, disabled_at: str | None = None,
          must_change: int = 0) -> User:
    return User(username=username, name=name, role=role, scope=tuple(json.loads(scope)),
                disabled_at=from_db(disabled_at), must_change_password=bool(must_change))


def create_user(db: Database, user: User, password_hash: str | None, at: datetime, *,
                actor: str | None = None) -> User:
    """Store ``user`` under its canonical name; 409 when the name or a look-alike is taken."""
    user = User(username=canonical(user.username), name=user.name, role=user.role, scope=user.scope)
    fold = skeleton(user.username)
    try:
        with db.writing() as conn:
            _refuse_taken(conn, user.username, fold)
            conn.execute(
                "INSERT INTO users (username, name, role, scope, password_hash, created_at, skeleton) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (user.username, user.name, user.role, json.dumps(list(user.scope)), password_hash,
                 to_db(at), fold))
            _event(conn, at, actor or "cli", "user.create", user.username,
                   {"role": user.role, "scope": list(user.scope)})
    except db.IntegrityError as error:
        raise _exists(user.username) from error
    return user


def _refuse_taken(conn: Any, username: str, fold: str) -> None:
    row = conn.execute("SELECT username FROM users WHERE username = ? OR skeleton = ? "
                       "ORDER BY CASE WHEN username = ? THEN 0 ELSE 1 END LIMIT 1",
                       (username, fold, username)).fetchone()
    if row is None:
        return
    if row[0] == username:
        raise _exists(username)
    raise Conflict(f"Nama pengguna {username} terlalu mirip dengan nama yang sudah ada.", code="user.lookalike",
                   message_en=f"Username {username} looks too much like an existing one.")


def _exists(username: str) -> Conflict:
    return Conflict(f"Pengguna {username} sudah ada.", code="user.exists",
                    message_en=f"User {username} already exists.")


def get_user(db: Database, username: str) -> User | None:
    with db.reading() as conn:
        row = conn.execute(f"SELECT {USER_COLUMNS} FROM users u WHERE u.username = ?",
                           (canonical(username),)).fetchone()
    return _user(*row) if row else None


def password_hash(db: Database, username: str) -> str | None:
    with db.reading() as conn:
        row = conn.execute("SELECT password_hash FROM users WHERE username = ?", (canonical(username),)).fetchone()
    return row[0] if row else None


def login_record(db: Database, username: str) -> LoginRecord | None:
    with db.reading() as conn:
        row = conn.execute(f"SELECT {USER_COLUMNS}, u.password_hash, u.password_expires_at FROM users u "
                           "WHERE u.username = ?", (canonical(username),)).fetchone()
    if row is None:
        return None
    return LoginRecord(user=_user(*row[:6]), password_hash=row[6], password_expires_at=from_db(row[7]))


def add_token(db: Database, token_hash: str, username: str, kind: str, *, created_at: datetime,
              expires_at: datetime | None = None, device_id: str | None = None) -> int:
    with db.writing() as conn:
        return _insert_token(conn, token_hash, username, kind, created_at, expires_at, device_id)


def _insert_token(conn: Any, token_hash: str, username: str, kind: str,
                  created_at: datetime, expires_at: datetime | None, device_id: str | None) -> int:
    row = conn.execute(
        "INSERT INTO tokens (token_hash, username, kind, device_id, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (token_hash, username, kind, device_id, to_db(created_at), to_db(expires_at))).fetchone()
    return int(row[0])


def find_token(db: Database, token_hash: str, at: datetime) -> TokenGrant | None:
    with db.reading() as conn:
        row = conn.execute(_TOKEN_SQL, (token_hash, to_db(at))).fetchone()
    if row is None:
        return None
    token_id, kind, device_id, expires_at, *user = row
    return TokenGrant(token_id=token_id, user=_user(*user), kind=kind, device_id=device_id,
                      expires_at=from_db(expires_at))


def revoke_token(db: Database, token_id: int, at: datetime) -> None:
    with db.writing() as conn:
        conn.execute("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                     (to_db(at), token_id))


def add_enrollment_code(db: Database, username: str, code_hash: str, *, created_by: str,
                        created_at: datetime, expires_at: datetime) -> None:
    """A new code voids the officer's earlier unused codes: only the newest one works."""
    with db.writing() as conn:
        conn.execute("UPDATE enrollment_codes SET voided_at = ? "
                     "WHERE username = ? AND used_at IS NULL AND voided_at IS NULL",
                     (to_db(created_at), username))
        conn.execute(
            "INSERT INTO enrollment_codes (username, code_hash, created_by, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (username, code_hash, created_by, to_db(created_at), to_db(expires_at)))


def enrollment_codes(db: Database, username: str, at: datetime) -> list[EnrollmentCode]:
    with db.reading() as conn:
        rows = conn.execute(
            "SELECT id, username, code_hash, expires_at FROM enrollment_codes "
            "WHERE username = ? AND used_at IS NULL AND voided_at IS NULL AND expires_at > ? "
            "ORDER BY id DESC", (canonical(username), to_db(at))).fetchall()
    return [EnrollmentCode(id=r[0], username=r[1], code_hash=r[2], expires_at=from_db(r[3]))
            for r in rows]


def enroll_device(db: Database, code_id: int, device: Device, token_hash: str, at: datetime) -> bool:
    """Use the code, create the device and its token — all or nothing; False if the code is spent."""
    with db.writing() as conn:
        used = conn.execute(
            "UPDATE enrollment_codes SET used_at = ?, device_id = ? "
            "WHERE id = ? AND used_at IS NULL AND voided_at IS NULL AND expires_at > ?",
            (to_db(at), device.id, code_id, to_db(at))).rowcount
        if used != 1:
            return False
        conn.execute("INSERT INTO devices (id, username, name, created_at) VALUES (?, ?, ?, ?)",
                     (device.id, device.username, device.name, to_db(device.created_at)))
        _insert_token(conn, token_hash, device.username, "device", at, None, device.id)
    return True


def get_device(db: Database, device_id: str) -> Device | None:
    with db.reading() as conn:
        row = conn.execute("SELECT id, username, name, created_at, revoked_at, last_sync_at "
                           "FROM devices WHERE id = ?", (device_id,)).fetchone()
    if row is None:
        return None
    return Device(id=row[0], username=row[1], name=row[2], created_at=from_db(row[3]),
                  revoked_at=from_db(row[4]), last_sync_at=from_db(row[5]))


def devices_of(db: Database, username: str) -> list[Device]:
    """Every device ever enrolled by ``username``, newest first (revoked ones too)."""
    with db.reading() as conn:
        rows = conn.execute("SELECT id, username, name, created_at, revoked_at, last_sync_at FROM devices "
                            "WHERE username = ? ORDER BY created_at DESC, id", (username,)).fetchall()
    return [Device(id=row[0], username=row[1], name=row[2], created_at=from_db(row[3]),
                   revoked_at=from_db(row[4]), last_sync_at=from_db(row[5])) for row in rows]


def revoke_device(db: Database, device_id: str, at: datetime, *, actor: str | None = None) -> bool:
    """Revoke the device and every token it holds; False if there is no such device.

    A revoked phone may have been taken with its owner's password saved in it: an officer's
    password is cleared (a new enrollment code, or an admin's reset, is the way back). Login
    sessions live on (an officer's other phone or browser); ``revoke_sessions`` ends them.
    """
    with db.writing() as conn:
        row = conn.execute("SELECT d.username, u.role FROM devices d JOIN users u ON u.username = d.username "
                           "WHERE d.id = ?", (device_id,)).fetchone()
        if row is None:
            return False
        username, role = row
        conn.execute("UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                     (to_db(at), device_id))
        conn.execute("UPDATE tokens SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL",
                     (to_db(at), device_id))
        if role == "officer":
            conn.execute("UPDATE users SET password_hash = NULL, must_change_password = 0, "
                         "password_expires_at = NULL WHERE username = ?", (username,))
        _event(conn, at, actor or "cli", "device.revoke", username, {"device_id": device_id, "password_cleared": role == "officer"})
    return True


# ---- the credential lifecycle

def set_password(db: Database, username: str, password_hash_: str, at: datetime, *, actor: str, action: str,
                 temporary_until: datetime | None = None, keep_token: int | None = None) -> bool:
    """New password (``temporary_until``: a one-time password the user must change before that);
    every login session of the user but ``keep_token`` ends. False if there is no such user."""
    with db.writing() as conn:
        changed = conn.execute(
            "UPDATE users SET password_hash = ?, must_change_password = ?, password_expires_at = ?, "
            "password_changed_at = ? WHERE username = ?",
            (password_hash_, int(temporary_until is not None), to_db(temporary_until), to_db(at),
             canonical(username))).rowcount
        if not changed:
            return False
        sessions = _revoke_logins(conn, canonical(username), at, keep=keep_token)
        _event(conn, at, actor, action, canonical(username), {"sessions": sessions})
    return True


def set_disabled(db: Database, username: str, disabled: bool, at: datetime, *, actor: str) -> bool:
    """Disable (its login sessions end; device tokens stop while disabled) or enable a user."""
    with db.writing() as conn:
        changed = conn.execute("UPDATE users SET disabled_at = ? WHERE username = ?",
                               (to_db(at) if disabled else None, canonical(username))).rowcount
        if not changed:
            return False
        sessions = _revoke_logins(conn, canonical(username), at) if disabled else 0
        _event(conn, at, actor, "user.disable" if disabled else "user.enable", canonical(username),
               {"sessions": sessions} if disabled else None)
    return True


def revoke_sessions(db: Database, username: str, at: datetime, *, actor: str) -> int:
    """End every login session of the user (devices keep working); how many ended."""
    with db.writing() as conn:
        count = _revoke_logins(conn, canonical(username), at)
        _event(conn, at, actor, "sessions.revoke", canonical(username), {"sessions": count})
    return count


def _revoke_logins(conn: Any, username: str, at: datetime, keep: int | None = None) -> int:
    return conn.execute("UPDATE tokens SET revoked_at = ? WHERE username = ? AND kind = 'login' "
                        "AND revoked_at IS NULL AND id IS DISTINCT FROM ?", (to_db(at), username, keep)).rowcount


def purge_tokens(db: Database, at: datetime) -> int:
    """Delete login tokens that expired or were revoked (they can never be used again)."""
    with db.writing() as conn:
        return conn.execute("DELETE FROM tokens WHERE kind = 'login' AND (expires_at <= ? OR revoked_at IS NOT NULL)",
                            (to_db(at),)).rowcount


def _event(conn: Any, at: datetime, actor: str, action: str, username: str,
           detail: dict[str, Any] | None) -> None:
    conn.execute("INSERT INTO account_events (at, actor, action, username, detail) VALUES (?, ?, ?, ?, ?)",
                 (to_db(at), actor, action, username, json.dumps(detail) if detail is not None else None))


def account_events(db: Database, before: int | None = None, limit: int = 100) -> list[AccountEvent]:
    """Audit lines, newest first (``before``: an event id, the page cursor)."""
    with db.reading() as conn:
        rows = conn.execute("SELECT id, at, actor, action, username, detail FROM account_events "
                            "WHERE id < ? ORDER BY id DESC LIMIT ?",
                            (before if before is not None else 2 ** 62, limit)).fetchall()
    return [AccountEvent(id=r[0], at=from_db(r[1]), actor=r[2], action=r[3], username=r[4],
                         detail=json.loads(r[5]) if r[5] else None) for r in rows]

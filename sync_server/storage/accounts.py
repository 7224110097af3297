"""SQLite queries for users, tokens, devices and enrollment codes."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from kerawanan.errors import Conflict
from sync_server.storage.base import Device, EnrollmentCode, TokenGrant, User
from sync_server.storage.connection import Database, from_db, to_db

_TOKEN_SQL = """
SELECT t.id, t.kind, t.device_id, t.expires_at, u.username, u.name, u.role, u.scope
FROM tokens t
JOIN users u ON u.username = t.username
LEFT JOIN devices d ON d.id = t.device_id
WHERE t.token_hash = ? AND t.revoked_at IS NULL AND d.revoked_at IS NULL
  AND (t.expires_at IS NULL OR t.expires_at > ?)
"""


def _user(username: str, name: str, role: str, scope: str) -> User:
    return User(username=username, name=name, role=role, scope=tuple(json.loads(scope)))


def create_user(db: Database, user: User, password_hash: str | None, at: datetime) -> User:
    try:
        with db.writing() as conn:
            conn.execute(
                "INSERT INTO users (username, name, role, scope, password_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (user.username, user.name, user.role, json.dumps(list(user.scope)), password_hash,
                 to_db(at)))
    except sqlite3.IntegrityError as error:
        raise Conflict(f"Pengguna {user.username} sudah ada.", code="user.exists",
                       message_en=f"User {user.username} already exists.") from error
    return user


def get_user(db: Database, username: str) -> User | None:
    with db.reading() as conn:
        row = conn.execute("SELECT username, name, role, scope FROM users WHERE username = ?",
                           (username,)).fetchone()
    return _user(*row) if row else None


def password_hash(db: Database, username: str) -> str | None:
    with db.reading() as conn:
        row = conn.execute("SELECT password_hash FROM users WHERE username = ?", (username,)).fetchone()
    return row[0] if row else None


def add_token(db: Database, token_hash: str, username: str, kind: str, *, created_at: datetime,
              expires_at: datetime | None = None, device_id: str | None = None) -> int:
    with db.writing() as conn:
        return _insert_token(conn, token_hash, username, kind, created_at, expires_at, device_id)


def _insert_token(conn: sqlite3.Connection, token_hash: str, username: str, kind: str,
                  created_at: datetime, expires_at: datetime | None, device_id: str | None) -> int:
    cursor = conn.execute(
        "INSERT INTO tokens (token_hash, username, kind, device_id, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (token_hash, username, kind, device_id, to_db(created_at), to_db(expires_at)))
    return int(cursor.lastrowid)


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
            "ORDER BY id DESC", (username, to_db(at))).fetchall()
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


def revoke_device(db: Database, device_id: str, at: datetime) -> bool:
    """Revoke the device and every token it holds; False if there is no such device."""
    with db.writing() as conn:
        if conn.execute("SELECT 1 FROM devices WHERE id = ?", (device_id,)).fetchone() is None:
            return False
        conn.execute("UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                     (to_db(at), device_id))
        conn.execute("UPDATE tokens SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL",
                     (to_db(at), device_id))
    return True

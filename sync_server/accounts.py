"""Users and their credentials: the checks and steps shared by the routes and the CLI.

Creating users (``POST /users``, ``create-user``), the password policy, changing and resetting a
password, disabling/enabling a user and ending their sessions. Each step is one storage write
with its line in the account audit (``account_events``).

Password policy for every new password: 10 to 256 characters, at least 5 different ones, not
containing the username, not a well-known password, not the current one.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from kerawanan.errors import Conflict, InvalidInput
from sync_server.auth import CODE_ALPHABET, hash_secret, verify_secret
from sync_server.storage.base import ROLES, User
from sync_server.storage.ports import Storage
from sync_server.usernames import canonical
from sync_server.validation import REGION_CODE_RE, Fields

USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,63}")
MIN_PASSWORD = 8                 # a password given when a user is created
MIN_NEW_PASSWORD = 10            # a password chosen later (change, set-password)
MIN_DISTINCT = 5
COMMON_PASSWORDS = frozenset({
    "password", "password1", "password123", "passw0rd", "1234567890", "12345678910", "qwertyuiop",
    "1q2w3e4r5t", "admin12345", "administrator", "katasandi", "katasandi123", "rahasia123", "polri12345",
    "bhayangkara", "bhayangkara1", "indonesia1", "indonesia123", "jambi12345", "iloveyou12", "0987654321"})
TEMPORARY_GROUPS = 3             # a temporary password: ABCD-EFGH-JKMN from the enrollment-code alphabet


def parse_new_user(body: object, gazetteer: Any) -> tuple[User, str | None]:
    """``{username, name, role, scope, password?}`` → (user, password), or 422 with every problem."""
    fields = Fields(body, required=("username", "name", "role", "scope"), optional=("password",))
    username = fields.text("username", max_length=64, pattern=USERNAME_RE)
    name = fields.text("name", max_length=200)
    role = fields.choice("role", ROLES)
    scope = fields.text_list("scope", max_items=50, pattern=REGION_CODE_RE)
    password = fields.text("password", min_length=MIN_PASSWORD, max_length=256)
    if scope:
        _check_scope(fields, role, scope, gazetteer)
    fields.raise_if_invalid()
    return User(username=canonical(username), name=name, role=role, scope=tuple(scope)), password


def _check_scope(fields: Fields, role: str | None, scope: list[str], gazetteer: Any) -> None:
    for index, code in enumerate(scope):
        path = f"scope[{index}]"
        if gazetteer.find(code) is None:
            fields.fail(path, "unknown", "Kode wilayah tidak dikenal.", "Unknown region code.")
        elif role == "officer" and not gazetteer.is_desa(code):
            fields.fail(path, "tier", "Wilayah petugas harus desa/kelurahan.",
                        "An officer's scope must be desa/kelurahan codes.")
        elif role == "supervisor" and gazetteer.is_desa(code):
            fields.fail(path, "tier", "Wilayah atasan adalah kecamatan, kabupaten/kota atau provinsi.",
                        "A supervisor's scope is kecamatan, kabupaten/kota or province codes.")


def create_user(storage: Storage, user: User, password: str | None, at: datetime, *,
                actor: str | None = None) -> User:
    """Store ``user`` (409 ``user.exists`` / ``user.lookalike``); the password is kept only as argon2."""
    return storage.create_user(user, hash_secret(password) if password else None, at, actor=actor)


# ---- the credential lifecycle

def check_new_password(password: str, username: str, *, field: str = "new_password") -> None:
    """422 ``password.weak`` unless ``password`` meets the policy (module docstring)."""
    problem = _weakness(password, username)
    if problem:
        message_id, message_en = problem
        raise InvalidInput("Kata sandi baru terlalu lemah.", code="password.weak",
                           message_en="The new password is too weak.", fields={field: message_id},
                           fields_en={field: message_en}, reasons={field: "weak"})


def _weakness(password: str, username: str) -> tuple[str, str] | None:
    if not MIN_NEW_PASSWORD <= len(password) <= 256:
        return (f"Panjang kata sandi {MIN_NEW_PASSWORD} sampai 256 karakter.",
                f"A password has {MIN_NEW_PASSWORD} to 256 characters.")
    if len(set(password)) < MIN_DISTINCT:
        return (f"Pakai sedikitnya {MIN_DISTINCT} karakter berbeda.", f"Use at least {MIN_DISTINCT} different characters.")
    folded = password.lower()
    if canonical(username) in folded:
        return "Kata sandi tidak boleh memuat nama pengguna.", "The password must not contain the username."
    if folded in COMMON_PASSWORDS or folded.strip("0123456789!.") in COMMON_PASSWORDS:
        return "Kata sandi ini terlalu umum.", "This password is too common."
    return None


def set_password(storage: Storage, username: str, password: str, at: datetime, *, actor: str,
                 action: str = "password.change", keep_token: int | None = None) -> None:
    """Replace the user's password (policy checked, not the current one); their other login
    sessions end (``keep_token`` stays)."""
    check_new_password(password, username)
    record = storage.login_record(username)
    if record is not None and record.password_hash and verify_secret(record.password_hash, password):
        raise InvalidInput("Kata sandi baru sama dengan yang lama.", code="password.weak",
                           message_en="The new password is the current one.",
                           fields={"new_password": "Pilih kata sandi lain."},
                           fields_en={"new_password": "Choose another password."},
                           reasons={"new_password": "reused"})
    storage.set_password(username, hash_secret(password), at, actor=actor, action=action, keep_token=keep_token)


def reset_password(storage: Storage, user: User, at: datetime, *, actor: str, hours: float) -> tuple[str, datetime]:
    """A one-time password (``ABCD-EFGH-JKMN``, valid ``hours``) the user must change at the next
    login; their login sessions end. Returns ``(temporary password, expires_at)``."""
    refuse_self(user, actor)
    temporary = "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(TEMPORARY_GROUPS))
    expires_at = at + timedelta(hours=hours)
    storage.set_password(user.username, hash_secret(temporary), at, actor=actor, action="password.reset",
                         temporary_until=expires_at)
    return temporary, expires_at


def set_disabled(storage: Storage, user: User, disabled: bool, at: datetime, *, actor: str) -> None:
    """Disable (tokens, devices and password stop at once) or enable ``user``."""
    refuse_self(user, actor)
    storage.set_disabled(user.username, disabled, at, actor=actor)


def refuse_self(user: User, actor: str) -> None:
    """An admin does not reset or disable their own account (409 ``user.self``): that is how a
    police system loses its last admin."""
    if user.username == actor:
        raise Conflict("Tindakan ini tidak untuk akun Anda sendiri.", code="user.self",
                       message_en="This action is not for your own account.")


def require_officer(user: User) -> User:
    if user.role != "officer":
        raise InvalidInput("Kode pendaftaran hanya untuk petugas (officer).", code="user.not_officer",
                           message_en="Enrollment codes are for officers only.",
                           fields={"username": "Bukan petugas."}, fields_en={"username": "Not an officer."},
                           reasons={"username": "role"})
    return user

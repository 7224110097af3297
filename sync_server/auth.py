"""Passwords, bearer tokens and one-time enrollment codes.

- Passwords and enrollment codes are hashed with argon2id; bearer tokens are random
  (``secrets.token_urlsafe(32)``) and stored only as their SHA-256, so looking one up is a hash
  and an indexed select — argon2 never runs on the hot path.
- Login tokens expire (12 h by default); device tokens live until their device is revoked.
- Enrollment codes: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as
  ``ABCD-EFGH``, valid 72 h, single use, bound to one officer; a new code voids older ones.
- Failed logins and enrollments earn growing delays per (account, address) and per address, kept
  in the database for every server process (``sync_server.ratelimit``).
- A disabled user's tokens stop at once and the password no longer logs in (the same 401 as a wrong
  one). After an admin's reset the user logs in with a temporary password; until it is changed
  (``POST /me/password``) their login tokens are refused everywhere else with 403
  ``auth.password_change_required``. Device tokens never need a password.
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kerawanan.errors import Forbidden, Unauthorized
from sync_server.ratelimit import LoginLimiter
from sync_server.scope import Principal
from sync_server.settings import Settings
from sync_server.storage.base import Device, LoginRecord, User
from sync_server.storage.ports import Storage
from sync_server.usernames import canonical

HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)  # OWASP's argon2id minimum
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_TOKEN_LENGTH = 256
PURGE_SECONDS = 600          # at most one purge of dead tokens and quiet limits per process per this


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_secret(secret: str) -> str:
    return HASHER.hash(secret)


def verify_secret(hashed: str | None, secret: str) -> bool:
    """Constant work whether or not ``hashed`` exists (a dummy hash stands in for a missing one)."""
    try:
        return HASHER.verify(hashed or _dummy_hash(), secret) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return HASHER.hash(secrets.token_hex(16))


def new_enrollment_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def normalize_code(text: str) -> str:
    """What the officer typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


@dataclass(frozen=True, slots=True)
class Session:
    token: str
    user: User
    expires_at: datetime | None = None
    device_id: str | None = None
    password_change_required: bool = False


def _unauthorized() -> Unauthorized:
    return Unauthorized("Token tidak ada, tidak sah, kedaluwarsa, atau dicabut.",
                        message_en="Missing, invalid, expired or revoked token.")


class Authenticator:
    def __init__(self, storage: Storage, settings: Settings, clock: Callable[[], datetime]):
        self.storage = storage
        self.settings = settings
        self.clock = clock
        self.limiter = LoginLimiter(storage, per_account=settings.failures_per_account,
                                    per_address=settings.failures_per_address,
                                    base=settings.login_delay_seconds,
                                    cap=settings.failure_window_seconds)
        self._purged_at: datetime | None = None

    def principal(self, authorization: str | None, *, pending_ok: bool = False) -> Principal:
        """The caller behind ``Authorization: Bearer <token>``, or 401; 403 while a login token's
        user must change a temporary password (unless ``pending_ok``: the routes that change it)."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
            raise _unauthorized()
        grant = self.storage.find_token(token_hash(token), self.clock())
        if grant is None:
            raise _unauthorized()
        if grant.kind == "login" and grant.user.must_change_password and not pending_ok:
            raise Forbidden("Ganti kata sandi sementara Anda dahulu (POST /api/v1/me/password).",
                            code="auth.password_change_required",
                            message_en="Change your temporary password first (POST /api/v1/me/password).")
        return Principal.from_grant(grant)

    def login(self, username: str, password: str, address: str) -> Session:
        username = canonical(username)
        now = self.clock()
        keys = self.limiter.admit("login", username, address, now)
        record = self.storage.login_record(username)
        if not password_ok(record, password, now):
            raise Unauthorized("Nama pengguna atau kata sandi salah.", code="auth.invalid_credentials",
                               message_en="Wrong username or password.")
        self.limiter.succeeded(keys)
        expires_at = now + timedelta(hours=self.settings.login_token_hours)
        token = new_token()
        self.storage.add_token(token_hash(token), username, "login", created_at=now, expires_at=expires_at)
        self.purge_now_and_then(now)
        return Session(token=token, user=record.user, expires_at=expires_at,
                       password_change_required=record.user.must_change_password)

    def check_password(self, username: str, password: str, address: str) -> bool:
        """Is ``password`` the user's (counted like a login: guessing it here is delayed too)."""
        now = self.clock()
        keys = self.limiter.admit("login", username, address, now)
        if not password_ok(self.storage.login_record(username), password, now):
            return False
        self.limiter.succeeded(keys)
        return True

    def enroll(self, nrp: str, code: str, device_name: str, address: str) -> Session:
        """Trade an officer's one-time code for a new device and its long-lived token."""
        nrp = canonical(nrp)
        now = self.clock()
        keys = self.limiter.admit("enroll", nrp, address, now)
        user = self.storage.get_user(nrp)
        typed = normalize_code(code)
        usable = user is not None and user.role == "officer" and user.disabled_at is None
        codes = self.storage.enrollment_codes(nrp, now) if usable else []
        match = next((c for c in codes if verify_secret(c.code_hash, typed)), None)
        if match is None:
            if not codes:
                verify_secret(None, typed)
            raise Unauthorized("NRP atau kode pendaftaran salah, sudah dipakai, atau kedaluwarsa.",
                               code="auth.invalid_code",
                               message_en="Wrong NRP or enrollment code, or the code was used or expired.")
        device = Device(id=str(uuid.uuid4()), username=nrp, name=device_name, created_at=now)
        token = new_token()
        if not self.storage.enroll_device(match.id, device, token_hash(token), now):
            raise Unauthorized("Kode pendaftaran sudah dipakai.", code="auth.invalid_code",
                               message_en="The enrollment code was already used.")
        self.limiter.succeeded(keys)
        return Session(token=token, user=user, device_id=device.id)

    def logout(self, principal: Principal) -> None:
        if principal.token_id is not None:
            self.storage.revoke_token(principal.token_id, self.clock())

    def purge_now_and_then(self, now: datetime) -> None:
        """Delete dead login tokens and quiet limit states, at most once per ``PURGE_SECONDS`` here
        (after a successful login: never on the paths of pushes and pulls)."""
        if self._purged_at is not None and self._purged_at <= now < self._purged_at + timedelta(seconds=PURGE_SECONDS):
            return
        self._purged_at = now
        self.storage.purge_tokens(now)
        self.limiter.forget_before(now)

    def issue_enrollment_code(self, officer: User, *, by: str) -> tuple[str, datetime]:
        """A fresh code for ``officer`` (voiding older ones): ``(code as shown, expires_at)``."""
        now = self.clock()
        code = new_enrollment_code()
        expires_at = now + timedelta(hours=self.settings.enrollment_code_hours)
        self.storage.add_enrollment_code(officer.username, hash_secret(code), created_by=by,
                                         created_at=now, expires_at=expires_at)
        return format_code(code), expires_at


def password_ok(record: LoginRecord | None, password: str, now: datetime) -> bool:
    """The password is the account's, the account is enabled, a temporary password has not expired
    (argon2 runs whether or not the account exists)."""
    right = verify_secret(record.password_hash if record else None, password)
    if not right or record is None or record.user.disabled_at is not None:
        return False
    return record.password_expires_at is None or now < record.password_expires_at

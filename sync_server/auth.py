"""Passwords, bearer tokens and one-time enrollment codes.

- Passwords and enrollment codes are hashed with argon2id; bearer tokens are random
  (``secrets.token_urlsafe(32)``) and stored only as their SHA-256, so looking one up is a hash
  and an indexed select — argon2 never runs on the hot path.
- Login tokens expire (12 h by default); device tokens live until their device is revoked.
- Enrollment codes: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as
  ``ABCD-EFGH``, valid 72 h, single use, bound to one officer; a new code voids older ones.
- Failed logins and enrollments are rate limited per account and per client address.
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

from kerawanan.errors import Unauthorized
from sync_server.ratelimit import SlidingWindow
from sync_server.scope import Principal
from sync_server.settings import Settings
from sync_server.storage.base import Device, Storage, User

HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)  # OWASP's argon2id minimum
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_TOKEN_LENGTH = 256


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


def _unauthorized() -> Unauthorized:
    return Unauthorized("Token tidak ada, tidak sah, kedaluwarsa, atau dicabut.",
                        message_en="Missing, invalid, expired or revoked token.")


class Authenticator:
    def __init__(self, storage: Storage, settings: Settings, clock: Callable[[], datetime]):
        self.storage = storage
        self.settings = settings
        self.clock = clock
        window = settings.failure_window_seconds
        self.accounts = SlidingWindow(settings.failures_per_account, window)
        self.addresses = SlidingWindow(settings.failures_per_address, window)

    def principal(self, authorization: str | None) -> Principal:
        """The caller behind ``Authorization: Bearer <token>``, or 401."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
            raise _unauthorized()
        grant = self.storage.find_token(token_hash(token), self.clock())
        if grant is None:
            raise _unauthorized()
        return Principal.from_grant(grant)

    def login(self, username: str, password: str, address: str) -> Session:
        self._check_limits(username, address)
        if not verify_secret(self.storage.password_hash(username), password):
            self._fail(username, address)
            raise Unauthorized("Nama pengguna atau kata sandi salah.", code="auth.invalid_credentials",
                               message_en="Wrong username or password.")
        self.accounts.reset(f"account:{username}")
        now = self.clock()
        expires_at = now + timedelta(hours=self.settings.login_token_hours)
        token = new_token()
        self.storage.add_token(token_hash(token), username, "login", created_at=now, expires_at=expires_at)
        return Session(token=token, user=self.storage.get_user(username), expires_at=expires_at)

    def enroll(self, nrp: str, code: str, device_name: str, address: str) -> Session:
        """Trade an officer's one-time code for a new device and its long-lived token."""
        self._check_limits(nrp, address)
        now = self.clock()
        user = self.storage.get_user(nrp)
        typed = normalize_code(code)
        codes = self.storage.enrollment_codes(nrp, now) if user and user.role == "officer" else []
        match = next((c for c in codes if verify_secret(c.code_hash, typed)), None)
        if match is None:
            if not codes:
                verify_secret(None, typed)
            self._fail(nrp, address)
            raise Unauthorized("NRP atau kode pendaftaran salah, sudah dipakai, atau kedaluwarsa.",
                               code="auth.invalid_code",
                               message_en="Wrong NRP or enrollment code, or the code was used or expired.")
        device = Device(id=str(uuid.uuid4()), username=nrp, name=device_name, created_at=now)
        token = new_token()
        if not self.storage.enroll_device(match.id, device, token_hash(token), now):
            raise Unauthorized("Kode pendaftaran sudah dipakai.", code="auth.invalid_code",
                               message_en="The enrollment code was already used.")
        self.accounts.reset(f"account:{nrp}")
        return Session(token=token, user=user, device_id=device.id)

    def logout(self, principal: Principal) -> None:
        if principal.token_id is not None:
            self.storage.revoke_token(principal.token_id, self.clock())

    def issue_enrollment_code(self, officer: User, *, by: str) -> tuple[str, datetime]:
        """A fresh code for ``officer`` (voiding older ones): ``(code as shown, expires_at)``."""
        now = self.clock()
        code = new_enrollment_code()
        expires_at = now + timedelta(hours=self.settings.enrollment_code_hours)
        self.storage.add_enrollment_code(officer.username, hash_secret(code), created_by=by,
                                         created_at=now, expires_at=expires_at)
        return format_code(code), expires_at

    def _check_limits(self, account: str, address: str) -> None:
        self.addresses.check(f"address:{address}")
        self.accounts.check(f"account:{account}")

    def _fail(self, account: str, address: str) -> None:
        self.addresses.fail(f"address:{address}")
        self.accounts.fail(f"account:{account}")

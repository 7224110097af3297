"""PIN unlock, offline, per officer; and where the device token is kept.

The PIN is never stored: only a random salt and PBKDF2-HMAC-SHA256 of it (300,000 iterations by
default, about 0.18 s per check on the 2-core build VM; phones are slower, which is the point).
After ``MAX_TRIES`` wrong PINs in a row unlocking is refused for a wait that doubles with every
further wrong PIN (30 s, 1 min, 2 min, … up to 1 h). The record lives in the outbox meta.

A six-digit PIN has only a million values: the slow hash and the lockout slow down someone holding
the phone; they are not a defence against copying the file off a rooted phone. That is why the
device token is not derived from the PIN but kept in the platform's secure storage (Android
Keystore / iOS Keychain via ``flet-secure-storage``) behind the ``TokenStore`` protocol below.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from field_app.database import Meta
from field_app.errors import PinLocked
from kerawanan.errors import InvalidInput

PIN_KEY = "pin"
ITERATIONS = 300_000
MAX_TRIES = 5
FIRST_WAIT_S = 30
LONGEST_WAIT_S = 3600
PIN_LENGTHS = range(6, 9)


def hash_pin(pin: str, salt: bytes, iterations: int = ITERATIONS) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, iterations)


def check_pin_format(pin: str) -> None:
    """``InvalidInput`` unless the PIN is 6–8 digits and not trivially guessable."""
    if not (pin.isdigit() and pin.isascii() and len(pin) in PIN_LENGTHS):
        raise InvalidInput("PIN harus 6 sampai 8 angka.", code="pin.format",
                           fields={"pin": "PIN harus 6 sampai 8 angka."},
                           message_en="The PIN must be 6 to 8 digits.")
    if len(set(pin)) == 1 or pin in "0123456789012" or pin in "9876543210987":
        raise InvalidInput("PIN terlalu mudah ditebak.", code="pin.weak",
                           fields={"pin": "PIN terlalu mudah ditebak."},
                           message_en="That PIN is too easy to guess.")


def lock_seconds(failures: int) -> int:
    """How long unlocking is refused after ``failures`` wrong PINs in a row."""
    if failures < MAX_TRIES:
        return 0
    return min(LONGEST_WAIT_S, FIRST_WAIT_S * 2 ** min(failures - MAX_TRIES, 20))


class PinLock:
    """Set and check officers' PINs; state kept in the outbox meta under ``"pin"``."""

    def __init__(self, meta: Meta, *, iterations: int = ITERATIONS):
        self.meta = meta
        self.iterations = iterations

    def has_pin(self, officer: str) -> bool:
        return self.meta.get(officer, PIN_KEY) is not None

    def set_pin(self, officer: str, pin: str) -> None:
        check_pin_format(pin)
        salt = secrets.token_bytes(16)
        self.meta.set(officer, PIN_KEY, {
            "algo": "pbkdf2_sha256", "iterations": self.iterations, "salt": salt.hex(),
            "hash": hash_pin(pin, salt, self.iterations).hex(), "failures": 0, "locked_until": None,
        })

    def clear(self, officer: str) -> None:
        self.meta.delete(officer, PIN_KEY)

    def tries_left(self, officer: str) -> int:
        record = self.meta.get(officer, PIN_KEY) or {}
        return max(0, MAX_TRIES - int(record.get("failures", 0)))

    def check(self, officer: str, pin: str, now: datetime) -> bool:
        """True if ``pin`` is right. ``PinLocked`` while a lockout runs (the PIN is not even tried)."""
        record = self.meta.get(officer, PIN_KEY)
        if record is None:
            return False
        locked_until = datetime.fromisoformat(record["locked_until"]) if record.get("locked_until") else None
        if locked_until is not None and now < locked_until:
            raise _locked(locked_until, now)
        expected = bytes.fromhex(record["hash"])
        actual = hash_pin(pin, bytes.fromhex(record["salt"]), int(record["iterations"]))
        if hmac.compare_digest(expected, actual):
            self.meta.set(officer, PIN_KEY, {**record, "failures": 0, "locked_until": None})
            return True
        failures = int(record.get("failures", 0)) + 1
        wait = lock_seconds(failures)
        until = now + timedelta(seconds=wait) if wait else None
        self.meta.set(officer, PIN_KEY, {**record, "failures": failures,
                                         "locked_until": until.isoformat() if until else None})
        if until is not None:
            raise _locked(until, now)
        return False


def _locked(until: datetime, now: datetime) -> PinLocked:
    seconds = max(1, int((until - now).total_seconds() + 0.999))
    return PinLocked(f"Terlalu banyak PIN salah. Coba lagi dalam {seconds} detik.", until=until,
                     seconds_left=seconds, message_en=f"Too many wrong PINs. Try again in {seconds} seconds.")


# ---------------------------------------------------------------- device tokens


class TokenStore(Protocol):
    """Where device tokens live, one per officer. The UI backs it with ``flet-secure-storage``.

    The protocol is synchronous because the sync engine runs in a worker thread; an adapter over
    the async ``SecureStorage`` calls ``asyncio.run_coroutine_threadsafe(ss.get(key), loop).result()``.
    """

    def get(self, officer: str) -> str | None: ...

    def set(self, officer: str, token: str) -> None: ...

    def delete(self, officer: str) -> None: ...


class MemoryTokenStore:
    """For tests, and for a session that must not outlive the process."""

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}

    def get(self, officer: str) -> str | None:
        return self._tokens.get(officer)

    def set(self, officer: str, token: str) -> None:
        self._tokens[officer] = token

    def delete(self, officer: str) -> None:
        self._tokens.pop(officer, None)


class FileTokenStore:
    """Fallback for web mode, where the "device" is the serving host: a JSON file with mode 0600.

    LESS SECURE than the platform keystore: anyone who can read the host's files as this user can
    read the tokens. Use it only on a host you control; revoke a device from the server when in doubt.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def _read(self) -> dict[str, str]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def _write(self, tokens: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(tokens, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self.path)

    def get(self, officer: str) -> str | None:
        return self._read().get(officer)

    def set(self, officer: str, token: str) -> None:
        self._write({**self._read(), officer: token})

    def delete(self, officer: str) -> None:
        tokens = self._read()
        tokens.pop(officer, None)
        self._write(tokens)

"""Progressive delays after failed logins and enrollments, kept in the database.

Each attempt is counted against two keys: its (kind, account, address) — ``login`` and ``enroll``
are separate kinds, so guessing a password never delays a phone's enrollment — and its address
alone (``address``, every account and kind together). A key that has failed ``free`` times must
wait before each further attempt: ``base`` seconds, doubled after every new failure, at most
``cap``. An attempt inside a wait is refused with 429 and ``Retry-After`` *without* looking at the
password, so the right password does not get in either — from that address. Another address is
not delayed by someone else's guessing: an attacker can no longer lock an officer out.

The count is kept in the database and taken *before* the password is checked (one write
transaction, serialised across processes): with any number of server processes at most ``free``
attempts per key pass before the first wait. A right password then takes its attempt back.
A key quiet for ``forget`` seconds after its last failure and wait starts afresh.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from kerawanan.errors import RateLimited
from sync_server.storage.base import LimitKey, LimitState
from sync_server.storage.ports import Storage


@dataclass(frozen=True)
class DelayPolicy:
    free: int          # failures before the first wait
    base: float        # seconds of the first wait
    cap: float         # the longest wait
    forget: float      # seconds of quiet after which a key's failures are forgotten

    def wait_after(self, failures: int) -> float | None:
        """Seconds to wait after the ``failures``-th failure (None: no wait yet)."""
        if failures < self.free:
            return None
        return min(self.cap, self.base * 2 ** min(failures - self.free, 32))

    def current(self, state: LimitState | None, now: datetime) -> LimitState | None:
        """``state`` unless it is forgotten by ``now``."""
        if state is None:
            return None
        quiet_from = max(state.last_at, state.blocked_until or state.last_at)
        return None if now >= quiet_from + timedelta(seconds=self.forget) else state


def admit(policies: dict[LimitKey, DelayPolicy], states: dict[LimitKey, LimitState], now: datetime
          ) -> tuple[dict[LimitKey, LimitState | None], int | None]:
    """Either ``({}, seconds to wait)`` or the states with this attempt counted as a failure."""
    current = {key: policy.current(states.get(key), now) for key, policy in policies.items()}
    waits = [(s.blocked_until - now).total_seconds() for s in current.values()
             if s is not None and s.blocked_until is not None and s.blocked_until > now]
    if waits:
        return {}, max(1, math.ceil(max(waits)))
    updates: dict[LimitKey, LimitState | None] = {}
    for key, policy in policies.items():
        failures = (current[key].failures if current[key] else 0) + 1
        wait = policy.wait_after(failures)
        updates[key] = LimitState(failures=failures, last_at=now,
                                  blocked_until=now + timedelta(seconds=wait) if wait is not None else None)
    return updates, None


def give_back(states: dict[LimitKey, LimitState]) -> dict[LimitKey, LimitState | None]:
    """A right password: its account key starts afresh, its address takes the attempt back."""
    updates: dict[LimitKey, LimitState | None] = {}
    for key, state in states.items():
        if key.kind != "address" or state.failures <= 1:
            updates[key] = None
        else:
            updates[key] = replace(state, failures=state.failures - 1, blocked_until=None)
    return updates


class LoginLimiter:
    """``admit`` before checking a secret (429 inside a wait), ``succeeded`` after a right one."""

    def __init__(self, storage: Storage, *, per_account: int, per_address: int, base: float, cap: float):
        self.storage = storage
        self.account_policy = DelayPolicy(per_account, base, cap, forget=cap)
        self.address_policy = DelayPolicy(per_address, base, cap, forget=cap)

    def admit(self, kind: str, account: str, address: str, now: datetime) -> list[LimitKey]:
        policies = {LimitKey(kind, account, address): self.account_policy,
                    LimitKey("address", "", address): self.address_policy}
        retry_after = self.storage.update_login_limits(list(policies), lambda states: admit(policies, states, now))
        if retry_after is not None:
            raise RateLimited("Terlalu banyak percobaan gagal dari alamat ini. Coba lagi nanti.",
                              message_en="Too many failed attempts from this address. Try again later.",
                              retry_after=retry_after)
        return list(policies)

    def succeeded(self, keys: list[LimitKey]) -> None:
        self.storage.update_login_limits(keys, lambda states: (give_back(states), None))

    def forget_before(self, now: datetime) -> int:
        return self.storage.forget_login_limits(now - timedelta(seconds=2 * self.account_policy.cap))
